import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { ColumnClassifierError, DisposedError, InputError, StateError, WorkerError } from '../../src/errors.ts';
import { insetQuad, isColumnCount } from '../../src/preprocess/columns.ts';
import { FIELD_MARGINS, NO_MARGINS, WHOLE_FRAME, type ColumnGeometry, type Quad } from '../../src/preprocess/types.ts';
import {
  ClassifierClient,
  type ClientFrameResult,
  type FrameWhere,
  type TrackWatch,
} from '../../src/worker-api/classifier-client.ts';
import { DEFAULT_BACKENDS, type BackendName } from '../../src/worker-api/classifier-worker-api.ts';
import type { FineTuneOutcome, FineTuneRequest } from '../../src/worker-api/fine-tune-worker-api.ts';
import { defaultLocalizerUrl, defaultModelUrl } from '../../src/worker-api/default-urls.ts';
import { CalibrationController } from './calibration-controller.ts';
import { renderOverlay } from './overlay.ts';
import type { FacingMode } from './camera-controller.ts';
import { CaptureLoopController, type DelegatedLoop } from './capture-loop-controller.ts';
import { ClassifierController } from './classifier-controller.ts';
import type { FrameSource } from './capture.ts';
import { formatCorners, parseCorners } from './corners.ts';
import type { ReadingDetail, SampleDetail } from './events.ts';
import { FineTuneController } from './fine-tune-controller.ts';
import { FrameSourceController } from './frame-source-controller.ts';
import { FramePreview } from './frame-preview.ts';
import { toReading } from './reading.ts';
import { ReportOnce } from './report-once.ts';
import { settingsProblem, startProblem } from './settings.ts';
import { StabilityTracker } from './stability.ts';
import { styles } from './column-classifier.styles.ts';

/** Backend choice of the element: a backend, or `auto` (the fastest of webgl, wasm and cpu that pass, measured). */
export type BackendPreference = BackendName | 'auto';

/** The status line's timings are refreshed at most this often (every reading still carries them). */
const STATUS_REFRESH_MS = 1000;

/** Columns when `corners` is given and `columns` is not: the most common soroban. */
export const DEFAULT_COLUMNS = 13;

/** What the status line and live region say while the localizer finds no whole soroban. */
const NOT_FOUND_TEXT = 'No soroban in view';

type EventName =
  | 'cc-ready'
  | 'cc-backend'
  | 'cc-progress'
  | 'cc-reading'
  | 'cc-warning'
  | 'cc-error'
  | 'cc-corners-change'
  | 'cc-sample';

/** Options of {@link ColumnClassifier.fineTune}. */
export type FineTuneOptions = Partial<
  Pick<FineTuneRequest, 'epochs' | 'patience' | 'learningRate' | 'replayColumns' | 'testColumns' | 'maxTestDrop'>
> & {
  readonly signal?: AbortSignal;
};

/** Columns a sample set keeps by default (`max-samples`). */
export const DEFAULT_MAX_SAMPLES = 1000;

