/**
 * Golden cases: inputs shipped in the contract with the outputs the model
 * must give on any backend. The worker runs them after choosing a backend
 * (a backend that disagrees is dropped); the Node reference writes them.
 */
import * as tf from '@tensorflow/tfjs';
import type { GoldenCase } from '../contract/schema.ts';
import { BackendError, ContractError } from '../errors.ts';
import { preprocessColumns } from '../preprocess/index.ts';
import { NO_MARGINS, WHOLE_FRAME } from '../preprocess/types.ts';
import type { ClassifierModel } from './classifier-model.ts';
import type { ModelSource } from './source.ts';

/** Turns image file bytes into a [H, W, 3|4] pixel tensor (Node: pngjs; browser: createImageBitmap + fromPixels). */
export type ImageDecoder = (bytes: Uint8Array, path: string) => Promise<tf.Tensor3D>;

/** The comparison of one head of one golden case. */
export interface GoldenResult {
  readonly case: string;
  readonly head: string;
  /** Largest |computed − expected|; NaN when the case was skipped. */
  readonly maxAbsDiff: number;
  readonly ok: boolean;
  /** Why the case was not run (e.g. a PNG case without an image decoder). */
  readonly skipped?: string;
}

function base64ToFloat32(data: string): Float32Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** Encodes float32 values as the contract's `float32-base64` (little-endian, as every platform here is). */
export function float32ToBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * The model input of a golden case, [1, height, width, channels]; the caller disposes it.
 *
 * @returns undefined when the case is a PNG and no decoder is given
 */
export async function goldenInput(model: ClassifierModel, goldenCase: GoldenCase, source: ModelSource | undefined, decode: ImageDecoder | undefined): Promise<tf.Tensor4D | undefined> {
  const { height, width, channels } = model.spec;
  if (goldenCase.input.kind === 'float32-base64') {
    return tf.tensor4d(base64ToFloat32(goldenCase.input.data), [1, height, width, channels]);
  }
  if (decode === undefined || source === undefined) return undefined;
  const frame = await decode(await source.readBytes(goldenCase.input.path), goldenCase.input.path);
  try {
    return preprocessColumns(frame, { columns: 1, corners: WHOLE_FRAME, margins: NO_MARGINS }, model.spec);
  } finally {
    frame.dispose();
  }
}

/** Every head's values for one model input, by head name. */
export async function headValues(model: ClassifierModel, input: tf.Tensor4D): Promise<Record<string, number[]>> {
  const outputs = model.predict(input);
  try {
    const values: Record<string, number[]> = {};
    for (const [name, tensor] of Object.entries(outputs)) values[name] = Array.from(await tensor.data());
    return values;
  } finally {
    for (const t of Object.values(outputs)) t.dispose();
  }
}

/**
 * Runs the contract's golden cases on the current backend.
 *
 * @param source - where PNG golden inputs are read from (beside model.json)
 * @param decode - decodes PNG golden inputs; without it PNG cases are skipped
 */
export async function runGolden(model: ClassifierModel, source?: ModelSource, decode?: ImageDecoder): Promise<GoldenResult[]> {
  const golden = model.contract.golden;
  if (golden === undefined) return [];
  const results: GoldenResult[] = [];
  for (const [i, goldenCase] of golden.cases.entries()) {
    const name = goldenCase.name ?? `case ${i}`;
    const input = await goldenInput(model, goldenCase, source, decode);
    if (input === undefined) {
      for (const head of Object.keys(goldenCase.expected)) results.push({ case: name, head, maxAbsDiff: Number.NaN, ok: true, skipped: 'PNG input and no image decoder' });
      continue;
    }
    let values: Record<string, number[]>;
    try {
      values = await headValues(model, input);
    } finally {
      input.dispose();
    }
    for (const [head, expected] of Object.entries(goldenCase.expected)) {
      const computed = values[head];
      if (computed === undefined) throw new ContractError('contract/golden-unknown-head', `Golden ${name} expects head "${head}", which the model does not produce.`);
      const maxAbsDiff = expected.reduce((m, e, k) => Math.max(m, Math.abs(e - (computed[k] ?? Number.NaN))), 0);
      results.push({ case: name, head, maxAbsDiff, ok: maxAbsDiff <= golden.tolerance });
    }
  }
  return results;
}

/**
 * Throws when a golden case disagrees beyond the contract's tolerance.
 *
 * @throws {BackendError} `backend/golden-mismatch`, naming the case, head, difference and backend
 */
export function assertGolden(results: readonly GoldenResult[], tolerance: number): void {
  const bad = results.filter((r) => !r.ok);
  if (bad.length === 0) return;
  const list = bad.map((r) => `${r.case} head "${r.head}": max |diff| ${r.maxAbsDiff.toPrecision(3)}`).join('; ');
  throw new BackendError('backend/golden-mismatch', `On the ${tf.getBackend()} backend the model disagrees with its golden outputs beyond the tolerance ${tolerance}: ${list}. Use another backend (e.g. wasm instead of webgl with half floats).`, { details: { backend: tf.getBackend(), results: bad.map((r) => ({ ...r })) } });
}
