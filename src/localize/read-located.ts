/**
 * Reading a frame whose soroban the localizer finds: the one path the worker and Node's `classify` share. The
 * tracker says whether this frame runs the localizer or reuses the last location; a frame with no whole soroban
 * in view gives no columns.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ClassifierModel } from '../model/classifier-model.ts';
import type { ColumnReading } from '../model/decode.ts';
import { readColumns, type FrameMarks } from '../model/read-columns.ts';
import { GreyCachedFrame } from '../preprocess/frame-grey.ts';
import { NO_MARGINS } from '../preprocess/types.ts';
import { locateWith } from './localizer-model.ts';
import type { FrameLocation, LocateRequest, TrackedLocation } from './location.ts';
import type { LocationTracker } from './tracker.ts';

export type { FrameLocation, LocateRequest } from './location.ts';

/** A frame read where the localizer found its soroban. */
export interface LocatedRead {
  /** One reading per column; none when no whole soroban was found. */
  readonly columns: ColumnReading[];
  readonly location: FrameLocation;
  /** The column path's marks; absent when no soroban was found (no column was read). */
  readonly marks: FrameMarks | undefined;
}

/**
 * Finds the soroban in `frame` ([H, W, 3|4], 0..255; not disposed) or reuses where it was, then reads its columns.
 * The corners found are the bead area itself, so no margins apply.
 */
export async function readLocated(
  classifier: ClassifierModel,
  localizer: ClassifierModel,
  frame: tf.Tensor3D,
  tracker: LocationTracker,
  request: LocateRequest = {},
): Promise<LocatedRead> {
  const [height = 0, width = 0] = frame.shape;
  const started = performance.now();
  // Located, the frame is preprocessed up to four times: it is converted to grey once.
  const cached = new GreyCachedFrame(frame);
  try {
    let tracked: TrackedLocation | undefined;
    if (request.still === true) tracker.reset();
    if (!tracker.needsLocate(width, height, request.relocate)) tracked = tracker.reuse();
    if (tracked === undefined || (request.columns !== undefined && tracked.columns !== request.columns))
      tracked = tracker.update(await locateWith(localizer, cached, request.columns), width, height);
    // A count the page gives is sure, even where an earlier location found the same one itself.
    if (request.columns !== undefined) tracked = { ...tracked, countConfidence: 1 };
    const location: FrameLocation = { ...tracked, ms: tracked.fresh ? performance.now() - started : 0 };
    if (!location.found) return { columns: [], location, marks: undefined };
    const { columns, marks } = await readColumns(classifier, cached, {
      columns: location.columns,
      corners: location.corners,
      margins: NO_MARGINS,
    });
    // A reading is right only if the count is: a count one off reads every column at the wrong place.
    const sure = location.countConfidence;
    return { columns: columns.map((c) => ({ ...c, confidence: c.confidence * sure })), location, marks };
  } finally {
    cached.dispose();
  }
}