/**
 * An attribute value out of range or malformed is a typed `cc-error` and stops reading until it is fixed; it is
 * never clamped.
 *
 * The element is a host of controllers: {@link ClassifierController} (worker, model, backend),
 * {@link FrameSourceController} (source, camera, stream), {@link FramePreview} (capture, and the
 * preview of each frame with its own reading), {@link CaptureLoopController} (frames at `max-fps`) and {@link CalibrationController}
 * (corner handles); this class keeps attributes, render and events.
 *
 * @summary Reads the digit on each column of a soroban from a camera, video, canvas or image, with all tensor work in a Web Worker.
 *
 * @attr model - URL of the model's `model.json`. Default: the shipped model beside the bundle.
 * @attr localizer - URL of the localizer's `model.json`, loaded (and self-checked on the backend, like the model) while `corners` is absent or `auto`. Default: the shipped localizer beside the bundle.
 * @attr source - Id of a `<video>`, `<canvas>` or `<img>` to read. The `source` property also takes a MediaStream, an element, an ImageBitmap or an OffscreenCanvas. Default: none.
 * @attr camera - Opens the device camera and reads it: `environment` (default when empty) or `user`. Stopped on disconnect.
 * @attr backend - `auto` (default: every backend that passes the golden self-check is timed on the warm-up batch and the fastest is used; a software-rendered WebGL is skipped), `webgl`, `wasm` or `cpu`.
 * @attr columns - Number of soroban columns in the bead area, a whole number from 1 to 64. Without `corners`, the localizer finds the count unless this is given (then it finds the corners only); with `corners`, default 13.
 * @attr corners - Eight numbers in [0, 1]: x,y of the bead area's top-left, top-right, bottom-right and bottom-left corners (manual calibration: the localizer is not used). Absent or `auto` (the default): the localizer finds the bead area — on the first frame, every 15 frames after, when the reading turns unstable and while nothing is found — and each reading carries what it found (`detail.location`); while no whole soroban is in view, readings have no digits and the status line and live region say so.
 * @attr max-fps - Most frames captured per second while running (a positive number). Default 10.
 * @attr stable-frames - Frames in a row (a whole number ≥ 1) with the same digits before a reading is stable. Default 3.
 * @attr min-confidence - Smallest per-column confidence (0–1) a stable reading accepts. Default 0.5.
 * @attr preview - Shows each frame read from a `source` that is not a stream, under the overlay, once its reading is back (so the digits drawn are that frame's). Costs a copy of every frame on the main thread and a paint of the preview per reading. Default: off (the source is on the page already); a camera or stream is always shown, in a `<video>` the compositor draws.
 * @attr calibrate - Shows the preview (as `preview` does) with draggable, keyboard-operable corner handles; moving one updates `corners` and fires `cc-corners-change`.
 * @attr paused - No frames are captured while present (`classifyOnce()` still works).
 * @attr max-model-bytes - The most bytes the model may take (model.json, contract and weights together), a positive whole number; a larger model is refused with `load/too-large` before its weights are requested. Default 67108864 (64 MiB).
 * @attr sample-set - The name of the set `label()` adds samples to and `exportSamples()` reads (kept in the browser's IndexedDB for this origin, across reloads). Default `default`; give each soroban its own.
 * @attr max-samples - Most labelled columns the sample set keeps, a positive whole number; the oldest samples are dropped first. Default 1000.
 * @attr allow-paths-outside-folder - Lets the model's `model.json` name files outside its own folder or origin (refused by default with `load/path-outside-model`, before any request). Set it only for a model.json you trust.
 *
 * @fires cc-ready - The model is loaded and self-checked; `detail.runtime` names the backend in use and why (`choice`, `trials` with each backend's measured time), and the self-check results. On `backend="auto"` it comes as soon as the first backend passes (wasm first); the others are `pending` in `trials`.
 * @fires cc-backend - On `backend="auto"`, once the backends left pending at `cc-ready` were measured (after the first frame): `detail.runtime` as in `cc-ready`, now with every backend's time; the frame read with it ran on the winner.
 * @fires cc-progress - Loading progress: `detail.stage`, and bytes while fetching.
 * @fires cc-reading - A frame was read: digits, value, per-column probabilities and confidence, stability, backend, timings, and (without `corners`) where the soroban was found (`location`: corners, column count, presence, whether found).
 * @fires cc-warning - Something degraded (backend fallback, lost WebGL context, worker restart, a loader warning such as `contract/no-integrity`); the element goes on.
 * @fires cc-corners-change - A calibration handle moved; `detail.corners` is the new bead area.
 * @fires cc-sample - `label()` stored the last frame's columns with their digits: `detail` has the digits, the set, the columns stored and the set's total.
 * @fires cc-error - A typed error; `detail.error.code` is stable. Fired once per error until an attribute changes or a frame is read.
 *
 * @csspart preview - The preview box (frame, overlay and handles), shown for a camera or stream, or with `preview` or `calibrate`.
 * @csspart frame - The last frame read (a canvas), or the camera or stream (a video).
 * @csspart overlay - The SVG with the bead area and column boxes.
 * @csspart bead-area - The outline of the bead area.
 * @csspart column-box - One column's box.
 * @csspart column-digit - The digit drawn over a column.
 * @csspart handle - A calibration handle.
 * @csspart readout - The row of digits under the preview.
 * @csspart digit - One digit in the readout.
 * @csspart status - The status line (backend, timings, problems).
 *
 * @cssproperty --cc-font-family - Font of the readout. Default system-ui.
 * @cssproperty --cc-color - Text colour. Default inherited.
 * @cssproperty --cc-accent - Colour of boxes, digits and handles. Default #1a73e8.
 * @cssproperty --cc-unstable - Colour of boxes while the reading is not stable. Default #e8a317.
 * @cssproperty --cc-border-color - Border of each readout digit. Default currentColor.
 * @cssproperty --cc-gap - Gap between readout digits. Default 0.25rem.
 */
export class ColumnClassifier extends LitElement {
  static override styles = styles;

