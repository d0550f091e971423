/**
 * Where the soroban is, as plain data: what the page asks of the localizer for a frame, and what it found. Kept free
 * of TF.js so that the worker API and the element's event types can name them.
 */
import type { Quad } from '../preprocess/types.ts';

/** What the page asks of the localizer for one frame. */
export interface LocateRequest {
  /** The column count, when the page knows it: the localizer then finds the corners only. */
  readonly columns?: number;
  /** Run the localizer on this frame even if the last location is recent (the reading turned unstable). */
  readonly relocate?: boolean;
  /**
   * The frame is a still image, unrelated to the frames before it (a photo, not a video frame): locate it afresh,
   * neither reusing nor smoothing with an earlier location, and start following from it.
   */
  readonly still?: boolean;
}

/** What one run of the localizer found. */
export interface FoundLocation {
  /** A whole soroban is in view. */
  readonly found: boolean;
  /** The bead area, normalized to the frame. */
  readonly corners: Quad;
  readonly columns: number;
  /** The localizer's probability that a whole soroban is in view. */
  readonly presence: number;
  /** The localizer's probability of `columns`. */
  readonly countProbability: number;
  /**
   * How sure the count is, the model's probabilities and the bead area's periodicity combined (1 when the page gave
   * the count): each column's confidence is multiplied by it, since a count one off misplaces every column.
   */
  readonly countConfidence: number;
}

/** The location a frame is read with. */
export interface TrackedLocation extends FoundLocation {
  /** Whether the localizer ran on this frame (false: an earlier frame's location was reused). */
  readonly fresh: boolean;
}

/** Where the soroban was taken to be in a frame, and what finding it cost. */
export interface FrameLocation extends TrackedLocation {
  /** Milliseconds the localizer took on this frame (0 when the last location was reused). */
  readonly ms: number;
}
