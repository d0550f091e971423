import * as Comlink from 'comlink';
import { DisposedError, InputError, LoadError, WorkerError } from '../errors.ts';
import { FrameScheduler, type FrameCounters, type FrameOutcome } from '../frame-scheduler.ts';
import type { LocateRequest } from '../localize/location.ts';
import type { ColumnGeometry } from '../preprocess/types.ts';
import { MAIN_TRACK, markStage } from '../runtime/stage-marks.ts';
import {
  DEFAULT_BACKENDS,
  type BackendChoice,
  type BackendName,
  type ClassifierWorkerApi,
  type ColumnsWhere,
  type FrameResult,
  type RuntimeInfo,
  type RuntimeWarning,
  type SampleAdded,
  type SampleArchive,
  type LabelOptions,
  type SampleOptions,
  type StartOptions,
  type StartProgress,
  type StreamWatchSettings,
  type WorkerMemory,
} from './classifier-worker-api.ts';
import { installErrorTransfer } from './error-transfer.ts';
import { TrackWatchSession, type TrackWatchListener } from './track-watch.ts';
import { withWatchdog } from './watchdog.ts';
import { defaultWorkerUrl } from './default-urls.ts';

/** Options of {@link ClassifierClient.create}. */
export interface ClassifierClientOptions {
  /** URL of the model's `model.json` (resolved against the page). */
  readonly modelUrl: string | URL;
  /**
   * URL of a localizer's `model.json` (resolved against the page), for frames read with `{ locate }`: loaded and
   * self-checked beside the model on each backend. Default: none.
   */
  readonly localizerUrl?: string | URL;
  /** Backends to try, in order. Default `['webgl', 'wasm', 'cpu']`. */
  readonly backends?: readonly BackendName[];
  /** `first` (default): the first backend that passes its self-check; `fastest`: the fastest of those that pass, measured. */
  readonly choose?: BackendChoice;
  /** The module worker script. Default: the worker built beside this bundle. */
  readonly workerUrl?: URL | string;
  /** Where the `.wasm` files are served. Default: beside the worker. */
  readonly wasmPaths?: string;
  /** Allow threaded WASM where cross-origin isolated. Default false. */
  readonly wasmThreads?: boolean;
  /** Columns of the frames to come, so warm-up compiles the right shaders. Default 13. */
  readonly warmUpColumns?: number;
  /**
   * The most bytes the model may take, model.json, sidecar and weights together; a larger one is `load/too-large`
   * before its weights are requested. Default 64 MiB.
   */
  readonly maxModelBytes?: number;
  /** Let model.json name files outside its own folder or origin. Default false: such a path is `load/path-outside-model`. */
  readonly allowPathsOutsideFolder?: boolean;
  /** Load this sample set's accepted fine-tuned model of `modelUrl` instead, when there is one (IndexedDB). */
  readonly fineTunedSet?: string;
  /** TF.js flags for the worker (e.g. `WEBGL_FORCE_F16_TEXTURES`). */
  readonly flags?: Readonly<Record<string, boolean | number>>;
  /**
   * A call that takes longer than this means the worker stopped answering (it is restarted). Default 15 000 ms. The
   * frame that measures backends left `pending` (`choose: 'first-then-fastest'`) has the start timeout instead.
   */
  readonly callTimeoutMs?: number;
  /** Starting (download, self-check, warm-up) longer than this means the worker stopped answering. Default 120 000 ms. */
  readonly startTimeoutMs?: number;
  /** Progress of loading, in stages and bytes. */
  readonly onProgress?: (progress: StartProgress) => void;
  /** Degradations the client recovers from: backend fallbacks, lost contexts, worker restarts. */
  readonly onWarning?: (warning: RuntimeWarning) => void;
  /** Aborts the start; `create` then rejects with `load/aborted`. */
  readonly signal?: AbortSignal;
}

/** A frame's result with the main thread's view of its timing. */
export interface ClientFrameResult extends FrameResult {
  /** Milliseconds from sending the frame to having the result on the main thread. */
  readonly roundTrip: number;
}

