/** Localizer samples as training batches: inputs back to [0, 1], mirrored (with their labels) and varied in look. */
import * as tf from '@tensorflow/tfjs';
import type { Random } from '../../../src/render/random.ts';
import { augmentCrop } from '../dataset.ts';
import { countTarget, type LocalizerLabels } from './loss.ts';
import { MAX_COLUMN_COUNT } from '../../../src/localize/limits.ts';
import type { LocalizerSamples } from './samples.ts';

// In a mirrored picture topLeft ← topRight, topRight ← topLeft, bottomRight ← bottomLeft, bottomLeft ← bottomRight.
const MIRRORED_FROM = [1, 0, 3, 2];

/** A mirrored picture's corners: left and right swap, x → 1 − x. */
export function mirroredCorners(c: ArrayLike<number>): number[] {
  return MIRRORED_FROM.flatMap((k) => [1 - (c[2 * k] ?? 0), c[2 * k + 1] ?? 0]);
}

/** A mirrored picture's per-corner weights: left and right swap. */
export function mirroredCornerWeights(w: ArrayLike<number>): number[] {
  return MIRRORED_FROM.map((k) => w[k] ?? 0);
}

/** The samples `indices` as a batch; with `augment`, mirrored half the time and varied in look. */
export function localizerBatch(
  data: LocalizerSamples,
  indices: ArrayLike<number>,
  augment?: Random,
): { x: tf.Tensor4D } & LocalizerLabels {
  const side = data.side;
  const per = side * side;
  const count = indices.length;
  const xs = new Float32Array(count * per);
  const corners = new Float32Array(count * 8);
  const weight = new Float32Array(count * 4);
  const countWeight = new Float32Array(count);
  const present = new Float32Array(count);
  const columns = new Float32Array(count * MAX_COLUMN_COUNT);
  for (let i = 0; i < count; i++) {
    const k = indices[i] ?? 0;
    const x = xs.subarray(i * per, (i + 1) * per);
    for (let j = 0; j < per; j++) x[j] = (data.x[k * per + j] ?? 0) / 255;
    let c: ArrayLike<number> = data.corners.subarray(k * 8, k * 8 + 8);
    let w: ArrayLike<number> = data.cornerWeight.subarray(k * 4, k * 4 + 4);
    if (augment !== undefined) {
      if (augment.chance(0.5)) {
        for (let y = 0; y < side; y++) x.subarray(y * side, (y + 1) * side).reverse();
        c = mirroredCorners(c);
        w = mirroredCornerWeights(w);
      }
      augmentCrop(x, side, side, augment, { mirror: false });
    }
    corners.set(Array.from(c), i * 8);
    weight.set(Array.from(w), i * 4);
    countWeight[i] = data.countWeight[k] ?? 0;
    present[i] = data.present[k] ?? 0;
    columns.set(countTarget((data.count[k] ?? 0) + 1), i * MAX_COLUMN_COUNT);
  }
  return {
    x: tf.tensor4d(xs, [count, side, side, 1]),
    corners: tf.tensor2d(corners, [count, 8]),
    cornerWeight: tf.tensor2d(weight, [count, 4]),
    countWeight: tf.tensor2d(countWeight, [count, 1]),
    present: tf.tensor2d(present, [count, 1]),
    count: tf.tensor2d(columns, [count, MAX_COLUMN_COUNT]),
  };
}

/** Every sample of a set of chunks as one set. */
export function concatSamples(parts: readonly LocalizerSamples[], name: string): LocalizerSamples {
  const first = parts[0];
  if (first === undefined) throw new RangeError('concatSamples: no parts.');
  const cat = <T extends Float32Array | Int32Array | Uint8Array>(
    pick: (p: LocalizerSamples) => T,
    make: (n: number) => T,
  ): T => {
    const out = make(parts.reduce((n, p) => n + pick(p).length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(pick(p) as never, at);
      at += pick(p).length;
    }
    return out;
  };
  return {
    name,
    side: first.side,
    size: parts.reduce((n, p) => n + p.size, 0),
    photos: parts.reduce((n, p) => n + p.photos, 0),
    x: cat(
      (p) => p.x,
      (n) => new Uint8Array(n),
    ),
    corners: cat(
      (p) => p.corners,
      (n) => new Float32Array(n),
    ),
    cornerWeight: cat(
      (p) => p.cornerWeight,
      (n) => new Float32Array(n),
    ),
    countWeight: cat(
      (p) => p.countWeight,
      (n) => new Float32Array(n),
    ),
    present: cat(
      (p) => p.present,
      (n) => new Float32Array(n),
    ),
    count: cat(
      (p) => p.count,
      (n) => new Int32Array(n),
    ),
    aspect: cat(
      (p) => p.aspect,
      (n) => new Float32Array(n),
    ),
    diagonal: cat(
      (p) => p.diagonal,
      (n) => new Float32Array(n),
    ),
    elevation: cat(
      (p) => p.elevation,
      (n) => new Float32Array(n),
    ),
    kind: parts.flatMap((p) => p.kind),
    renderer: parts.flatMap((p) => p.renderer),
    scene: parts.flatMap((p) => p.scene),
    style: parts.flatMap((p) => p.style),
  };
}
