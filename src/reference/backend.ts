/** Choosing the TF.js backend in Node (reference pipeline, CLIs, tests). */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendError } from '../errors.ts';
import { wasmDirectory } from './wasm-dir.ts';

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
    setWasmPaths(wasmDirectory());
    wasmPathsSet = true;
  }
  if (tf.getBackend() === name) return;
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) {
    throw new BackendError(
      'backend/init-failed',
      `The TF.js ${name} backend could not start in Node (tf.getBackend() is ${tf.getBackend()}); try --backend cpu.`,
    );
  }
}