  /**
   * Setting the same URL again counts as a change (`hasChanged` is always true), so a model that
   * failed to load (e.g. a 404 since fixed on the server) is tried again when set again.
   */
  @property({ hasChanged: () => true }) model: string = defaultModelUrl.href;
  /** Id of the source element, or the source itself. */
  @property({ attribute: 'source' }) source: string | FrameSource | null = null;
  @property() camera: FacingMode | '' | null = null;
  @property({ reflect: true }) backend: BackendPreference = 'auto';
  /**
   * Setting the same URL again counts as a change, as for `model`.
   */
  @property({ hasChanged: () => true }) localizer: string = defaultLocalizerUrl.href;
  /** null: not given (13 with `corners`; found by the localizer without). */
  @property({ type: Number }) columns: number | null = null;
  @property({ reflect: true }) corners: string | null = null;
  @property({ type: Number, attribute: 'max-fps' }) maxFps = 10;
  @property({ type: Number, attribute: 'stable-frames' }) stableFrames = 3;
  @property({ type: Number, attribute: 'min-confidence' }) minConfidence = 0.5;
  @property({ type: Boolean, reflect: true }) preview = false;
  @property({ type: Boolean, reflect: true }) calibrate = false;
  @property({ type: Boolean, reflect: true }) paused = false;
  /** The loader's size limit; null for its default (64 MiB). */
  @property({ type: Number, attribute: 'max-model-bytes' }) maxModelBytes: number | null = null;
  @property({ type: Boolean, attribute: 'allow-paths-outside-folder' }) allowPathsOutsideFolder = false;
  @property({ attribute: 'sample-set' }) sampleSet = 'default';
  @property({ type: Number, attribute: 'max-samples' }) maxSamples = DEFAULT_MAX_SAMPLES;

  /** What the preview and readout show; not reactive: a render follows only when digits or stability change. */
  private lastReading: ReadingDetail | undefined;
  /** The worker's number for the frame behind `lastReading`: `label()` cuts that frame, not one read after it. */
  private lastReadingFrame: number | undefined;
  @state() private stableValue = '';
  @state() private statusText = 'loading…';

  @query('video[part="frame"]') private streamVideo!: HTMLVideoElement | null;
  @query('canvas[part="frame"]') private previewCanvas!: HTMLCanvasElement | null;
  @query('.preview') private previewBox!: HTMLElement | null;

  private readonly frames = new FrameSourceController(this, {
    source: () => this.source,
    camera: () => this.camera,
    document: () => this.ownerDocument,
    video: () => this.streamVideo,
    onStreamChange: () => {
      // Another stream may fix the cause of the last error: it may be reported again.
      this.errors.reset();
      this.classifier.releaseTrack();
      // A stream the worker can read on its own clock is read that way; any other source by the capture timer.
      this.configureLoop();
    },
    onError: (error) => this.reportError(error),
  });
  private readonly framePreview = new FramePreview(this, { canvas: () => this.previewCanvas });
  private readonly classifier = new ClassifierController(this, {
    inputs: () => ({
      modelUrl: this.model,
      localizerUrl: this.locating ? this.localizer : undefined,
      backends: this.backend === 'auto' ? DEFAULT_BACKENDS : [this.backend],
      // auto: read the first frame on the first backend that passes, then measure the others and take the fastest.
      choose: this.backend === 'auto' ? 'first-then-fastest' : 'first',
      warmUpColumns: isColumnCount(this.columns ?? DEFAULT_COLUMNS) ? (this.columns ?? DEFAULT_COLUMNS) : undefined,
      maxModelBytes: this.maxModelBytes ?? undefined,
      allowPathsOutsideFolder: this.allowPathsOutsideFolder,
      fineTunedSet: this.validSampleSet(),
      problem: startProblem(this.backend, this.maxModelBytes, (name) => this.getAttribute(name)),
    }),
    onStart: () => {
      this.statusText = 'loading…';
      this.stability.reset();
    },
    onProgress: (progress) => this.emit('cc-progress', progress),
    onWarning: (warning) => this.emit('cc-warning', warning),
    onReady: (client) => this.onReady(client),
    onError: (error) => this.reportError(error),
  });
  private readonly fineTuning = new FineTuneController(this, {
    onProgress: (stage) => this.emit('cc-progress', stage),
  });
  private readonly loop = new CaptureLoopController(this, {
    document: () => this.ownerDocument,
    capture: () => this.captureForLoop(),
  });
  /** The capture loop's reading when the worker reads the stream itself, on its own clock (see {@link startWatch}). */
  private readonly workerLoop: DelegatedLoop = {
    start: (intervalMs) => this.startWatch(intervalMs),
    stop: () => this.stopWatch(),
  };
  /** The worker's reading of the stream's track, while the loop runs on the worker's clock. */
  private watch: TrackWatch | undefined;
  /** Counts watch starts and stops, so that a start still waiting for the worker knows it was stopped meanwhile. */
  private watchGeneration = 0;
  /** The watch's interval while the loop reads on the worker's clock (kept across a restart of the model). */
  private watchInterval: number | undefined;
  /** The track {@link watch} reads. */
  private watchedTrack: MediaStreamTrack | undefined;
  private readonly calibration = new CalibrationController(this, {
    quad: () => this.calibrationQuad(),
    box: () => this.previewBox,
    onMove: (quad) => this.setCorners(quad),
  });
  private readonly stability = new StabilityTracker(3, 0.5);
  /** The same error is reported once, until an input changes or a frame is read. */
  private readonly errors = new ReportOnce();
  /** The attribute that cannot be used as given (reported once); no frame is read until it is fixed. */
  private settingsError: InputError | undefined;
  private lastStatusTime = Number.NEGATIVE_INFINITY;
  /** The next frame runs the localizer again (the reading turned unstable). */
  private relocateNext = false;
  /** Whether `updated()` ran before: its first call sees the initial values, not changes. */
  private updatedBefore = false;

