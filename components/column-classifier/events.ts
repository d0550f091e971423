import type { ColumnClassifierError } from '../../src/errors.ts';
import type { FrameLocation } from '../../src/localize/location.ts';
import type { ColumnReading } from '../../src/model/decode.ts';
import type { Quad } from '../../src/preprocess/types.ts';
import type { FineTuneStage } from '../../src/worker-api/fine-tune-worker-api.ts';
import type {
  BackendName,
  RuntimeInfo,
  RuntimeWarning,
  StartProgress,
  WorkerTimings,
} from '../../src/worker-api/classifier-worker-api.ts';

/** Detail of `cc-ready`: the model is loaded and self-checked on `runtime.backend`. */
export interface ReadyDetail {
  readonly runtime: RuntimeInfo;
}

/**
 * Detail of `cc-backend`: on `backend="auto"`, the backends left `pending` at `cc-ready` were measured after the
 * first frame and `runtime.backend` (the fastest) runs now.
 */
export interface BackendDetail {
  readonly runtime: RuntimeInfo;
}

/**
 * Detail of `cc-progress`: a loading stage, with bytes while fetching; or, during `fineTune()`, its stage (`load`,
 * `render` with columns done, `fine-tune` with epoch, step and loss, `gate`, `store`).
 */
export type ProgressDetail = StartProgress | FineTuneStage;

/** Detail of `cc-reading`: one frame's result. */
export interface ReadingDetail {
  /** The digit of each column, left to right. */
  readonly digits: readonly number[];
  /** The number the digits form (leftmost column most significant). */
  readonly value: number;
  /** Per column: digit, heaven probability, earth distribution, confidence. */
  readonly columns: readonly ColumnReading[];
  /** The smallest column confidence. */
  readonly confidence: number;
  /** Whether the same digits came for `stable-frames` frames in a row, every column at least `min-confidence`. */
  readonly stable: boolean;
  /** The backend TF.js actually used in the worker. */
  readonly backend: BackendName;
  /**
   * Where the frame's pixels were taken: `worker` — a camera or `MediaStream` whose frames the worker reads itself
   * (where the browser has `MediaStreamTrackProcessor`: Chromium), so no frame touches the main thread; `main-thread`
   * — captured with `createImageBitmap` and transferred.
   */
  readonly frameReadBy: 'worker' | 'main-thread';
  /** `performance.now()` when this frame's capture started (the page's clock); for `worker`, when it was asked for. */
  readonly capturedAt: number;
  /** Milliseconds: `capture` on the main thread, the worker's stages, `roundTrip` from sending to result. */
  readonly timings: WorkerTimings & { readonly capture: number; readonly roundTrip: number };
  readonly frameWidth: number;
  readonly frameHeight: number;
  /**
   * Where the localizer found the soroban (only without `corners`): `found` false means no whole soroban was in
   * view, and the reading has no digits; `fresh` whether the localizer ran on this frame (else an earlier frame's
   * location was reused); `corners` (normalized to the frame) and `columns` are what the digits were read with.
   */
  readonly location?: FrameLocation;
}

/** Detail of `cc-warning`: something degraded but the element goes on. */
export type WarningDetail = RuntimeWarning;

/** Detail of `cc-corners-change`: the user moved a calibration handle. */
export interface CornersChangeDetail {
  /** The new corners of the bead area, normalized to the frame. */
  readonly corners: Quad;
  /** The same, in the `corners` attribute's format. */
  readonly attribute: string;
}

/** Detail of `cc-sample`: the last frame read was stored as a labelled sample (`label()`). */
export interface SampleDetail {
  /** The digits it was labelled with, one per column. */
  readonly digits: readonly number[];
  /** The sample set (`sample-set`). */
  readonly set: string;
  /** Columns stored with this sample. */
  readonly columns: number;
  /** Columns in the set now. */
  readonly total: number;
  /** Columns of older samples dropped to stay within `max-samples`. */
  readonly dropped: number;
}

/** Detail of `cc-error`: the typed error, with its `code`. */
export interface ErrorDetail {
  readonly error: ColumnClassifierError;
}

/** The element's events by name; they bubble and are composed, so a listener on `document` gets them too. */
export interface ColumnClassifierEventMap {
  'cc-ready': CustomEvent<ReadyDetail>;
  'cc-backend': CustomEvent<BackendDetail>;
  'cc-progress': CustomEvent<ProgressDetail>;
  'cc-reading': CustomEvent<ReadingDetail>;
  'cc-warning': CustomEvent<WarningDetail>;
  'cc-corners-change': CustomEvent<CornersChangeDetail>;
  'cc-sample': CustomEvent<SampleDetail>;
  'cc-error': CustomEvent<ErrorDetail>;
}

declare global {
  // Both maps: HTMLElementEventMap types listeners on elements, GlobalEventHandlersEventMap those on document and window.
  interface HTMLElementEventMap extends ColumnClassifierEventMap {}
  interface GlobalEventHandlersEventMap extends ColumnClassifierEventMap {}
}
