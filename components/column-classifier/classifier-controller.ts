import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ClassifierClient } from '../../src/worker-api/classifier-client.ts';
import type {
  BackendChoice,
  BackendName,
  RuntimeWarning,
  StartProgress,
} from '../../src/worker-api/classifier-worker-api.ts';

/** What a start depends on: a change to any of these starts again. */
export interface ClassifierInputs {
  readonly modelUrl: string;
  /** The localizer to load beside the model; undefined: none needed now (one already loaded is kept). */
  readonly localizerUrl: string | undefined;
  readonly backends: readonly BackendName[];
  /** How the backend is chosen from `backends`. */
  readonly choose: BackendChoice;
  /** Columns of the frames to come, for the warm-up; undefined for the default. */
  readonly warmUpColumns: number | undefined;
  /** The loader's size limit; undefined for its default. */
  readonly maxModelBytes: number | undefined;
  readonly allowPathsOutsideFolder: boolean;
  /** The sample set whose fine-tuned model (if any) replaces `modelUrl`. */
  readonly fineTunedSet: string | undefined;
  /** Why these inputs cannot be started (an attribute the host refused); no worker is started for them. */
  readonly problem: Error | undefined;
}

/** How the controller reads its inputs and tells its host what happened. */
export interface ClassifierControllerOptions {
  readonly inputs: () => ClassifierInputs;
  /** A start began (the host shows "loading" and forgets readings of the previous model). */
  readonly onStart: () => void;
  readonly onProgress: (progress: StartProgress) => void;
  readonly onWarning: (warning: RuntimeWarning) => void;
  readonly onReady: (client: ClassifierClient) => void;
  readonly onError: (error: unknown) => void;
}

/** One start: its inputs, its own AbortController, and the client it gives. */
interface Run {
  readonly inputs: ClassifierInputs;
  readonly abort: AbortController;
  readonly client: Promise<ClassifierClient>;
  failed: boolean;
  /** The client once started. */
  ready?: ClassifierClient;
}

/**
 * Owns the host's classifier worker, the way `@lit/task` owns a task: each
 * start has its own AbortController; a start whose inputs changed is aborted
 * (its worker terminated at once) and its results never reach the host; a
 * failed start is tried again when any input changes or is set again.
 *
 * A worker exists only while the host is connected or a call through
 * {@link use} is pending: an element that was never inserted gets a worker
 * for its `classifyOnce()` and loses it when the call settles.
 */
export class ClassifierController implements ReactiveController {
  private readonly options: ClassifierControllerOptions;
  private run: Run | undefined;
  private connected = false;
  private pendingCalls = 0;

  constructor(host: ReactiveControllerHost, options: ClassifierControllerOptions) {
    this.options = options;
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    this.run ??= this.start();
  }

  hostUpdated(): void {
    const run = this.run;
    if (!this.connected || run === undefined) return;
    const next = this.options.inputs();
    const changed =
      next.modelUrl !== run.inputs.modelUrl ||
      // A localizer needed and not loaded (or another one); one no longer needed stays until the next start.
      (next.localizerUrl !== undefined && next.localizerUrl !== run.inputs.localizerUrl) ||
      next.backends.join() !== run.inputs.backends.join() ||
      next.choose !== run.inputs.choose ||
      !Object.is(next.maxModelBytes, run.inputs.maxModelBytes) ||
      next.allowPathsOutsideFolder !== run.inputs.allowPathsOutsideFolder ||
      next.fineTunedSet !== run.inputs.fineTunedSet;
    // The warm-up batch size matters to a start that failed (it may be why); a running model
    // only compiles its shaders for the new size on the next frame, so it is not restarted.
    if (changed || (run.failed && next.warmUpColumns !== run.inputs.warmUpColumns)) this.restart();
  }

  hostDisconnected(): void {
    this.connected = false;
    if (this.pendingCalls === 0) this.release();
  }

  /** The backend the current model runs on; undefined while it loads (or failed to). */
  get backend(): string | undefined {
    return this.run?.ready?.runtime.backend;
  }

  /** Whether the last start failed. */
  get failed(): boolean {
    return this.run?.failed ?? false;
  }

  /** Stops the worker reading a video track itself, if it does (the host's stream changed). */
  releaseTrack(): void {
    void this.run?.ready?.releaseTrack().catch(() => undefined);
  }

  /** Starts again if the last start failed: e.g. the same model URL set again after a 404. */
  retryIfFailed(): void {
    if (this.connected && this.run?.failed === true) this.restart();
  }

  /**
   * Calls `work` with the client, starting one if there is none.
   *
   * @param work - gets the client and `isCurrent()`, false once the client was replaced or released
   *   (its result is then stale)
   */
  async use<T>(work: (client: ClassifierClient, isCurrent: () => boolean) => Promise<T>): Promise<T> {
    const run = this.run ?? this.start();
    this.pendingCalls += 1;
    try {
      return await work(await run.client, () => this.run === run);
    } finally {
      this.pendingCalls -= 1;
      if (!this.connected && this.pendingCalls === 0) this.release();
    }
  }

  /** Starts the model again now (a fine-tuned model was stored or removed); no-op while disconnected. */
  reload(): void {
    if (this.connected) this.restart();
  }

  /** Terminates the worker now. Idempotent; a later connect or call starts a new one. */
  dispose(): void {
    this.release();
  }

  private restart(): void {
    this.release();
    this.run = this.start();
  }

  private start(): Run {
    const inputs = this.options.inputs();
    const abort = new AbortController();
    if (inputs.problem !== undefined) {
      const client = Promise.reject(inputs.problem);
      client.catch(() => undefined);
      const refused: Run = { inputs, abort, client, failed: true };
      this.run = refused;
      this.options.onError(inputs.problem);
      return refused;
    }
    const isCurrent = () => this.run === run;
    const client = ClassifierClient.create({
      modelUrl: inputs.modelUrl,
      ...(inputs.localizerUrl === undefined ? {} : { localizerUrl: inputs.localizerUrl }),
      backends: inputs.backends,
      choose: inputs.choose,
      ...(inputs.warmUpColumns === undefined ? {} : { warmUpColumns: inputs.warmUpColumns }),
      ...(inputs.maxModelBytes === undefined ? {} : { maxModelBytes: inputs.maxModelBytes }),
      allowPathsOutsideFolder: inputs.allowPathsOutsideFolder,
      ...(inputs.fineTunedSet === undefined ? {} : { fineTunedSet: inputs.fineTunedSet }),
      signal: abort.signal,
      onProgress: (progress) => {
        if (isCurrent()) this.options.onProgress(progress);
      },
      onWarning: (warning) => {
        if (isCurrent()) this.options.onWarning(warning);
      },
    });
    const run: Run = { inputs, abort, client, failed: false };
    this.run = run;
    this.options.onStart();
    client.then(
      (started) => {
        if (!isCurrent()) {
          started.dispose();
          return;
        }
        run.ready = started;
        this.options.onReady(started);
      },
      (error: unknown) => {
        // A start abandoned because the inputs changed or the host let go is not an error.
        if (!isCurrent()) return;
        run.failed = true;
        this.options.onError(error);
      },
    );
    return run;
  }

  private release(): void {
    const run = this.run;
    this.run = undefined;
    if (run === undefined) return;
    run.abort.abort();
    run.client.then(
      (client) => client.dispose(),
      () => undefined,
    );
  }
}
