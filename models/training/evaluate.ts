/** Predicting a dataset and measuring accuracy the way the product decodes. */
import * as tf from '@tensorflow/tfjs';
import { batchOf, type Dataset } from './dataset.ts';

/** The decode rule: heaven counts when its probability is at least this. */
export const HEAVEN_THRESHOLD = 0.5;

/** Outputs of the model on a dataset. */
export interface Predictions {
  readonly heaven: Float32Array;
  /** size × 5 */
  readonly earth: Float32Array;
  readonly digits: Uint8Array;
}

/** Decodes one column: digit = 5 · [heaven ≥ threshold] + argmax(earth). */
export function decodeDigit(heaven: number, earth: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < earth.length; i++) if ((earth[i] ?? -Infinity) > (earth[best] ?? -Infinity)) best = i;
  return (heaven >= HEAVEN_THRESHOLD ? 5 : 0) + best;
}

/** Runs the model over a dataset in batches. */
export function predictDataset(model: tf.LayersModel, data: Dataset, batchSize = 256): Predictions {
  const heaven = new Float32Array(data.size);
  const earth = new Float32Array(data.size * 5);
  const digits = new Uint8Array(data.size);
  for (let start = 0; start < data.size; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, data.size - start) }, (_, i) => start + i);
    const batch = batchOf(data, indices);
    const [h, e] = model.predict(batch.x) as tf.Tensor[];
    heaven.set(h!.dataSync(), start);
    earth.set(e!.dataSync(), start * 5);
    tf.dispose([batch.x, batch.heaven, batch.earth, h!, e!]);
  }
  for (let i = 0; i < data.size; i++) digits[i] = decodeDigit(heaven[i] ?? 0, earth.subarray(i * 5, i * 5 + 5));
  return { heaven, earth, digits };
}

/** Accuracy of a group of crops. */
export interface GroupAccuracy {
  readonly count: number;
  readonly correct: number;
  readonly accuracy: number;
}

/** Everything the report says about a dataset. */
export interface Evaluation {
  readonly size: number;
  readonly digitAccuracy: number;
  readonly heavenAccuracy: number;
  readonly earthAccuracy: number;
  readonly loss: number;
  readonly perDigit: GroupAccuracy[];
  /** confusion[true][predicted] */
  readonly confusion: number[][];
  readonly byBeadShape: Record<string, GroupAccuracy>;
  readonly byBeadColour: Record<string, GroupAccuracy>;
  readonly byBackground: Record<string, GroupAccuracy>;
}

function group(keys: readonly string[], correct: (i: number) => boolean): Record<string, GroupAccuracy> {
  const acc: Record<string, { count: number; correct: number }> = {};
  keys.forEach((k, i) => {
    const g = (acc[k] ??= { count: 0, correct: 0 });
    g.count++;
    if (correct(i)) g.correct++;
  });
  return Object.fromEntries(Object.entries(acc).sort().map(([k, g]) => [k, { ...g, accuracy: g.correct / g.count }]));
}

/** Compares predictions with the labels. */
export function evaluate(data: Dataset, p: Predictions): Evaluation {
  let heavenOk = 0;
  let earthOk = 0;
  let digitOk = 0;
  let loss = 0;
  const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  for (let i = 0; i < data.size; i++) {
    const h = p.heaven[i] ?? 0;
    const hTrue = data.heaven[i] ?? 0;
    if (h >= HEAVEN_THRESHOLD === (hTrue === 1)) heavenOk++;
    const e = p.earth.subarray(i * 5, i * 5 + 5);
    const eTrue = data.earth[i] ?? 0;
    if (decodeDigit(0, e) === eTrue) earthOk++;
    const d = data.digits[i] ?? 0;
    const row = confusion[d];
    if (row !== undefined) row[p.digits[i] ?? 0] = (row[p.digits[i] ?? 0] ?? 0) + 1;
    if (p.digits[i] === d) digitOk++;
    const clip = (v: number): number => Math.min(1 - 1e-7, Math.max(1e-7, v));
    loss += -(hTrue * Math.log(clip(h)) + (1 - hTrue) * Math.log(clip(1 - h))) - Math.log(clip(e[eTrue] ?? 0));
  }
  const correct = (i: number): boolean => p.digits[i] === data.digits[i];
  const perDigit = confusion.map((row, d) => {
    const count = row.reduce((a, b) => a + b, 0);
    const ok = row[d] ?? 0;
    return { count, correct: ok, accuracy: count === 0 ? NaN : ok / count };
  });
  return {
    size: data.size,
    digitAccuracy: digitOk / data.size,
    heavenAccuracy: heavenOk / data.size,
    earthAccuracy: earthOk / data.size,
    loss: loss / data.size,
    perDigit,
    confusion,
    byBeadShape: group(data.beadShape, correct),
    byBeadColour: group(data.beadColour, correct),
    byBackground: group(data.background, correct),
  };
}
