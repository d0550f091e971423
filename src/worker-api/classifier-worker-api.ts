/**
 * The one interface of the worker boundary. The worker's service implements
 * it; the main thread reaches it through `Comlink.wrap<ClassifierWorkerApi>()`
 * (see `classifier-client.ts`). Only structured-clonable plain data crosses;
 * frames are transferred, never copied; callbacks cross as `Comlink.proxy`.
 */
import type { SerializedError } from './error-transfer.ts';
import type { WarningCode } from '../errors.ts';
import type { FrameLocation, LocateRequest } from '../localize/location.ts';
import type { ColumnReading } from '../model/decode.ts';
import type { ColumnGeometry } from '../preprocess/types.ts';

/** TF.js backends the product can run on. */
export const BackendName = {
  cpu: 'cpu',
  wasm: 'wasm',
  webgl: 'webgl',
} as const;
export type BackendName = (typeof BackendName)[keyof typeof BackendName];

/** Whether `name` is one of {@link BackendName}'s values. */
export function isBackendName(name: string): name is BackendName {
  return Object.values<string>(BackendName).includes(name);
}

/** The default preference: fastest first. */
export const DEFAULT_BACKENDS: readonly BackendName[] = ['webgl', 'wasm', 'cpu'];

/** Options of {@link ClassifierWorkerApi.start}. */
export interface StartOptions {
  /** Absolute URL of the model's `model.json`. */
  readonly modelUrl: string;
  /**
   * Absolute URL of a localizer's `model.json`, for frames whose soroban the worker is to find
   * ({@link FrameRequest.locate}). It is loaded and self-checked on each backend beside the model: a backend must
   * pass both. Default: none (every frame brings its geometry).
   */
  readonly localizerUrl?: string;
  /** Backends to try, in order; see {@link StartOptions.choose}. */
  readonly backends: readonly BackendName[];
  /**
   * `first` (default): the first backend that starts and reproduces the golden outputs wins. `fastest`: every
   * backend that does is timed on the warm-up batch and the fastest wins (list order breaks ties); a WebGL that
   * a software renderer draws is skipped without being timed (it is slow to start and slow to run).
   * `first-then-fastest`: the same measurement, made after the first frame so that it does not delay the first
   * reading (see {@link BackendChoice}).
   */
  readonly choose?: BackendChoice;
  /** Where the `tfjs-backend-wasm` `.wasm` files are served (a URL ending in `/`). Default: beside the worker. */
  readonly wasmPaths?: string;
  /**
   * Let the WASM backend use threads when the page is cross-origin isolated.
   * Default false: threaded WASM hung in Firefox (see docs/platform.md).
   */
  readonly wasmThreads?: boolean;
  /** Columns of the frames to come: warm-up compiles the shaders for this batch size. Default 13. */
  readonly warmUpColumns?: number;
  /**
   * The most bytes the model may take, model.json, sidecar and weights together; a larger one is
   * refused with `load/too-large` before its weights are requested. Default 64 MiB.
   */
  readonly maxModelBytes?: number;
  /**
   * Let model.json name files outside its own folder (other origins, `/…`, `../…`). Default false:
   * such a path is refused with `load/path-outside-model` before any request.
   */
  readonly allowPathsOutsideFolder?: boolean;
  /** TF.js flags to set before any backend starts (e.g. `{ WEBGL_FORCE_F16_TEXTURES: true }` to test the self-check). */
  readonly flags?: Readonly<Record<string, boolean | number>>;
  /**
   * The sample set whose accepted fine-tuned model (made from `modelUrl`, stored in IndexedDB) is loaded instead of
   * `modelUrl`; the model is verified and self-checked like any other.
   */
  readonly fineTunedSet?: string;
}

