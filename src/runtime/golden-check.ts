/**
 * The golden self-check: run the contract's golden inputs through a loaded
 * model on the current backend and measure how far the outputs are from the
 * expected ones. The worker runs it on every backend before trusting it; the
 * Node reference and `doctor` run the same function.
 */
import * as tf from '@tensorflow/tfjs';
import type { PngGoldenCaseInput } from '../contract/schema.ts';
import type { ClassifierModel } from '../model/classifier-model.ts';

/** What the check measured. */
export interface GoldenMeasurement {
  /** Largest |computed − expected| over every case, head and unit. */
  readonly maxAbsDiff: number;
  /** The same, per head name. */
  readonly maxAbsDiffByHead: Readonly<Record<string, number>>;
  readonly tolerance: number;
  readonly cases: number;
  readonly passed: boolean;
}

/** Turns a golden PNG case (path relative to model.json) into a [rows, h, w, c] model input, by the contract's preprocessing. */
export type PngGoldenInput = (input: PngGoldenCaseInput) => Promise<tf.Tensor4D>;

function decodeFloat32Base64(data: string): Float32Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/**
 * Runs every golden case of the model's contract on the active backend.
 *
 * @param model - a loaded model
 * @param pngInput - how to build the input of a `png` case (reading files differs between Node and a worker)
 * @returns undefined when the contract has no golden section
 */
export async function measureGolden(model: ClassifierModel, pngInput: PngGoldenInput): Promise<GoldenMeasurement | undefined> {
  const golden = model.contract.golden;
  if (golden === undefined) return undefined;
  const { height, width, channels } = model.spec;
  const byHead: Record<string, number> = {};
  for (const goldenCase of golden.cases) {
    const input =
      goldenCase.input.kind === 'float32-base64'
        ? tf.tensor4d(decodeFloat32Base64(goldenCase.input.data), [1, height, width, channels])
        : await pngInput(goldenCase.input);
    let outputs: Record<string, tf.Tensor>;
    try {
      outputs = model.predict(input);
    } finally {
      input.dispose();
    }
    try {
      for (const [head, expected] of Object.entries(goldenCase.expected)) {
        const tensor = outputs[head];
        const computed = tensor === undefined ? undefined : await tensor.data();
        let diff = Number.POSITIVE_INFINITY;
        if (computed !== undefined && computed.length === expected.length) {
          diff = 0;
          expected.forEach((value, i) => {
            diff = Math.max(diff, Math.abs((computed[i] ?? Number.NaN) - value));
          });
          if (Number.isNaN(diff)) diff = Number.POSITIVE_INFINITY;
        }
        byHead[head] = Math.max(byHead[head] ?? 0, diff);
      }
    } finally {
      for (const tensor of Object.values(outputs)) tensor.dispose();
    }
  }
  const maxAbsDiff = Math.max(0, ...Object.values(byHead));
  return { maxAbsDiff, maxAbsDiffByHead: byHead, tolerance: golden.tolerance, cases: golden.cases.length, passed: maxAbsDiff <= golden.tolerance };
}
