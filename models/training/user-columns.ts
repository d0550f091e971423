/**
 * Columns of one simulated user's soroban (issue 19): 13-column 3D photos of one look, framed as the classifier's
 * training photos are, keeping only the columns a user could label (whole and visible).
 */
import type { LabelledCrops } from '../../src/fine-tune/labelled-crops.ts';
import { JITTER, PREPROCESS } from './config.ts';
import { makeDataset, type Dataset, type StyleFilter } from './dataset.ts';

/** The readable crops of a dataset, as the fine-tune takes them. */
export function readableCrops(d: Dataset): LabelledCrops {
  const keep = Array.from({ length: d.size }, (_, i) => i).filter((i) => d.readable[i] === 1);
  const per = d.height * d.width;
  const x = new Float32Array(keep.length * per);
  keep.forEach((k, i) => x.set(d.x.subarray(k * per, (k + 1) * per), i * per));
  return {
    count: keep.length,
    height: d.height,
    width: d.width,
    x,
    digits: Uint8Array.from(keep, (k) => d.digits[k] ?? 0),
  };
}

/** About `crops` readable columns of photos of `user`'s soroban, drawn from `seed`. */
export function userColumns(user: StyleFilter, name: string, seed: number, crops: number): LabelledCrops {
  const render3d = { fill: [0.55, 0.95] as const, maxSide: 640, beadAreaOnly: true };
  return readableCrops(
    makeDataset({ name, seed, crops, jitter: JITTER, filters: [user], render3d, columns: [13, 13] }, PREPROCESS),
  );
}