/** Where a frame's columns are: a geometry, or `{ locate }` to have the localizer find them. */
export type FrameWhere = ColumnGeometry | { readonly locate: LocateRequest };

/** How often the worker reads a watched track, and where its columns are ({@link ClassifierClient.watchTrack}). */
export interface TrackWatchSettings {
  /** Shortest time from the start of one frame's reading to the next's (1000 / frames per second), in ms. */
  readonly intervalMs: number;
  readonly where: FrameWhere;
}

/** A track the worker reads on its own clock ({@link ClassifierClient.watchTrack}). */
export interface TrackWatch {
  /** New interval or geometry, from the next frame on (a `locate.relocate` applies to one frame). */
  update(settings: TrackWatchSettings): void;
  /** Ends the watch; nothing more reaches the listener. Idempotent. */
  stop(): void;
}

/** A frame waiting for the worker, with where its columns are. */
interface PendingFrame {
  readonly bitmap: ImageBitmap;
  readonly where: FrameWhere;
  close(): void;
}

/** One live worker. */
interface Connection {
  readonly worker: Worker;
  readonly remote: Comlink.Remote<ClassifierWorkerApi>;
  /** Rejects when the worker reports an uncaught error or fails to load. */
  readonly died: Promise<never>;
  runtime: RuntimeInfo | undefined;
  /** The video track whose frames this worker reads itself, once attached. */
  track?: MediaStreamTrack | undefined;
}

const MAX_RESTARTS = 3;

/** A `MediaStreamTrackProcessor` as Chromium offers it on the window (TypeScript's DOM types have it in workers only). */
type TrackProcessorConstructor = new (init: { track: MediaStreamTrack }) => {
  readonly readable: ReadableStream<VideoFrame>;
};

/** Takes the runtime a frame result settled (`choose: 'first-then-fastest'`) as the connection's. */
function settledRuntime<T extends { readonly runtime?: RuntimeInfo }>(connection: Connection, result: T): T {
  if (result.runtime !== undefined) connection.runtime = result.runtime;
  return result;
}

/** The request's own fields only: a page may pass an object with more (a class instance), which must not be posted. */
function plainWhere(where: FrameWhere): ColumnsWhere {
  if ('locate' in where) {
    const { columns, relocate, still } = where.locate;
    return {
      locate: {
        ...(columns === undefined ? {} : { columns }),
        ...(relocate === undefined ? {} : { relocate }),
        ...(still === undefined ? {} : { still }),
      },
    };
  }
  return { geometry: { columns: where.columns, corners: where.corners, margins: where.margins } };
}

/**
 * Sends a frame request and times its round trip on the page's clock; `send` gets the time it is sent
 * (`performance.timeOrigin + performance.now()`), which the worker uses to time the transfer.
 */
async function timedRoundTrip(send: (sentAt: number) => Promise<FrameResult>): Promise<ClientFrameResult> {
  const sent = performance.now();
  const result = await send(performance.timeOrigin + sent);
  const received = performance.now();
  markStage('round-trip', sent, received, MAIN_TRACK);
  return { ...result, roundTrip: received - sent };
}

/** Hands the worker a `MediaStreamTrackProcessor`'s stream of `track`, unless it reads that track already. */
async function attachTrack(
  connection: Connection,
  track: MediaStreamTrack,
  Processor: TrackProcessorConstructor,
): Promise<void> {
  if (connection.track === track) return;
  const { readable } = new Processor({ track });
  await connection.remote.attachStream(Comlink.transfer(readable, [readable as unknown as Transferable]));
  connection.track = track;
}

function noTrackProcessor(): InputError {
  return new InputError(
    'input/unsupported-source',
    'This browser has no MediaStreamTrackProcessor on the page, so its worker cannot read a video track; capture frames and call classify() instead.',
  );
}

function trackProcessor(): TrackProcessorConstructor | undefined {
  const constructor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorConstructor })
    .MediaStreamTrackProcessor;
  return typeof constructor === 'function' ? constructor : undefined;
}

