/** Small helpers shared by browser tests. */
import type { ColumnClassifier } from '../../components/column-classifier.ts';
import type { FrameSource } from '../../components/column-classifier/capture.ts';
import { formatCorners } from '../../components/column-classifier/corners.ts';
import type { ColumnReading } from '../../src/model/decode.ts';
import type { ColumnGeometry } from '../../src/preprocess/types.ts';

/** The fixture model (16 × 8 grey, Rescaling inside, two heads) written by scripts/make-browser-fixture.ts. */
export const FIXTURE_MODEL_URL = new URL('../fixtures/browser-model/model.json', import.meta.url).href;
export const FIXTURE_DIR_URL = new URL('../fixtures/', import.meta.url).href;

/**
 * Browser vs the Node reference on the same PNG: decoding is lossless and the
 * pipeline is float32 throughout, so only float rounding differs.
 */
export const FRAME_TOLERANCE = 1e-3;

/** What the Node reference pipeline read in the fixture frame. */
export interface ExpectedFrame {
  readonly backend: string;
  readonly geometry: ColumnGeometry;
  readonly width: number;
  readonly height: number;
  readonly columns: readonly ColumnReading[];
}

export async function expectedFrame(): Promise<ExpectedFrame> {
  const response = await fetch(new URL('../fixtures/browser-model/frame.expected.json', import.meta.url));
  return (await response.json()) as ExpectedFrame;
}

/** The fixture frame as a loaded <img>. */
export async function fixtureImage(): Promise<HTMLImageElement> {
  const image = new Image();
  image.src = new URL('../fixtures/browser-model/frame.png', import.meta.url).href;
  await image.decode();
  return image;
}

/**
 * A canvas showing `image`, drawn again every 30 ms as a camera sends frames: a canvas stream delivers frames only
 * while its canvas is drawn (Chromium, WebKit). `stop()` ends the drawing.
 */
export function paintedCanvas(image: HTMLImageElement): { readonly canvas: HTMLCanvasElement; stop(): void } {
  const canvas = document.createElement('canvas');
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const context = canvas.getContext('2d')!;
  context.drawImage(image, 0, 0);
  const paint = setInterval(() => context.drawImage(image, 0, 0), 30);
  return { canvas, stop: () => clearInterval(paint) };
}

/** A raw bitmap, captured the way the element does it. */
export function rawBitmap(source: ImageBitmapSource): Promise<ImageBitmap> {
  return createImageBitmap(source, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
}

/** Resolves with the first event of that name on `target`. */
export function nextEvent<K extends keyof HTMLElementEventMap>(
  target: HTMLElement,
  name: K,
): Promise<HTMLElementEventMap[K]> {
  return new Promise((resolve) => target.addEventListener(name, resolve, { once: true }));
}

/** Awaits a promise that must reject, and returns what it rejected with. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** Largest absolute difference between two readings' probabilities. */
export function maxReadingDiff(a: readonly ColumnReading[], b: readonly ColumnReading[]): number {
  let diff = 0;
  a.forEach((column, i) => {
    const other = b[i];
    if (other === undefined) {
      diff = Number.POSITIVE_INFINITY;
      return;
    }
    diff = Math.max(diff, Math.abs(column.heaven - other.heaven));
    column.earth.forEach((p, k) => {
      diff = Math.max(diff, Math.abs(p - (other.earth[k] ?? Number.NaN)));
    });
  });
  return Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff;
}

/** The engine under test, for messages. */
export function engineName(): 'chromium' | 'firefox' | 'webkit' {
  const agent = navigator.userAgent;
  if (agent.includes('Firefox/')) return 'firefox';
  if (agent.includes('Chrome/')) return 'chromium';
  return 'webkit';
}

/** Live and peak counts of the workers the page creates from now on. */
export interface WorkerCount {
  readonly live: number;
  readonly peak: number;
  readonly created: number;
  restore(): void;
}

/** Counts workers by wrapping the Worker constructor (the client calls `new Worker` when it starts one). */
export function countWorkers(): WorkerCount {
  const Original = globalThis.Worker;
  const state = { live: 0, peak: 0, created: 0 };
  class CountedWorker extends Original {
    private ended = false;
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      state.created += 1;
      state.live += 1;
      state.peak = Math.max(state.peak, state.live);
    }
    override terminate(): void {
      if (!this.ended) {
        this.ended = true;
        state.live -= 1;
      }
      super.terminate();
    }
  }
  globalThis.Worker = CountedWorker;
  return {
    get live() {
      return state.live;
    },
    get peak() {
      return state.peak;
    },
    get created() {
      return state.created;
    },
    restore: () => {
      globalThis.Worker = Original;
    },
  };
}

/**
 * A paused `<column-classifier>` on the fixture model, with the fixture frame's columns and corners, reading
 * `source`; `attributes` add to or replace those. Not inserted: see {@link insertAndSettle}.
 */
export function fixtureElement(
  expected: ExpectedFrame,
  source: FrameSource,
  attributes: Record<string, string> = {},
): ColumnClassifier {
  const element = document.createElement('column-classifier');
  const all: Record<string, string> = {
    model: FIXTURE_MODEL_URL,
    backend: 'cpu',
    paused: '',
    columns: String(expected.geometry.columns),
    corners: formatCorners(expected.geometry.corners),
    ...attributes,
  };
  for (const [name, value] of Object.entries(all)) element.setAttribute(name, value);
  element.source = source;
  return element;
}

/** Inserts `element` and resolves on its first outcome: its `cc-error`'s error, or undefined once it is ready. */
export function insertAndSettle(element: ColumnClassifier): Promise<Error | undefined> {
  const settled = Promise.race([
    nextEvent(element, 'cc-ready').then(() => undefined),
    nextEvent(element, 'cc-error').then((event) => event.detail.error),
  ]);
  document.body.append(element);
  return settled;
}
