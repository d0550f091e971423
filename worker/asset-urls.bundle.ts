/**
 * In the built bundle the `.wasm` files are copied beside the worker. Resolved
 * from a variable, not as `new URL('./', import.meta.url)`: a bundler that
 * rewrites that form (Vite's dev server) dropped the trailing slash, and
 * TF.js then asked for `.../disttfjs-backend-wasm-simd.wasm`.
 */
const moduleUrl: string = import.meta.url;

export const defaultWasmPaths = new URL('./', moduleUrl).href;
