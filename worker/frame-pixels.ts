import { InputError } from '../src/errors.ts';

let scratch: OffscreenCanvasRenderingContext2D | undefined;

/**
 * Reads a frame's RGBA bytes through a 2D OffscreenCanvas.
 *
 * Why not `tf.browser.fromPixels(bitmap)` straight away: on the WebGL backend
 * that uploads the bitmap as a texture, and WebKitGTK's worker WebGL returned
 * all zeros for it (measured here, 2026-11). Going through ImageData gives the
 * same bytes on every backend and engine.
 */
export function framePixels(frame: ImageBitmap): ImageData {
  const { width, height } = frame;
  scratch ??= createContext();
  const canvas = scratch.canvas;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  } else {
    scratch.clearRect(0, 0, width, height);
  }
  scratch.drawImage(frame, 0, 0);
  try {
    return scratch.getImageData(0, 0, width, height);
  } catch (cause) {
    throw new InputError(
      'input/tainted-source',
      'The frame\'s pixels cannot be read: it came from a cross-origin image or video without CORS. Serve it with Access-Control-Allow-Origin and set crossorigin="anonymous" on the element.',
      { cause },
    );
  }
}

function createContext(): OffscreenCanvasRenderingContext2D {
  const context = new OffscreenCanvas(1, 1).getContext('2d', { willReadFrequently: true });
  if (context === null)
    throw new InputError('input/unsupported-source', 'This browser has no 2D OffscreenCanvas in workers.');
  return context;
}