function isWorkerFailure(error: unknown): error is WorkerError {
  return error instanceof WorkerError;
}

/**
 * The frame could not be posted to the worker: a bitmap of a cross-origin image or a canvas it tainted is not
 * origin-clean, and browsers refuse to transfer one (Chromium: "Non-origin-clean ImageBitmap cannot be transferred").
 */
function untransferable(error: unknown): InputError | undefined {
  if (!(error instanceof DOMException) || error.name !== 'DataCloneError') return undefined;
  return new InputError(
    'input/tainted-source',
    'The source shows a cross-origin image without CORS, so its pixels may not leave the page. Serve the image with Access-Control-Allow-Origin and set crossorigin="anonymous" on the <img> (or on the <video>).',
    { cause: error },
  );
}

/**
 * The main thread's handle on one classifier worker. Methods forward to the
 * worker through Comlink; frames are transferred, never copied. A worker that
 * dies or stops answering is restarted with the same model (the call that saw
 * it fails with a WorkerError; the next one goes to the new worker).
 *
 * ```ts
 * const client = await ClassifierClient.create({ modelUrl: '/models/column-classifier/model.json' });
 * const result = await client.classify(await createImageBitmap(canvas), { columns: 13, corners, margins });
 * client.dispose();
 * ```
 */
export class ClassifierClient {
  private readonly options: ClassifierClientOptions;
  private connection: Promise<Connection>;
  private current: Connection | undefined;
  private readonly scheduler: FrameScheduler<PendingFrame, ClientFrameResult>;
  private backends: readonly BackendName[];
  private restartCount = 0;
  private disposed = false;
  /** Tracks the worker reads on its own clock ({@link watchTrack}), stopped on dispose. */
  private readonly watches = new Set<TrackWatchSession<Connection>>();

  private constructor(options: ClassifierClientOptions, connection: Connection) {
    this.options = options;
    this.backends = options.backends ?? DEFAULT_BACKENDS;
    this.current = connection;
    this.connection = Promise.resolve(connection);
    this.scheduler = new FrameScheduler((frame) => this.classify(frame.bitmap, frame.where));
  }

  /**
   * Starts a worker, loads the model there and resolves when it is ready.
   *
   * @throws {LoadError} the model could not be fetched or verified (`load/*`)
   * @throws {ContractError} the model's contract is missing, invalid or contradicts the model
   * @throws {BackendError} no backend could run the model within its golden tolerance
   * @throws {WorkerError} the worker could not start
   */
  static async create(options: ClassifierClientOptions): Promise<ClassifierClient> {
    installErrorTransfer();
    const connection = await connect(options, options.backends ?? DEFAULT_BACKENDS);
    return new ClassifierClient(options, connection);
  }

  /** What the worker runs: backend, TF.js version, model, self-checks. */
  get runtime(): RuntimeInfo {
    const runtime = this.current?.runtime;
    if (runtime === undefined)
      throw new WorkerError('worker/crashed', 'The worker is restarting; wait for the next result.');
    return runtime;
  }

  /** How many times the worker was restarted after dying or hanging. */
  get restarts(): number {
    return this.restartCount;
  }

  /** Frames submitted, processed, dropped (replaced while waiting) and failed through {@link submit}. */
  get counters(): FrameCounters {
    return this.scheduler.counters;
  }

  /** Whether a submitted frame is waiting: capturing another now would only replace it. */
  get hasWaitingFrame(): boolean {
    return this.scheduler.hasWaitingFrame;
  }

  /**
   * Reads every column of a frame now. The frame is transferred (detached here afterwards).
   *
   * @throws {InputError} a zero-size or detached frame, bad geometry
   * @throws {WorkerError} the worker died or stopped answering (it is being restarted)
   */
  async classify(frame: ImageBitmap, where: FrameWhere): Promise<ClientFrameResult> {
    if (frame.width === 0 || frame.height === 0) {
      // Checked here because posting a closed or already-transferred bitmap throws a DataCloneError.
      throw new InputError(
        'input/detached-frame',
        'The frame has no pixels: it was closed or already transferred. Capture a new ImageBitmap for each call.',
      );
    }
    const request = plainWhere(where);
    return this.call(this.frameTimeoutMs(), async (remote, connection) =>
      settledRuntime(
        connection,
        await timedRoundTrip((sentAt) =>
          remote.classify(Comlink.transfer(frame, [frame]), { ...request, sentAt }).catch((error: unknown) => {
            throw untransferable(error) ?? error;
          }),
        ),
      ),
    );
  }

