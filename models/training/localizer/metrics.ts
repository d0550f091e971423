/** How well the localizer did on a set of windows. */
import * as tf from '@tensorflow/tfjs';
import { localizerBatch } from './batches.ts';
import type { LocalizerSamples } from './samples.ts';

/** The model's outputs for every sample. */
export interface LocalizerPredictions {
  readonly corners: Float32Array;
  readonly presence: Float32Array;
  readonly count: Float32Array;
}

/** Runs the model over `data` in batches. */
export function predictSamples(model: tf.LayersModel, data: LocalizerSamples, batchSize = 64): LocalizerPredictions {
  const corners = new Float32Array(data.size * 8);
  const presence = new Float32Array(data.size);
  const count = new Float32Array(data.size * 21);
  for (let start = 0; start < data.size; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, data.size - start) }, (_, i) => start + i);
    const batch = localizerBatch(data, indices);
    const [c, p, n] = model.predict(batch.x) as tf.Tensor[];
    corners.set(c?.dataSync() ?? [], start * 8);
    presence.set(p?.dataSync() ?? [], start);
    count.set(n?.dataSync() ?? [], start * 21);
    tf.dispose(
      [c, p, n, batch.x, batch.corners, batch.cornerWeight, batch.countWeight, batch.present, batch.count].filter(
        (t) => t !== undefined,
      ),
    );
  }
  return { corners, presence, count };
}

/**
 * A corner's error as a fraction of the window's diagonal in pixels, from its error in window
 * coordinates and the window's pixel aspect ratio.
 */
export function diagonalError(dx: number, dy: number, aspect: number): number {
  return Math.hypot(dx * aspect, dy) / Math.hypot(aspect, 1);
}

/** The nearest-rank percentile: the smallest value with at least `q` of the values at or below it. */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

/**
 * The number a run keeps its best epoch by: validation count and presence right, minus 20 × each kind of window's mean
 * corner error (a point of corner error as costly as 20 points of count or presence).
 */
export function validationScore(v: { looks: LocalizerScores; corner: LocalizerScores }): number {
  return (
    v.looks.countAccuracy + v.looks.presenceAccuracy - 20 * v.looks.meanCornerError - 20 * v.corner.meanCornerError
  );
}

/** What the localizer's window-level figures are. */
export interface LocalizerScores {
  /** Mean error of the corners that are labels (a whole soroban's four, a corner window's one), fraction of the window diagonal. */
  readonly meanCornerError: number;
  readonly p95CornerError: number;
  /** Presence right (threshold 0.5), over all windows. */
  readonly presenceAccuracy: number;
  /** Count head's top choice right, over windows with a whole soroban. */
  readonly countAccuracy: number;
  readonly windows: number;
}

/** Scores predictions on the samples whose `select` is true (default all). */
export function scoreSamples(
  data: LocalizerSamples,
  p: LocalizerPredictions,
  select: (i: number) => boolean = () => true,
): LocalizerScores {
  const errors: number[] = [];
  let presenceRight = 0;
  let countRight = 0;
  let counted = 0;
  let windows = 0;
  for (let i = 0; i < data.size; i++) {
    if (!select(i)) continue;
    windows++;
    const present = (data.present[i] ?? 0) >= 0.5;
    if ((p.presence[i] ?? 0) >= 0.5 === present) presenceRight++;
    const aspect = data.aspect[i] ?? 1;
    for (let c = 0; c < 4; c++) {
      if ((data.cornerWeight[i * 4 + c] ?? 0) < 0.5) continue;
      const dx = (p.corners[i * 8 + 2 * c] ?? 0) - (data.corners[i * 8 + 2 * c] ?? 0);
      const dy = (p.corners[i * 8 + 2 * c + 1] ?? 0) - (data.corners[i * 8 + 2 * c + 1] ?? 0);
      errors.push(diagonalError(dx, dy, aspect));
    }
    if ((data.countWeight[i] ?? 0) < 0.5) continue;
    let best = 0;
    for (let n = 1; n < 21; n++) if ((p.count[i * 21 + n] ?? 0) > (p.count[i * 21 + best] ?? 0)) best = n;
    if (best === data.count[i]) countRight++;
    counted++;
  }
  return {
    meanCornerError: errors.reduce((s, e) => s + e, 0) / Math.max(1, errors.length),
    p95CornerError: percentile(errors, 0.95),
    presenceAccuracy: presenceRight / Math.max(1, windows),
    countAccuracy: countRight / Math.max(1, counted),
    windows,
  };
}
