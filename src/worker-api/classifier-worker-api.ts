/**
 * The one interface of the worker boundary. The worker's service implements
 * it; the main thread reaches it through `Comlink.wrap<ClassifierWorkerApi>()`.
 * Only structured-clonable plain data crosses; frames are transferred.
 */

/** TF.js backends the product can run on. */
export const BackendName = {
  cpu: 'cpu',
  wasm: 'wasm',
  webgl: 'webgl',
} as const;
export type BackendName = (typeof BackendName)[keyof typeof BackendName];

/** Options for starting the worker's TF.js runtime. */
export interface InitOptions {
  /** The backend to use. */
  readonly backend: BackendName;
  /**
   * Where the `tfjs-backend-wasm` `.wasm` files are served (a URL ending in `/`).
   * Default: beside the worker bundle (the build copies them there).
   */
  readonly wasmPaths?: string;
}

/** What the worker's runtime is running on, as TF.js reports it. */
export interface RuntimeInfo {
  /** `tf.getBackend()` after initialization: the backend actually in use. */
  readonly backend: BackendName;
  readonly tfjsVersion: string;
  /** Whether the WASM backend may use threads (only when cross-origin isolated and asked for). */
  readonly wasmThreads: boolean;
}

/** Per-stage times in milliseconds, measured in the worker. */
export interface StageTimings {
  readonly toTensor: number;
  readonly compute: number;
  readonly readback: number;
  readonly total: number;
}

/** The walking skeleton's result: the mean grey (BT.601, 0–255) of each of N equal vertical strips. */
export interface StripMeansResult {
  readonly means: number[];
  readonly width: number;
  readonly height: number;
  readonly backend: BackendName;
  readonly timings: StageTimings;
}

/** TF.js memory as the worker sees it. */
export interface WorkerMemory {
  readonly numTensors: number;
  readonly numBytes: number;
  readonly backend: BackendName;
}

/** The worker's API. Every method may reject with a `ColumnClassifierError` subclass. */
export interface ClassifierWorkerApi {
  /** Chooses and initializes the TF.js backend. Fails loudly (BackendError) rather than falling back silently. */
  init(options: InitOptions): Promise<RuntimeInfo>;
  /** Measures the mean grey of `strips` equal vertical strips of a transferred frame; closes the frame. */
  measureStrips(frame: ImageBitmap, strips: number): Promise<StripMeansResult>;
  /** TF.js memory counters. */
  memory(): Promise<WorkerMemory>;
  /** Releases every tensor and the backend. Idempotent; later calls throw DisposedError. */
  dispose(): Promise<void>;
}
