/**
 * Finding the soroban in a frame with the localizer, in three looks: the whole frame gives whether a
 * whole soroban is in view and a first quad; the window around that quad (its bounding box grown by
 * a margin), stretched to the same input, gives the corners again at the scale of the soroban and
 * its column count; a square window about each of those corners, about the bead area's height across,
 * gives that corner once more at the scale of a few columns, unless such a window would be about as large as the
 * second look's (see {@link CORNER_LOOK_MAX_SHARE}). Each look's error is a fraction of its window, so it shrinks
 * with the window.
 */
import * as tf from '@tensorflow/tfjs';
import type { PreprocessFrame } from '../preprocess/frame-grey.ts';
import { preprocessColumns } from '../preprocess/preprocess-columns.ts';
import { NO_MARGINS, type Point, type PreprocessSpec, type Quad } from '../preprocess/types.ts';
import { periodicityScores } from './column-count.ts';
import { MAX_COLUMN_COUNT } from './limits.ts';
import { CORNER_VALUES } from '../contract/schema.ts';
import { InferenceError } from '../errors.ts';
import {
  boundingWindow,
  cornerPoint,
  cornerWindow,
  fromWindow,
  grownWindow,
  mapQuad,
  valuesQuad,
  windowQuad,
  WHOLE_WINDOW,
  type Window,
} from './window.ts';

/** What the localizer model says about one window. */
export interface LocalizerOutput {
  /** topLeft, topRight, bottomRight, bottomLeft (x, y) in window coordinates. */
  readonly corners: ArrayLike<number>;
  /** Probability that a whole soroban is in the window. */
  readonly presence: number;
  /** Probability of each column count 1..21 (index n − 1). */
  readonly count: ArrayLike<number>;
}

/** Runs the localizer model on an [n, side, side, 1] input: one output per window, in order. */
export type RunLocalizer = (input: tf.Tensor4D) => Promise<LocalizerOutput[]>;

/** A batch's head values ([n · 8], [n], [n · 21]) as one output per window. */
export function splitLocalizerOutputs(
  corners: Float32Array,
  presence: Float32Array,
  count: Float32Array,
  rows: number,
): LocalizerOutput[] {
  return Array.from({ length: rows }, (_, i) => ({
    corners: corners.subarray(i * CORNER_VALUES, (i + 1) * CORNER_VALUES),
    presence: presence[i] ?? 0,
    count: count.subarray(i * MAX_COLUMN_COUNT, (i + 1) * MAX_COLUMN_COUNT),
  }));
}

/** Where the soroban is. */
export interface Location {
  /** The bead area, normalized to the frame (the second look's). */
  readonly corners: Quad;
  /** The first look's quad. */
  readonly coarseCorners: Quad;
  /** The second look's quad (before each corner's own look). */
  readonly closeCorners: Quad;
  readonly columns: number;
  /** The first look's presence probability (the whole frame). */
  readonly presence: number;
  /** The second look's presence probability (the window around the first quad). */
  readonly closePresence: number;
  /** The second look's probability of `columns`. */
  readonly countProbability: number;
  /**
   * How sure the count is: the share of {@link countPosterior} that `columns` has (1 when the caller gave the count).
   * A count one off misplaces every column, so a reading's confidence includes it (see read-located.ts).
   */
  readonly countConfidence: number;
  /** The second look's probability of each count 1..21 (index n − 1). */
  readonly countProbabilities: ArrayLike<number>;
  /** The window the second look read. */
  readonly closeWindow: Window;
}

/** Margin of the second look's window around the first quad, as a fraction of its size on each side. */
export const CLOSE_MARGIN = 0.12;
/**
 * Weight of the bead area's periodicity against the model's count probability: the model is rarely more than one
 * column off but can be one off; periodicity tells n from n ± 1 (a column boundary slips), not n from its divisors.
 */
export const PERIODICITY_WEIGHT = 16;