  override connectedCallback(): void {
    super.connectedCallback();
    // On a re-insertion no update follows: the loop is configured here as well as in updated().
    this.configureLoop();
  }

  protected override updated(changed: PropertyValues): void {
    const inputs = [
      'model',
      'localizer',
      'source',
      'camera',
      'backend',
      'columns',
      'corners',
      'maxFps',
      'stableFrames',
      'minConfidence',
      'paused',
      'maxModelBytes',
      'allowPathsOutsideFolder',
    ] as const;
    // A changed input may have fixed (or changed) the cause of the last error: it may be reported again. Not on the
    // first update, whose "changes" are the values the element connected with: an error reported at connect (a
    // backend it does not know) was caused by them, and the capture loop's next tick would report it again.
    if (this.updatedBefore && inputs.some((key) => changed.has(key))) this.errors.reset();
    this.updatedBefore = true;
    if (
      (changed.has('model') && changed.get('model') !== undefined) ||
      (changed.has('localizer') && changed.get('localizer') !== undefined)
    )
      this.classifier.retryIfFailed();
    const settings = ['camera', 'columns', 'corners', 'maxFps', 'stableFrames', 'minConfidence'] as const;
    const settingsChanged = settings.some((key) => changed.has(key));
    if (settingsChanged) this.checkSettings();
    if (
      changed.has('stableFrames') ||
      changed.has('minConfidence') ||
      changed.has('columns') ||
      changed.has('corners') ||
      changed.has('source')
    ) {
      this.stability.configure(this.stableFrames, this.minConfidence);
    }
    if (changed.has('camera') || changed.has('source')) this.frames.connect();
    if (settingsChanged || changed.has('paused') || changed.has('source') || changed.has('camera'))
      this.configureLoop();
  }

  /**
   * Where the columns are: from `columns` and `corners`, or, without `corners`, where the localizer found them in
   * the last frame read (undefined until it found a whole soroban, and while it finds none).
   *
   * @throws {InputError} a `corners` value that cannot be parsed
   */
  get geometry(): ColumnGeometry | undefined {
    if (this.locating) {
      const location = this.lastReading?.location;
      return location?.found === true
        ? { columns: location.columns, corners: location.corners, margins: NO_MARGINS }
        : undefined;
    }
    return this.givenGeometry();
  }

  /** Whether the localizer finds the bead area (no `corners`, or `corners="auto"`). */
  private get locating(): boolean {
    const corners = this.corners?.trim() ?? '';
    return corners === '' || corners === 'auto';
  }

  /** The geometry the attributes give (`corners` set). */
  private givenGeometry(): ColumnGeometry {
    return { columns: this.columns ?? DEFAULT_COLUMNS, corners: parseCorners(this.corners ?? ''), margins: NO_MARGINS };
  }

  /** What the worker is told about where the columns are, for the next frame. */
  private frameWhere(): FrameWhere {
    if (!this.locating) return this.givenGeometry();
    const relocate = this.relocateNext;
    this.relocateNext = false;
    return {
      locate: { ...(this.columns === null ? {} : { columns: this.columns }), ...(relocate ? { relocate } : {}) },
    };
  }

  /** Resumes reading frames (clears `paused`). */
  start(): void {
    this.paused = false;
  }

