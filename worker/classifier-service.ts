import * as tf from '@tensorflow/tfjs';
import {
  BackendError,
  ColumnClassifierError,
  DisposedError,
  InputError,
  LoadError,
  StateError,
} from '../src/errors.ts';
import type { ClassifierModel } from '../src/model/classifier-model.ts';
import { loadClassifierModel } from '../src/model/load.ts';
import { checkMaxModelBytes, ModelBudget } from '../src/model/model-budget.ts';
import { fetchModelSource, type ModelSource } from '../src/model/source.ts';
import type { StreamFrameReader } from './stream-frame-reader.ts';
import type { StreamWatch } from './stream-watch.ts';
import { readColumns } from '../src/model/read-columns.ts';
import { checkGeometry } from '../src/preprocess/index.ts';
import { locateWith } from '../src/localize/localizer-model.ts';
import { readLocated } from '../src/localize/read-located.ts';
import { LocationTracker } from '../src/localize/tracker.ts';
import type { ModelKind } from '../src/contract/model-kind.ts';
import { NO_MARGINS, WHOLE_FRAME } from '../src/preprocess/types.ts';
import { measureGolden } from '../src/runtime/golden-check.ts';
import { WORKER_TRACK, markStage } from '../src/runtime/stage-marks.ts';
import type {
  BackendChoice,
  BackendName,
  BackendTrial,
  ClassifierWorkerApi,
  FrameRequest,
  FrameResult,
  ModelInfo,
  RuntimeInfo,
  RuntimeWarning,
  SelfCheck,
  StartOptions,
  SampleAdded,
  SampleArchive,
  LabelOptions,
  SampleOptions,
  StartProgress,
  StreamWatchSettings,
  WorkerMemory,
} from '../src/worker-api/classifier-worker-api.ts';
import { FrameSamples } from './frame-samples.ts';
import {
  deleteStoredModels,
  findStoredModel,
  modelJsonSha256,
  storedModelSource,
  type StoredModel,
} from '../src/fine-tune/model-store.ts';
import { defaultWasmPaths } from './asset-urls.ts';
import {
  activateBackend,
  activeWebglContext,
  resetWebglBackend,
  softwareWebglRenderer,
  wasmThreadsEnabled,
  type BackendSetup,
} from './backend.ts';
import { cachingSource } from './caching-source.ts';
import { framePixels } from './frame-pixels.ts';
import { browserImageDecoder } from './image-decoder.ts';

/** Columns in the warm-up batch when the caller does not say: the element's default. */
const DEFAULT_WARM_UP_COLUMNS = 13;
/** Side of the blank frame the warm-up preprocesses. */
const WARM_UP_FRAME_SIZE = 256;

type Source = ModelSource & { readonly fetchedBytes: () => number };

/** A model running on a backend that passed its self-check. */
interface Running {
  readonly backend: BackendName;
  readonly model: ClassifierModel;
  /** The localizer, on the same backend, when the start options named one. */
  readonly localizer: ClassifierModel | undefined;
  readonly info: RuntimeInfo;
}

/** A backend that passed while choosing, with its models and (when measuring) its warm-up batch time. */
interface Passed {
  readonly backend: BackendName;
  readonly model: ClassifierModel;
  readonly localizer: ClassifierModel | undefined;
  readonly warmUpMs: number | undefined;
}

/** Choosing a backend: what is tried and how, and what happened so far. */
interface Choosing {
  /** The caller's list: its order breaks ties. */
  readonly backends: readonly BackendName[];
  readonly choose: BackendChoice;
  readonly setup: BackendSetup;
  readonly signal: AbortSignal;
  readonly onProgress: ((progress: StartProgress) => void) | undefined;
  readonly classifier: ModelToLoad;
  readonly localizer: ModelToLoad | undefined;
  /** Columns of the warm-up batch. */
  readonly columns: number;
  readonly selfChecks: SelfCheck[];
  readonly failures: { readonly backend: BackendName; readonly error: BackendError }[];
  /** Outcomes that stand: refused, skipped, and slower (ruled out on one column, or lost to another's batch). */
  readonly trials: BackendTrial[];
  /** Backends that passed and are not yet ruled out: after settling, only the one running. */
  readonly passed: Passed[];
}

/** A model to load on each backend tried: where from, and as which kind. */
interface ModelToLoad {
  readonly url: string;
  readonly source: Source;
  readonly kind: ModelKind;
}

/**
 * Does the worker's tensor work: backend choice with a golden self-check,
 * model loading, preprocessing, batched inference and decoding. Usable without
 * a Worker (tests and the main-thread baseline call it directly); the worker
 * entry only exposes it.
 */
