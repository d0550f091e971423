import { LitElement, html, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ColumnClassifierError, InputError, WorkerError } from '../../src/errors.ts';
import { ClassifierClient } from '../../src/worker-api/classifier-client.ts';
import type { BackendName } from '../../src/worker-api/classifier-worker-api.ts';
import { captureFrame, resolveSource, type FrameSource } from './capture.ts';
import type { ReadingDetail } from './events.ts';
import { styles } from './column-classifier.styles.ts';

/** Backend choice of the element: a backend, or `auto` (webgl → wasm → cpu). */
export type BackendPreference = BackendName | 'auto';

const AUTO_ORDER: readonly BackendName[] = ['webgl', 'wasm', 'cpu'];

/**
 * @summary Reads each column of a soroban from a canvas or image, with all tensor work in a Web Worker.
 *
 * @attr source - Id of a `<canvas>` or `<img>` in the document to read frames from (the `source` property also takes the element itself).
 * @attr backend - TF.js backend: `auto` (default: webgl → wasm → cpu), `webgl`, `wasm` or `cpu`.
 * @attr columns - Number of equal columns to read (default 13).
 * @attr max-fps - Most frames per second to capture while running (default 10).
 * @attr paused - When present, no frames are captured (`classifyOnce()` still works).
 *
 * @fires cc-ready - The worker is up; `detail.runtime` names the backend in use.
 * @fires cc-reading - A frame was read; `detail` holds the numbers, the backend and timings.
 * @fires cc-warning - Something degraded (e.g. a backend fallback); the element goes on.
 * @fires cc-error - A typed error (`detail.error.code`).
 *
 * @csspart readout - The row of per-column values.
 * @csspart column - One column's value.
 * @csspart status - The status line (backend, timings).
 *
 * @cssproperty --cc-font-family - Font of the readout.
 * @cssproperty --cc-color - Text colour.
 * @cssproperty --cc-border-color - Border of each column's value.
 * @cssproperty --cc-gap - Gap between column values.
 */
export class ColumnClassifier extends LitElement {
  static override styles = styles;

  /** Id of the source element, or the element itself. */
  @property({ attribute: 'source' }) source: string | FrameSource | null = null;
  @property({ reflect: true }) backend: BackendPreference = 'auto';
  @property({ type: Number }) columns = 13;
  @property({ type: Number, attribute: 'max-fps' }) maxFps = 10;
  @property({ type: Boolean, reflect: true }) paused = false;

  @state() private lastReading: ReadingDetail | undefined;
  @state() private statusText = 'starting…';

  private client: Promise<ClassifierClient> | undefined;
  /** Bumped whenever the worker is replaced, so a result from an old worker is dropped. */
  private generation = 0;
  private frameInFlight = false;
  private loopHandle: number | undefined;
  private lastFrameTime = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    this.ensureClient().catch((error: unknown) => {
      // A start abandoned because the element was removed is not an error.
      if (this.isConnected) this.reportError(error);
    });
    this.restartLoop();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopLoop();
    this.releaseClient();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('backend') && changed.get('backend') !== undefined) {
      this.releaseClient();
      this.ensureClient().catch((error: unknown) => this.reportError(error));
    }
    if (changed.has('paused') || changed.has('source') || changed.has('maxFps')) this.restartLoop();
  }

  /** Captures one frame now and resolves with its reading (also fired as `cc-reading`). */
  async classifyOnce(): Promise<ReadingDetail> {
    const source = resolveSource(this.source, this.ownerDocument);
    if (source === null) {
      throw new InputError('input/unsupported-source', 'No source: set the source attribute to the id of a <canvas> or <img>, or the source property to one.');
    }
    const generation = this.generation;
    const client = await this.ensureClient();
    const captureStart = performance.now();
    const frame = await captureFrame(source);
    const captureEnd = performance.now();
    const result = await client.measureStrips(frame, this.columns);
    if (generation !== this.generation) {
      throw new WorkerError('worker/crashed', 'The worker was replaced while this frame was being read (the backend changed or the element was removed).');
    }
    const reading: ReadingDetail = {
      stripMeans: result.means,
      backend: result.backend,
      frameWidth: result.width,
      frameHeight: result.height,
      timings: { ...result.timings, capture: captureEnd - captureStart, roundTrip: performance.now() - captureStart },
    };
    this.lastReading = reading;
    this.statusText = `${reading.backend} · ${reading.timings.roundTrip.toFixed(1)} ms`;
    this.emit('cc-reading', reading);
    return reading;
  }

  protected override render() {
    const means = this.lastReading?.stripMeans ?? [];
    return html`
      <div part="readout">
        ${means.map((mean) => html`<span part="column">${mean.toFixed(1)}</span>`)}
      </div>
      <div part="status" role="status" aria-live="polite">${this.statusText}</div>
    `;
  }

  private emit<K extends 'cc-ready' | 'cc-reading' | 'cc-warning' | 'cc-error'>(
    name: K,
    detail: HTMLElementEventMap[K]['detail'],
  ): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  private ensureClient(): Promise<ClassifierClient> {
    this.client ??= this.startClient(this.generation);
    return this.client;
  }

  private async startClient(generation: number): Promise<ClassifierClient> {
    const order = this.backend === 'auto' ? AUTO_ORDER : [this.backend];
    let lastError: unknown;
    for (const backend of order) {
      try {
        const client = await ClassifierClient.create({ backend });
        if (generation !== this.generation) {
          client.dispose();
          throw new WorkerError('worker/crashed', 'The element was removed or its backend changed while the worker was starting.');
        }
        this.emit('cc-ready', { runtime: client.runtime });
        return client;
      } catch (error) {
        if (generation !== this.generation) throw error;
        lastError = error;
        if (backend !== order[order.length - 1]) {
          this.emit('cc-warning', {
            code: 'backend/fallback',
            message: `The ${backend} backend could not start (${error instanceof Error ? error.message : String(error)}); trying the next one.`,
          });
        }
      }
    }
    throw lastError;
  }

  private releaseClient(): void {
    this.generation += 1;
    const client = this.client;
    this.client = undefined;
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
