/** In the built bundle the `.wasm` files are copied beside the worker. */
export const defaultWasmPaths = new URL('./', import.meta.url).href;