  /** Stops reading frames (sets `paused`); the model stays loaded. */
  stop(): void {
    this.paused = true;
  }

  /**
   * Releases the worker, the camera and the capture loop now (removing the element does the
   * same). Idempotent; a later `classifyOnce()`, or inserting the element again, starts anew.
   */
  dispose(): void {
    this.loop.configure(undefined);
    this.frames.stop();
    this.classifier.dispose();
  }

  /**
   * Captures one frame now and resolves with its reading (also fired as `cc-reading`). An element
   * that is not in the document has a worker only while this call is pending.
   */
  async classifyOnce(): Promise<ReadingDetail> {
    if (this.settingsError !== undefined) throw this.settingsError;
    const source = await this.frames.capturable();
    const where = this.frameWhere();
    // A camera or MediaStream whose frames the worker can read itself (Chromium): none is captured here.
    const track = this.frames.stream?.getVideoTracks()[0];
    const readByWorker = track !== undefined && ClassifierClient.readsTracksInWorker();
    return this.classifier.use(async (client, isCurrent) => {
      this.loop.noteCapture(performance.now());
      const superseded = () =>
        new DisposedError(
          'disposed/superseded',
          'The model or backend changed (or the element was removed) while this frame was being read; its result is dropped.',
        );
      // Why a frame read this far is not shown: the element moved on, or a reading attribute turned invalid
      // meanwhile (the page was told nothing is read).
      const refusal = () => (isCurrent() ? this.settingsError : superseded());
      if (readByWorker) {
        const requested = performance.now();
        const result = await client.classifyTrack(track, where).catch((error: unknown) => {
          throw isCurrent() ? error : superseded();
        });
        const refused = refusal();
        if (refused !== undefined) throw refused;
        return this.emitWorkerReading(result, requested);
      }
      const captured = await this.framePreview.capture(source);
      const result = await client.classify(captured.frame, where).catch((error: unknown) => {
        // Not transferred when the client refused it (disposed, given up): release its pixels now. No-op once transferred.
        captured.frame.close();
        this.framePreview.discard(captured);
        throw isCurrent() ? error : superseded();
      });
      const refused = refusal();
      if (refused !== undefined) {
        this.framePreview.discard(captured);
        throw refused;
      }
      this.framePreview.present(captured);
      return this.emitReading(result, captured.captureStart, captured.captureEnd, 'main-thread');
    });
  }

  /**
   * Says what the soroban showed in the frame behind the current stable reading: its columns are cut for the model (in the worker, by the
   * same preprocessing as every reading) and stored with `digits` in the sample set (`sample-set`, IndexedDB), the
   * oldest dropped beyond `max-samples` columns; fires `cc-sample`. The host app knows the answer (a student's
   * correct sum, or "that reading is wrong — it shows …").
   *
   * @param digits - one digit 0–9 per column of the last reading, left to right
   * @throws {StateError} `state/not-started` while the last reading is not stable (or there is none)
   * @throws {InputError} `input/bad-argument` for digits that are not one 0–9 per column, or a bad `sample-set` / `max-samples`
   */
  async label(digits: readonly number[]): Promise<SampleDetail> {
    const options = this.sampleOptions();
    // A reading that is not stable may be of a frame from before the soroban changed: its columns could carry
    // the new digits' labels. Samples come only from the frame behind a stable reading.
    if (this.lastReading?.stable !== true)
      throw new StateError(
        'state/not-started',
        `label: the element has no stable reading to label (${this.lastReading === undefined ? 'none yet' : 'the last one is not stable'}); label once the same digits were read ${this.stableFrames} frame(s) in a row.`,
      );
    const frame = this.lastReadingFrame;
    if (frame === undefined)
      throw new StateError(
        'state/not-started',
        'label: the model was (re)started after the last reading; label once a reading of the model now running is stable.',
      );
    const added = await this.classifier.use((client) => client.label(digits, { ...options, frame }));
    const detail: SampleDetail = { digits: [...digits], set: options.set, ...added };
    this.emit('cc-sample', detail);
    return detail;
  }

  /**
   * The sample set as a zip in the `render` format — one PNG per labelled frame (its columns side by side, as the
   * model read them) and `labels.json` — for `column-classifier fine-tune --data DIR` once unzipped.
   */
  async exportSamples(): Promise<Blob> {
    const options = this.sampleOptions();
    const archive = await this.classifier.use((client) => client.exportSamples(options));
    return new Blob([new Uint8Array(archive.zip)], { type: 'application/zip' });
  }