export class ClassifierService implements ClassifierWorkerApi {
  private running: Running | undefined;
  private options: StartOptions | undefined;
  private source: Source | undefined;
  private localizerSource: Source | undefined;
  /** Where the soroban of the frames that ask for locating was last found. */
  private readonly tracker = new LocationTracker();
  private startAbort: AbortController | undefined;
  private onWarning: ((warning: RuntimeWarning) => void) | undefined;
  private contextLost = false;
  private recovery: Promise<Running> | undefined;
  private disposed = false;
  /** The video stream read here, when the page attached one. */
  private stream: StreamFrameReader | undefined;
  /** The attached stream read on the worker's own clock, if the page asked for it. */
  private watch: StreamWatch | undefined;
  /** The running watch's number (each watchStream() counts one), so that a late call for an older one does nothing. */
  private watchNumber = 0;
  /** The fine-tuned model loaded instead of the start options' model, if the sample set has one. */
  private fineTuned: StoredModel | undefined;
  /** The last frame read, for `label()`, and the stored samples. */
  private readonly samples = new FrameSamples();
  /** Loader warnings already sent since the last start(). */
  private readonly forwarded = new Set<string>();
  /** Backends left to measure after the first frame (`choose: 'first-then-fastest'`). */
  private pending: { readonly choosing: Choosing; readonly backends: readonly BackendName[] } | undefined;
  /** Stops the measuring of {@link pending} (dispose, or a new start). */
  private measureAbort: AbortController | undefined;
  /** A runtime settled by measuring that no frame result has carried yet (the frame that measured failed). */
  private unreported: RuntimeInfo | undefined;
  /** The measuring of {@link pending}, while it runs: frames wait for it (it moves TF.js between backends). */
  private measuring: Promise<Running> | undefined;
  /** Frames read since the last start. */
  private framesRead = 0;
  /** Frames being read now. */
  private inFlight = 0;

  async start(
    options: StartOptions,
    onProgress?: (progress: StartProgress) => void,
    onWarning?: (warning: RuntimeWarning) => void,
  ): Promise<RuntimeInfo> {
    this.assertAlive();
    // Another model may read other columns: a label is for a frame read by the model now running.
    this.samples.forget();
    if (options.backends.length === 0) {
      throw new InputError(
        'input/bad-argument',
        'start: options.backends is empty; give at least one of "webgl", "wasm", "cpu".',
      );
    }
    this.startAbort?.abort();
    const abort = new AbortController();
    this.startAbort = abort;
    // Measuring moves TF.js between backends: a new start waits until it has stopped.
    this.measureAbort?.abort();
    await this.measuring?.catch(() => undefined);
    this.releaseModel();
    this.unreported = undefined;
    this.options = options;
    this.onWarning = onWarning;
    this.forwarded.clear();
    const allowPathsOutsideFolder = options.allowPathsOutsideFolder ?? false;
    const base = cachingSource(fetchModelSource(options.modelUrl, { allowPathsOutsideFolder }));
    // A fine-tuned model this sample set accepted from this model is used instead of it (resetModel() removes it).
    const fineTuned = await this.usableFineTuned(options, base, abort.signal);
    // A newer start() came while this one looked: it owns the model and the backend now.
    if (abort.signal.aborted) throw abortedError(options.modelUrl);
    this.fineTuned = fineTuned;
    this.source = this.fineTuned === undefined ? base : cachingSource(storedModelSource(this.fineTuned));
    this.localizerSource =
      options.localizerUrl === undefined
        ? undefined
        : cachingSource(fetchModelSource(options.localizerUrl, { allowPathsOutsideFolder }));
    this.tracker.reset();
    this.framesRead = 0;
    try {
      try {
        this.running = await this.selectBackend(options.backends, abort.signal, onProgress, options.choose);
      } catch (error) {
        // A stored fine-tuned model that does not load (its files damaged, its self-check failing) must not leave the
        // element without a model: the model at its URL is tried instead, once (a fault of the page's own — a
        // localizer that does not load — then fails that start the same way, and is thrown).
        const stored = this.fineTuned;
        if (stored === undefined || abort.signal.aborted || !(error instanceof ColumnClassifierError)) throw error;
        if (!['load', 'contract', 'backend'].includes(error.family)) throw error;
        await this.warn({
          code: 'fine-tuned/skipped',
          message: `Starting with the fine-tuned model of sample set "${stored.set}" failed (${error.code}: ${error.message}); the model at ${options.modelUrl} is tried instead. resetModel() removes the fine-tuned one; fineTune() makes a new one.`,
        });
        if (abort.signal.aborted) throw abortedError(options.modelUrl);
        this.fineTuned = undefined;
        this.source = base;
        this.running = await this.selectBackend(options.backends, abort.signal, onProgress, options.choose);
      }
      return this.running.info;
    } finally {
      if (this.startAbort === abort) this.startAbort = undefined;
    }
  }

