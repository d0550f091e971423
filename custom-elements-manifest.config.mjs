// Custom Elements Manifest from the element's JSDoc (@attr, @fires, @csspart, …),
// written for the package: paths name the shipped bundle, not the TypeScript
// sources, and each event carries its `CustomEvent<Detail>` type.
import { readFileSync } from 'node:fs';
import ts from 'typescript';

/** The shipped module that defines <column-classifier> (the sources are not in the package). */
const SHIPPED_MODULE = 'dist/column-classifier.js';
/** Where the event map lives: one interface names every event and its detail type. */
const EVENTS_SOURCE = 'components/column-classifier/events.ts';
const EVENT_MAP = 'ColumnClassifierEventMap';

/** Event name → `CustomEvent<Detail>`, read from the event map interface the declarations ship. */
function eventTypes() {
  const file = ts.createSourceFile(EVENTS_SOURCE, readFileSync(EVENTS_SOURCE, 'utf8'), ts.ScriptTarget.ES2022, true);
  const map = file.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === EVENT_MAP);
  if (map === undefined) throw new Error(`${EVENTS_SOURCE} has no interface ${EVENT_MAP}`);
  const types = new Map();
  for (const member of map.members) {
    if (!ts.isPropertySignature(member) || member.type === undefined) continue;
    types.set(member.name.getText(file).replace(/^['"]|['"]$/g, ''), member.type.getText(file));
  }
  return types;
}

/**
 * Keeps only the documented `cc-*` events (the analyzer also lists `emit(name, …)`'s parameter as
 * an event called "name"), types each from the event map, describes each property by its
 * attribute's @attr line, and points the element and its definition at the shipped bundle.
 */
function shippedManifest() {
  return {
    name: 'shipped-manifest',
    packageLinkPhase({ customElementsManifest }) {
      const types = eventTypes();
      const modules = customElementsManifest.modules;
      const element = modules.find((m) => (m.declarations ?? []).some((d) => d.tagName === 'column-classifier'));
      if (element === undefined) throw new Error('the manifest has no <column-classifier>');
      const declaration = element.declarations.find((d) => d.tagName === 'column-classifier');
      declaration.events = (declaration.events ?? []).filter((event) => event.name.startsWith('cc-'));
      for (const event of declaration.events) {
        const type = types.get(event.name);
        if (type === undefined) throw new Error(`@fires ${event.name} is not in ${EVENT_MAP} (${EVENTS_SOURCE})`);
        event.type = { text: type };
      }
      for (const member of declaration.members ?? []) {
        const attribute = (declaration.attributes ?? []).find((a) => a.fieldName === member.name);
        if (member.description === undefined && attribute?.description !== undefined)
          member.description = attribute.description;
      }
      customElementsManifest.modules = [
        {
          kind: 'javascript-module',
          path: SHIPPED_MODULE,
          declarations: [declaration],
          exports: [
            { kind: 'js', name: declaration.name, declaration: { name: declaration.name, module: SHIPPED_MODULE } },
            {
              kind: 'custom-element-definition',
              name: 'column-classifier',
              declaration: { name: declaration.name, module: SHIPPED_MODULE },
            },
          ],
        },
      ];
    },
  };
}

export default {
  globs: ['components/column-classifier/column-classifier.component.ts', 'components/column-classifier.ts'],
  outdir: process.env.CEM_OUTDIR ?? '.',
  litelement: true,
  // The customElements field of package.json is set by hand; the analyzer would rewrite it to the outdir.
  packagejson: false,
  dependencies: false,
  plugins: [shippedManifest()],
};
