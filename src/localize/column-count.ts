/**
 * The column count of a soroban from its bead area alone, by periodicity: every column holds the
 * same beads on the same rod, so the bead area's brightness, averaged down each column, repeats
 * with the column pitch whatever the digits are. The quad's left and right edges are the outer
 * columns' outer edges, so a count n fixes both the period (width / n) and the phase.
 *
 * Folding the profile with period width / n and seeing how much of its variance the folded
 * template explains scores n. The true count scores high, and so do its divisors (half the count
 * folds two columns into one template) and often twice it (a column is nearly symmetric), so the
 * score alone does not give the count (85 % of 60 photos by the best rule found); what it does tell
 * well is n from n ± 1 (59 of 60), where a column boundary slips: the localizer's count head decides
 * the rest (see locate.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { MAX_COLUMN_COUNT } from './limits.ts';
import { InputError } from '../errors.ts';
import { checkGeometry } from '../preprocess/columns.ts';
import type { PreprocessFrame } from '../preprocess/frame-grey.ts';
import { preprocessColumns } from '../preprocess/preprocess-columns.ts';
import { NO_MARGINS, type PreprocessSpec, type Quad } from '../preprocess/types.ts';

/** Samples per column at the largest count, across the rectified bead area. */
const SAMPLES_PER_COLUMN = 12;
/** Bins of the folded template (one column's pattern). */
const TEMPLATE_BINS = 12;
/** Rows sampled down the bead area (the profile averages them). */
const STRIP_ROWS = 24;

/** Whether `corners` outline a bead area the profile can be read from (convex, in the corners' order, not flat). */
export function outlinesArea(corners: Quad): boolean {
  try {
    checkGeometry({ columns: 1, corners, margins: NO_MARGINS });
    return true;
  } catch (error) {
    if (error instanceof InputError) return false;
    throw error;
  }
}

/** The rectified bead area's profile: the mean edge strength of each of `width` sample columns. */
export async function beadAreaProfile(frame: PreprocessFrame, corners: Quad, width: number): Promise<Float32Array> {
  const spec: PreprocessSpec = {
    height: STRIP_ROWS,
    width,
    channels: 1,
    grey: 'bt601',
    resize: 'bilinear',
    inputRange: { min: 0, max: 1 },
  };
  const profile = tf.tidy(() => {
    const strip = preprocessColumns(frame, { columns: 1, corners, margins: NO_MARGINS }, spec).reshape([
      STRIP_ROWS,
      width,
    ]);
    // Edges across the strip (rods, bead sides) rather than brightness: light falling off across the
    // soroban changes brightness slowly and would outweigh the columns' pattern.
    const edges = tf.abs(tf.sub(strip.slice([0, 1], [-1, width - 1]), strip.slice([0, 0], [-1, width - 1])));
    return tf.mean(tf.concat([edges, edges.slice([0, width - 2], [-1, 1])], 1), 0) as tf.Tensor1D;
  });
  try {
    return Float32Array.from(await profile.data());
  } finally {
    profile.dispose();
  }
}

/**
 * Folds of one profile: its mean and spread, which every count's fold shares, computed once (the count scores each
 * of 21 counts on each of {@link PERSPECTIVE_CHIRPS}' resamples).
 */
class ProfileFolds {
  private readonly profile: Float32Array;
  private readonly mean: number;
  private readonly total: number;
  private readonly sums = new Float64Array(TEMPLATE_BINS);
  private readonly counts = new Float64Array(TEMPLATE_BINS);

  constructor(profile: Float32Array) {
    this.profile = profile;
    let sum = 0;
    for (const v of profile) sum += v;
    this.mean = sum / profile.length;
    let total = 0;
    for (const v of profile) total += (v - this.mean) ** 2;
    this.total = total;
  }