  /**
   * The sample set's stored fine-tuned model of `options.modelUrl`, if there is one made from the model at that URL
   * now (a site may replace its model at the same URL: an old version's fine-tuned model is skipped, with a warning).
   * When the model.json cannot be fetched to compare (offline), or the stored model says nothing of its base, the
   * stored model is used: it carries its own contract and hashes.
   */
  private async usableFineTuned(
    options: StartOptions,
    base: ModelSource,
    signal: AbortSignal,
  ): Promise<StoredModel | undefined> {
    if (options.fineTunedSet === undefined) return undefined;
    let stored: StoredModel | undefined;
    try {
      stored = await findStoredModel(options.fineTunedSet, options.modelUrl);
    } catch (error) {
      await this.warn({
        code: 'fine-tuned/skipped',
        message: `Fine-tuned models could not be read (${error instanceof Error ? error.message : String(error)}); the model at ${options.modelUrl} is used.`,
      });
      return undefined;
    }
    if (stored?.baseModelJsonSha256 === undefined) return stored;
    let now: string;
    try {
      // The same bound as the model's own load; the text is kept for that load (the source caches it).
      const budget = new ModelBudget(checkMaxModelBytes(options.maxModelBytes), base.description);
      now = await modelJsonSha256(base, { signal, limit: budget.limit('model.json') });
    } catch {
      return stored;
    }
    if (stored.baseModelJsonSha256 === now) return stored;
    await this.warn({
      code: 'fine-tuned/skipped',
      message: `The fine-tuned model of sample set "${stored.set}" was made from another version of ${options.modelUrl} (its model.json has changed since ${stored.createdAt}); that model is used as it is now. fineTune() makes a fine-tuned model of it; resetModel() removes the old one.`,
    });
    return undefined;
  }

  async setBackends(backends: readonly BackendName[]): Promise<RuntimeInfo> {
    this.assertAlive();
    const options = this.options;
    if (options === undefined)
      throw new StateError('state/not-started', 'setBackends: call start() with a model first.');
    return this.start({ ...options, backends }, undefined, this.onWarning);
  }

  async classify(frame: ImageBitmap, request: FrameRequest): Promise<FrameResult> {
    const received = performance.now();
    const transfer = Math.max(0, performance.timeOrigin + received - request.sentAt);
    let counted = false;
    try {
      this.assertAlive();
      let running = this.requireRunning();
      if (this.contextLost) running = await this.recover();
      if (this.measuring !== undefined) running = await this.measuring;
      // The frame after the first settles a `first-then-fastest` choice, and carries the runtime settled. Measuring
      // moves TF.js between backends, so it starts only while no other frame is being read.
      if (this.pending !== undefined && this.framesRead > 0 && this.measuring === undefined && this.inFlight === 0) {
        this.measuring = this.measurePending().finally(() => {
          this.measuring = undefined;
        });
        running = await this.measuring;
      }
      this.inFlight++;
      counted = true;
      const { width, height } = frame;
      if (width === 0 || height === 0) {
        throw new InputError(
          'input/zero-size-frame',
          `The frame is ${width} × ${height}: it was closed or transferred elsewhere, or captured from a source with no pixels yet (an unloaded image, a video before its first frame).`,
        );
      }
      const pixels = framePixels(frame);
      frame.close();
      let located: Awaited<ReturnType<typeof readLocated>> | undefined;
      let frameNumber: number;
      let read: Awaited<ReturnType<typeof readColumns>>;
      if ('geometry' in request) {
        checkGeometry(request.geometry);
        read = await readColumns(running.model, () => tf.browser.fromPixels(pixels, 3), request.geometry);
        frameNumber = this.samples.noteFrame(pixels, request.geometry, running.model, running.info.model.url);
      } else {
        const localizer = running.localizer;
        if (localizer === undefined)
          throw new StateError(
            'state/not-started',
            'classify: the request asks to locate the soroban, but no localizer was started; give start() a localizerUrl.',
          );
        const started = performance.now();
        const tensor = tf.browser.fromPixels(pixels, 3);
        try {
          located = await readLocated(running.model, localizer, tensor, this.tracker, request.locate);
        } finally {
          tensor.dispose();
        }
        const { found, corners, columns: count } = located.location;
        frameNumber = this.samples.noteFrame(
          pixels,
          found ? { columns: count, corners, margins: NO_MARGINS } : undefined,
          running.model,
          running.info.model.url,
        );
        const now = performance.now();
        read = {
          columns: located.columns,
          marks: located.marks ?? { start: started, preprocessed: now, predicted: now, decoded: now },
        };
      }
      this.framesRead++;
      const { columns, marks } = read;
      const { start, preprocessed, predicted, decoded } = marks;
      markStage('transfer', received - transfer, received, WORKER_TRACK);
      markStage('preprocess', start, preprocessed, WORKER_TRACK);
      markStage('predict', preprocessed, predicted, WORKER_TRACK);
      markStage('decode', predicted, decoded, WORKER_TRACK);
      // The settled runtime goes out with the first frame read after measuring (kept until one succeeds).
      const settled = this.unreported;
      const result: FrameResult = {
        columns,
        backend: running.backend,
        frameWidth: width,
        frameHeight: height,
        timings: {
          transfer,
          preprocess: preprocessed - start,
          predict: predicted - preprocessed,
          decode: decoded - predicted,
          total: decoded - start,
        },
        ...(located === undefined ? {} : { location: located.location }),
        ...(settled === undefined ? {} : { runtime: settled }),
        frame: frameNumber,
      };
      this.unreported = undefined;
      return result;
    } finally {
      if (counted) this.inFlight--;
      frame.close();
    }
  }