  /** Removes every sample of the set (`sample-set`). */
  async clearSamples(): Promise<void> {
    const options = this.sampleOptions();
    await this.classifier.use((client) => client.clearSamples(options));
  }

  /**
   * Teaches the model this soroban: in a worker of its own (the main thread and the reading go on), a copy of the
   * model is trained on the sample set's labelled columns mixed with rendered ones, and judged — it must read the
   * held-out part of the samples better and the rendered test columns at most `maxTestDrop` points worse. An accepted
   * model is stored (IndexedDB, for this sample set and `model`) and loaded at once, self-checked like any model; it
   * is used on every later load until `resetModel()`. `cc-progress` reports each stage (epochs, steps, loss).
   *
   * @param options.signal - stops the fine-tune between two steps (`disposed/aborted`); nothing is stored
   * @returns what was measured and whether the model was accepted (a refusal resolves, with its reasons)
   * @throws {InputError} `input/bad-argument` with fewer than two labelled columns for this model, or a bad option
   */
  async fineTune(options: FineTuneOptions = {}): Promise<FineTuneOutcome> {
    const { set } = this.sampleOptions();
    const request: FineTuneRequest = {
      // Resolved as the classifier's client resolves it, so both workers name the same model.
      modelUrl: new URL(this.model, globalThis.location?.href).href,
      set,
      allowPathsOutsideFolder: this.allowPathsOutsideFolder,
      ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
      ...(options.patience === undefined ? {} : { patience: options.patience }),
      ...(options.learningRate === undefined ? {} : { learningRate: options.learningRate }),
      ...(options.replayColumns === undefined ? {} : { replayColumns: options.replayColumns }),
      ...(options.testColumns === undefined ? {} : { testColumns: options.testColumns }),
      ...(options.maxTestDrop === undefined ? {} : { maxTestDrop: options.maxTestDrop }),
    };
    const outcome = await this.fineTuning.run(request, options.signal);
    if (outcome.accepted) this.classifier.reload();
    return outcome;
  }

  /** Removes the sample set's fine-tuned model and loads `model` again (the samples are kept). */
  async resetModel(): Promise<void> {
    const { set } = this.sampleOptions();
    await this.classifier.use((client) => client.resetModel(set));
    this.classifier.reload();
  }

  /** The `sample-set` name when it can be used, else undefined. */
  private validSampleSet(): string | undefined {
    const set = this.sampleSet.trim();
    // Control characters are refused: a set's name is part of its stored model's key.
    return set === '' || set.length > 200 || /[\u0000-\u001f]/.test(set) ? undefined : set;
  }

  /** The sample set and its bound, as the attributes say. */
  private sampleOptions(): { set: string; maxColumns: number } {
    const set = this.validSampleSet();
    if (set === undefined)
      throw new InputError(
        'input/bad-argument',
        `sample-set must be a name of 1–200 characters without control characters, got ${JSON.stringify(this.sampleSet)}.`,
      );
    if (!Number.isInteger(this.maxSamples) || this.maxSamples < 1)
      throw new InputError(
        'input/bad-argument',
        `max-samples must be a positive whole number of columns, got ${this.getAttribute('max-samples') ?? this.maxSamples}.`,
      );
    return { set, maxColumns: this.maxSamples };
  }

  /** A frame's result, read and current: the element's reading now, and a `cc-reading` event. */
  private emitReading(
    result: ClientFrameResult,
    captureStart: number,
    captureEnd: number,
    frameReadBy: ReadingDetail['frameReadBy'],
  ): ReadingDetail {
    this.errors.reset();
    if (result.runtime !== undefined) this.emit('cc-backend', { runtime: result.runtime });
    const reading = this.show(result, captureStart, captureEnd, frameReadBy);
    this.emit('cc-reading', reading);
    return reading;
  }

  /** A frame the worker read itself (from a stream the host's video shows), taken at `readAt`: its reading. */
  private emitWorkerReading(result: ClientFrameResult, readAt: number): ReadingDetail {
    this.framePreview.noteSize({ width: result.frameWidth, height: result.frameHeight });
    return this.emitReading(result, readAt, readAt, 'worker');
  }

  protected override render() {
    const digits = this.lastReading?.digits ?? [];
    return html`
      ${this.frames.stream !== undefined || this.preview || this.calibrate ? this.renderPreview() : nothing}
      <div part="readout" aria-hidden="true">${digits.map((digit) => html`<span part="digit">${digit}</span>`)}</div>
      <div part="status">${this.statusText}</div>
      <div class="visually-hidden" role="status" aria-live="polite">${this.stableValue}</div>
    `;
  }

