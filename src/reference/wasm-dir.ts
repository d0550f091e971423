/**
 * The directory of tfjs-backend-wasm's `.wasm` files when the CLI runs from the
 * sources (tsx, tests): the installed package's `dist/`. The compiled CLI swaps
 * this module for `wasm-dir.bundle.ts`.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/** A directory path with a trailing slash, as `setWasmPaths` takes it in Node. */
export function wasmDirectory(): string {
  const require = createRequire(import.meta.url);
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
}
