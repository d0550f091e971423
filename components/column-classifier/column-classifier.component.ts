import { LitElement, html, nothing, svg, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { ColumnClassifierError, DisposedError, InputError, WorkerError } from '../../src/errors.ts';
import { columnBoxes, insetQuad } from '../../src/preprocess/columns.ts';
import { FIELD_MARGINS, NO_MARGINS, WHOLE_FRAME, type ColumnGeometry, type Quad } from '../../src/preprocess/types.ts';
import { MAIN_TRACK, markStage } from '../../src/runtime/stage-marks.ts';
import { ClassifierClient } from '../../src/worker-api/classifier-client.ts';
import { DEFAULT_BACKENDS, type BackendName } from '../../src/worker-api/classifier-worker-api.ts';
import { defaultModelUrl } from '../../src/worker-api/default-urls.ts';
import { CORNER_KEYS, keyboardMove, moveCorner, quadOutline, renderHandles, type CornerKey } from './calibration.ts';
import { CameraController, type FacingMode } from './camera-controller.ts';
import { captureFrame, resolveSource, sourceSize, type CapturableSource, type FrameSource } from './capture.ts';
import { formatCorners, parseCorners } from './corners.ts';
import type { ReadingDetail } from './events.ts';
import { StabilityTracker } from './stability.ts';
import { styles } from './column-classifier.styles.ts';

/** Backend choice of the element: a backend, or `auto` (webgl → wasm → cpu). */
export type BackendPreference = BackendName | 'auto';

/** The status line's timings are refreshed at most this often (every reading still carries them). */
const STATUS_REFRESH_MS = 1000;

type EventName = 'cc-ready' | 'cc-progress' | 'cc-reading' | 'cc-warning' | 'cc-error' | 'cc-corners-change';

/**
 * @summary Reads the digit on each column of a soroban from a camera, video, canvas or image, with all tensor work in a Web Worker.
 *
 * @attr model - URL of the model's `model.json`. Default: the shipped model beside the bundle.
 * @attr source - Id of a `<video>`, `<canvas>` or `<img>` to read. The `source` property also takes a MediaStream, an element, an ImageBitmap or an OffscreenCanvas. Default: none.
 * @attr camera - Opens the device camera and reads it: `environment` (default when empty) or `user`. Stopped on disconnect.
 * @attr backend - `auto` (default: webgl → wasm → cpu, the first that passes the golden self-check), `webgl`, `wasm` or `cpu`.
 * @attr columns - Number of soroban columns in the bead area. Default 13.
 * @attr corners - Eight numbers in [0, 1]: x,y of the bead area's top-left, top-right, bottom-right and bottom-left corners. Default: the whole frame inset by 2 % at the sides and 6 % at top and bottom.
 * @attr max-fps - Most frames captured per second while running. Default 10.
 * @attr stable-frames - Frames in a row with the same digits before a reading is stable. Default 3.
 * @attr min-confidence - Smallest per-column confidence (0–1) a stable reading accepts. Default 0.5.
 * @attr calibrate - Shows draggable, keyboard-operable corner handles over the preview; moving one updates `corners` and fires `cc-corners-change`.
 * @attr paused - No frames are captured while present (`classifyOnce()` still works).
 *
 * @fires cc-ready - The model is loaded and self-checked; `detail.runtime` names the backend in use and the self-check results.
 * @fires cc-progress - Loading progress: `detail.stage`, and bytes while fetching.
 * @fires cc-reading - A frame was read: digits, value, per-column probabilities and confidence, stability, backend, timings.
 * @fires cc-warning - Something degraded (backend fallback, lost WebGL context, worker restart); the element goes on.
 * @fires cc-corners-change - A calibration handle moved; `detail.corners` is the new bead area.
 * @fires cc-error - A typed error; `detail.error.code` is stable.
 *
 * @csspart preview - The preview box (frame, overlay and handles).
 * @csspart frame - The last captured frame, or the camera video.
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

  @property() model: string = defaultModelUrl.href;
  /** Id of the source element, or the source itself. */
  @property({ attribute: 'source' }) source: string | FrameSource | null = null;
  @property() camera: FacingMode | '' | null = null;
  @property({ reflect: true }) backend: BackendPreference = 'auto';
  @property({ type: Number }) columns = 13;
  @property({ reflect: true }) corners: string | null = null;
  @property({ type: Number, attribute: 'max-fps' }) maxFps = 10;
  @property({ type: Number, attribute: 'stable-frames' }) stableFrames = 3;
  @property({ type: Number, attribute: 'min-confidence' }) minConfidence = 0.5;
  @property({ type: Boolean, reflect: true }) calibrate = false;
  @property({ type: Boolean, reflect: true }) paused = false;

  /** What the preview and readout show; not reactive: a render follows only when digits or stability change. */
  private lastReading: ReadingDetail | undefined;
  @state() private stableValue = '';
  @state() private statusText = 'loading…';
  @state() private frameSize: { width: number; height: number } | undefined;
  @state() private stream: MediaStream | undefined;

  @query('video[part="frame"]') private streamVideo!: HTMLVideoElement | null;
  @query('canvas[part="frame"]') private previewCanvas!: HTMLCanvasElement | null;
  @query('.preview') private previewBox!: HTMLElement | null;

  private readonly cameraController = new CameraController(this);
  private client: Promise<ClassifierClient> | undefined;
  private startAbort: AbortController | undefined;
  /** Bumped whenever the worker is replaced, so a result from an old model or worker is dropped. */
  private generation = 0;
  private frameInFlight = false;
  private loopRunning = false;
  private loopTimer: ReturnType<typeof setTimeout> | undefined;
  private lastCaptureTime = Number.NEGATIVE_INFINITY;
  private lastStatusTime = Number.NEGATIVE_INFINITY;
  private refusedMaxFps: number | undefined;
  private dragging: { key: CornerKey; pointerId: number } | undefined;
  private readonly stability = new StabilityTracker(3, 0.5);
  /** The last error reported (code and message): the same one is not reported again until something changes. */
  private reported: string | undefined;
  /** Why the camera could not be opened: what a capture says instead of "no source". */
  private cameraError: ColumnClassifierError | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.ownerDocument.addEventListener('visibilitychange', this.onVisibilityChange);
    this.startClient();
    this.restartLoop();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.ownerDocument.removeEventListener('visibilitychange', this.onVisibilityChange);
    this.stopLoop();
    this.releaseClient();
    this.stream = undefined;
  }

  protected override updated(changed: PropertyValues): void {
    // A changed input may have fixed (or changed) the cause: its error may be reported again.
    if ([...changed.keys()].some((key) => key !== 'statusText' && key !== 'stableValue' && key !== 'frameSize')) this.reported = undefined;
    const restart = (['model', 'backend'] as const).some((key) => changed.has(key) && changed.get(key) !== undefined);
    if (restart && this.isConnected) {
      this.releaseClient();
      this.startClient();
    }
    if (changed.has('stableFrames') || changed.has('minConfidence') || changed.has('columns') || changed.has('corners') || changed.has('source')) {
      this.stability.configure(this.stableFrames, this.minConfidence);
    }
    if (changed.has('camera') || changed.has('source')) this.connectStream();
    if (changed.has('paused') || changed.has('source') || changed.has('maxFps') || changed.has('camera')) this.restartLoop();
    if (changed.has('stream') && this.streamVideo !== null && this.streamVideo.srcObject !== (this.stream ?? null)) {
      this.streamVideo.srcObject = this.stream ?? null;
      void this.streamVideo.play().catch(() => undefined);
    }
  }

  /** Where the columns are, from `columns` and `corners`. */
  get geometry(): ColumnGeometry {
    if (this.corners === null || this.corners.trim() === '') {
      return { columns: this.columns, corners: WHOLE_FRAME, margins: FIELD_MARGINS };
    }
    return { columns: this.columns, corners: parseCorners(this.corners), margins: NO_MARGINS };
  }

  /** Resumes reading frames (clears `paused`). */
  start(): void {
    this.paused = false;
  }

  /** Stops reading frames (sets `paused`); the model stays loaded. */
  stop(): void {
    this.paused = true;
  }

  /** Captures one frame now and resolves with its reading (also fired as `cc-reading`). */
  async classifyOnce(): Promise<ReadingDetail> {
    const source = await this.capturableSource();
    const geometry = this.geometry;
    const generation = this.generation;
    const client = await this.ensureClient();
    const captureStart = performance.now();
    this.lastCaptureTime = captureStart;
    const capturing = captureFrame(source);
    // A video or canvas still shows the frame createImageBitmap has just snapshotted: drawing the
    // preview from it is a GPU-to-GPU copy, whatever form the browser gives the bitmap.
    const live = source instanceof HTMLVideoElement || source instanceof HTMLCanvasElement;
    if (live) this.drawPreview(source, sourceSize(source));
    const frame = await capturing;
    if (!live) this.drawPreview(frame, frame);
    const captureEnd = performance.now();
    markStage('capture', captureStart, captureEnd, MAIN_TRACK);
    const superseded = () =>
      new DisposedError('disposed/superseded', 'The model or backend changed (or the element was removed) while this frame was being read; its result is dropped.');
    const result = await client.classify(frame, geometry).catch((error: unknown) => {
      // Not transferred when the client refused it (disposed, given up): release its pixels now. No-op once transferred.
      frame.close();
      throw generation === this.generation ? error : superseded();
    });
    if (generation !== this.generation) throw superseded();
    this.reported = undefined;
    const digits = result.columns.map((c) => c.digit);
    const confidences = result.columns.map((c) => c.confidence);
    const reading: ReadingDetail = {
      digits,
      value: digits.reduce((value, digit) => value * 10 + digit, 0),
      columns: result.columns,
      confidence: Math.min(...confidences),
      stable: this.stability.push(digits, confidences),
      backend: result.backend,
      capturedAt: captureStart,
      frameWidth: result.frameWidth,
      frameHeight: result.frameHeight,
      timings: { ...result.timings, capture: captureEnd - captureStart, roundTrip: result.roundTrip },
    };
    const shown = this.lastReading;
    this.lastReading = reading;
    // Most readings repeat the last; re-rendering the overlay for those would be main-thread work for nothing.
    if (shown === undefined || shown.stable !== reading.stable || shown.digits.join() !== digits.join()) this.requestUpdate();
    // The live region's text changes only when the stable reading does, so it is announced once.
    if (reading.stable) this.stableValue = `Reading ${digits.join(' ')}`;
    // Timings change every frame; re-laying out the status line for each would cost the main thread more than it tells a reader.
    if (captureEnd - this.lastStatusTime >= STATUS_REFRESH_MS) {
      this.lastStatusTime = captureEnd;
      this.statusText = `${reading.backend} · ${reading.timings.total.toFixed(1)} ms in the worker`;
    }
    this.emit('cc-reading', reading);
    return reading;
  }

  protected override render() {
    const size = this.frameSize;
    const reading = this.lastReading;
    const digits = reading?.digits ?? [];
    return html`
      <div part="preview" class="preview" style=${size === undefined ? '' : `aspect-ratio: ${size.width} / ${size.height}`}>
        ${this.stream === undefined
          ? html`<canvas part="frame"></canvas>`
          : html`<video part="frame" muted playsinline autoplay></video>`}
        ${size === undefined ? nothing : this.renderOverlay(size.width, size.height)}
        ${this.calibrate ? renderHandles(this.calibrationQuad(), (key, event) => this.onHandleKey(key, event), (key, event) => this.onHandleDown(key, event)) : nothing}
      </div>
      <div part="readout" aria-hidden="true">${digits.map((digit) => html`<span part="digit">${digit}</span>`)}</div>
      <div part="status">${this.statusText}</div>
      <div class="visually-hidden" role="status" aria-live="polite">${this.stableValue}</div>
    `;
  }

  private renderOverlay(width: number, height: number) {
    const reading = this.lastReading;
    let boxes: Quad[];
    let geometry: ColumnGeometry;
    try {
      geometry = this.geometry;
      boxes = columnBoxes(geometry);
    } catch {
      return nothing;
    }
    const stableClass = reading?.stable ? 'stable' : 'unstable';
    return html`<svg part="overlay" class=${stableClass} viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" aria-hidden="true">
      ${quadOutline(insetQuad(geometry), width, height, 'bead-area')}
      ${boxes.map((box, i) => {
        const digit = reading?.digits[i];
        const cx = ((box.topLeft.x + box.topRight.x + box.bottomRight.x + box.bottomLeft.x) / 4) * width;
        const top = Math.min(box.topLeft.y, box.topRight.y) * height;
        const pitch = Math.abs(box.topRight.x - box.topLeft.x) * width;
        return svg`${quadOutline(box, width, height, 'column-box')}
          ${digit === undefined ? nothing : svg`<text part="column-digit" x=${cx} y=${Math.max(pitch * 0.8, top - pitch * 0.15)} font-size=${pitch * 0.8} text-anchor="middle">${digit}</text>`}`;
      })}
    </svg>`;
  }

  private emit<K extends EventName>(name: K, detail: HTMLElementEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  /** The source to capture from now: a stream is read through the element's own video. */
  private async capturableSource(): Promise<CapturableSource> {
    if (this.camera !== null && this.stream === undefined && !(this.source instanceof MediaStream)) {
      throw this.cameraError ?? new InputError('input/zero-size-frame', 'The camera is being opened; try again on the next frame.');
    }
    if (this.stream !== undefined) {
      await this.updateComplete;
      const video = this.streamVideo;
      if (video === null) throw new InputError('input/zero-size-frame', 'The camera preview is not ready yet.');
      return video;
    }
    const source = resolveSource(this.source, this.ownerDocument);
    if (source === null) {
      throw new InputError('input/unsupported-source', 'No source: set the source attribute (the id of a <video>, <canvas> or <img>), the source property, or the camera attribute.');
    }
    if (source instanceof MediaStream) throw new InputError('input/zero-size-frame', 'The stream is being attached; try again on the next frame.');
    return source;
  }

  /** Attaches a MediaStream (the camera, or a stream given as `source`) to the element's preview video. */
  private connectStream(): void {
    const source = this.source;
    if (source instanceof MediaStream) {
      this.cameraController.stop();
      this.stream = source;
      return;
    }
    this.cameraError = undefined;
    if (this.camera === null) {
      this.cameraController.stop();
      this.stream = undefined;
      return;
    }
    const generation = this.generation;
    this.cameraController.open(this.camera === 'user' ? 'user' : 'environment').then(
      (stream) => {
        if (generation === this.generation && this.isConnected) this.stream = stream;
        else this.cameraController.stop();
      },
      (error: unknown) => {
        this.cameraError = toClassifierError(error);
        this.reportError(error);
      },
    );
  }

  /** Shows the captured frame in the preview (one GPU copy; skipped when a video is the preview). */
  private drawPreview(image: CanvasImageSource, size: { width: number; height: number }): void {
    const { width, height } = size;
    if (width === 0 || height === 0) return;
    if (this.frameSize?.width !== width || this.frameSize?.height !== height) this.frameSize = { width, height };
    const canvas = this.previewCanvas;
    if (canvas === null) return;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    canvas.getContext('2d')?.drawImage(image, 0, 0);
  }

  private calibrationQuad(): Quad {
    try {
      return insetQuad(this.geometry);
    } catch {
      return insetQuad({ columns: 1, corners: WHOLE_FRAME, margins: FIELD_MARGINS });
    }
  }

  private setCorners(quad: Quad): void {
    const attribute = formatCorners(quad);
    this.corners = attribute;
    this.emit('cc-corners-change', { corners: parseCorners(attribute), attribute });
  }

  private onHandleKey(key: CornerKey, event: KeyboardEvent): void {
    const quad = this.calibrationQuad();
    const to = keyboardMove(quad[key], event);
    if (to === undefined) return;
    event.preventDefault();
    this.setCorners(moveCorner(quad, key, to));
  }

  private onHandleDown(key: CornerKey, event: PointerEvent): void {
    const handle = event.currentTarget;
    if (!(handle instanceof HTMLElement)) return;
    event.preventDefault();
    handle.setPointerCapture(event.pointerId);
    this.dragging = { key, pointerId: event.pointerId };
    const move = (moveEvent: PointerEvent) => {
      const box = this.previewBox?.getBoundingClientRect();
      if (this.dragging?.pointerId !== moveEvent.pointerId || box === undefined || box.width === 0) return;
      const to = { x: (moveEvent.clientX - box.left) / box.width, y: (moveEvent.clientY - box.top) / box.height };
      this.setCorners(moveCorner(this.calibrationQuad(), key, to));
    };
    const end = () => {
      this.dragging = undefined;
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', end);
      handle.removeEventListener('pointercancel', end);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
  }

  private ensureClient(): Promise<ClassifierClient> {
    if (this.client === undefined) this.startClient();
    return this.client!;
  }

  private startClient(): void {
    const generation = this.generation;
    const abort = new AbortController();
    this.startAbort = abort;
    this.statusText = 'loading…';
    const backends = this.backend === 'auto' ? DEFAULT_BACKENDS : [this.backend];
    const started = ClassifierClient.create({
      modelUrl: this.model,
      backends,
      warmUpColumns: this.columns,
      signal: abort.signal,
      onProgress: (progress) => {
        if (generation === this.generation) this.emit('cc-progress', progress);
      },
      onWarning: (warning) => {
        if (generation === this.generation) this.emit('cc-warning', warning);
      },
    });
    this.client = started;
    started.then(
      (client) => {
        if (generation !== this.generation) {
          client.dispose();
          return;
        }
        // A refused max-fps (reported while loading) still stops the loop: keep saying why.
        this.statusText =
          this.refusedMaxFps === undefined
            ? `ready on ${client.runtime.backend}`
            : `ready on ${client.runtime.backend}, not capturing: max-fps="${String(this.refusedMaxFps)}" is not a positive number`;
        this.emit('cc-ready', { runtime: client.runtime });
      },
      (error: unknown) => {
        // A start abandoned because the element was removed or its model changed is not an error.
        if (generation === this.generation) this.reportError(error);
      },
    );
  }

  private releaseClient(): void {
    this.generation += 1;
    this.startAbort?.abort();
    this.startAbort = undefined;
    const client = this.client;
    this.client = undefined;
    this.stability.reset();
    client?.then((c) => c.dispose()).catch(() => undefined);
  }

  private restartLoop(): void {
    this.stopLoop();
    if (!this.isConnected || this.paused || (this.source === null && this.camera === null)) return;
    if (!(this.maxFps > 0) || !Number.isFinite(this.maxFps)) {
      // connectedCallback and the first update both restart the loop: one event per bad value.
      if (this.refusedMaxFps !== this.maxFps) {
        this.refusedMaxFps = this.maxFps;
        this.reportError(new InputError('input/bad-argument', `max-fps="${String(this.maxFps)}": give a positive number of frames per second (default 10).`));
      }
      return;
    }
    this.refusedMaxFps = undefined;
    this.loopRunning = true;
    this.scheduleCapture();
  }

  /**
   * Arms one timer for the next capture: max-fps after the last one, and never while a frame
   * is being read (the frame in flight re-arms it when its reading is back). A timer rather
   * than an animation-frame loop, so the main thread is not woken at every vsync for nothing.
   */
  private scheduleCapture(): void {
    clearTimeout(this.loopTimer);
    this.loopTimer = undefined;
    if (!this.loopRunning || this.frameInFlight) return;
    const due = this.lastCaptureTime + 1000 / this.maxFps - performance.now();
    this.loopTimer = setTimeout(this.onCaptureDue, Math.max(0, due));
  }

  private readonly onCaptureDue = (): void => {
    this.loopTimer = undefined;
    // A hidden page shows nobody the reading; visibilitychange re-arms the loop.
    if (!this.loopRunning || this.frameInFlight || this.ownerDocument.hidden) return;
    // Counted from here, not only from a capture: a frame that fails before capturing (no source
    // yet, a model that did not load) must not re-arm the timer at once and report at 250 Hz.
    this.lastCaptureTime = performance.now();
    this.frameInFlight = true;
    const generation = this.generation;
    this.classifyOnce()
      .catch((error: unknown) => {
        // A camera still warming up is not worth an error event; the next capture tries again.
        if (error instanceof InputError && error.code === 'input/zero-size-frame' && (this.stream !== undefined || this.camera !== null)) return;
        if (generation === this.generation && this.isConnected) this.reportError(error);
      })
      .finally(() => {
        this.frameInFlight = false;
        this.scheduleCapture();
      });
  };

  private readonly onVisibilityChange = (): void => {
    if (!this.ownerDocument.hidden) this.scheduleCapture();
  };

  private stopLoop(): void {
    this.loopRunning = false;
    clearTimeout(this.loopTimer);
    this.loopTimer = undefined;
  }

  /** Reports an error once: the same code and message again (every capture tick of a persistent fault) is not re-sent. */
  private reportError(error: unknown): void {
    const typed = toClassifierError(error);
    const key = `${typed.code}\n${typed.message}`;
    if (key === this.reported) return;
    this.reported = key;
    this.statusText = typed.message;
    this.emit('cc-error', { error: typed });
  }
}


function toClassifierError(error: unknown): ColumnClassifierError {
  if (error instanceof ColumnClassifierError) return error;
  return new WorkerError('worker/crashed', `Unexpected failure: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
