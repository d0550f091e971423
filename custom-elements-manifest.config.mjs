// Custom Elements Manifest from the element's JSDoc (@attr, @fires, @csspart, …).

/** The analyzer also lists `emit(name, …)`'s parameter as an event called "name"; the real events are the @fires tags. */
function onlyDocumentedEvents() {
  return {
    name: 'only-documented-events',
    packageLinkPhase({ customElementsManifest }) {
      for (const module of customElementsManifest.modules) {
        for (const declaration of module.declarations ?? []) {
          if (declaration.events) declaration.events = declaration.events.filter((event) => event.name.startsWith('cc-'));
        }
      }
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
  plugins: [onlyDocumentedEvents()],
};
