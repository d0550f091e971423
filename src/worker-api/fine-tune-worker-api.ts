/**
 * The fine-tune worker's interface: a second module worker, started only when the page asks for a fine-tune, so
 * that the classifier's worker keeps its small TF.js (forward kernels only) and keeps reading meanwhile. It reads
 * the sample set from IndexedDB, renders the columns it mixes in and judges by, trains a copy of the model on the
 * wasm backend with the gradient kernels the Node training uses, and stores the model when the gates pass.
 */
import type { BackendName } from './classifier-worker-api.ts';

/** What to fine-tune, on what, and how long. */
export interface FineTuneRequest {
  /** The model.json URL of the model to start from (the element's `model`). */
  readonly modelUrl: string;
  /** The sample set to learn from. */
  readonly set: string;
  /** Most passes over the mix (default 6). */
  readonly epochs?: number;
  /** Stops after this many epochs in a row that read the held-out samples no better than the best (default 2). */
  readonly patience?: number;
  /** Adam's rate in the first epoch (default 5e-4). */
  readonly learningRate?: number;
  /** Rendered training columns mixed in (default 300). */
  readonly replayColumns?: number;
  /** Rendered test columns the model must not forget (default 300). */
  readonly testColumns?: number;
  /** Largest drop on the test columns allowed, in points (default 0.3). */
  readonly maxTestDrop?: number;
  /** Where the tfjs-backend-wasm `.wasm` files are (default: beside the worker). */
  readonly wasmPaths?: string;
  readonly allowPathsOutsideFolder?: boolean;
}

/** Where the training of a fine-tune is: after each step, and after each epoch with the held-out accuracy. */
export interface FineTuneProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly step: number;
  readonly steps: number;
  /** Mean training loss of the epoch so far. */
  readonly loss: number;
  /** Digit accuracy on the held-out labelled columns, once the epoch is done. */
  readonly heldOutAccuracy?: number;
}

/** Where a fine-tune is. */
export type FineTuneStage =
  | { readonly stage: 'load' }
  | { readonly stage: 'render'; readonly done: number; readonly total: number }
  | ({ readonly stage: 'fine-tune' } & FineTuneProgress)
  /** The quantization gate: `done` of at most `total` encodings tried. */
  | { readonly stage: 'gate'; readonly done: number; readonly total: number }
  | { readonly stage: 'store' };

/** One epoch of a fine-tune. */
export interface FineTuneEpochInfo {
  readonly epoch: number;
  readonly loss: number;
  readonly heldOutAccuracy: number;
  readonly heldOutLoss: number;
  readonly seconds: number;
}

/** What a fine-tune did and whether its model was accepted (and stored). */
export interface FineTuneOutcome {
  readonly accepted: boolean;
  /** One line: held-out and test accuracy before → after, and the verdict. */
  readonly summary: string;
  /** Why it was refused (empty when accepted). */
  readonly failures: readonly string[];
  readonly heldOut: { readonly before: number; readonly after: number; readonly columns: number };
  readonly test: { readonly before: number; readonly after: number; readonly columns: number };
  /** Labelled columns learnt from. */
  readonly learnt: number;
  readonly epochs: readonly FineTuneEpochInfo[];
  readonly bestEpoch: number;
  /** Weight bytes before and after the quantization gate (accepted models only). */
  readonly quantization?: { readonly bytesBefore: number; readonly bytesAfter: number };
  readonly seconds: number;
  readonly backend: BackendName;
}

/** The methods the fine-tune worker exposes (wrapped with Comlink). */
export interface FineTuneWorkerApi {
  /**
   * Fine-tunes the model on the sample set and, when every gate passes, stores it in IndexedDB so that the
   * classifier worker loads it instead of `modelUrl` for this set.
   */
  fineTune(request: FineTuneRequest, onProgress?: (stage: FineTuneStage) => void): Promise<FineTuneOutcome>;
  /** Stops a running fine-tune between two steps; it rejects with `disposed/aborted`. */
  abort(): Promise<void>;
}