  /** How much of the profile's variance a template of period `length / n` explains (0..1). */
  score(n: number): number {
    if (this.total === 0) return 0;
    const { profile, sums, counts, mean } = this;
    const length = profile.length;
    // Bins of the template: the phase of each sample within its column. As many for every n: a template
    // with more bins explains more of any profile, noise included (B bins explain (B − 1)/(L − 1) of pure
    // noise), which would favour small counts.
    const bins = TEMPLATE_BINS;
    sums.fill(0);
    counts.fill(0);
    // Sample x's bin is its phase ((x + 0.5) · n / length, whole columns dropped) times the bins, in integers: many
    // sample centres fall exactly on a bin edge (every 7th for n = 6 at 252 samples), where floating point would
    // choose the bin by rounding.
    const denominator = 2 * length;
    for (let x = 0; x < length; x++) {
      const bin = Math.floor(((2 * x + 1) * n * bins) / denominator) % bins;
      sums[bin] = (sums[bin] as number) + (profile[x] as number);
      counts[bin] = (counts[bin] as number) + 1;
    }
    let explained = 0;
    for (let b = 0; b < bins; b++) {
      const c = counts[b] as number;
      if (c > 0) explained += c * ((sums[b] as number) / c - mean) ** 2;
    }
    return explained / this.total;
  }
}

/** How much of `profile`'s variance a template of period `profile.length / n` explains (0..1). */
export function periodicityScore(profile: Float32Array, n: number): number {
  return new ProfileFolds(profile).score(n);
}

/**
 * Perspective errors of a found quad that the count undoes. A quad whose left edge is a little too long and right
 * edge too short (or the reverse) rectifies the bead area with its columns spaced unevenly — tighter at one end —
 * and over twenty columns that smears the fold. Each value c resamples the profile through the one-dimensional
 * homography t ↦ (1 + c)·t / (1 + c·t), which keeps both ends; a count scores its best over them. Chosen on
 * validation photos (seed 7001) with the localizer's found corners: 61 → 68 of 117 counts right; c up to ±0.3, or
 * steps of 0.025, did no better.
 */
export const PERSPECTIVE_CHIRPS: readonly number[] = [-0.2, -0.15, -0.1, -0.05, 0, 0.05, 0.1, 0.15, 0.2];

/** `profile` resampled (linearly) at t ↦ (1 + c)·t / (1 + c·t) of its length. */
export function chirped(profile: Float32Array, c: number): Float32Array {
  if (c === 0) return profile;
  const length = profile.length;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const t = (i + 0.5) / length;
    const x = (((1 + c) * t) / (1 + c * t)) * length - 0.5;
    const x0 = Math.min(length - 1, Math.max(0, Math.floor(x)));
    const x1 = Math.min(length - 1, x0 + 1);
    const f = Math.min(1, Math.max(0, x - x0));
    out[i] = (profile[x0] ?? 0) * (1 - f) + (profile[x1] ?? 0) * f;
  }
  return out;
}

/** The score of every count 1..MAX_COLUMN_COUNT (index n − 1): its best over {@link PERSPECTIVE_CHIRPS}. */
export function countScores(profile: Float32Array): number[] {
  const scores = new Array<number>(MAX_COLUMN_COUNT).fill(0);
  for (const c of PERSPECTIVE_CHIRPS) {
    const folds = new ProfileFolds(chirped(profile, c));
    for (let n = 1; n <= MAX_COLUMN_COUNT; n++) scores[n - 1] = Math.max(scores[n - 1] as number, folds.score(n));
  }
  return scores;
}

/**
 * The periodicity score of every count 1..21 (index n − 1) of the bead area `corners` outlines in `frame`; all 0
 * when the corners outline no area (no soroban in view: the localizer's corners are noise).
 */
export async function periodicityScores(frame: PreprocessFrame, corners: Quad): Promise<number[]> {
  if (!outlinesArea(corners)) return Array.from({ length: MAX_COLUMN_COUNT }, () => 0);
  return countScores(await beadAreaProfile(frame, corners, MAX_COLUMN_COUNT * SAMPLES_PER_COLUMN));
}
