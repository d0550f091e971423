/**
 * Golden files shipped with the model: single-column PNGs (one per digit,
 * exactly model-sized so that preprocessing them is a 1:1 resample), two
 * whole rendered sorobans with their labels, and the small photo the worker's
 * self-check reads: the bead area of the 7-column soroban at half size. They
 * are made without the model; `attach-contract.ts` computes the expected
 * outputs from the saved weights.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { float32ToBase64 } from '../../src/model/golden.ts';
import { NO_MARGINS, preprocessColumns, WHOLE_FRAME } from '../../src/preprocess/index.ts';
import { renderSoroban } from '../../src/render/index.ts';
import type { Quad } from '../../src/preprocess/types.ts';
import { PREPROCESS } from './config.ts';
import { photoTensor } from './dataset.ts';
import { firstCompact, firstCompactPng, greyToRgba, writePng, type RgbaImage } from './png.ts';

/** Folder of the golden files, relative to model.json. */
export const GOLDEN_DIR = 'golden';

/** The golden index written beside the files. */
export interface GoldenIndex {
  /** Single-column PNGs (64 × 128 grey as RGB), with their true digit. */
  readonly columns: { readonly path: string; readonly digit: number; readonly seed: number }[];
  /** Whole sorobans, with digits and corners (normalized bead area). */
  readonly sorobans: {
    readonly path: string;
    readonly digits: number[];
    readonly corners: unknown;
    readonly style: unknown;
    readonly seed: number;
  }[];
  /**
   * The photo of the self-check: fetched by every page before its first reading, so it is a crop of one
   * soroban's bead area at half size (still colour, still a homography and a resample in preprocessing).
   */
  readonly selfCheckPhoto: {
    readonly path: string;
    readonly digits: number[];
    readonly corners: Quad;
    /** The render it was cut from. */
    readonly from: string;
  };
}

/** Seeds of the golden renders (not used by any dataset: those multiply their seed by 1 000 003). */
const COLUMN_SEED = 4242;
const COLUMN_TRIES = 50;
/**
 * The golden columns are cut from the first render from {@link COLUMN_SEED} on whose first column, as the contract's
 * float32 case (base64 inside model.json, which a page fetches before its first reading), gzips to at most this. The
 * first render's took 11.7 KB: float32 in base64 compresses only where the picture repeats itself.
 */
const FLOAT_CASE_MAX_BYTES = 6 * 1024;
const SOROBAN_SEEDS = [777, 778] as const;

/**
 * The self-check photo is cut from the first 7-column render from this seed on, at a pitch of 40–48 pixels (columns
 * about 20 pixels wide in the cut, as soroban 778's were), whose cut fits in {@link SELF_CHECK_MAX_BYTES} of PNG.
 * Sensor noise and textured cloth do not compress (the cut of soroban 778 was 21 KB), and they add nothing to a check
 * of the backends' arithmetic and the decode–grey–resample path.
 */
const SELF_CHECK_SEED = 779;
const SELF_CHECK_PITCH: readonly [number, number] = [40, 48];
const SELF_CHECK_MAX_BYTES = 10 * 1024;
const SELF_CHECK_TRIES = 50;

/** Margin kept around the bead area's bounding box, in photo pixels. */
const CUT_MARGIN = 4;

/**
 * The bead area of a photo (its bounding box and a small margin), averaged 2 × 2, with the corners in the cut's
 * own normalized coordinates. A 395 × 237 render became 149 × 88: 153 KB of PNG became about 20 KB.
 */