  async attachStream(stream: ReadableStream<VideoFrame>): Promise<void> {
    this.assertAlive();
    const { StreamFrameReader } = await import('./stream-reading.ts');
    this.stream?.close();
    this.stream = new StreamFrameReader(stream);
    this.tracker.reset();
  }

  async detachStream(): Promise<void> {
    this.endWatch();
    this.stream?.close();
    this.stream = undefined;
  }

  async classifyStreamFrame(request: FrameRequest): Promise<FrameResult> {
    this.assertAlive();
    if (this.stream === undefined)
      throw new StateError(
        'state/not-started',
        'classifyStreamFrame: no stream is attached; call attachStream() first.',
      );
    return this.classify(await this.stream.bitmap(), request);
  }

  async watchStream(port: MessagePort, settings: StreamWatchSettings): Promise<number> {
    this.assertAlive();
    if (this.stream === undefined)
      throw new StateError('state/not-started', 'watchStream: no stream is attached; call attachStream() first.');
    const { StreamWatch } = await import('./stream-reading.ts');
    this.watch?.stop();
    this.watchNumber += 1;
    this.watch = new StreamWatch(port, settings, (request) => this.classifyStreamFrame(request));
    return this.watchNumber;
  }

  async updateWatch(watch: number, settings: StreamWatchSettings): Promise<void> {
    this.assertAlive();
    if (watch === this.watchNumber) this.watch?.update(settings);
  }

  async stopWatch(watch: number): Promise<void> {
    if (watch === this.watchNumber) this.endWatch();
  }

  async label(digits: readonly number[], options: LabelOptions): Promise<SampleAdded> {
    this.assertAlive();
    return this.samples.label(digits, options);
  }

  async exportSamples(options: SampleOptions): Promise<SampleArchive> {
    this.assertAlive();
    return this.samples.export(options);
  }

  async resetModel(set: string): Promise<number> {
    this.assertAlive();
    return deleteStoredModels(set);
  }

  async clearSamples(options: SampleOptions): Promise<void> {
    this.assertAlive();
    await this.samples.clear(options);
  }

  async memory(): Promise<WorkerMemory> {
    this.assertAlive();
    const { numTensors, numBytes } = tf.memory();
    return { numTensors, numBytes, backend: this.running?.backend };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.startAbort?.abort();
    this.measureAbort?.abort();
    this.releaseModel();
    this.source = undefined;
    this.localizerSource = undefined;
    this.samples.close();
    await this.detachStream();
  }

  /**
   * Chooses the backend to run on: the first in order that starts, loads the model and reproduces its golden
   * outputs, or with `choose: 'fastest'` the fastest of all that do (timed on the warm-up batch). With
   * `first-then-fastest` it returns with the first that passes (in measuring order) and leaves the others
   * {@link pending}: they are measured after the first frame ({@link measurePending}).
   */
  private async selectBackend(
    backends: readonly BackendName[],
    signal: AbortSignal,
    onProgress: ((progress: StartProgress) => void) | undefined,
    choose: BackendChoice = 'first',
  ): Promise<Running> {
    const options = this.options;
    const source = this.source;
    if (options === undefined || source === undefined)
      throw new StateError('state/not-started', 'No model to start: call start().');
    const choosing: Choosing = {
      backends,
      choose,
      setup: {
        wasmPaths: options.wasmPaths ?? defaultWasmPaths,
        wasmThreads: options.wasmThreads ?? false,
        flags: options.flags ?? {},
      },
      signal,
      onProgress,
      classifier: { url: options.modelUrl, source, kind: 'column-classifier' },
      localizer:
        this.localizerSource === undefined || options.localizerUrl === undefined
          ? undefined
          : { url: options.localizerUrl, source: this.localizerSource, kind: 'localizer' },
      columns: options.warmUpColumns ?? DEFAULT_WARM_UP_COLUMNS,
      selfChecks: [],
      failures: [],
      trials: [],
      passed: [],
    };
    const order = choose === 'first' ? backends : measuringOrder(backends);
    let later: readonly BackendName[] = [];
    try {
      for (const [index, backend] of order.entries()) {
        if (choose === 'first' && choosing.passed.length > 0) {
          choosing.trials.push({
            backend,
            outcome: 'skipped',
            reason: `${choosing.passed[0]?.backend ?? ''} was chosen first`,
          });
          continue;
        }
        if (choose === 'first-then-fastest' && choosing.passed.length > 0) {
          later = order.slice(index);
          break;
        }
        await this.tryBackend(choosing, backend, order[index + 1]);
      }
      const running = await this.settle(choosing, later);
      this.pending = later.length === 0 ? undefined : { choosing, backends: later };
      return running;
    } catch (error) {
      for (const other of choosing.passed) disposeModels(other);
      throw error;
    }
  }

