/**
 * Where the worker finds its assets when served from the sources (dev server,
 * tests). The build swaps this module for `asset-urls.bundle.ts`.
 */
export const defaultWasmPaths = new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).href;