/**
 * How probable each count 1..21 is (index n − 1) once the model's probabilities and the bead area's periodicity are
 * combined: the softmax of log p(n) + weight · periodicity(n).
 */
export function countPosterior(
  probabilities: ArrayLike<number>,
  periodicity: readonly number[],
  weight = PERIODICITY_WEIGHT,
): number[] {
  // A non-finite output (a broken model, a backend gone wrong) counts as improbable rather than poisoning the rest.
  const finite = (v: number | undefined, otherwise: number) => (v !== undefined && Number.isFinite(v) ? v : otherwise);
  const logits = Array.from(
    { length: MAX_COLUMN_COUNT },
    (_, i) => Math.log(Math.max(1e-6, finite(probabilities[i], 0))) + weight * finite(periodicity[i], 0),
  );
  const top = Math.max(...logits);
  const weights = logits.map((l) => Math.exp(l - top));
  const total = weights.reduce((sum, w) => sum + w, 0);
  return weights.map((w) => w / total);
}

/** The most probable count of a {@link countPosterior} or of a count head's row (the smallest of equals). */
export function mostProbableCount(posterior: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < posterior.length; i++) if ((posterior[i] ?? 0) > (posterior[best] ?? 0)) best = i;
  return best + 1;
}

/** The count that best agrees with the model's probabilities and the bead area's periodicity. */
export function combineCount(
  probabilities: ArrayLike<number>,
  periodicity: readonly number[],
  weight = PERIODICITY_WEIGHT,
): number {
  return mostProbableCount(countPosterior(probabilities, periodicity, weight));
}

/** How {@link locate} looks. */
export interface LocateOptions {
  /** Whether each corner gets a third look of its own (default {@link CORNER_LOOKS}). */
  readonly cornerLooks?: boolean;
  /** Corner looks are skipped when a corner window is more than this share of the second look's (default {@link CORNER_LOOK_MAX_SHARE}). */
  readonly cornerLookMaxShare?: number;
}

/**
 * Whether {@link locate} gives each corner a third look by default: the shipped localizer (run 4) was trained for it,
 * and on validation photos it took the mean corner error from 1.89 to 1.60 % of the diagonal and the count from 59
 * to 75 of 89 (models/localizer/RUNS.md). A localizer trained without corner windows should be run without it.
 */
export const CORNER_LOOKS = true;

/**
 * The largest corner window, as a share of the second look's window (the larger side of each, in pixels), for which
 * the corners get their third look. A corner window is 1.25 × the bead area's height across, so on a soroban of few
 * columns it is about as large as the second look's window: no closer a look, only a second opinion. On the
 * validation photos, skipping the third look above 0.9 (6 of 89 whole sorobans) took run 4's mean corner error from
 * 1.60 to 1.46 % of the diagonal with the count unchanged; on the test photos, read once afterwards, it was neutral
 * (1.21 → 1.22 %, p95 3.30 → 3.25 %; models/localizer/RUNS.md). It saves the batch of four where it skips.
 */
export const CORNER_LOOK_MAX_SHARE = 0.9;

/**
 * How far from its window's centre (in window units) a corner look's answer may lie and still be taken: nearer the
 * edge the corner was probably outside the window (the second look was far off), and the second look's stands.
 */
export const CORNER_LOOK_REACH = 0.42;

/**
 * The second look's window: the first quad's bounding box (cut to the frame) grown by {@link CLOSE_MARGIN}; the
 * whole frame when that box is too small to read (no soroban, or a first look far off).
 */
export function closeWindowAround(coarse: Quad): Window {
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const box = boundingWindow(mapQuad(coarse, (p) => ({ x: clamp(p.x), y: clamp(p.y) })));
  if (!(box.width >= 0.02 && box.height >= 0.02)) return WHOLE_WINDOW;
  const m = CLOSE_MARGIN;
  return grownWindow(box, { left: m, right: m, top: m, bottom: m });
}