  /**
   * Whether this page can have the worker read a video track's frames itself ({@link classifyTrack}): a
   * `MediaStreamTrackProcessor` on the window, whose stream is transferred to the worker (Chromium). Elsewhere
   * frames are captured here and transferred ({@link classify}).
   */
  static readsTracksInWorker(): boolean {
    return trackProcessor() !== undefined;
  }

  /**
   * Reads every column of a video track's current frame, read by the worker itself: the first call for a track
   * hands the worker a `MediaStreamTrackProcessor`'s stream of it, and its frames never reach this thread. Only
   * where {@link readsTracksInWorker} says so.
   *
   * @throws {InputError} `input/unsupported-source` where this page cannot do it; `input/zero-size-frame` when the
   *   track has ended or sends no frame; bad geometry
   * @throws {WorkerError} the worker died or stopped answering (it is being restarted; the next call attaches the
   *   track again)
   */
  async classifyTrack(track: MediaStreamTrack, where: FrameWhere): Promise<ClientFrameResult> {
    const Processor = trackProcessor();
    if (Processor === undefined) throw noTrackProcessor();
    const request = plainWhere(where);
    return this.call(this.frameTimeoutMs(), async (remote, connection) => {
      await attachTrack(connection, track, Processor);
      return settledRuntime(
        connection,
        await timedRoundTrip((sentAt) => remote.classifyStreamFrame({ ...request, sentAt })),
      );
    });
  }

  /**
   * Has the worker read a video track on its own clock, as {@link classifyTrack} reads one frame: a frame at most
   * every `settings.intervalMs`, one at a time, each result passed to `listener.onReading` as it arrives. This thread
   * sends nothing per frame (no request, no timer): only {@link TrackWatch.update} when the interval or geometry
   * changes. A worker that dies or stops answering is restarted and the watch goes on there (the listener hears the
   * `WorkerError`). One watch per worker: a second one replaces the first, which ends, as does a watch whose track
   * {@link releaseTrack} lets go; its listener hears a `DisposedError` `disposed/superseded`. Only where
   * {@link readsTracksInWorker} says so.
   *
   * @throws {InputError} `input/unsupported-source` where this page cannot hand the worker a track
   * @throws {DisposedError} after {@link dispose}
   */
  watchTrack(track: MediaStreamTrack, settings: TrackWatchSettings, listener: TrackWatchListener): TrackWatch {
    const Processor = trackProcessor();
    if (Processor === undefined) throw noTrackProcessor();
    if (this.disposed)
      throw new DisposedError('disposed/used-after-dispose', 'This classifier client was disposed; create a new one.');
    const plain = (next: TrackWatchSettings): StreamWatchSettings => ({
      intervalMs: next.intervalMs,
      where: plainWhere(next.where),
    });
    const session = new TrackWatchSession<Connection>(
      {
        worker: () => this.connection,
        attach: (connection) => attachTrack(connection, track, Processor),
        fail: (connection, error) => this.restart(connection, error),
        silenceLimitMs: () => this.frameTimeoutMs(),
        ended: () => this.watches.delete(session),
      },
      plain(settings),
      {
        onReading: (result) => {
          if (this.current !== undefined) settledRuntime(this.current, result);
          listener.onReading(result);
        },
        onError: (error) => listener.onError(error),
      },
    );
    this.watches.add(session);
    return {
      update: (next) => session.update(plain(next)),
      stop: () => {
        this.watches.delete(session);
        session.stop();
      },
    };
  }

