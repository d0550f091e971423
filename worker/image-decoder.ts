import * as tf from '@tensorflow/tfjs';
import type { ImageDecoder } from '../src/model/golden.ts';
import { framePixels } from './frame-pixels.ts';

/**
 * The worker's {@link ImageDecoder} for golden PNGs: the browser decodes, without colour-space
 * conversion or premultiplication so the bytes match what pngjs gives in Node, and the pixels
 * are read the way frames are ({@link framePixels}).
 */
export const browserImageDecoder: ImageDecoder = async (bytes) => {
  const bitmap = await createImageBitmap(new Blob([new Uint8Array(bytes)], { type: 'image/png' }), {
    premultiplyAlpha: 'none',
    colorSpaceConversion: 'none',
  });
  try {
    return tf.browser.fromPixels(framePixels(bitmap), 3);
  } finally {
    bitmap.close();
  }
};
