/**
 * What every bench page shares: the pre-rendered source frames (written by the
 * runner with the project's renderer), a 30 fps source canvas, a click target
 * that records its input delay, measurement windows marked with User Timing
 * (the runner finds them in the DevTools trace), and the entry point the
 * runner calls (`window.benchRun(name, params)`).
 */
import { NO_MARGINS, type ColumnGeometry, type Quad } from '../../src/preprocess/types.ts';

/** Frames of one column count, as the runner wrote them. */
export interface FrameSet {
  readonly columns: number;
  readonly width: number;
  readonly height: number;
  readonly corners: Quad;
  readonly digits: readonly (readonly number[])[];
  readonly frames: readonly ImageData[];
  /** Source frames each number is held for (1: a new number every frame). */
  readonly hold: number;
  /** Consecutive frames of the set that show one number with different camera noise. */
  readonly variants: number;
}

interface FrameSetJson {
  readonly columns: number;
  readonly width: number;
  readonly height: number;
  readonly corners: Quad;
  readonly digits: number[][];
  readonly hold?: number;
  readonly variants?: number;
}

/** What part 1's source shows: `still`, a soroban at rest whose number changes every 2 s; `changing`, a new number every frame. */
export type SourceScene = 'still' | 'changing';

/**
 * Loads `frames/cols-N.json` and its RGBA `.bin` (frames back to back); `still` is part 1's camera-like source (one
 * soroban at rest, its number changed now and then), `teach` part 6's set (one soroban, a new number each frame).
 */
export async function loadFrames(columns: number, kind: 'cols' | 'still' | 'teach' = 'cols'): Promise<FrameSet> {
  const meta = (await (await fetchOk(`frames/${kind}-${columns}.json`)).json()) as FrameSetJson;
  const bytes = new Uint8ClampedArray(await (await fetchOk(`frames/${kind}-${columns}.bin`)).arrayBuffer());
  const size = meta.width * meta.height * 4;
  if (bytes.length !== size * meta.digits.length) {
    throw new Error(
      `frames/${kind}-${columns}.bin has ${bytes.length} bytes; expected ${meta.digits.length} frames of ${meta.width}×${meta.height} RGBA.`,
    );
  }
  const frames = meta.digits.map(
    (_, i) => new ImageData(bytes.slice(i * size, (i + 1) * size), meta.width, meta.height),
  );
  return { ...meta, hold: meta.hold ?? 1, variants: meta.variants ?? 1, frames };
}

/** The frame of `set` the source shows at its `tick`-th frame. */
export function frameAt(set: FrameSet, tick: number): ImageData | undefined {
  const numbers = Math.max(1, Math.floor(set.frames.length / set.variants));
  const number = Math.floor(tick / set.hold) % numbers;
  return set.frames[number * set.variants + (tick % set.variants)];
}

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(new URL(url, location.href));
  if (!response.ok)
    throw new Error(
      `GET ${url}: HTTP ${response.status}. Run the benchmark through \`npm run bench\`, which writes it.`,
    );
  return response;
}

/** The geometry of a frame set: its bead area, no extra margins. */
export function geometryOf(set: FrameSet): ColumnGeometry {
  return { columns: set.columns, corners: set.corners, margins: NO_MARGINS };
}

/** Numbers the runner may pass. */
export type Params = Readonly<Record<string, string | number | boolean>>;

