/**
 * In the built bundle the worker, the `.wasm` files and the shipped model sit
 * beside the element bundle: in the package's `dist/`, or wherever an app's
 * bundler put the element's code and copied those files (see the README, "Use
 * with Vite / esbuild / a plain page").
 *
 * The base is resolved at run time from a variable, never as
 * `new URL('<literal>', import.meta.url)`: bundlers rewrite that form into an
 * asset of its own (Vite turned the model URL into `assets/model-<hash>.json`
 * without its weight shard).
 */
const moduleUrl: string = import.meta.url;

/** The directory the element's code runs from, with a trailing slash. */
const assetsBase = new URL('./', moduleUrl);
export const defaultWorkerUrl = new URL('column-classifier.worker.js', assetsBase);
/** Loaded only when the page fine-tunes: all of TF.js's wasm backend and gradients. */
export const defaultFineTuneWorkerUrl = new URL('column-classifier.fine-tune.worker.js', assetsBase);
export const defaultModelUrl = new URL('models/column-classifier/model.json', assetsBase);
export const defaultLocalizerUrl = new URL('models/localizer/model.json', assetsBase);
