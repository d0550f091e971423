/**
 * Golden files shipped with the model: single-column PNGs (one per digit,
 * exactly model-sized so that preprocessing them is a 1:1 resample) and two
 * whole rendered sorobans with their labels. They are made without the model;
 * `attach-contract.ts` computes the expected outputs from the saved weights.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NO_MARGINS, preprocessColumns } from '../../src/preprocess/index.ts';
import { renderSoroban } from '../../src/render/index.ts';
import { PREPROCESS } from './config.ts';
import { photoTensor } from './dataset.ts';
import { greyToRgba, writePng } from './png.ts';

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
}

/** Seeds of the golden renders (not used by any dataset: those multiply their seed by 1 000 003). */
const COLUMN_SEED = 4242;
const SOROBAN_SEEDS = [777, 778] as const;

/** Writes the golden PNGs and `golden/index.json` into `dir`. */
export function makeGoldenFiles(dir: string): GoldenIndex {
  const goldenDir = join(dir, GOLDEN_DIR);
  mkdirSync(goldenDir, { recursive: true });
  const digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const photo = renderSoroban({ seed: COLUMN_SEED, digits, pitch: [48, 64] });
  const frame = photoTensor(photo);
  const crops = preprocessColumns(
    frame,
    { columns: digits.length, corners: photo.corners, margins: NO_MARGINS },
    PREPROCESS,
  );
  const values = crops.dataSync();
  tf.dispose([frame, crops]);
  const per = PREPROCESS.height * PREPROCESS.width;
  const columns = digits.map((digit, i) => {
    const path = `${GOLDEN_DIR}/column-${i}-digit-${digit}.png`;
    writePng(join(dir, path), greyToRgba(values.subarray(i * per, (i + 1) * per), PREPROCESS.width, PREPROCESS.height));
    return { path, digit, seed: COLUMN_SEED };
  });
  const sorobans = SOROBAN_SEEDS.map((seed, k) => {
    const r = renderSoroban({ seed, columns: k === 0 ? 13 : 7 });
    const path = `${GOLDEN_DIR}/soroban-${seed}.png`;
    writePng(join(dir, path), r);
    return { path, digits: r.digits, corners: r.corners, style: r.style, seed };
  });
  const index: GoldenIndex = { columns, sorobans };
  writeFileSync(join(goldenDir, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
  return index;
}
