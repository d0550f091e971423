import { InputError } from '../../src/errors.ts';

/** Elements the `source` attribute can name by id. */
export type ElementSource = HTMLVideoElement | HTMLCanvasElement | HTMLImageElement;

/** Everything the `source` property accepts. */
export type FrameSource = ElementSource | MediaStream | ImageBitmap | OffscreenCanvas;

/** A source ready to capture from: a MediaStream is played through a video element first. */
export type CapturableSource = ElementSource | ImageBitmap | OffscreenCanvas;

/**
 * Finds the source: an object given directly, or the id of a `<video>`, `<canvas>` or `<img>` in the document.
 *
 * @throws {InputError} `input/unsupported-source` for an id that names nothing readable, or an object of another kind
 */
export function resolveSource(source: string | FrameSource | null, root: Document): FrameSource | null {
  if (source === null || source === '') return null;
  if (typeof source !== 'string') {
    // The property is typed, but pages are JavaScript: an object of another kind would fail deep in the browser.
    if (isFrameSource(source)) return source;
    throw new InputError(
      'input/unsupported-source',
      `The source property is ${describe(source)}; give a <video>, <canvas> or <img> element, a MediaStream, an ImageBitmap or an OffscreenCanvas (or an element's id as a string).`,
    );
  }
  const found = root.getElementById(source);
  if (found instanceof HTMLVideoElement || found instanceof HTMLCanvasElement || found instanceof HTMLImageElement)
    return found;
  throw new InputError(
    'input/unsupported-source',
    found === null
      ? `source="${source}": no element with that id is in the document.`
      : `source="${source}" is a <${found.localName}>; use a <video>, <canvas> or <img>.`,
  );
}

function isFrameSource(source: unknown): source is FrameSource {
  return (
    source instanceof HTMLVideoElement ||
    source instanceof HTMLCanvasElement ||
    source instanceof HTMLImageElement ||
    source instanceof MediaStream ||
    source instanceof ImageBitmap ||
    (typeof OffscreenCanvas !== 'undefined' && source instanceof OffscreenCanvas)
  );
}

function describe(value: unknown): string {
  if (value instanceof Element) return `a <${value.localName}>`;
  if (typeof value !== 'object' || value === null) return `${typeof value} ${String(value)}`;
  const kind = (value.constructor as { name?: string } | undefined)?.name;
  return kind === undefined || kind === 'Object' ? 'a plain object' : `a ${kind}`;
}

/** The pixel size of a source as it will be captured. */
export function sourceSize(source: CapturableSource): { width: number; height: number } {
  if (source instanceof HTMLImageElement) return { width: source.naturalWidth, height: source.naturalHeight };
  if (source instanceof HTMLVideoElement) return { width: source.videoWidth, height: source.videoHeight };
  return { width: source.width, height: source.height };
}

/**
 * Captures the source's pixels without colour-space conversion, so the
 * numbers match what Node decodes.
 *
 * @throws {InputError} `input/zero-size-frame` for a source with no pixels yet,
 *   `input/tainted-source` for a cross-origin source without CORS
 */
export async function captureFrame(source: CapturableSource): Promise<ImageBitmap> {
  if (source instanceof HTMLImageElement && (!source.complete || source.naturalWidth === 0)) {
    await source.decode().catch((cause: unknown) => {
      throw new InputError(
        'input/unsupported-source',
        `The image ${source.currentSrc || source.src} could not be decoded.`,
        { cause },
      );
    });
  }
  if (source instanceof HTMLVideoElement && source.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) {
    throw new InputError(
      'input/zero-size-frame',
      'The video has no frame yet; wait for it to play (the element retries on the next tick).',
    );
  }
  const { width, height } = sourceSize(source);
  // A bitmap cannot be made with no pixels: one that has none was closed or transferred.
  if (source instanceof ImageBitmap && width === 0 && height === 0) {
    throw new InputError(
      'input/detached-frame',
      'The source ImageBitmap was closed or transferred, so it has no pixels; give a fresh one.',
    );
  }
  if (width === 0 || height === 0) {
    throw new InputError(
      'input/zero-size-frame',
      `The source is ${width} × ${height} pixels; give it a size (or wait until it has loaded).`,
    );
  }
  try {
    // premultiplyAlpha 'default', not 'none': Chromium reads an unpremultiplied snapshot of a GPU
    // canvas or video back to the CPU on the main thread (the benchmark's largest main-thread cost);
    // a premultiplied one stays on the GPU and is read in the worker. No value changes: the worker
    // reads pixels through a 2D canvas, which stores them premultiplied either way, and opaque
    // pixels (every camera and video frame) are the same premultiplied or not.
    return await createImageBitmap(source, { premultiplyAlpha: 'default', colorSpaceConversion: 'none' });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'SecurityError') {
      throw new InputError(
        'input/tainted-source',
        'The source is cross-origin without CORS, so its pixels cannot be read. Serve it with Access-Control-Allow-Origin and set crossorigin="anonymous".',
        { cause },
      );
    }
    if (cause instanceof DOMException && cause.name === 'InvalidStateError') {
      throw new InputError('input/detached-frame', 'The source bitmap was closed or transferred; give a fresh one.', {
        cause,
      });
    }
    throw cause;
  }
}
