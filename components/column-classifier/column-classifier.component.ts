import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ColumnClassifierError, InputError, WorkerError } from '../../src/errors.ts';
import { FIELD_MARGINS, NO_MARGINS, WHOLE_FRAME, type ColumnGeometry } from '../../src/preprocess/types.ts';
import { MAIN_TRACK, markStage } from '../../src/runtime/stage-marks.ts';
import { ClassifierClient } from '../../src/worker-api/classifier-client.ts';
import { DEFAULT_BACKENDS, type BackendName } from '../../src/worker-api/classifier-worker-api.ts';
import { defaultModelUrl } from '../../src/worker-api/default-urls.ts';
import { captureFrame, resolveSource, type FrameSource } from './capture.ts';
import { parseCorners } from './corners.ts';
import type { ReadingDetail } from './events.ts';
import { StabilityTracker } from './stability.ts';
import { styles } from './column-classifier.styles.ts';

/** Backend choice of the element: a backend, or `auto` (webgl → wasm → cpu). */
export type BackendPreference = BackendName | 'auto';

type EventName = 'cc-ready' | 'cc-progress' | 'cc-reading' | 'cc-warning' | 'cc-error';

/**
 * @summary Reads the digit on each column of a soroban from a canvas or image, with all tensor work in a Web Worker.
 *
 * @attr model - URL of the model's `model.json` (default: the shipped model beside the bundle).
 * @attr source - Id of a `<canvas>` or `<img>` in the document to read frames from (the `source` property also takes the element itself).
 * @attr backend - TF.js backend: `auto` (default: webgl → wasm → cpu, the first that passes the golden self-check), `webgl`, `wasm` or `cpu`.
 * @attr columns - Number of soroban columns in the bead area (default 13).
 * @attr corners - Eight numbers in [0, 1]: x,y of the bead area's top-left, top-right, bottom-right, bottom-left corners (default: the whole frame with 2 % side and 6 % top/bottom margins).
 * @attr max-fps - Most frames per second captured while running (default 10).
 * @attr stable-frames - Frames in a row with the same digits before a reading is stable (default 3).
 * @attr min-confidence - Smallest column confidence a stable reading accepts, 0–1 (default 0.5).
 * @attr paused - When present, no frames are captured (`classifyOnce()` still works).
 *
 * @fires cc-ready - The model is loaded and self-checked; `detail.runtime` names the backend in use.
 * @fires cc-progress - Loading progress: `detail.stage`, and bytes while fetching.
 * @fires cc-reading - A frame was read: digits, value, per-column probabilities, stability, backend, timings.
 * @fires cc-warning - Something degraded (backend fallback, lost WebGL context, worker restart); the element goes on.
 * @fires cc-error - A typed error (`detail.error.code`).
 *
 * @csspart readout - The row of digits.
 * @csspart digit - One column's digit.
 * @csspart status - The status line (backend, timings, problems).
 *
 * @cssproperty --cc-font-family - Font of the readout.
 * @cssproperty --cc-color - Text colour.
 * @cssproperty --cc-border-color - Border of each digit.
 * @cssproperty --cc-gap - Gap between digits.
 */
export class ColumnClassifier extends LitElement {
  static override styles = styles;

  @property() model: string = defaultModelUrl.href;
  /** Id of the source element, or the element itself. */
  @property({ attribute: 'source' }) source: string | FrameSource | null = null;
  @property({ reflect: true }) backend: BackendPreference = 'auto';
  @property({ type: Number }) columns = 13;
  @property() corners: string | null = null;
  @property({ type: Number, attribute: 'max-fps' }) maxFps = 10;
  @property({ type: Number, attribute: 'stable-frames' }) stableFrames = 3;
  @property({ type: Number, attribute: 'min-confidence' }) minConfidence = 0.5;
  @property({ type: Boolean, reflect: true }) paused = false;

  @state() private lastReading: ReadingDetail | undefined;
  @state() private statusText = 'loading…';

  private client: Promise<ClassifierClient> | undefined;
  private startAbort: AbortController | undefined;
  /** Bumped whenever the worker is replaced, so a result from an old model or worker is dropped. */
  private generation = 0;
  private frameInFlight = false;
  private loopHandle: number | undefined;
  private lastFrameTime = 0;
  private readonly stability = new StabilityTracker(3, 0.5);

