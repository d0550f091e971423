/** Image files to pixel tensors in Node, through kept decoders (pngjs, jpeg-js). */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { InputError } from '../errors.ts';

/** Decoded RGBA pixels. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width × height × 4 bytes, row-major, not premultiplied. */
  readonly data: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

/**
 * Decodes PNG or JPEG bytes (recognized by their signature, not the file name).
 *
 * @throws {InputError} `input/unsupported-source` for other formats or corrupt files
 */
export function decodeImage(bytes: Uint8Array, name = 'image'): RgbaImage {
  try {
    if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
      // pngjs expands palette/grey/16-bit to 8-bit RGBA and never premultiplies.
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return {
        width: png.width,
        height: png.height,
        data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength),
      };
    }
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { width: decoded.width, height: decoded.height, data: decoded.data };
    }
  } catch (error) {
    throw new InputError(
      'input/unsupported-source',
      `${name} could not be decoded: ${String(error)}. Give an intact PNG or JPEG file.`,
      { cause: error },
    );
  }
  throw new InputError(
    'input/unsupported-source',
    `${name} is neither PNG nor JPEG (by its first bytes). Convert it to PNG.`,
  );
}

/** Reads and decodes an image file. */
export async function readImage(path: string): Promise<RgbaImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InputError('input/unsupported-source', `Could not read image ${path}: ${String(error)}.`, {
      cause: error,
    });
  }
  return decodeImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

/** The image as a [height, width, 4] int32 tensor of 0..255 values, as `tf.browser.fromPixels` gives in the worker. The caller disposes it. */
export function imageTensor(image: RgbaImage): tf.Tensor3D {
  return tf.tensor3d(Int32Array.from(image.data), [image.height, image.width, 4], 'int32');
}

/** The Node {@link import('../model/golden.ts').ImageDecoder}: PNG/JPEG bytes to a [H, W, 4] tensor. */
export async function nodeImageDecoder(bytes: Uint8Array, path: string): Promise<tf.Tensor3D> {
  return imageTensor(decodeImage(bytes, path));
}