  /**
   * Tries one backend for {@link selectBackend}: starts it, loads the model (and the localizer) and self-checks
   * them; when measuring, times the warm-up batch — or, once another backend's whole batch is timed, first one
   * column, and rules the backend out when that alone is slower. What happened goes into `choosing`. A backend
   * that fails is a trial with its reason; a model or contract error (the same on every backend) is thrown.
   */
  private async tryBackend(choosing: Choosing, backend: BackendName, next: BackendName | undefined): Promise<void> {
    const { choose, setup, signal, onProgress, passed, trials } = choosing;
    const measuring = choose !== 'first';
    const software = measuring && backend === 'webgl' ? softwareWebglRenderer() : undefined;
    if (software !== undefined) {
      trials.push({ backend, outcome: 'skipped', reason: `WebGL is drawn by a software renderer (${software})` });
      return;
    }
    try {
      // Once one backend's whole batch is timed, another is first timed on one column, before its self-check: a
      // batch of all columns takes at least as long as one, so one column slower than the best whole batch rules
      // it out, and a slow backend (cpu: 0.5–1 s per batch here) costs a column's time, not a self-check and two
      // whole batches.
      const best = Math.min(...passed.map((p) => p.warmUpMs ?? Infinity));
      const model = await this.loadOn(backend, setup, signal, onProgress, choosing.classifier);
      let localizer: ClassifierModel | undefined;
      try {
        if (measuring && Number.isFinite(best)) {
          await this.warmUp(model, 1);
          const columnMs = await this.timeWarmUp(model, 1);
          if (columnMs >= best) {
            model.dispose();
            trials.push({ backend, outcome: 'slower', columnMs });
            return;
          }
        }
        await this.selfCheck(model, backend, choosing.classifier, choosing.selfChecks, onProgress);
        // The localizer must run on the backend too: it is loaded and checked before the backend can win.
        if (choosing.localizer !== undefined) {
          localizer = await this.loadOn(backend, setup, signal, onProgress, choosing.localizer);
          await this.selfCheck(localizer, backend, choosing.localizer, choosing.selfChecks, onProgress);
        }
        onProgress?.({ stage: 'warm-up', backend });
        await this.warmUp(model, choosing.columns);
        // Only WebGL has shaders to compile before the first frame; on wasm and cpu this would only delay it.
        if (localizer !== undefined && backend === 'webgl') await this.warmUpLocalizer(localizer);
        if (signal.aborted) throw abortedError(choosing.classifier.url);
        const warmUpMs = measuring ? await this.timeWarmUp(model, choosing.columns) : undefined;
        passed.push({ backend, model, localizer, warmUpMs });
      } catch (error) {
        model.dispose();
        localizer?.dispose();
        throw error;
      }
    } catch (error) {
      // Model and contract errors are the same on every backend: trying the next one would only repeat them.
      if (!(error instanceof BackendError) || signal.aborted)
        throw signal.aborted ? abortedError(choosing.classifier.url, error) : error;
      choosing.failures.push({ backend, error });
      trials.push({ backend, outcome: 'refused', reason: error.message });
      if (next !== undefined) {
        await this.warn({
          code: error.code === 'backend/golden-mismatch' ? 'backend/golden-mismatch' : 'backend/fallback',
          message: `${error.message} ${choose === 'first' ? 'Falling back to' : 'Trying'} ${next}.`,
          details: { backend, next, ...(error.details ?? {}) },
        });
      }
    }
  }

