// Emits the declarations of the package's public entry into dist/types/, in a
// form an app's TypeScript can read with nothing but the package's runtime
// dependencies installed:
// - relative specifiers end in `.js` (the sources import `./x.ts`; a consumer's
//   resolver maps `./x.js` to `./x.d.ts`, but not `./x.ts`);
// - `ModelContract`, which the sources derive from the zod schema, is written
//   out as a plain object type, so the declarations import no zod;
// - the only package they import is `lit` (the element extends LitElement).
import ts from 'typescript';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The public entry: the element, ClassifierClient, the errors, the event details and the contract types. */
export const TYPE_ENTRY = 'components/column-classifier.ts';
/** The Node-side entry `column-classifier/bundlers` (its declarations name no Node type either). */
export const BUNDLERS_ENTRY = 'src/bundlers/index.ts';
/** Where package.json's `types` points, relative to the package root. */
export const TYPES_OUT = 'dist/types';
/** Packages the emitted declarations may import (a consumer has them: they are runtime dependencies). */
const ALLOWED_IMPORTS = new Set(['lit']);

const SCHEMA_SOURCE = 'src/contract/schema.ts';

/** Compiler options of the emit: the project's, with declarations on and no ambient Node types. */
function emitOptions(types) {
  const configPath = join(root, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root);
  return {
    ...parsed.options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    declarationDir: join(root, TYPES_OUT),
    rootDir: root,
    // The browser entry must not lean on @types/node: a consumer may not have it.
    types,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  };
}

/** `./x.ts` → `./x.js` in every relative import, export and `import()` type. */
function rewriteSpecifiers(text) {
  return (
    text
      .replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*)\.ts(['"])/g, '$1$2.js$3')
      // tsc names lit's own dependency where lit re-exports the same type; a strict installer (pnpm) hides lit-html.
      .replace(/import\("lit-html"\)/g, 'import("lit")')
  );
}

/**
 * The declaration of `src/contract/schema.ts` without zod: the schema constant
 * is dropped and `ModelContract` becomes the object type zod infers, printed in full.
 */
function schemaWithoutZod(emitted, program) {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(join(root, SCHEMA_SOURCE));
  const alias = source?.statements.find((s) => ts.isTypeAliasDeclaration(s) && s.name.text === 'ModelContract');
  if (alias === undefined)
    throw new Error(`${SCHEMA_SOURCE} no longer declares ModelContract; update scripts/build-types.mjs.`);
  const flags =
    ts.NodeBuilderFlags.NoTruncation | ts.NodeBuilderFlags.InTypeAlias | ts.NodeBuilderFlags.MultilineObjectLiterals;
  const node = checker.typeToTypeNode(checker.getTypeAtLocation(alias.name), alias, flags);
  if (node === undefined) throw new Error('ModelContract could not be written out as a type');
  const expanded = ts.createPrinter().printNode(ts.EmitHint.Unspecified, node, source);
  if (/\bz\.|\$strip|\$strict/.test(expanded))
    throw new Error(`ModelContract still names zod types after expansion:\n${expanded}`);

  const file = ts.createSourceFile('schema.d.ts', emitted, ts.ScriptTarget.ES2022, true);
  const kept = [];
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement) && statement.moduleSpecifier.getText(file).includes('zod')) continue;
    if (ts.isVariableStatement(statement) && statement.getText(file).includes('z.')) continue;
    const text = statement.getFullText(file);
    if (ts.isTypeAliasDeclaration(statement) && statement.name.text === 'ModelContract') {
      const doc = text.slice(0, text.indexOf('export'));
      kept.push(`${doc}export type ModelContract = ${expanded};`);
      continue;
    }
    kept.push(text);
  }
  const result = `${kept.join('')}\n`;
  if (/\bz\./.test(result)) throw new Error('the contract declarations still use zod after the rewrite');
  return result;
}

function formatDiagnostics(diagnostics) {
  return ts.formatDiagnosticsWithColorAndContext(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => '\n',
  });
}

/**
 * Writes dist/types/ for {@link TYPE_ENTRY} and checks that it imports no package but lit.
 *
 * @returns the written files, relative to the package root
 */
export async function buildTypes() {
  await rm(join(root, TYPES_OUT), { recursive: true, force: true });
  const written = [...(await emitEntry(TYPE_ENTRY, [])), ...(await emitEntry(BUNDLERS_ENTRY, ['node']))];
  return written.sort();
}

async function emitEntry(entry, types) {
  const options = emitOptions(types);
  const program = ts.createProgram({ rootNames: [join(root, entry)], options });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length > 0) throw new Error(`type errors in the public entry:\n${formatDiagnostics(diagnostics)}`);

  const files = new Map();
  const emitted = program.emit(undefined, (fileName, text) => files.set(fileName, text), undefined, true);
  if (emitted.diagnostics.length > 0) throw new Error(formatDiagnostics(emitted.diagnostics));

  const written = [];
  for (const [fileName, raw] of files) {
    const path = relative(root, fileName);
    let text = rewriteSpecifiers(raw);
    if (path === join(TYPES_OUT, SCHEMA_SOURCE.replace(/\.ts$/, '.d.ts'))) text = schemaWithoutZod(text, program);
    for (const match of text.matchAll(/(?:from\s*|import\s*\(\s*)['"]([^'".][^'"]*)['"]/g)) {
      const name = match[1].startsWith('@') ? match[1].split('/').slice(0, 2).join('/') : match[1].split('/')[0];
      if (!ALLOWED_IMPORTS.has(name))
        throw new Error(`${path} imports "${match[1]}", which a consumer does not install.`);
    }
    await mkdir(dirname(fileName), { recursive: true });
    await writeFile(fileName, text);
    written.push(path);
  }
  return written;
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  const written = await buildTypes();
  console.log(`${written.length} declaration files in ${TYPES_OUT}/`);
}
