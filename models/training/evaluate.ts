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
  /** Probability that the crop shows a readable column (1 for a model without the readable head). */
  readonly readable: Float32Array;
  readonly digits: Uint8Array;
  /** What the product reports as the column's confidence: P(heaven decision) · P(earth count) · P(readable). */
  readonly confidence: Float32Array;
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
  const readable = new Float32Array(data.size).fill(1);
  const digits = new Uint8Array(data.size);
  const confidence = new Float32Array(data.size);
  for (let start = 0; start < data.size; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, data.size - start) }, (_, i) => start + i);
    const batch = batchOf(data, indices);
    const outputs = model.predict(batch.x) as tf.Tensor[];
    const [h, e, r] = outputs;
    heaven.set(h!.dataSync(), start);
    earth.set(e!.dataSync(), start * 5);
    if (r !== undefined) readable.set(r.dataSync(), start);
    tf.dispose([batch.x, batch.heaven, batch.earth, batch.readable, ...outputs]);
  }
  for (let i = 0; i < data.size; i++) {
    const h = heaven[i] ?? 0;
    const e = earth.subarray(i * 5, i * 5 + 5);
    const d = decodeDigit(h, e);
    digits[i] = d;
    confidence[i] = (h >= HEAVEN_THRESHOLD ? h : 1 - h) * (e[d % 5] ?? 0) * (readable[i] ?? 1);
  }
  return { heaven, earth, readable, digits, confidence };
}

/** What a confidence threshold does: how many crops it reports, and how many of those are wrong (unreadable, or read as another digit). */
export interface ThresholdOutcome {
  readonly threshold: number;
  readonly reported: number;
  readonly wrong: number;
  /** wrong / reported. */
  readonly wrongRate: number;
  /** Readable crops reported with the right digit, over all readable crops. */
  readonly coverage: number;
}

/** The outcome of reporting every crop whose confidence is at least `threshold`. */
export function atThreshold(data: Dataset, p: Predictions, threshold: number): ThresholdOutcome {
  let reported = 0;
  let wrong = 0;
  let right = 0;
  let readableCount = 0;
  for (let i = 0; i < data.size; i++) {
    const isReadable = data.readable[i] === 1;
    if (isReadable) readableCount++;
    if ((p.confidence[i] ?? 0) < threshold) continue;
    reported++;
    if (!isReadable || p.digits[i] !== data.digits[i]) wrong++;
    else right++;
  }
  return {
    threshold,
    reported,
    wrong,
    wrongRate: wrong / Math.max(1, reported),
    coverage: right / Math.max(1, readableCount),
  };
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
  /** Readable crops (the digit measures count only these). */
  readonly readableCrops: number;
  /** How often the readable head is right (≥ 0.5 means readable), over all crops. */
  readonly readableAccuracy: number;
  /** Confidence ≥ 0.5 (the element's default min-confidence). */
  readonly atDefaultConfidence: ThresholdOutcome;
}

function group(keys: readonly string[], correct: (i: number) => boolean): Record<string, GroupAccuracy> {
  const acc: Record<string, { count: number; correct: number }> = {};
  keys.forEach((k, i) => {
    const g = (acc[k] ??= { count: 0, correct: 0 });
    g.count++;
    if (correct(i)) g.correct++;
  });
  return Object.fromEntries(
    Object.entries(acc)
      .sort()
      .map(([k, g]) => [k, { ...g, accuracy: g.correct / g.count }]),
  );
}

/** Compares predictions with the labels. */
export function evaluate(data: Dataset, p: Predictions): Evaluation {
  let heavenOk = 0;
  let earthOk = 0;
  let digitOk = 0;
  let readableOk = 0;
  let loss = 0;
  let count = 0;
  const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  const clip = (v: number): number => Math.min(1 - 1e-7, Math.max(1e-7, v));
  const readableIndices: number[] = [];
  for (let i = 0; i < data.size; i++) {
    const r = p.readable[i] ?? 1;
    const rTrue = data.readable[i] ?? 1;
    if (r >= 0.5 === (rTrue === 1)) readableOk++;
    loss += -(rTrue * Math.log(clip(r)) + (1 - rTrue) * Math.log(clip(1 - r)));
    if (rTrue !== 1) continue;
    readableIndices.push(i);
    count++;
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
    loss += -(hTrue * Math.log(clip(h)) + (1 - hTrue) * Math.log(clip(1 - h))) - Math.log(clip(e[eTrue] ?? 0));
  }
  const correct = (i: number): boolean => p.digits[i] === data.digits[i];
  const perDigit = confusion.map((row, d) => {
    const n = row.reduce((a, b) => a + b, 0);
    const ok = row[d] ?? 0;
    return { count: n, correct: ok, accuracy: n === 0 ? NaN : ok / n };
  });
  const pick = (keys: readonly string[]): string[] => readableIndices.map((i) => keys[i] ?? '');
  const correctAt = (k: number): boolean => correct(readableIndices[k] ?? 0);
  return {
    size: data.size,
    digitAccuracy: digitOk / Math.max(1, count),
    heavenAccuracy: heavenOk / Math.max(1, count),
    earthAccuracy: earthOk / Math.max(1, count),
    loss: loss / data.size,
    perDigit,
    confusion,
    byBeadShape: group(pick(data.beadShape), correctAt),
    byBeadColour: group(pick(data.beadColour), correctAt),
    byBackground: group(pick(data.background), correctAt),
    readableCrops: count,
    readableAccuracy: readableOk / data.size,
    atDefaultConfidence: atThreshold(data, p, 0.5),
  };
}
