import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendError } from '../src/errors.ts';
import type { BackendName } from '../src/worker-api/classifier-worker-api.ts';

/** Registered backends, as TF.js names them (the wasm package registers 'wasm' on import). */
function isBackendName(name: string): name is BackendName {
  return name === 'cpu' || name === 'wasm' || name === 'webgl';
}

/**
 * Makes `backend` the active TF.js backend, or throws a BackendError. Never
 * falls back silently: the caller decides what to try next.
 */
export async function activateBackend(backend: BackendName, wasmPaths: string, wasmThreads: boolean): Promise<BackendName> {
  // Must happen before any backend is chosen: a failed WebGL init otherwise
  // falls back to WASM, which then fetches its .wasm from the wrong place.
  setWasmPaths(wasmPaths);
  // Threaded WASM hung in Firefox here (PLATFORM.md); it is opt-in.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', wasmThreads);
  let ok: boolean;
  try {
    ok = await tf.setBackend(backend);
    await tf.ready();
  } catch (cause) {
    throw new BackendError('backend/init-failed', `The "${backend}" backend failed to initialize: ${String(cause)}. Choose another backend.`, {
      cause,
      details: { backend },
    });
  }
  const active = tf.getBackend();
  if (!ok || active !== backend || !isBackendName(active)) {
    throw new BackendError(
      'backend/unavailable',
      `The "${backend}" backend is not available in this browser (TF.js is on "${active}"). Choose another backend.`,
      { details: { backend, active } },
    );
  }
  return active;
}