/** How {@link StartOptions.backends} are chosen from. */
/**
 * `first`: the first backend of the list that passes; `fastest`: every backend that passes is timed on the warm-up
 * batch before `start` resolves, and the fastest runs; `first-then-fastest`: `start` resolves with the first that
 * passes (wasm first when listed), its first frame is read at once, and the others are measured before the next
 * frame, which then runs on the fastest and carries the settled {@link FrameResult.runtime} (or the next frame read,
 * if that one fails). Should measuring fail, the running backend stays and the others are `refused` with the reason
 * (and a `backend/fallback` warning).
 */
export type BackendChoice = 'first' | 'fastest' | 'first-then-fastest';

/** What happened to one backend while choosing (in the order tried). */
export interface BackendTrial {
  readonly backend: BackendName;
  /**
   * `chosen`; `slower` (another was faster: timed on its whole batch after its self-check, or ruled out on one column
   * before it); `refused` (failed to start or its self-check); `skipped` (not tried); `pending` (to be measured after
   * the first frame, with `choose: 'first-then-fastest'`).
   */
  readonly outcome: 'chosen' | 'slower' | 'refused' | 'skipped' | 'pending';
  /** Milliseconds of one warm-up batch after the first (compiled) one; only when `choose` is `fastest`. */
  readonly warmUpMs?: number;
  /**
   * Milliseconds of a one-column batch, for a backend ruled out because that alone took longer than the best whole
   * batch timed before it (its self-check and whole batch were then skipped: it cannot be faster). Only when
   * `choose` is `fastest`.
   */
  readonly columnMs?: number;
  /** Why it was refused or skipped. */
  readonly reason?: string;
}

/** The stages of getting ready, in order (`ready` comes from the client once `start` resolved). */
export type StartStage = 'backend' | 'fetch' | 'verify' | 'build' | 'self-check' | 'warm-up' | 'ready';

/** Progress while starting: a stage, and bytes for the `fetch` stage. */
export interface StartProgress {
  readonly stage: StartStage;
  /** The backend being tried (for backend, build, self-check, warm-up). */
  readonly backend?: BackendName;
  /** `localizer` while the localizer is fetched, built or checked (absent: the column classifier). */
  readonly model?: 'localizer';
  /** Bytes fetched so far (fetch stage). */
  readonly loaded?: number;
  /** Bytes expected, when known (fetch stage). */
  readonly total?: number;
}

