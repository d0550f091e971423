// A tiny app that bundles the built element into its own bundle, as a
// consumer would; scripts/build-test-pages.mjs bundles it with esbuild.
import 'column-classifier';

export const defined = customElements.get('column-classifier') !== undefined;
