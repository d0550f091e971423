/**
 * The directory of the `.wasm` files for the compiled CLI (`dist/cli/`): the
 * build copies them into `dist/`, beside the worker bundle, so the package
 * ships them once for the browser and for Node.
 */
import { fileURLToPath } from 'node:url';

/** A directory path with a trailing slash, as `setWasmPaths` takes it in Node. */
export function wasmDirectory(): string {
  return fileURLToPath(new URL('../', import.meta.url));
}
