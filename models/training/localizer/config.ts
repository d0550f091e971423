/**
 * The localizer's training recipe: which photos (both renderers, every scene), how they are framed,
 * and which styles are held out. The held-out styles are the column classifier's, so that an end-to-end
 * test photo is new to both models.
 */
import { BEAD_COLOURS, BEAD_SHAPES } from '../../../src/render/styles.ts';
import { BEAD_PROFILES } from '../../../src/render3d/index.ts';
import type { StyleFilter, PhotoRequest } from '../dataset.ts';
import { HELD_OUT_COLOUR, HELD_OUT_ELEVATION, HELD_OUT_PROFILE, HELD_OUT_SHAPE, TRAIN_ELEVATIONS } from '../config.ts';
import type { LocalizerSpec } from './samples.ts';

const seen2d: StyleFilter = {
  beadShapes: BEAD_SHAPES.filter((s) => s !== HELD_OUT_SHAPE),
  beadColours: BEAD_COLOURS.filter((c) => c !== HELD_OUT_COLOUR),
};
const seen3d: StyleFilter = {
  renderer: '3d',
  profiles: BEAD_PROFILES.filter((p) => p !== HELD_OUT_PROFILE),
  beadColours: BEAD_COLOURS.filter((c) => c !== HELD_OUT_COLOUR),
  elevation: TRAIN_ELEVATIONS,
};

/**
 * Photos by turns: 2 of 10 flat, 5 whole 3D sorobans (half with a hand: a hand over
 * more than a third of the columns is the presence head's hardest case), 2 cut off by the picture
 * edge, 1 empty table.
 */
export const LOCALIZER_TRAIN_MIX: readonly StyleFilter[] = [
  seen2d,
  { ...seen3d, hand: 0.5 },
  { ...seen3d, scene: 'cut-off' },
  { ...seen3d, hand: 0.5 },
  { ...seen3d, scene: 'empty' },
  seen2d,
  { ...seen3d, hand: 0.5 },
  { ...seen3d, scene: 'cut-off' },
  { ...seen3d, hand: 0.5 },
  { ...seen3d, hand: 0.5 },
];

/** Held-out test photos: the held-out styles and elevation band among the rest, every scene. */
export const LOCALIZER_TEST_MIX: readonly StyleFilter[] = [
  {},
  { renderer: '3d', hand: 0.33 },
  { renderer: '3d', scene: 'cut-off' },
  { renderer: '3d', hand: 0.33, elevation: [HELD_OUT_ELEVATION] },
  { renderer: '3d', scene: 'empty' },
  { beadShapes: [HELD_OUT_SHAPE] },
  { renderer: '3d', hand: 0.33, profiles: [HELD_OUT_PROFILE] },
  { renderer: '3d', beadColours: [HELD_OUT_COLOUR] },
  { renderer: '3d', hand: 0.33 },
  { beadColours: [HELD_OUT_COLOUR] },
];

/**
 * Training photos are small (the localizer reads 96 × 96; 400 px leaves the corner look some detail: a corner
 * window is about the bead area's height across, 20–90 px here; 320 px until run 3) and framed loosely: the soroban
 * 25–95 % of the picture's width, rolled up to ±15°.
 */
export const TRAIN_REQUEST: PhotoRequest = { render3d: { maxSide: 400, fill: [0.25, 0.95], roll: 15 } };
/** Test photos at a camera's size. */
export const TEST_REQUEST: PhotoRequest = { render3d: { maxSide: 640, fill: [0.25, 0.95], roll: 15 } };

/** The datasets of a run; `scale` shrinks them for a quick smoke run. */
export function localizerDatasets(scale = 1): {
  train: (k: number) => LocalizerSpec;
  val: LocalizerSpec;
  test: LocalizerSpec;
} {
  const photos = (n: number) => Math.max(10, Math.round(n * scale));
  return {
    // Chunk k of the training photos: seeds never shared with validation or test.
    train: (k) => ({
      name: `train-${k}`,
      seed: 7_100 + k,
      photos: photos(600),
      filters: LOCALIZER_TRAIN_MIX,
      request: TRAIN_REQUEST,
      windows: 6,
    }),
    val: {
      name: 'val',
      seed: 7_001,
      photos: photos(200),
      filters: LOCALIZER_TRAIN_MIX,
      request: TRAIN_REQUEST,
      windows: 3,
    },
    test: {
      name: 'test',
      seed: 7_002,
      photos: photos(300),
      filters: LOCALIZER_TEST_MIX,
      request: TEST_REQUEST,
      windows: 'whole-frame',
    },
  };
}
