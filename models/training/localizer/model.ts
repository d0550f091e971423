/**
 * The localizer: grey side × side × 1 in [0, 1] (a window of the frame stretched to a square), a
 * Rescaling layer inside, conv + max-pool blocks, and three named heads:
 * - `corners` (linear, [B, 8]): the bead area's topLeft, topRight, bottomRight, bottomLeft (x, y) in
 *   window coordinates (0..1 inside the window);
 * - `presence` (sigmoid, [B, 1]): a whole soroban is in the window;
 * - `count` (softmax, [B, 21]): its column count, 1..21.
 *
 * The corners come from heatmaps (one per corner, on a side/4 or side/8 grid, the deepest features upsampled and
 * joined to that grid's so that each cell knows the whole picture): a softmax over each map, and the
 * expected cell position under it (a fixed, untrained dense layer holding the cells' coordinates). The
 * loss is on the coordinates, so the maps learn where a corner is rather than a guess of its numbers,
 * and the result is finer than a cell. All of it is stock Keras layers: the model loads anywhere
 * TF.js does, and its output is the same [B, 8] the contract binds.
 */
import * as tf from '@tensorflow/tfjs';
import { MAX_COLUMN_COUNT } from '../../../src/localize/limits.ts';
import { convBlock, denseHead, sharedFeatures } from '../model.ts';

/** Input side of the localizer. */
export const LOCALIZER_SIDE = 96;

/** Layer names of the heads (the output names its contract binds). */
export const LOCALIZER_HEADS = { corners: 'corners', presence: 'presence', count: 'count' } as const;

/** Architecture knobs (the tests build a tiny one). */
export interface LocalizerModelOptions {
  /** Filters of the conv blocks, each followed by a 2 × 2 max-pool (at least 4 blocks: heatmaps are on the 3rd's grid). */
  readonly filters: readonly number[];
  readonly dense: number;
  readonly side?: number;
  readonly seed?: number;
  /** Filters of the conv that joins the upsampled deep features to the heatmap grid's (default 32). */
  readonly heatmapFilters?: number;
  /**
   * The heatmaps' grid: `8` puts them on the third block's grid (side / 8), `4` on the second's (side / 4), where
   * the deep features are first squeezed to `heatmapFilters` channels so that the finer grid costs little.
   */
  readonly heatmapStride?: 4 | 8;
}

/**
 * Five blocks (96 → 3). Measured on this machine (wasm, batch 32): 8-16-24-48-64 trained 73 windows/s against
 * 22/s at 128 × 128 with 12-20-32-48-64 (the first two blocks' filter gradients were most of a step). Run 1
 * regressed the corners from the flattened 3 × 3 features through dense 64 (5.2 % of the diagonal on validation
 * windows after 23 minutes); run 2 takes them from heatmaps (89 windows/s, one look 6.9 ms in Node; with 32
 * heatmap filters and 64-96 late blocks it was 48/s and 17 ms). Run 3 puts the heatmaps on a side/4 grid (24 × 24,
 * the deep features squeezed to 16 channels first): 49 windows/s against 53/s for side/8 in the same measurement.
 */
export const LOCALIZER_ARCHITECTURE: LocalizerModelOptions = {
  filters: [8, 16, 32, 48, 64],
  dense: 96,
  heatmapFilters: 16,
  heatmapStride: 4,
};

/**
 * How far past the window's edges the heatmap cells' coordinates reach: an expectation over cell centres never
 * gets nearer an edge than half a cell (4 % of a 12-cell grid), and a soroban that fills 95 % of a window has
 * corners nearer than that.
 */
const GRID_OVERHANG = 0.05;

/** The heatmap cells' coordinates, (x, y) row-major, spread over [−overhang, 1 + overhang]: the expectation's fixed weights. */
function cellCentres(grid: number): tf.Tensor2D {
  const at = (i: number) => -GRID_OVERHANG + ((1 + 2 * GRID_OVERHANG) * (i + 0.5)) / grid;
  const values: number[] = [];
  for (let row = 0; row < grid; row++) for (let col = 0; col < grid; col++) values.push(at(col), at(row));
  return tf.tensor2d(values, [grid * grid, 2]);
}

