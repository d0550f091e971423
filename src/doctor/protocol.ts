/**
 * What the doctor's Node side and its browser page say to each other. The
 * page is opened by URL only; it fetches its configuration and posts its
 * progress and results back to the doctor's server, so every engine is
 * driven the same way whatever its automation protocol.
 */
import type { FoundLocation } from '../localize/location.ts';
import type { ColumnGeometry } from '../preprocess/types.ts';
import type { BackendName } from '../worker-api/classifier-worker-api.ts';

/** The engines doctor runs, in table order. */
export const ENGINES = ['chromium', 'firefox', 'webkit'] as const;
export type Engine = (typeof ENGINES)[number];

/** A backend configuration of the table: a TF.js backend plus the flags the worker sets before starting it. */
export interface BackendConfig {
  /** Row label, e.g. `webgl-f16`. */
  readonly id: string;
  readonly backend: BackendName;
  readonly flags: Readonly<Record<string, boolean | number>>;
}

/** The four configurations: the three backends, and WebGL forced to half-float textures as phones do. */
export const BACKEND_CONFIGS: readonly BackendConfig[] = [
  { id: 'cpu', backend: 'cpu', flags: {} },
  { id: 'wasm', backend: 'wasm', flags: {} },
  { id: 'webgl', backend: 'webgl', flags: {} },
  { id: 'webgl-f16', backend: 'webgl', flags: { WEBGL_FORCE_F16_TEXTURES: true } },
];

/** One image the page classifies, with where its columns are. */
export interface DoctorImage {
  /** Short name for the report. */
  readonly name: string;
  /** URL the page fetches it from (same origin). */
  readonly url: string;
  readonly geometry: ColumnGeometry;
}

/** What the page fetches from `config.json`. */
export interface PageConfig {
  readonly engine: Engine;
  /** The column classifier the worker starts with. */
  readonly modelUrl: string;
  /** The localizer under test, when doctor checks a localizer: the page then locates each image instead of reading columns. */
  readonly localizerUrl?: string;
  readonly configs: readonly BackendConfig[];
  readonly images: readonly DoctorImage[];
  /** Timed passes over the images after the measured one (the median is reported). */
  readonly timedPasses: number;
}

/**
 * What the worker (or the Node reference) read from one image, as it gave it: every column's heads and digit, or,
 * for a localizer, where it found the soroban. Both sides report this; `imageOutputs` (compare.ts) turns either into
 * the values compared, so the two cannot map them differently.
 */
export type ImageReading =
  | {
      readonly name: string;
      readonly columns: readonly {
        readonly heaven: number;
        readonly earth: readonly number[];
        readonly digit: number;
      }[];
    }
  | { readonly name: string; readonly location: FoundLocation };

/**
 * Per image: the values of every head, and what they decode to. A column classifier: `heaven` (one per column) and
 * `earth` (five per column), decisions the digits. A localizer: `corners` (8: x, y of the bead area's corners in the
 * frame), `presence`, `countProbability` and `countConfidence` (1 each), decisions [found (1) or not (0), the column
 * count].
 */
export interface ImageOutputs {
  readonly name: string;
  readonly heads: Readonly<Record<string, readonly number[]>>;
  readonly decisions: readonly number[];
}

/** What the decisions of a model kind are called in the table and its notes. */
export const DECISIONS = { 'column-classifier': 'digits', localizer: 'found, count' } as const;

/** The outcome of one backend configuration in one engine. */
export interface ConfigResult {
  readonly id: string;
  /** The backend the worker ended on (cpu when it refused the one asked for). */
  readonly backendUsed: string | undefined;
  /** The worker's golden self-check on that backend. */
  readonly selfCheck:
    | { readonly maxAbsDiff: number; readonly tolerance: number; readonly cases: number; readonly passed: boolean }
    | undefined;
  readonly outputs: readonly ImageReading[];
  /** Worker-side milliseconds (preprocess + predict + decode) of each timed classify call. */
  readonly batchMs: readonly number[];
  /** Columns per classify call (the batch size). */
  readonly batchColumns: readonly number[];
  /** Warnings the worker sent while starting (a backend refused by its self-check, a failed backend init). */
  readonly warnings: readonly {
    readonly code: string | undefined;
    readonly message: string;
    readonly details: Readonly<Record<string, unknown>> | undefined;
  }[];
  /** When the worker could not start or classify: the error's code, message and details. */
  readonly error:
    | {
        readonly code: string | undefined;
        readonly message: string;
        readonly details: Readonly<Record<string, unknown>> | undefined;
      }
    | undefined;
}

/** A progress message from the page. */
export interface PageProgress {
  readonly kind: 'progress';
  readonly engine: Engine;
  readonly message: string;
}

/** The page's final message. */
export interface PageResult {
  readonly kind: 'result';
  readonly engine: Engine;
  readonly userAgent: string;
  readonly results: readonly ConfigResult[];
}

/** The page failed before it could run anything (e.g. the bundle did not load). */
export interface PageFailure {
  readonly kind: 'failure';
  readonly engine: Engine;
  readonly message: string;
}

/** Anything the page posts. */
export type PageMessage = PageProgress | PageResult | PageFailure;
