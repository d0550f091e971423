import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendError } from '../src/errors.ts';
import { isBackendName, type BackendName } from '../src/worker-api/classifier-worker-api.ts';

/** Settings that must be in place before any backend is chosen. */
export interface BackendSetup {
  readonly wasmPaths: string;
  readonly wasmThreads: boolean;
  readonly flags: Readonly<Record<string, boolean | number>>;
}

let configured = false;

/** The WebGL backend's module once a page has asked for it (see webgl-backend.ts). */
let webglModule: typeof import('./webgl-backend.ts') | undefined;

/**
 * Loads the chunk of a backend the worker does not start with (importing it registers the backend) the first time
 * that backend is tried; wasm is always there.
 */
async function loadBackendCode(backend: BackendName): Promise<void> {
  try {
    if (backend === 'webgl') webglModule ??= await import('./webgl-backend.ts');
    if (backend === 'cpu') await import('./cpu-backend.ts');
  } catch (cause) {
    throw new BackendError(
      'backend/init-failed',
      `The "${backend}" backend's code could not be loaded (${String(cause)}). If the app copies the element's files, copy the column-classifier-chunks folder beside the worker too; or choose backend="wasm".`,
      { cause, details: { backend } },
    );
  }
}

async function configure(setup: BackendSetup): Promise<void> {
  // setWasmPaths must come before any backend is chosen: a failed WebGL init
  // otherwise falls back to WASM, which then fetches its .wasm from the wrong place.
  setWasmPaths(setup.wasmPaths);
  // Threaded WASM hung in Firefox here (docs/platform.md); it is opt-in.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', setup.wasmThreads && globalThis.crossOriginIsolated === true);
  for (const [flag, value] of Object.entries(setup.flags)) {
    try {
      tf.env().set(flag, value);
    } catch {
      // TF.js knows its WebGL flags (WEBGL_FORCE_F16_TEXTURES, …) only once the WebGL code, loaded on demand, is in.
      await loadBackendCode('webgl');
      tf.env().set(flag, value);
    }
  }
  configured = true;
}

/**
 * Makes `backend` the active TF.js backend, or throws a BackendError. Never
 * falls back silently: the caller decides what to try next.
 */
export async function activateBackend(backend: BackendName, setup: BackendSetup): Promise<BackendName> {
  if (!configured || tf.getBackend() === undefined) await configure(setup);
  await loadBackendCode(backend);
  let ok: boolean;
  try {
    ok = await tf.setBackend(backend);
    // After a refusal, tf.ready() would start a backend of TF.js's own choosing, and throw when wasm, the only one
    // the worker starts with, is the one refused.
    if (ok) await tf.ready();
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
  // After a refusal TF.js still names the refused backend, with nothing behind it.
  const active = ok ? tf.getBackend() : undefined;
  const refusal = backend === 'wasm' && (!ok || active !== backend) ? await wasmCompileRefusal() : undefined;
  if (refusal !== undefined) {
    throw new BackendError(
      'backend/unavailable',
      `The "wasm" backend cannot start: this page may not compile WebAssembly (${refusal}). If the page sends a Content-Security-Policy, its script-src must allow 'wasm-unsafe-eval' (e.g. script-src 'self' 'wasm-unsafe-eval'); or choose backend="webgl" or "cpu".`,
      { details: { backend, reason: 'csp' } },
    );
  }
  if (!ok || active !== backend || !isBackendName(active)) {
    throw new BackendError(
      'backend/unavailable',
      `The "${backend}" backend is not available in this browser (${active === undefined ? 'TF.js could not start it' : `TF.js is on "${active}"`}). Choose another backend.`,
      { details: active === undefined ? { backend } : { backend, active } },
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

/**
 * Why this scope may not compile WebAssembly, or undefined when it may. TF.js only logs its own failure to the
 * worker's console; compiling the smallest module (8 bytes) here recovers the reason, usually a
 * Content-Security-Policy without 'wasm-unsafe-eval'.
 */
async function wasmCompileRefusal(): Promise<string | undefined> {
  if (typeof WebAssembly === 'undefined') return 'WebAssembly is not defined here';
  // The asynchronous compile, as TF.js itself compiles.
  try {
    await WebAssembly.compile(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    return undefined;
  } catch (error) {
    return String(error);
  }
}

/**
 * The renderer's name when WebGL here is drawn in software (SwiftShader, llvmpipe: no GPU, or a blocklisted one),
 * else undefined. Reading it costs one tiny context, against seconds to start TF.js's WebGL backend on such a
 * renderer only to find it slower than wasm.
 */
export function softwareWebglRenderer(): string | undefined {
  if (typeof OffscreenCanvas === 'undefined') return undefined;
  let gl: WebGL2RenderingContext | WebGLRenderingContext | null = null;
  try {
    const canvas = new OffscreenCanvas(1, 1);
    gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
  } catch {
    return undefined;
  }
  if (gl === null) return undefined;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(info === null ? gl.RENDERER : info.UNMASKED_RENDERER_WEBGL));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return /swiftshader|llvmpipe|softpipe|software|basic render driver/i.test(renderer) ? renderer : undefined;
}

/** Whether TF.js would let the WASM backend use threads now. */
export function wasmThreadsEnabled(): boolean {
  return tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
}

/** The WebGL rendering context of the active WebGL backend, if that is the active one. */
export function activeWebglContext(): WebGLRenderingContext | WebGL2RenderingContext | undefined {
  if (tf.getBackend() !== 'webgl') return undefined;
  const backend = tf.backend();
  return webglModule !== undefined && backend instanceof webglModule.MathBackendWebGL ? backend.gpgpu.gl : undefined;
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
