// Compiles the command-line tool (src/cli/main.ts) to JavaScript for Node in
// dist/cli/, so an app that installed the package runs `npx column-classifier`
// without tsx or the TypeScript sources. TF.js, zod, pngjs and jpeg-js are
// bundled; the browser drivers the doctor loads on demand (puppeteer-core,
// webdriverio) are not: they are optional peer dependencies.
//
// Modules that find files of the repository have `.bundle.ts` variants for
// the package (the wasm files, the shipped model and the doctor's page script
// are in dist/); `../../scripts/browsers.mjs`, which the doctor resolves
// against `import.meta.url`, is shipped as it is, since dist/cli/ is as deep
// as src/doctor/.
import * as esbuild from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Where the compiled CLI goes; `bin/column-classifier.js` imports `main.js` from here. */
export const CLI_OUT = 'dist/cli';
/** Loaded with `import()` only by `doctor`, and only when that engine is installed. */
export const CLI_EXTERNAL = ['puppeteer-core', 'webdriverio'];

/** Swaps modules that find files in the repository for their variants in the compiled CLI. */
const shippedPathsPlugin = {
  name: 'cli-shipped-paths',
  setup(build) {
    build.onResolve({ filter: /\/(wasm-dir|page-script-source|default-model|rendering-sources)\.ts$/ }, (args) => ({
      path: join(args.resolveDir, args.path.replace(/\.ts$/, '.bundle.ts')),
    }));
  },
};

/**
 * Builds dist/cli/: `main.js` and the chunks of its lazily loaded commands, and
 * `doctor-page.js`, the doctor's page script compiled once here instead of at each run.
 *
 * @returns the esbuild metafile, to check what the CLI bundles
 */
export async function buildCli() {
  const out = join(root, CLI_OUT);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { main: 'src/cli/main.ts' },
    outdir: out,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    // Errors print their class name (`LoadError [load/http]`); minified names would print `Le`.
    keepNames: true,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    external: CLI_EXTERNAL,
    tsconfig: join(root, 'tsconfig.json'),
    // The bundled CommonJS packages (TF.js, pngjs) call require() for Node's own modules, and the
    // wasm backend's Emscripten loader reads __dirname.
    banner: {
      js: [
        "import { createRequire as __ccCreateRequire } from 'node:module';",
        "import { fileURLToPath as __ccFileURLToPath } from 'node:url';",
        'const require = __ccCreateRequire(import.meta.url);',
        'const __filename = __ccFileURLToPath(import.meta.url);',
        "const __dirname = __ccFileURLToPath(new URL('.', import.meta.url));",
      ].join('\n'),
    },
    plugins: [shippedPathsPlugin],
  });
  // `column-classifier/bundlers`: Node-side helpers for app bundlers; it finds the assets beside itself in dist/.
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { bundlers: 'src/bundlers/index.ts' },
    outdir: join(root, 'dist'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  const page = await readFile(join(root, 'src/doctor/page-script.ts'), 'utf8');
  const compiled = await esbuild.transform(page, { loader: 'ts', format: 'esm', target: 'es2022' });
  await writeFile(join(out, 'doctor-page.js'), compiled.code);
  return result.metafile;
}