  /** Stops the worker reading the track {@link classifyTrack} gave it, if any (the page now reads another source). */
  async releaseTrack(): Promise<void> {
    const connection = this.current;
    if (this.disposed || connection?.track === undefined) return;
    connection.track = undefined;
    await connection.remote.detachStream();
  }

  /**
   * Latest wins: at most one frame in the worker and one waiting here; a newer
   * frame replaces (and closes) the waiting one. Never rejects.
   */
  submit(frame: ImageBitmap, where: FrameWhere): Promise<FrameOutcome<ClientFrameResult>> {
    return this.scheduler.submit({ bitmap: frame, where, close: () => frame.close() });
  }

  /**
   * How long a frame call may take: the call timeout, or the start timeout while backends are `pending` (the frame
   * that settles a `first-then-fastest` choice loads, self-checks and times them first, as a start would).
   */
  private frameTimeoutMs(): number {
    const pending = this.current?.runtime?.trials.some((t) => t.outcome === 'pending') ?? false;
    return pending ? (this.options.startTimeoutMs ?? 120_000) : (this.options.callTimeoutMs ?? 15_000);
  }

  /** Moves the worker to another backend preference, with a new self-check. */
  async setBackends(backends: readonly BackendName[]): Promise<RuntimeInfo> {
    const runtime = await this.call(this.options.startTimeoutMs ?? 120_000, (remote) =>
      remote.setBackends([...backends]),
    );
    this.backends = backends;
    if (this.current !== undefined) this.current.runtime = runtime;
    return runtime;
  }

  /** Stores a frame read as a sample labelled with `digits` (see {@link ClassifierWorkerApi.label}). */
  label(digits: readonly number[], options: LabelOptions): Promise<SampleAdded> {
    return this.call(this.options.callTimeoutMs ?? 15_000, (remote) => remote.label([...digits], { ...options }));
  }

  /** The sample set as a zip in the `render` format. */
  exportSamples(options: SampleOptions): Promise<SampleArchive> {
    return this.call(this.options.startTimeoutMs ?? 120_000, (remote) => remote.exportSamples({ ...options }));
  }

  /** Removes every sample of the set. */
  clearSamples(options: SampleOptions): Promise<void> {
    return this.call(this.options.callTimeoutMs ?? 15_000, (remote) => remote.clearSamples({ ...options }));
  }

  /** Removes the set's fine-tuned models (see {@link ClassifierWorkerApi.resetModel}). */
  resetModel(set: string): Promise<number> {
    return this.call(this.options.callTimeoutMs ?? 15_000, (remote) => remote.resetModel(set));
  }

  /** The worker's TF.js memory counters. */
  memory(): Promise<WorkerMemory> {
    return this.call(this.options.callTimeoutMs ?? 15_000, (remote) => remote.memory());
  }

