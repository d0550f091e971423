import * as tf from '@tensorflow/tfjs';
import { DisposedError, InputError } from '../src/errors.ts';
import type {
  BackendName,
  ClassifierWorkerApi,
  InitOptions,
  RuntimeInfo,
  StripMeansResult,
  WorkerMemory,
} from '../src/worker-api/classifier-worker-api.ts';
import { defaultWasmPaths } from './asset-urls.ts';
import { activateBackend } from './backend.ts';
import { framePixels } from './frame-pixels.ts';

const BT601 = [0.299, 0.587, 0.114] as const;

/**
 * Does the worker's tensor work. Usable without a Worker (tests and the
 * main-thread baseline call it directly); the worker entry only exposes it.
 */
export class ClassifierService implements ClassifierWorkerApi {
  private backend: BackendName | undefined;
  private disposed = false;

  async init(options: InitOptions): Promise<RuntimeInfo> {
    this.assertAlive();
    const wasmThreads = false;
    this.backend = await activateBackend(options.backend, options.wasmPaths ?? defaultWasmPaths, wasmThreads);
    return { backend: this.backend, tfjsVersion: tf.version.tfjs, wasmThreads };
  }

  async measureStrips(frame: ImageBitmap, strips: number): Promise<StripMeansResult> {
    try {
      this.assertAlive();
      const backend = this.requireBackend();
      if (!Number.isInteger(strips) || strips < 1) {
        throw new InputError('input/bad-argument', `strips must be a positive integer, got ${strips}.`);
      }
      const { width, height } = frame;
      if (width === 0 || height === 0) {
        throw new InputError(
          'input/zero-size-frame',
          `The frame is ${width} × ${height}: it was closed, transferred elsewhere, or captured from a source with no pixels yet (an unloaded image or a video before its first frame).`,
        );
      }
      if (strips > width) {
        throw new InputError('input/bad-argument', `Cannot cut a ${width}-pixel-wide frame into ${strips} strips.`);
      }
      const start = performance.now();
      const pixels = tf.browser.fromPixels(framePixels(frame), 3);
      const tensorReady = performance.now();
      const means = tf.tidy(() => {
        const grey = pixels.toFloat().mul(tf.tensor1d([...BT601])).sum(2);
        const columnSums = grey.sum(0);
        const stripOfColumn = tf.tensor1d(
          Array.from({ length: width }, (_, x) => Math.floor((x * strips) / width)),
          'int32',
        );
        // A membership matrix turns the per-strip sums into one matMul (UnsortedSegmentSum has no
        // wasm kernel, and oneHot refuses a depth of 1).
        const membership = tf.equal(stripOfColumn.expandDims(1), tf.range(0, strips, 1, 'int32').expandDims(0)).toFloat();
        const sums = columnSums.expandDims(0).matMul(membership).squeeze([0]);
        const pixelsPerStrip = membership.sum(0).mul(height);
        return sums.div(pixelsPerStrip);
      });
      pixels.dispose();
      const computed = performance.now();
      const values = Array.from(await means.data());
      means.dispose();
      const end = performance.now();
      return {
        means: values,
        width,
        height,
        backend,
        timings: { toTensor: tensorReady - start, compute: computed - tensorReady, readback: end - computed, total: end - start },
      };
    } finally {
      frame.close();
    }
  }

  async memory(): Promise<WorkerMemory> {
    this.assertAlive();
    const { numTensors, numBytes } = tf.memory();
    return { numTensors, numBytes, backend: this.requireBackend() };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.backend = undefined;
    tf.disposeVariables();
  }

  private requireBackend(): BackendName {
    if (this.backend === undefined) {
      throw new InputError('input/bad-argument', 'The worker has no backend yet: call init() first.');
    }
    return this.backend;
  }

  private assertAlive(): void {
    if (this.disposed) {
      throw new DisposedError('disposed/used-after-dispose', 'This classifier service was disposed; create a new one.');
    }
  }
}