export function halfSizeBeadArea(photo: {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8ClampedArray;
  readonly corners: Quad;
}): { width: number; height: number; rgba: Uint8ClampedArray; corners: Quad } {
  const points = Object.values(photo.corners);
  const xs = points.map((p) => p.x * photo.width);
  const ys = points.map((p) => p.y * photo.height);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)) - CUT_MARGIN);
  const y0 = Math.max(0, Math.floor(Math.min(...ys)) - CUT_MARGIN);
  // An even size, so that the 2 × 2 average covers the whole cut.
  const w = 2 * Math.floor((Math.min(photo.width, Math.ceil(Math.max(...xs)) + CUT_MARGIN) - x0) / 2);
  const h = 2 * Math.floor((Math.min(photo.height, Math.ceil(Math.max(...ys)) + CUT_MARGIN) - y0) / 2);
  const rgba = tf.tidy(() => {
    const frame = photoTensor(photo);
    const cut = tf.slice(frame, [y0, x0, 0], [h, w, 4]).toFloat();
    return tf.avgPool(cut, 2, 2, 'valid').round().clipByValue(0, 255).dataSync();
  });
  const map = (p: { x: number; y: number }) => ({ x: (p.x * photo.width - x0) / w, y: (p.y * photo.height - y0) / h });
  const { topLeft, topRight, bottomRight, bottomLeft } = photo.corners;
  return {
    width: w / 2,
    height: h / 2,
    rgba: Uint8ClampedArray.from(rgba),
    corners: {
      topLeft: map(topLeft),
      topRight: map(topRight),
      bottomRight: map(bottomRight),
      bottomLeft: map(bottomLeft),
    },
  };
}

/** The model's input for a golden column image (model-sized, so a 1:1 resample): the contract's float32 case. */
export function goldenColumnInput(column: RgbaImage): Float32Array {
  return tf.tidy(() => {
    const geometry = { columns: 1, corners: WHOLE_FRAME, margins: NO_MARGINS };
    return Float32Array.from(preprocessColumns(photoTensor(column), geometry, PREPROCESS).dataSync());
  });
}

/** One model-sized grey column image per digit 0–9, cut from one render. */
function goldenColumnImages(seed: number): RgbaImage[] {
  const digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const photo = renderSoroban({ seed, digits, pitch: [48, 64] });
  const values = tf.tidy(() =>
    preprocessColumns(
      photoTensor(photo),
      { columns: digits.length, corners: photo.corners, margins: NO_MARGINS },
      PREPROCESS,
    ).dataSync(),
  );
  const per = PREPROCESS.height * PREPROCESS.width;
  return digits.map((_, i) => greyToRgba(values.subarray(i * per, (i + 1) * per), PREPROCESS.width, PREPROCESS.height));
}

/** Writes the golden PNGs and `golden/index.json` into `dir`. */
export function makeGoldenFiles(dir: string): GoldenIndex {
  const goldenDir = join(dir, GOLDEN_DIR);
  mkdirSync(goldenDir, { recursive: true });
  const { image: images, seed: columnSeed } = firstCompact(
    { first: COLUMN_SEED, step: 1, tries: COLUMN_TRIES },
    FLOAT_CASE_MAX_BYTES,
    goldenColumnImages,
    ([first]) =>
      gzipSync(float32ToBase64(first === undefined ? new Float32Array() : goldenColumnInput(first)), {
        level: 9,
      }),
  );
  const columns = images.map((image, digit) => {
    const path = `${GOLDEN_DIR}/column-${digit}-digit-${digit}.png`;
    writePng(join(dir, path), image);
    return { path, digit, seed: columnSeed };
  });
  const renders = SOROBAN_SEEDS.map((seed, k) => renderSoroban({ seed, columns: k === 0 ? 13 : 7 }));
  const sorobans = renders.map((r, k) => {
    const path = `${GOLDEN_DIR}/soroban-${SOROBAN_SEEDS[k]}.png`;
    writePng(join(dir, path), r);
    return { path, digits: r.digits, corners: r.corners, style: r.style, seed: SOROBAN_SEEDS[k] ?? 0 };
  });
  const {
    image: cut,
    png,
    seed,
  } = firstCompactPng({ first: SELF_CHECK_SEED, step: 1, tries: SELF_CHECK_TRIES }, SELF_CHECK_MAX_BYTES, (s) => {
    const render = renderSoroban({ seed: s, columns: 7, pitch: SELF_CHECK_PITCH });
    return { ...halfSizeBeadArea(render), digits: render.digits };
  });
  const path = `${GOLDEN_DIR}/self-check.png`;
  writeFileSync(join(dir, path), png);
  const index: GoldenIndex = {
    columns,
    sorobans,
    selfCheckPhoto: { path, digits: cut.digits, corners: cut.corners, from: `a 7-column render, seed ${seed}` },
  };
  writeFileSync(join(goldenDir, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
  return index;
}