  /**
   * The fastest of the backends that passed (between equal times, the earlier in the caller's list) becomes the
   * running one, active in TF.js; the others' models are disposed. `later`: backends left to measure after the
   * first frame, reported as `pending`.
   */
  private async settle(choosing: Choosing, later: readonly BackendName[] = []): Promise<Running> {
    const { backends, passed, failures, selfChecks, setup, signal } = choosing;
    const winner = [...passed]
      .sort((a, b) => backends.indexOf(a.backend) - backends.indexOf(b.backend))
      .reduce<Passed | undefined>(
        (best, candidate) =>
          best === undefined || (candidate.warmUpMs ?? Infinity) < (best.warmUpMs ?? Infinity) ? candidate : best,
        undefined,
      );
    if (winner === undefined) {
      throw new BackendError(
        'backend/unavailable',
        `No backend could run the model: ${failures.map((f) => `${f.backend}: ${f.error.message}`).join(' | ')}.`,
        {
          // Each backend's own code and details (e.g. reason "csp" or "half-float"), for pages that branch on them.
          details: {
            tried: [...backends],
            selfChecks,
            failures: failures.map(({ backend, error }) => ({ backend, code: error.code, ...(error.details ?? {}) })),
          },
        },
      );
    }
    // Timing the others made one of them the active backend; the winner's tensors are still on its own. Activated
    // before the others are freed: should it fail, the running model is still whole.
    if (tf.getBackend() !== winner.backend) await activateBackend(winner.backend, setup);
    // A backend that lost is out for good (its models are freed); the winner may still lose to a backend measured later.
    for (const other of passed) {
      if (other === winner) continue;
      disposeModels(other);
      choosing.trials.push({
        backend: other.backend,
        outcome: 'slower',
        ...(other.warmUpMs === undefined ? {} : { warmUpMs: other.warmUpMs }),
      });
    }
    passed.splice(0, passed.length, winner);
    const trials: BackendTrial[] = [
      ...choosing.trials,
      {
        backend: winner.backend,
        outcome: 'chosen',
        ...(winner.warmUpMs === undefined ? {} : { warmUpMs: winner.warmUpMs }),
      },
      ...later.map((backend): BackendTrial => ({ backend, outcome: 'pending' })),
    ];
    trials.sort((a, b) => backends.indexOf(a.backend) - backends.indexOf(b.backend));
    if (signal.aborted) {
      disposeModels(winner);
      throw abortedError(choosing.classifier.url);
    }
    this.watchContext(winner.backend);
    const info = this.runtimeInfo(winner.backend, winner.model, selfChecks, choosing.classifier.source);
    const localizer = choosing.localizer;
    return {
      backend: winner.backend,
      model: winner.model,
      localizer: winner.localizer,
      info: {
        ...info,
        ...(winner.localizer === undefined || localizer === undefined
          ? {}
          : { localizer: modelInfo(localizer.url, winner.localizer, localizer.source) }),
        trials,
        choice: describeChoice(winner.backend, trials),
      },
    };
  }

  /**
   * Measures the backends {@link selectBackend} left pending, against the one running, and moves to the fastest.
   * Measuring must not stop the reading: when it fails, the running backend stays (with a warning).
   */
  private async measurePending(): Promise<Running> {
    const pending = this.pending;
    const current = this.requireRunning();
    this.pending = undefined;
    if (pending === undefined) return current;
    const abort = new AbortController();
    this.measureAbort = abort;
    // Its own signal (dispose() or a new start() stops it); no progress events: after cc-ready nothing is loading.
    const choosing: Choosing = { ...pending.choosing, onProgress: undefined, signal: abort.signal };
    const { backends } = pending;
    try {
      for (const [index, backend] of backends.entries()) await this.tryBackend(choosing, backend, backends[index + 1]);
      if (abort.signal.aborted) throw abortedError(choosing.classifier.url);
      const settled = await this.settle(choosing);
      this.running = settled;
      this.unreported = settled.info;
      return settled;
    } catch (error) {
      for (const other of choosing.passed) if (other.model !== current.model) disposeModels(other);
      // Disposed, or started again: the worker belongs to what comes next, and nothing is reported.
      if (abort.signal.aborted) return this.requireRunning();
      if (tf.getBackend() !== current.backend) await activateBackend(current.backend, choosing.setup);
      const cause = error instanceof Error ? error.message : String(error);
      const reason = `measuring after the first frame failed: ${cause}`;
      const trials = current.info.trials.map((t): BackendTrial =>
        t.outcome === 'pending' ? { backend: t.backend, outcome: 'refused', reason } : t,
      );
      const running: Running = {
        ...current,
        info: { ...current.info, trials, choice: describeChoice(current.backend, trials) },
      };
      this.running = running;
      this.unreported = running.info;
      await this.warn({
        code: 'backend/fallback',
        message: `Measuring ${backends.join(', ')} after the first frame failed (${cause}); staying on ${current.backend}.`,
        details: { backend: current.backend },
      });
      return running;
    } finally {
      if (this.measureAbort === abort) this.measureAbort = undefined;
    }
  }

  /** Starts `backend` and loads a model on it; throws a BackendError when the backend cannot be used. */
  private async loadOn(
    backend: BackendName,
    setup: BackendSetup,
    signal: AbortSignal,
    onProgress: ((progress: StartProgress) => void) | undefined,
    which: ModelToLoad,
  ): Promise<ClassifierModel> {
    const options = this.options;
    if (options === undefined) throw new StateError('state/not-started', 'No model to start: call start().');
    const model: StartProgress['model'] = which.kind === 'localizer' ? 'localizer' : undefined;
    const tagged = model === undefined ? {} : { model };
    onProgress?.({ stage: 'backend', backend, ...tagged });
    await activateBackend(backend, setup);
    if (signal.aborted) throw abortedError(which.url);
    const loaded = await loadClassifierModel(which.source, {
      signal,
      kind: which.kind,
      ...(options.maxModelBytes === undefined ? {} : { maxModelBytes: options.maxModelBytes }),
      onProgress: (p) => {
        if (p.phase === 'weights' || p.phase === 'model-json')
          onProgress?.({ stage: 'fetch', backend, loaded: p.loaded, total: p.total, ...tagged });
        else onProgress?.({ stage: p.phase === 'verifying' ? 'verify' : 'build', backend, ...tagged });
      },
    });
    try {
      await this.forwardLoaderWarnings(loaded);
    } catch (error) {
      loaded.dispose();
      throw error;
    }
    return loaded;
  }