/** Builds an untrained localizer. */
export function buildLocalizer(options: LocalizerModelOptions = LOCALIZER_ARCHITECTURE): tf.LayersModel {
  const side = options.side ?? LOCALIZER_SIDE;
  const seed = options.seed ?? 1;
  if (options.filters.length < 4) throw new RangeError('buildLocalizer: at least 4 conv blocks.');
  const input = tf.input({ shape: [side, side, 1], name: 'image' });
  let x = tf.layers.rescaling({ scale: 2, offset: -1, name: 'rescaling' }).apply(input) as tf.SymbolicTensor;
  const pooled: tf.SymbolicTensor[] = [];
  options.filters.forEach((filters, i) => {
    x = convBlock(x, filters, i, seed);
    pooled.push(x);
  });
  // Heatmaps on the grid of side / stride, with every deeper block's features brought up to it.
  const stride = options.heatmapStride ?? 8;
  const gridLevel = stride === 8 ? 2 : 1;
  const grid = side / stride;
  let deep = pooled[pooled.length - 1] as tf.SymbolicTensor;
  for (let level = pooled.length - 1; level > gridLevel; level--) {
    if (level <= 2)
      deep = tf.layers
        .conv2d({
          filters: options.heatmapFilters ?? 32,
          kernelSize: 1,
          activation: 'relu',
          name: `squeeze${level + 1}`,
          kernelInitializer: tf.initializers.heNormal({ seed: seed + 70 + level }),
        })
        .apply(deep) as tf.SymbolicTensor;
    deep = tf.layers.upSampling2d({ size: [2, 2], name: `up${level + 1}` }).apply(deep) as tf.SymbolicTensor;
    deep = tf.layers
      .concatenate({ name: `join${level}` })
      .apply([deep, pooled[level - 1] as tf.SymbolicTensor]) as tf.SymbolicTensor;
  }
  let maps = tf.layers
    .conv2d({
      filters: options.heatmapFilters ?? 32,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: 'heatmap_features',
      kernelInitializer: tf.initializers.heNormal({ seed: seed + 60 }),
    })
    .apply(deep) as tf.SymbolicTensor;
  maps = tf.layers
    .conv2d({
      filters: 4,
      kernelSize: 1,
      name: 'heatmaps',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 61 }),
    })
    .apply(maps) as tf.SymbolicTensor;
  maps = tf.layers.reshape({ targetShape: [grid * grid, 4], name: 'cells' }).apply(maps) as tf.SymbolicTensor;
  maps = tf.layers.permute({ dims: [2, 1], name: 'maps' }).apply(maps) as tf.SymbolicTensor;
  maps = tf.layers.softmax({ axis: -1, name: 'where' }).apply(maps) as tf.SymbolicTensor;
  const expectation = tf.layers.dense({ units: 2, useBias: false, trainable: false, name: 'expected_position' });
  maps = expectation.apply(maps) as tf.SymbolicTensor;
  const corners = tf.layers.flatten({ name: LOCALIZER_HEADS.corners }).apply(maps) as tf.SymbolicTensor;

  const features = sharedFeatures(
    tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor,
    options.dense,
    seed,
  );
  const head = (name: string, units: number, activation: 'sigmoid' | 'softmax', offset: number) =>
    denseHead(features, name, units, activation, seed + offset);
  const model = tf.model({
    inputs: input,
    outputs: [
      corners,
      head(LOCALIZER_HEADS.presence, 1, 'sigmoid', 102),
      head(LOCALIZER_HEADS.count, MAX_COLUMN_COUNT, 'softmax', 103),
    ],
    name: 'soroban_localizer',
  });
  const centres = cellCentres(grid);
  expectation.setWeights([centres]);
  centres.dispose();
  return model;
}