/**
 * Locates the soroban in `frame` ([H, W, 3|4], 0..255; not disposed). `columns`, when the caller knows the count,
 * replaces the one the localizer would find.
 */
export async function locate(
  frame: PreprocessFrame,
  run: RunLocalizer,
  spec: PreprocessSpec,
  columns?: number,
  options: LocateOptions = {},
): Promise<Location> {
  // Windows read in one batch: one model call for the four corner looks costs about twice one look, not four times.
  const look = async (windows: readonly Window[]): Promise<LocalizerOutput[]> => {
    const input = tf.tidy(() =>
      tf.concat(
        windows.map((w) => preprocessColumns(frame, { columns: 1, corners: windowQuad(w), margins: NO_MARGINS }, spec)),
      ),
    );
    try {
      const outputs = await run(input);
      if (outputs.length !== windows.length)
        throw new InferenceError(
          'inference/bad-output',
          `The localizer gave ${outputs.length} outputs for ${windows.length} windows.`,
        );
      return outputs;
    } finally {
      input.dispose();
    }
  };
  const [first] = (await look([WHOLE_WINDOW])) as [LocalizerOutput];
  const coarseCorners = valuesQuad(first.corners);
  const closeWindow = closeWindowAround(coarseCorners);
  const [second] = (await look([closeWindow])) as [LocalizerOutput];
  const closeCorners = mapQuad(valuesQuad(second.corners), (p) => fromWindow(closeWindow, p));
  const size = frameSize(frame);
  const corners =
    (options.cornerLooks ?? CORNER_LOOKS) &&
    cornerWindowShare(closeCorners, closeWindow, size) <= (options.cornerLookMaxShare ?? CORNER_LOOK_MAX_SHARE)
      ? await refineCorners(closeCorners, size, look)
      : closeCorners;
  const posterior = columns === undefined ? countPosterior(second.count, await periodicityScores(frame, corners)) : [];
  const count = columns ?? mostProbableCount(posterior);
  return {
    corners,
    coarseCorners,
    closeCorners,
    columns: count,
    presence: first.presence,
    closePresence: second.presence,
    countProbability: second.count[count - 1] ?? 0,
    countConfidence: columns === undefined ? (posterior[count - 1] ?? 0) : 1,
    countProbabilities: second.count,
    closeWindow,
  };
}

/** A corner window's side over the larger side of the second look's window, in pixels. */
export function cornerWindowShare(quad: Quad, closeWindow: Window, size: { width: number; height: number }): number {
  // Every corner's window has the same side (the bead area's height times a scale); corner 0's stands for all.
  const corner = cornerWindow(quad, 0, size.width, size.height);
  const close = Math.max(closeWindow.width * size.width, closeWindow.height * size.height);
  return (corner.width * size.width) / Math.max(1, close);
}

/** A frame's [height, width] in pixels. */
function frameSize(frame: PreprocessFrame): { width: number; height: number } {
  const [height = 1, width = 1] = (frame instanceof tf.Tensor ? frame : frame.pixels).shape;
  return { width, height };
}

/** The third look: each corner of `quad` again from a square window about it (see {@link cornerWindow}). */
async function refineCorners(
  quad: Quad,
  size: { width: number; height: number },
  look: (windows: readonly Window[]) => Promise<LocalizerOutput[]>,
): Promise<Quad> {
  const windows = [0, 1, 2, 3].map((k) => cornerWindow(quad, k, size.width, size.height));
  const outputs = await look(windows);
  const [topLeft, topRight, bottomRight, bottomLeft] = windows.map((window, k) => {
    const p = cornerPoint(valuesQuad(outputs[k]?.corners ?? []), k);
    const near = Math.abs(p.x - 0.5) <= CORNER_LOOK_REACH && Math.abs(p.y - 0.5) <= CORNER_LOOK_REACH;
    return near ? fromWindow(window, p) : cornerPoint(quad, k);
  }) as [Point, Point, Point, Point];
  return { topLeft, topRight, bottomRight, bottomLeft };
}
