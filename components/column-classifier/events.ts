import type { ColumnClassifierError } from '../../src/errors.ts';
import type { BackendName, RuntimeInfo, StageTimings } from '../../src/worker-api/classifier-worker-api.ts';

/** Detail of `cc-ready`: the worker is up on `runtime.backend`. */
export interface ReadyDetail {
  readonly runtime: RuntimeInfo;
}

/** Detail of `cc-reading`: one frame's result. */
export interface ReadingDetail {
  /** Mean grey (BT.601, 0–255) of each equal vertical strip, left to right. */
  readonly stripMeans: number[];
  /** The backend TF.js actually used in the worker. */
  readonly backend: BackendName;
  /** Milliseconds: `capture` on the main thread, the rest in the worker, `roundTrip` from capture start to result. */
  readonly timings: StageTimings & { readonly capture: number; readonly roundTrip: number };
  readonly frameWidth: number;
  readonly frameHeight: number;
}

/** Detail of `cc-warning`: something degraded but the element goes on. */
export interface WarningDetail {
  readonly code: string;
  readonly message: string;
}

/** Detail of `cc-error`: the typed error, with its `code`. */
export interface ErrorDetail {
  readonly error: ColumnClassifierError;
}

declare global {
  interface HTMLElementEventMap {
    'cc-ready': CustomEvent<ReadyDetail>;
    'cc-reading': CustomEvent<ReadingDetail>;
    'cc-warning': CustomEvent<WarningDetail>;
    'cc-error': CustomEvent<ErrorDetail>;
  }
}