  /** Runs the golden self-check of `model` on `backend`; throws a BackendError when its outputs differ. */
  private async selfCheck(
    model: ClassifierModel,
    backend: BackendName,
    which: ModelToLoad,
    selfChecks: SelfCheck[],
    onProgress: ((progress: StartProgress) => void) | undefined,
  ): Promise<void> {
    const isLocalizer = which.kind === 'localizer';
    onProgress?.({ stage: 'self-check', backend, ...(isLocalizer ? { model: 'localizer' as const } : {}) });
    const measured = await measureGolden(model, which.source, browserImageDecoder);
    const name = isLocalizer ? 'localizer' : 'model';
    if (measured === undefined) {
      await this.warn({
        code: 'golden/missing',
        message: `The ${name}'s contract has no golden inputs, so the ${backend} backend's numbers are unchecked.`,
      });
      return;
    }
    const check: SelfCheck = {
      backend,
      ...(isLocalizer ? { model: 'localizer' as const } : {}),
      maxAbsDiff: measured.maxAbsDiff,
      tolerance: measured.tolerance,
      cases: measured.cases,
      passed: measured.passed,
    };
    selfChecks.push(check);
    if (!measured.passed) {
      const message = `The ${backend} backend's ${isLocalizer ? 'localizer ' : ''}outputs differ from the golden outputs by up to ${measured.maxAbsDiff.toExponential(2)} (tolerance ${measured.tolerance.toExponential(2)})`;
      throw new BackendError('backend/golden-mismatch', `${message}; it is not used.`, {
        details: { ...check, byHead: measured.maxAbsDiffByHead },
      });
    }
  }

  /** Milliseconds of one more warm-up batch of `columns`, after a first one compiled what it needed. */
  private async timeWarmUp(model: ClassifierModel, columns: number): Promise<number> {
    const start = performance.now();
    await this.warmUp(model, columns);
    return performance.now() - start;
  }

  /** Runs the whole frame path once (preprocess and predict) on `columns` columns, so WebGL compiles its shaders for that batch before the first real frame. */
  private async warmUp(model: ClassifierModel, columns: number): Promise<void> {
    const blank = () => tf.zeros<tf.Rank.R3>([WARM_UP_FRAME_SIZE, WARM_UP_FRAME_SIZE, 3], 'int32');
    await readColumns(model, blank, { columns, corners: WHOLE_FRAME, margins: NO_MARGINS });
  }

  /** Runs the localizer's two looks once, so that WebGL compiles their shaders before the first frame that needs them. */
  private async warmUpLocalizer(localizer: ClassifierModel): Promise<void> {
    const blank = tf.zeros<tf.Rank.R3>([WARM_UP_FRAME_SIZE, WARM_UP_FRAME_SIZE, 3], 'int32');
    try {
      await locateWith(localizer, blank);
    } finally {
      blank.dispose();
    }
  }

  private runtimeInfo(
    backend: BackendName,
    model: ClassifierModel,
    selfChecks: readonly SelfCheck[],
    source: Source,
  ): Omit<RuntimeInfo, 'trials' | 'choice'> {
    const info = {
      ...modelInfo(this.options?.modelUrl ?? '', model, source),
      ...(this.fineTuned === undefined || source !== this.source
        ? {}
        : {
            fineTuned: {
              set: this.fineTuned.set,
              createdAt: this.fineTuned.createdAt,
              summary: this.fineTuned.summary,
            },
          }),
    };
    return {
      backend,
      tfjsVersion: tf.version.tfjs,
      wasmThreads: backend === 'wasm' && wasmThreadsEnabled(),
      model: info,
      selfChecks: [...selfChecks],
    };
  }

  /** Notices a lost WebGL context, so the next frame rebuilds the backend instead of failing. */
  private watchContext(backend: BackendName): void {
    this.contextLost = false;
    if (backend !== 'webgl') return;
    const context = activeWebglContext();
    // Lost already (while other backends were measured): the next frame recovers.
    this.contextLost = context?.isContextLost() ?? false;
    const canvas = context?.canvas;
    canvas?.addEventListener(
      'webglcontextlost',
      () => {
        this.contextLost = true;
      },
      { once: true },
    );
  }

  /** Rebuilds after a lost WebGL context: a fresh WebGL backend, or the next backend if that fails. */
  private recover(): Promise<Running> {
    this.recovery ??= (async () => {
      const lost = this.requireRunning();
      const options = this.options;
      if (options === undefined) throw new StateError('state/not-started', 'No model to recover: call start().');
      await this.warn({
        code: 'backend/context-lost',
        message: `The WebGL context was lost; rebuilding the ${lost.backend} backend and reloading the model.`,
      });
      this.releaseModel();
      resetWebglBackend();
      const from = options.backends.indexOf(lost.backend);
      const remaining = from < 0 ? options.backends : options.backends.slice(from);
      const abort = new AbortController();
      this.running = await this.selectBackend(remaining, abort.signal, undefined);
      return this.running;
    })().finally(() => {
      this.recovery = undefined;
    });
    return this.recovery;
  }

