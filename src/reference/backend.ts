/** Choosing the TF.js backend in Node (reference pipeline, CLIs, tests). */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendError } from '../errors.ts';

/** Backends usable in Node without native add-ons. */
export type NodeBackend = 'wasm' | 'cpu';

let wasmPathsSet = false;

/**
 * Makes `name` the TF.js backend. Call it before creating any tensor.
 *
 * @throws {BackendError} `backend/init-failed` when the backend cannot start
 */
export async function useNodeBackend(name: NodeBackend = 'wasm'): Promise<void> {
  if (name === 'wasm' && !wasmPathsSet) {
    // A file path, not a URL: in Node the wasm backend reads its .wasm files from disk.
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    setWasmPaths(`${join(dist)}/`);
    wasmPathsSet = true;
  }
  if (tf.getBackend() === name) return;
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) {
    throw new BackendError('backend/init-failed', `The TF.js ${name} backend could not start in Node (tf.getBackend() is ${tf.getBackend()}); try --backend cpu.`);
  }
}
