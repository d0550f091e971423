import { InputError } from '../../src/errors.ts';

/** What the element can read frames from (for now). */
export type FrameSource = HTMLCanvasElement | HTMLImageElement;

/** Finds the source element: an element given directly, or the id of one in the element's document. */
export function resolveSource(source: string | FrameSource | null, root: Document): FrameSource | null {
  if (source === null || source === '') return null;
  if (typeof source !== 'string') return source;
  const found = root.getElementById(source);
  if (found instanceof HTMLCanvasElement || found instanceof HTMLImageElement) return found;
  throw new InputError(
    'input/unsupported-source',
    found === null
      ? `source="${source}": no element with that id is in the document.`
      : `source="${source}" is a <${found.localName}>; use a <canvas> or an <img>.`,
  );
}

/**
 * Captures the source's pixels as they are stored: no premultiplication and
 * no colour-space conversion, so the numbers match what Node decodes.
 */
export async function captureFrame(source: FrameSource): Promise<ImageBitmap> {
  if (source instanceof HTMLImageElement) {
    if (!source.complete || source.naturalWidth === 0) await source.decode();
  }
  const width = source instanceof HTMLImageElement ? source.naturalWidth : source.width;
  const height = source instanceof HTMLImageElement ? source.naturalHeight : source.height;
  if (width === 0 || height === 0) {
    throw new InputError('input/zero-size-frame', `The source is ${width} × ${height} pixels; give it a size (or wait until it has loaded).`);
  }
  return createImageBitmap(source, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
}