/** Something degraded, but the worker goes on (e.g. a backend dropped for the next). */
export interface RuntimeWarning {
  /** Stable code, e.g. `backend/fallback`, `backend/golden-mismatch`, `backend/context-lost`, `contract/no-integrity`. */
  readonly code: WarningCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The outcome of the golden self-check on one backend. */
export interface SelfCheck {
  readonly backend: BackendName;
  /** Which model was checked (absent: the column classifier). */
  readonly model?: 'column-classifier' | 'localizer';
  /** Largest absolute difference between a computed and an expected output value, over every case and head. */
  readonly maxAbsDiff: number;
  readonly tolerance: number;
  readonly cases: number;
  readonly passed: boolean;
}

/** What the loaded model is, in plain data. */
export interface ModelInfo {
  readonly url: string;
  readonly input: { readonly height: number; readonly width: number; readonly channels: number };
  readonly heads: ReadonlyArray<{
    readonly name: string;
    readonly output: string;
    readonly shape: readonly (number | null)[];
    readonly activation: string;
  }>;
  /** Total weight bytes fetched. */
  readonly weightBytes: number;
  /** Set when a fine-tuned model of a sample set was loaded instead of the URL's. */
  readonly fineTuned?: { readonly set: string; readonly createdAt: string; readonly summary: string };
}

/** What the worker is running. */
export interface RuntimeInfo {
  /** `tf.getBackend()`: the backend actually in use. */
  readonly backend: BackendName;
  readonly tfjsVersion: string;
  /** Whether the WASM backend may use threads. */
  readonly wasmThreads: boolean;
  readonly model: ModelInfo;
  /** The localizer, when {@link StartOptions.localizerUrl} gave one. */
  readonly localizer?: ModelInfo;
  /** The self-check of every backend tried, in order (failed ones included). */
  readonly selfChecks: readonly SelfCheck[];
  /** Every backend of the list: chosen, slower, refused (and why) or skipped, with its measured time. */
  readonly trials: readonly BackendTrial[];
  /** Why the backend in use was chosen, in words, e.g. "wasm: 11.8 ms per warm-up batch, fastest of wasm, cpu". */
  readonly choice: string;
}

/**
 * Where a frame's columns are: given (`geometry`), or to be found by the localizer (`locate`: it runs on the first
 * frame, every 15 frames, on request and after a frame where nothing was found; the frames between reuse and smooth
 * the last location; needs {@link StartOptions.localizerUrl}).
 */
export type ColumnsWhere = { readonly geometry: ColumnGeometry } | { readonly locate: LocateRequest };

/** Per-frame request data sent with the bitmap. */
export type FrameRequest = ColumnsWhere & {
  /** `performance.timeOrigin + performance.now()` when the main thread sent the frame, to time the transfer. */
  readonly sentAt: number;
};

/** How the worker reads the attached stream on its own ({@link ClassifierWorkerApi.watchStream}). */
export interface StreamWatchSettings {
  /** Shortest time from the start of one frame's reading to the next's (1000 / max-fps), in ms. */
  readonly intervalMs: number;
  /**
   * Where the columns are, for the frames from now on. A `locate.relocate` applies to the next frame only, unless
   * the settings are replaced again first.
   */
  readonly where: ColumnsWhere;
}

/**
 * One message on a stream watch's port: a frame read (`startedAt`: `performance.timeOrigin + performance.now()` in
 * the worker when its reading began), a frame that could not be read, or the end of the watch (the stream was
 * detached or another watch replaced this one).
 */
export type StreamWatchMessage =
  | { readonly kind: 'reading'; readonly result: FrameResult; readonly startedAt: number }
  | { readonly kind: 'error'; readonly error: SerializedError }
  | { readonly kind: 'stopped' };

/** Milliseconds per stage, measured in the worker. */
export interface WorkerTimings {
  /**
   * Main thread sending → worker starting (clock of both threads aligned by `timeOrigin`); for a frame of a watched
   * stream (`watchStream`), the wait for the stream's next frame and its bitmap.
   */
  readonly transfer: number;
  /** Bitmap → pixels → grey, per-column crop, resize, range (dispatch; GPU work may finish in `predict`). */
  readonly preprocess: number;
  /** One batched predict and reading the outputs back. */
  readonly predict: number;
  /** Head outputs → digits. */
  readonly decode: number;
  /** preprocess + predict + decode. */
  readonly total: number;
}

/** The reading of one frame, in plain numbers. */
export interface FrameResult {
  /** One reading per column, left to right. */
  readonly columns: readonly ColumnReading[];
  readonly backend: BackendName;
  readonly frameWidth: number;
  readonly frameHeight: number;
  readonly timings: WorkerTimings;
  /** Where the soroban was found (requests with {@link FrameRequest.locate}); no columns when it was not. */
  readonly location?: FrameLocation;
  /**
   * What the worker runs now, on the frame read right after the backends left `pending` by
   * `choose: 'first-then-fastest'` were measured (this frame already ran on the winner).
   */
  readonly runtime?: RuntimeInfo;
  /**
   * The worker's number for this frame (1, 2, … in the order frames were read): `label()` given it cuts this frame,
   * not one read after it.
   */
  readonly frame: number;
}

/** TF.js memory as the worker sees it. */
/** Which sample set a call reads or writes, and its bound. */
export interface SampleOptions {
  /** The set's name (an element's `sample-set`): samples of different sets never mix. */
  readonly set: string;
  /** Most columns the set keeps; the oldest samples are dropped first. */
  readonly maxColumns: number;
}

/** Which frame `label()` cuts, and where it stores it. */
export interface LabelOptions extends SampleOptions {
  /**
   * The {@link FrameResult.frame} of the reading labelled (default: the last frame read). A frame read after it
   * may show the soroban changed; the worker keeps the last few frames for this.
   */
  readonly frame?: number | undefined;
}

/** What `label()` stored. */
export interface SampleAdded {
  /** Columns in the sample added. */
  readonly columns: number;
  /** Columns in the set now. */
  readonly total: number;
  /** Columns of older samples dropped to stay within the bound. */
  readonly dropped: number;
}

/** A sample set exported in the `render` format. */
export interface SampleArchive {
  /** A zip of one PNG per labelled frame (its columns side by side) and labels.json. */
  readonly zip: Uint8Array;
  readonly samples: number;
  readonly columns: number;
}

export interface WorkerMemory {
  readonly numTensors: number;
  readonly numBytes: number;
  readonly backend: BackendName | undefined;
}

/** The worker's API. Every method may reject with a `ColumnClassifierError` subclass, which arrives as the same class. */
export interface ClassifierWorkerApi {
  /**
   * Chooses a backend, loads and verifies the model, runs the golden self-check
   * (a backend that disagrees is dropped for the next, with a warning), warms
   * up, and resolves when ready. Calling it again replaces the model.
   */
  start(
    options: StartOptions,
    onProgress?: (progress: StartProgress) => void,
    onWarning?: (warning: RuntimeWarning) => void,
  ): Promise<RuntimeInfo>;
  /** Reads every column of a transferred frame; the worker closes the frame. */
  classify(frame: ImageBitmap, request: FrameRequest): Promise<FrameResult>;
  /**
   * Reads a video stream's frames here from now on, one when a reading asks for it; a stream attached before is
   * cancelled. Made for a `MediaStreamTrackProcessor`'s `readable`, transferred: the frames then never reach the
   * page's main thread, and the processor drops those no reading asked for.
   */
  attachStream(stream: ReadableStream<VideoFrame>): Promise<void>;
  /** Cancels the attached stream, if any. */
  detachStream(): Promise<void>;
  /** Reads every column of the attached stream's next frame (waiting up to 5 s for it), as {@link classify} does. */
  classifyStreamFrame(request: FrameRequest): Promise<FrameResult>;
  /**
   * Reads the attached stream on the worker's own clock: a frame at most every `settings.intervalMs`, one at a time,
   * each result (or failure) posted on `port` as a {@link StreamWatchMessage} — the page's main thread sends
   * nothing per frame. Replaces an earlier watch (whose port gets `stopped`). Resolves, once the watch runs, with its
   * number, which {@link updateWatch} and {@link stopWatch} take: a late call for a replaced watch does nothing.
   *
   * @throws {StateError} `state/not-started` with no stream attached
   */
  watchStream(port: MessagePort, settings: StreamWatchSettings): Promise<number>;
  /** Changes watch `watch`'s interval or geometry from its next frame on; no-op unless it is the running watch. */
  updateWatch(watch: number, settings: StreamWatchSettings): Promise<void>;
  /** Stops watch `watch` (its port gets `stopped`); no-op unless it is the running watch. */
  stopWatch(watch: number): Promise<void>;
  /** Moves to another backend preference (self-check again). */
  setBackends(backends: readonly BackendName[]): Promise<RuntimeInfo>;
  /** TF.js memory counters. */
  /**
   * Stores a frame read (that had a soroban; `options.frame`, else the last) as a sample: its columns cut for the
   * model and labelled with `digits`, one per column.
   */
  label(digits: readonly number[], options: LabelOptions): Promise<SampleAdded>;
  /** The set's samples as a zip in the `render` format. */
  exportSamples(options: SampleOptions): Promise<SampleArchive>;
  /** Removes every sample of the set. */
  clearSamples(options: SampleOptions): Promise<void>;
  /** Removes the set's fine-tuned models: the next start loads the model at its URL. Resolves with how many. */
  resetModel(set: string): Promise<number>;
  memory(): Promise<WorkerMemory>;
  /** Releases the model, every tensor and the backend. Idempotent; later calls throw DisposedError. */
  dispose(): Promise<void>;
}