/** Reads a number parameter, with a clear error naming it. */
export function numberParam(params: Params, name: string, fallback?: number): number {
  const value = params[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Error(`bench parameter "${name}" must be a number, got ${String(value)}.`);
  return value;
}

/** Reads a string parameter. */
export function stringParam(params: Params, name: string, fallback?: string): string {
  const value = params[name] ?? fallback;
  if (typeof value !== 'string') throw new Error(`bench parameter "${name}" must be a string, got ${String(value)}.`);
  return value;
}

type Handler = (params: Params) => Promise<unknown>;

declare global {
  interface Window {
    benchRun?: (name: string, params: Params) => Promise<unknown>;
  }
}

/** Installs the runner's entry point; an error comes back as `{ error }` so every driver can report it. */
export function exposeBench(handlers: Readonly<Record<string, Handler>>): void {
  window.benchRun = async (name, params) => {
    const handler = handlers[name];
    if (handler === undefined)
      throw new Error(`This page has no bench step "${name}"; it has ${Object.keys(handlers).join(', ')}.`);
    return handler(params);
  };
}

/** The 30 fps source: a canvas that shows the set's next frame (by its schedule) every 1/30 s. */
export class SourceCanvas {
  readonly canvas: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private timer: ReturnType<typeof setInterval> | undefined;
  private index = 0;
  private listeners: Array<() => void> = [];
  private marking = false;

  constructor(
    readonly set: FrameSet,
    id = 'source',
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.id = id;
    this.canvas.width = set.width;
    this.canvas.height = set.height;
    document.body.append(this.canvas);
    const context = this.canvas.getContext('2d');
    if (context === null) throw new Error('No 2D canvas context for the source.');
    this.context = context;
    this.draw();
  }

  /** Starts showing a new frame every 1000/fps ms. */
  start(fps = 30): void {
    this.stop();
    this.timer = setInterval(() => this.draw(), 1000 / fps);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Shows the frame of tick `index` now (the timer, if running, goes on from there). */
  show(index: number): void {
    this.index = index;
    this.draw();
  }

  /** Called after each new frame is shown. */
  onFrame(listener: () => void): void {
    this.listeners.push(listener);
  }

  /**
   * Resolves after `count` more frames. With `mark`, marks each frame boundary
   * (`bench:frame`, count + 1 marks) so the runner can cut the trace into frames.
   */
  frames(count: number, mark: boolean): Promise<void> {
    return new Promise((resolve) => {
      let seen = 0;
      this.marking = mark;
      if (mark) performance.mark('bench:frame');
      const listener = () => {
        seen += 1;
        if (seen < count) return;
        this.listeners = this.listeners.filter((l) => l !== listener);
        this.marking = false;
        resolve();
      };
      this.listeners.push(listener);
    });
  }

  private draw(): void {
    const frame = frameAt(this.set, this.index);
    this.index += 1;
    if (frame !== undefined) this.context.putImageData(frame, 0, 0);
    if (this.marking) performance.mark('bench:frame');
    for (const listener of [...this.listeners]) listener();
  }
}

/**
 * A button whose click handler records its input delay (handler start − the
 * event's timestamp) and the time to the next animation frame, i.e. until the
 * page could paint the response.
 */
export class ClickProbe {
  private delays: number[] = [];
  private toFrame: number[] = [];
  private recording = false;
  readonly button: HTMLButtonElement;

  constructor() {
    this.button = document.createElement('button');
    this.button.id = 'probe';
    this.button.textContent = 'click probe';
    this.button.style.cssText = 'position:fixed;left:0;top:0;width:120px;height:40px;z-index:10';
    document.body.prepend(this.button);
    let clicks = 0;
    this.button.addEventListener('click', (event) => {
      const start = performance.now();
      clicks += 1;
      this.button.textContent = `clicked ${clicks}`;
      if (!this.recording) return;
      this.delays.push(start - event.timeStamp);
      requestAnimationFrame(() => this.toFrame.push(performance.now() - event.timeStamp));
    });
  }

  /** Clears the records and starts recording. */
  begin(): void {
    this.delays = [];
    this.toFrame = [];
    this.recording = true;
  }

  /** Stops recording and returns the records (ms). */
  end(): { delays: number[]; toNextFrame: number[] } {
    this.recording = false;
    return { delays: this.delays, toNextFrame: this.toFrame };
  }
}

/** Adds a visible readout line (designs b and c update it, as the field app's UI does). */
export function readout(): HTMLOutputElement {
  const output = document.createElement('output');
  output.id = 'readout';
  document.body.append(output);
  return output;
}
