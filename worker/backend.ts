import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { BackendError } from '../src/errors.ts';
import type { BackendName } from '../src/worker-api/classifier-worker-api.ts';

function isBackendName(name: string): name is BackendName {
  return name === 'cpu' || name === 'wasm' || name === 'webgl';
}

/** Settings that must be in place before any backend is chosen. */
export interface BackendSetup {
  readonly wasmPaths: string;
  readonly wasmThreads: boolean;
  readonly flags: Readonly<Record<string, boolean | number>>;
}

let configured = false;

function configure(setup: BackendSetup): void {
  // setWasmPaths must come before any backend is chosen: a failed WebGL init
  // otherwise falls back to WASM, which then fetches its .wasm from the wrong place.
  setWasmPaths(setup.wasmPaths);
  // Threaded WASM hung in Firefox here (docs/platform.md); it is opt-in.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', setup.wasmThreads && globalThis.crossOriginIsolated === true);
  for (const [flag, value] of Object.entries(setup.flags)) tf.env().set(flag, value);
  configured = true;
}

/**
 * Makes `backend` the active TF.js backend, or throws a BackendError. Never
 * falls back silently: the caller decides what to try next.
 */
export async function activateBackend(backend: BackendName, setup: BackendSetup): Promise<BackendName> {
  if (!configured || tf.getBackend() === undefined) configure(setup);
  let ok: boolean;
  try {
    ok = await tf.setBackend(backend);
    await tf.ready();
  } catch (cause) {
    throw new BackendError(
      'backend/init-failed',
      `The "${backend}" backend failed to initialize: ${String(cause)}. Choose another backend.`,
      {
        cause,
        details: { backend },
      },
    );
  }
  const active = tf.getBackend();
  if (!ok || active !== backend || !isBackendName(active)) {
    throw new BackendError(
      'backend/unavailable',
      `The "${backend}" backend is not available in this browser (TF.js is on "${String(active)}"). Choose another backend.`,
      { details: { backend, active } },
    );
  }
  if (active === 'webgl' && !tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')) {
    // Half floats carry 11 significant bits: the golden crops may still pass, but whole photos drifted by up to
    // 1.3e-2 from Node's outputs (six times a model's usual tolerance), so this WebGL is not used at all.
    throw new BackendError(
      'backend/unavailable',
      "This WebGL renders to half-float textures only (as many phones do, or WEBGL_FORCE_F16_TEXTURES is set); its outputs would drift from the model's by more than the contract allows, so it is not used.",
      { details: { backend, reason: 'half-float' } },
    );
  }
  return active;
}

/** Whether TF.js would let the WASM backend use threads now. */
export function wasmThreadsEnabled(): boolean {
  return tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
}

/** The WebGL rendering context of the active WebGL backend, if that is the active one. */
export function activeWebglContext(): WebGLRenderingContext | WebGL2RenderingContext | undefined {
  if (tf.getBackend() !== 'webgl') return undefined;
  const backend = tf.backend();
  return backend instanceof MathBackendWebGL ? backend.gpgpu.gl : undefined;
}

/**
 * Throws away the WebGL backend so that the next `activateBackend('webgl')`
 * builds a fresh one on a new context. TF.js does not recover a lost context
 * by itself; removing the backend and registering its factory again does.
 */
export function resetWebglBackend(): void {
  const factory = tf.findBackendFactory('webgl');
  if (factory === null) return;
  try {
    // Removing the active backend also makes TF.js forget it as the active one.
    tf.removeBackend('webgl');
  } catch {
    // Disposing a backend whose context is gone can fail; it is dropped either way.
  }
  if (tf.findBackendFactory('webgl') === null) tf.registerBackend('webgl', factory, 2);
}