  /** Stops the worker and drops any waiting frame. Idempotent; later calls reject with DisposedError. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const watch of this.watches) watch.stop();
    this.watches.clear();
    this.scheduler.dispose();
    this.connection.then(closeConnection, () => undefined);
  }

  private async call<T>(
    timeoutMs: number,
    send: (remote: Comlink.Remote<ClassifierWorkerApi>, connection: Connection) => Promise<T>,
  ): Promise<T> {
    if (this.disposed)
      throw new DisposedError('disposed/used-after-dispose', 'This classifier client was disposed; create a new one.');
    const connection = await this.connection;
    try {
      return await withWatchdog(Promise.race([send(connection.remote, connection), connection.died]), timeoutMs);
    } catch (error) {
      if (isWorkerFailure(error)) this.restart(connection, error);
      throw error;
    }
  }

  private restart(failed: Connection, reason: WorkerError): void {
    if (this.disposed || this.current !== failed) return;
    this.current = undefined;
    closeConnection(failed);
    this.restartCount += 1;
    if (this.restartCount > MAX_RESTARTS) {
      this.connection = Promise.reject(
        new WorkerError(
          'worker/crashed',
          `The classifier worker failed ${this.restartCount} times (last: ${reason.message}); giving up. Reload the page or the element.`,
        ),
      );
      this.connection.catch(() => undefined);
      return;
    }
    this.options.onWarning?.({
      code: 'worker/restarted',
      message: `${reason.message} Restarting the worker and reloading the model (restart ${this.restartCount} of at most ${MAX_RESTARTS}).`,
    });
    const { signal: _startSignal, ...restartOptions } = this.options;
    this.connection = connect(restartOptions, this.backends).then((connection) => {
      if (this.disposed) {
        closeConnection(connection);
        throw new DisposedError(
          'disposed/used-after-dispose',
          'This classifier client was disposed; create a new one.',
        );
      }
      this.current = connection;
      return connection;
    });
    this.connection.catch(() => undefined);
    // A watch on the failed worker (seen failing by another call) goes on on the new one.
    for (const watch of this.watches) watch.workerReplaced(failed);
  }
}

/** Starts a worker and loads the model in it. */
async function connect(options: ClassifierClientOptions, backends: readonly BackendName[]): Promise<Connection> {
  const worker = new Worker(options.workerUrl ?? defaultWorkerUrl, { type: 'module', name: 'column-classifier' });
  const died = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (event) => {
      // Handled here: without this the browser also reports it as the page's own uncaught error.
      event.preventDefault();
      const where = event.filename ? ` (${event.filename}:${event.lineno})` : '';
      reject(
        new WorkerError(
          'worker/crashed',
          `The classifier worker failed: ${event.message || 'it could not be loaded'}${where}.`,
        ),
      );
    });
  });
  // A rejection nobody awaits yet must not surface as unhandled.
  died.catch(() => undefined);
  const remote = Comlink.wrap<ClassifierWorkerApi>(worker);
  const connection: Connection = { worker, remote, died, runtime: undefined };
  const modelUrl = new URL(options.modelUrl, globalThis.location?.href).href;
  const startOptions: StartOptions = {
    modelUrl,
    ...(options.localizerUrl === undefined
      ? {}
      : { localizerUrl: new URL(options.localizerUrl, globalThis.location?.href).href }),
    backends: [...backends],
    ...(options.choose === undefined ? {} : { choose: options.choose }),
    ...(options.wasmPaths === undefined ? {} : { wasmPaths: options.wasmPaths }),
    ...(options.wasmThreads === undefined ? {} : { wasmThreads: options.wasmThreads }),
    ...(options.flags === undefined ? {} : { flags: { ...options.flags } }),
    ...(options.warmUpColumns === undefined ? {} : { warmUpColumns: options.warmUpColumns }),
    ...(options.maxModelBytes === undefined ? {} : { maxModelBytes: options.maxModelBytes }),
    ...(options.fineTunedSet === undefined ? {} : { fineTunedSet: options.fineTunedSet }),
    ...(options.allowPathsOutsideFolder === undefined
      ? {}
      : { allowPathsOutsideFolder: options.allowPathsOutsideFolder }),
  };
  // An aborted start needs nothing more from its worker: terminate it now rather than ask it to stop,
  // since a worker still loading TF.js reads no message for a second or more, and a page that
  // changes its model every 100 ms would otherwise run a dozen workers at once.
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new LoadError('load/aborted', `Loading ${modelUrl} was aborted.`));
    if (options.signal?.aborted) onAbort();
  });
  aborted.catch(() => undefined);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const started = remote.start(
      startOptions,
      options.onProgress === undefined ? undefined : Comlink.proxy(options.onProgress),
      options.onWarning === undefined ? undefined : Comlink.proxy(options.onWarning),
    );
    connection.runtime = await withWatchdog(Promise.race([started, died, aborted]), options.startTimeoutMs ?? 120_000);
    // Sent from here, not the worker: progress arrives on its own message port and could trail the result.
    options.onProgress?.({ stage: 'ready', backend: connection.runtime.backend });
    return connection;
  } catch (error) {
    closeConnection(connection);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function closeConnection(connection: Connection): void {
  connection.remote[Comlink.releaseProxy]();
  connection.worker.terminate();
}