  /** The frame (the stream's video, or the canvas each frame is presented in with its reading), overlay and handles. */
  private renderPreview() {
    const size = this.framePreview.frameSize;
    return html`<div
      part="preview"
      class="preview"
      style=${size === undefined ? '' : `aspect-ratio: ${size.width} / ${size.height}`}
    >
      ${
        this.frames.stream === undefined
          ? html`<canvas part="frame"></canvas>`
          : html`<video part="frame" muted playsinline autoplay></video>`
      }
      ${size === undefined ? nothing : renderOverlay(this.overlayGeometry(), this.lastReading, size)}
      ${this.calibrate ? this.calibration.render() : nothing}
    </div>`;
  }

  /** Makes a frame's result the element's reading: readout, overlay, live region, status line. */
  private show(
    result: ClientFrameResult,
    captureStart: number,
    captureEnd: number,
    frameReadBy: ReadingDetail['frameReadBy'],
  ): ReadingDetail {
    const digits = result.columns.map((c) => c.digit);
    const found = result.location?.found ?? true;
    const shown = this.lastReading;
    // No soroban in view: nothing to be stable about, and the run of digits before it is over.
    if (!found) this.stability.reset();
    const stable =
      found &&
      this.stability.push(
        digits,
        result.columns.map((c) => c.confidence),
      );
    // A reading that stops being stable may mean the soroban moved: the next frame looks for it again.
    if (shown?.stable === true && !stable && result.location !== undefined) this.relocateNext = true;
    const reading = toReading(result, stable, captureStart, captureEnd, frameReadBy);
    this.lastReading = reading;
    this.lastReadingFrame = result.frame;
    const lostOrFound = (shown?.location?.found ?? true) !== found;
    // Most readings repeat the last; re-rendering the overlay for those would be main-thread work for nothing.
    if (
      shown === undefined ||
      lostOrFound ||
      reading.location?.fresh === true ||
      shown.stable !== reading.stable ||
      shown.digits.join() !== digits.join()
    )
      this.requestUpdate();
    // The live region's text changes only when the stable reading does, so it is announced once.
    if (reading.stable) this.stableValue = `Reading ${digits.join(' ')}`;
    else if (lostOrFound) this.stableValue = found ? '' : NOT_FOUND_TEXT;
    // Timings change every frame; re-laying out the status line for each would cost the main thread more than it tells a reader.
    if (lostOrFound || captureEnd - this.lastStatusTime >= STATUS_REFRESH_MS) {
      this.lastStatusTime = captureEnd;
      this.statusText = found
        ? `${reading.backend} · ${reading.timings.total.toFixed(1)} ms in the worker`
        : `${NOT_FOUND_TEXT} · ${reading.backend}`;
    }
    return reading;
  }

  private onReady(client: ClassifierClient): void {
    // Frame numbers are the worker's: after a (re)start, only a reading of this start can be labelled.
    this.lastReadingFrame = undefined;
    this.statusText = this.readyStatus(client.runtime.backend);
    this.emit('cc-ready', { runtime: client.runtime });
    // A watch belongs to one client: the loop reads on the worker's clock, so watch again with this one.
    const interval = this.watchInterval;
    if (interval !== undefined) {
      this.stopWatch();
      this.startWatch(interval);
    }
  }

  /**
   * Has the worker read the stream's track on its own clock, every `intervalMs` at most: this thread then neither
   * wakes a timer nor sends a request per frame, and only hears each reading.
   */
  private startWatch(intervalMs: number): void {
    const track = this.frames.stream?.getVideoTracks()[0];
    if (this.watch !== undefined && this.watchedTrack === track) {
      // The same track on the same worker: new settings (max-fps, geometry) in place, not a new watch.
      this.watchInterval = intervalMs;
      this.watch.update({ intervalMs, where: this.frameWhere() });
      return;
    }
    this.stopWatch();
    this.watchInterval = intervalMs;
    const generation = this.watchGeneration;
    // configureLoop() delegates only for a stream with a video track.
    if (track === undefined) return;
    this.classifier
      .use(async (client, isCurrent) => {
        // Stopped meanwhile; or this client was replaced, and the next one's cc-ready watches again.
        if (generation !== this.watchGeneration || !isCurrent()) return;
        const watch = client.watchTrack(
          track,
          { intervalMs, where: this.frameWhere() },
          {
            onReading: (result) => {
              // A reading of a replaced model, or one that arrived after the loop stopped or an attribute turned bad.
              if (!isCurrent() || this.watch !== watch || this.settingsError !== undefined) return;
              this.emitWorkerReading(result, performance.now() - result.roundTrip);
              // The reading turned unstable: the next frame looks for the soroban again.
              if (this.relocateNext)
                watch.update({ intervalMs: this.watchInterval ?? intervalMs, where: this.frameWhere() });
            },
            onError: (error) => {
              if (this.watch === watch) this.onLoopError(error);
            },
          },
        );
        this.watch = watch;
        this.watchedTrack = track;
      })
      .catch((error: unknown) => this.onLoopError(error));
  }