  override connectedCallback(): void {
    super.connectedCallback();
    this.startClient();
    this.restartLoop();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopLoop();
    this.releaseClient();
  }

  protected override updated(changed: PropertyValues<this>): void {
    const restart = (['model', 'backend'] as const).some((key) => changed.has(key) && changed.get(key) !== undefined);
    if (restart && this.isConnected) {
      this.releaseClient();
      this.startClient();
    }
    if (changed.has('stableFrames') || changed.has('minConfidence') || changed.has('columns') || changed.has('corners') || changed.has('source')) {
      this.stability.configure(this.stableFrames, this.minConfidence);
    }
    if (changed.has('paused') || changed.has('source') || changed.has('maxFps')) this.restartLoop();
  }

  /** Where the columns are, from `columns` and `corners`. */
  get geometry(): ColumnGeometry {
    if (this.corners === null || this.corners.trim() === '') {
      return { columns: this.columns, corners: WHOLE_FRAME, margins: FIELD_MARGINS };
    }
    return { columns: this.columns, corners: parseCorners(this.corners), margins: NO_MARGINS };
  }

  /** Captures one frame now and resolves with its reading (also fired as `cc-reading`). */
  async classifyOnce(): Promise<ReadingDetail> {
    const source = resolveSource(this.source, this.ownerDocument);
    if (source === null) {
      throw new InputError('input/unsupported-source', 'No source: set the source attribute to the id of a <canvas> or <img>, or the source property to one.');
    }
    const geometry = this.geometry;
    const generation = this.generation;
    const client = await this.ensureClient();
    const captureStart = performance.now();
    const frame = await captureFrame(source);
    const captureEnd = performance.now();
    markStage('capture', captureStart, captureEnd, MAIN_TRACK);
    const result = await client.classify(frame, geometry);
    if (generation !== this.generation) {
      throw new WorkerError('worker/crashed', 'The model or backend changed while this frame was being read; its result is dropped.');
    }
    const digits = result.columns.map((c) => c.digit);
    const confidences = result.columns.map((c) => c.confidence);
    const reading: ReadingDetail = {
      digits,
      value: digits.reduce((value, digit) => value * 10 + digit, 0),
      columns: result.columns,
      confidence: Math.min(...confidences),
      stable: this.stability.push(digits, confidences),
      backend: result.backend,
      frameWidth: result.frameWidth,
      frameHeight: result.frameHeight,
      timings: { ...result.timings, capture: captureEnd - captureStart, roundTrip: result.roundTrip },
    };
    this.lastReading = reading;
    this.statusText = `${reading.backend} · ${reading.timings.total.toFixed(1)} ms in the worker`;
    this.emit('cc-reading', reading);
    return reading;
  }

  protected override render() {
    const digits = this.lastReading?.digits ?? [];
    return html`
      <div part="readout">${digits.map((digit) => html`<span part="digit">${digit}</span>`)}</div>
      <div part="status">${this.statusText}</div>
      ${this.lastReading?.stable ? html`<div class="visually-hidden" role="status" aria-live="polite">${this.lastReading.value}</div>` : nothing}
    `;
  }

  private emit<K extends EventName>(name: K, detail: HTMLElementEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
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
        this.statusText = `ready on ${client.runtime.backend}`;
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
    if (!this.isConnected || this.paused || this.source === null) return;
    const tick = (now: number) => {
      this.loopHandle = requestAnimationFrame(tick);
      // Latest wins: never capture while a frame is still being read.
      if (this.frameInFlight || now - this.lastFrameTime < 1000 / this.maxFps) return;
      this.lastFrameTime = now;
      this.frameInFlight = true;
      this.classifyOnce()
        .catch((error: unknown) => this.reportError(error))
        .finally(() => {
          this.frameInFlight = false;
        });
    };
    this.loopHandle = requestAnimationFrame(tick);
  }

  private stopLoop(): void {
    if (this.loopHandle !== undefined) cancelAnimationFrame(this.loopHandle);
    this.loopHandle = undefined;
  }

  private reportError(error: unknown): void {
    const typed =
      error instanceof ColumnClassifierError
        ? error
        : new WorkerError('worker/crashed', `Unexpected failure: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    this.statusText = typed.message;
    this.emit('cc-error', { error: typed });
  }
}
