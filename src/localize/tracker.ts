/**
 * Following the soroban from frame to frame: when to run the localizer again, and corners that do not jitter.
 * The localizer runs on the first frame, every {@link TrackerOptions.relocateEvery} frames after it, when the page
 * asks (its reading turned unstable), after a frame where nothing was found, and when the frame's size changes;
 * the frames between reuse the last location. A new location near the last one (same column count, every corner
 * within {@link TrackerOptions.followWithin} of a column's pitch) moves the corners only part of the way
 * ({@link TrackerOptions.smoothing}); a far one (the soroban or the camera moved) replaces them.
 */
import type { Point, Quad } from '../preprocess/types.ts';
import type { FoundLocation, TrackedLocation } from './location.ts';
import { CORNER_KEYS } from './window.ts';

export type { FoundLocation, TrackedLocation } from './location.ts';

export interface TrackerOptions {
  /** Frames between two runs of the localizer while the soroban stays found. Default 15. */
  readonly relocateEvery: number;
  /** Share of the way a new, nearby location moves the corners (1: no smoothing). Default 0.5. */
  readonly smoothing: number;
  /** How far a corner may move, in column pitches, and still be the same soroban. Default 0.5. */
  readonly followWithin: number;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = { relocateEvery: 15, smoothing: 0.5, followWithin: 0.5 };

/** The column pitch along the quad's top and bottom edges, the shorter, in the frame's normalized units. */
function pitch(q: Quad, columns: number, aspect: number): number {
  const length = (a: Point, b: Point) => Math.hypot((b.x - a.x) * aspect, b.y - a.y);
  return Math.min(length(q.topLeft, q.topRight), length(q.bottomLeft, q.bottomRight)) / Math.max(1, columns);
}

/** The location of one video source; one per stream of frames. */
export class LocationTracker {
  private readonly options: TrackerOptions;
  private last: FoundLocation | undefined;
  private framesSince = 0;
  private frameSize = '';

  constructor(options: Partial<TrackerOptions> = {}) {
    this.options = { ...DEFAULT_TRACKER_OPTIONS, ...options };
  }

  /** Whether a frame of this size needs the localizer (`asked`: the page asked for it). */
  needsLocate(width: number, height: number, asked = false): boolean {
    return (
      asked ||
      this.last === undefined ||
      !this.last.found ||
      this.frameSize !== `${width}x${height}` ||
      this.framesSince >= this.options.relocateEvery
    );
  }

  /** Takes what the localizer found on a width × height frame; gives the location to read it with. */
  update(location: FoundLocation, width: number, height: number): TrackedLocation {
    // Only the fields the tracker knows: a location may carry more (the localizer's raw outputs).
    const { found, corners, columns, presence, countProbability, countConfidence } = location;
    return this.follow({ found, corners, columns, presence, countProbability, countConfidence }, width, height);
  }

  private follow(found: FoundLocation, width: number, height: number): TrackedLocation {
    const last = this.last;
    const sameFrame = this.frameSize === `${width}x${height}`;
    this.frameSize = `${width}x${height}`;
    this.framesSince = 1;
    const follows =
      sameFrame &&
      last !== undefined &&
      last.found &&
      found.found &&
      last.columns === found.columns &&
      this.near(last.corners, found.corners, found.columns, width / height);
    const next: FoundLocation =
      follows && last !== undefined
        ? { ...found, corners: blend(last.corners, found.corners, this.options.smoothing) }
        : found;
    this.last = next;
    return { ...next, fresh: true };
  }

  /** The last location, for a frame the localizer did not run on. */
  reuse(): TrackedLocation | undefined {
    if (this.last === undefined) return undefined;
    this.framesSince++;
    return { ...this.last, fresh: false };
  }

  /** Forgets the soroban (a new source). */
  reset(): void {
    this.last = undefined;
    this.framesSince = 0;
    this.frameSize = '';
  }

  private near(a: Quad, b: Quad, columns: number, aspect: number): boolean {
    const limit = this.options.followWithin * pitch(a, columns, aspect);
    return CORNER_KEYS.every((k) => Math.hypot((a[k].x - b[k].x) * aspect, a[k].y - b[k].y) <= limit);
  }
}

/** `from` moved `share` of the way to `to`, corner by corner. */
function blend(from: Quad, to: Quad, share: number): Quad {
  const towards = (a: Point, b: Point): Point => ({ x: a.x + share * (b.x - a.x), y: a.y + share * (b.y - a.y) });
  return {
    topLeft: towards(from.topLeft, to.topLeft),
    topRight: towards(from.topRight, to.topRight),
    bottomRight: towards(from.bottomRight, to.bottomRight),
    bottomLeft: towards(from.bottomLeft, to.bottomLeft),
  };
}