  private releaseModel(): void {
    const running = this.running;
    this.running = undefined;
    this.pending = undefined;
    this.contextLost = false;
    try {
      if (running !== undefined) disposeModels(running);
    } catch {
      // A model on a lost context may fail to free its textures; they are gone with the context anyway.
    }
  }

  /**
   * Reports a warning and waits until the page has it. Through Comlink the callback is a call on
   * a port of its own, so without the wait a warning from `start` could reach the page after the
   * start's own answer (seen in WebKit): `cc-warning` after `cc-ready`. A page that fails to take
   * it does not stop the worker.
   */
  private async warn(warning: RuntimeWarning): Promise<void> {
    await Promise.resolve(this.onWarning?.(warning)).catch(() => undefined);
  }

  /** Sends the loader's warnings on, once per start (the model is loaded again on every backend tried). */
  private async forwardLoaderWarnings(model: ClassifierModel): Promise<void> {
    for (const problem of model.warnings) {
      const key = `${problem.code}\n${problem.message}`;
      if (this.forwarded.has(key)) continue;
      this.forwarded.add(key);
      await this.warn({
        code: problem.code,
        message: problem.message,
        ...(problem.details === undefined ? {} : { details: problem.details }),
      });
    }
  }

  private requireRunning(): Running {
    if (this.running === undefined) {
      throw new StateError(
        'state/not-started',
        'The classifier has no model yet: call start() and wait for it to resolve.',
      );
    }
    return this.running;
  }

  /** Stops the running watch, if any. */
  private endWatch(): void {
    this.watch?.stop();
    this.watch = undefined;
  }

  private assertAlive(): void {
    if (this.disposed) {
      throw new DisposedError('disposed/used-after-dispose', 'This classifier service was disposed; create a new one.');
    }
  }
}

/** What a loaded model is, in plain data. */
function modelInfo(url: string, model: ClassifierModel, source: Source): ModelInfo {
  const { contract } = model;
  return {
    url,
    input: { height: contract.input.height, width: contract.input.width, channels: contract.input.channels },
    heads: contract.heads.map((head) => ({
      name: head.name,
      output: head.output,
      shape: [...head.shape],
      activation: head.activation,
    })),
    weightBytes: source.fetchedBytes(),
  };
}

function disposeModels(models: {
  readonly model: ClassifierModel;
  readonly localizer: ClassifierModel | undefined;
}): void {
  models.model.dispose();
  models.localizer?.dispose();
}

function abortedError(url: string, cause?: unknown): LoadError {
  if (cause instanceof LoadError && cause.code === 'load/aborted') return cause;
  return new LoadError('load/aborted', `Loading ${url} was aborted.`, cause === undefined ? undefined : { cause });
}

/** The choice in words: the winner, its time and what it was measured against, and why others were not used. */
function describeChoice(backend: BackendName, trials: readonly BackendTrial[]): string {
  const chosen = trials.find((t) => t.outcome === 'chosen');
  const measured = trials.filter((t) => t.warmUpMs !== undefined || t.columnMs !== undefined);
  const time = (t: BackendTrial) =>
    t.warmUpMs === undefined
      ? `${t.backend} ${(t.columnMs ?? 0).toFixed(1)} ms for one column`
      : `${t.backend} ${t.warmUpMs.toFixed(1)} ms`;
  const pending = trials.filter((t) => t.outcome === 'pending').map((t) => t.backend);
  const head =
    chosen?.warmUpMs === undefined
      ? `${backend}: the first backend in the list that passed its self-check`
      : pending.length > 0
        ? `${backend}: the first to pass (${chosen.warmUpMs.toFixed(1)} ms per warm-up batch), reading at once; ${pending.join(', ')} measured after the first frame`
        : measured.length === 1
          ? `${backend}: ${chosen.warmUpMs.toFixed(1)} ms per warm-up batch, the only backend that passed`
          : `${backend}: fastest per warm-up batch (${measured.map(time).join(', ')})`;
  const others = trials.filter((t) => t.outcome === 'refused' || t.outcome === 'skipped');
  return others.length === 0
    ? head
    : `${head}; ${others.map((t) => `${t.backend} ${t.outcome}: ${t.reason ?? ''}`).join('; ')}`;
}

/**
 * The order `fastest` measures backends in: wasm first when it is listed, then the caller's order. The first one
 * measured is timed on a whole batch; each later one is first timed on one column against it, so the first should
 * be quick to start: wasm compiles no shaders (WebGL's first batch compiles its shaders, seconds on a software
 * renderer) and is rarely far from the fastest. The caller's order still breaks ties.
 */
function measuringOrder(backends: readonly BackendName[]): readonly BackendName[] {
  return backends.includes('wasm') ? ['wasm', ...backends.filter((b) => b !== 'wasm')] : backends;
}