  private stopWatch(): void {
    this.watchGeneration += 1;
    this.watchInterval = undefined;
    this.watch?.stop();
    this.watch = undefined;
    this.watchedTrack = undefined;
  }

  private emit<K extends EventName>(name: K, detail: HTMLElementEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  /** One tick of the capture loop: a frame read, or its error reported. */
  private async captureForLoop(): Promise<void> {
    try {
      await this.classifyOnce();
    } catch (error) {
      this.onLoopError(error);
    }
  }

  /** A frame the loop (the element's or the worker's) could not read. */
  private onLoopError(error: unknown): void {
    // A camera still warming up is not worth an error event; the next capture tries again.
    if (
      error instanceof InputError &&
      error.code === 'input/zero-size-frame' &&
      (this.frames.stream !== undefined || this.camera !== null)
    )
      return;
    // A frame of a replaced model or a removed element: nobody is waiting for it.
    if (error instanceof DisposedError && error.code === 'disposed/superseded') return;
    if (this.isConnected) this.reportError(error);
  }

  /** Where the overlay draws the columns; undefined while `columns` or `corners` cannot be read. */
  private overlayGeometry(): ColumnGeometry | undefined {
    try {
      return this.geometry;
    } catch {
      return undefined;
    }
  }

  private calibrationQuad(): Quad {
    const fallback: ColumnGeometry = { columns: 1, corners: WHOLE_FRAME, margins: FIELD_MARGINS };
    try {
      return insetQuad(this.geometry ?? fallback);
    } catch {
      return insetQuad(fallback);
    }
  }

  private setCorners(quad: Quad): void {
    const attribute = formatCorners(quad);
    this.corners = attribute;
    this.emit('cc-corners-change', { corners: parseCorners(attribute), attribute });
  }

  /** Checks the reading attributes after a change: a bad one is reported (once) and stops the loop until fixed. */
  private checkSettings(): void {
    const before = this.settingsError;
    this.settingsError = settingsProblem({
      camera: this.camera,
      columns: this.columns ?? DEFAULT_COLUMNS,
      maxFps: this.maxFps,
      stableFrames: this.stableFrames,
      minConfidence: this.minConfidence,
      geometry: () => (this.locating ? undefined : this.givenGeometry()),
      written: (name) => this.getAttribute(name),
    });
    if (this.settingsError !== undefined) this.reportError(this.settingsError);
    else if (before !== undefined) this.statusText = this.readyStatus(this.classifier.backend);
  }

  /** The status line once the model is ready on `backend` (undefined: still loading). */
  private readyStatus(backend: string | undefined): string {
    if (backend === undefined) return 'loading…';
    // A refused attribute (reported while loading) still stops the loop: keep saying why.
    return this.settingsError === undefined
      ? `ready on ${backend}`
      : `ready on ${backend}, not capturing: ${this.settingsError.message}`;
  }

  /** Runs the capture loop when there is something to capture and every attribute can be used. */
  private configureLoop(): void {
    const idle = !this.isConnected || this.paused || (this.source === null && this.camera === null);
    // A camera or MediaStream the worker can read itself (Chromium) is read on the worker's clock; a stream with no
    // video track goes through the capture loop, which reports it.
    const readByWorker =
      this.frames.stream?.getVideoTracks()[0] !== undefined && ClassifierClient.readsTracksInWorker();
    this.loop.configure(
      idle || this.settingsError !== undefined ? undefined : this.maxFps,
      readByWorker ? this.workerLoop : undefined,
    );
  }

  /** Reports an error once: the same code and message again (every capture tick of a persistent fault) is not re-sent. */
  private reportError(error: unknown): void {
    const typed = toClassifierError(error);
    if (!this.errors.first(`${typed.code}\n${typed.message}`)) return;
    this.statusText = typed.message;
    this.emit('cc-error', { error: typed });
  }
}

function toClassifierError(error: unknown): ColumnClassifierError {
  if (error instanceof ColumnClassifierError) return error;
  return new WorkerError(
    'worker/crashed',
    `Unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );
}
