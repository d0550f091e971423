/**
 * Datasets of column crops, made the way the product sees columns: a whole
 * soroban photo is rendered, then cut into columns by the shared
 * preprocessing module (`preprocessColumns`) — never by a separate path, so
 * training and serving cannot drift apart.
 */
import * as tf from '@tensorflow/tfjs';
import {
  isConvexQuad,
  applyHomography,
  homographyFromUnitSquare,
  invertHomography,
  preprocessColumns,
  type PreprocessSpec,
  type Quad,
} from '../../src/preprocess/index.ts';
import {
  createRandom,
  renderSoroban,
  type Background,
  type BeadColour,
  type BeadShape,
  type FrameColour,
  type Random,
  type RenderOptions,
} from '../../src/render/index.ts';
import {
  renderSoroban3d,
  type BeadProfileName,
  type Lighting,
  type Render3dOptions,
  type SceneKind,
} from '../../src/render3d/index.ts';

import { augmentCrop } from '../../src/training/augment.ts';

export { AUGMENTATION, augmentCrop, boxBlur } from '../../src/training/augment.ts';

/** Which renderer draws some of a dataset's photos, and style restrictions for them. */
export interface StyleFilter {
  /** '2d' (default): the flat renderer (src/render); '3d': the ray-cast renderer (src/render3d). */
  readonly renderer?: '2d' | '3d';
  /** Bead shapes of the 2D renderer. */
  readonly beadShapes?: readonly BeadShape[];
  /** Bead profiles of the 3D renderer. */
  readonly profiles?: readonly BeadProfileName[];
  readonly beadColours?: readonly BeadColour[];
  /** Frame colour families and backgrounds (one of each: one user's soroban on one table). */
  readonly frameColours?: readonly FrameColour[];
  readonly backgrounds?: readonly Background[];
  /** Camera elevation ranges in degrees (3D only). */
  readonly elevation?: readonly (readonly [number, number])[];
  /** The kind of 3D picture (default whole): an empty table gives only "not a column" crops. */
  readonly scene?: SceneKind;
  /** Chance of a hand over some columns (3D only). */
  readonly hand?: number;
  /** How 3D photos are lit (default: the varied lights training draws). */
  readonly lighting?: Lighting;
}

/** How to make a dataset. */
export interface DatasetSpec {
  readonly name: string;
  readonly seed: number;
  /** Number of column crops (photos are rendered until there are this many). */
  readonly crops: number;
  /** Photo i uses filters[i mod filters.length]; default: no restriction. */
  readonly filters?: readonly StyleFilter[];
  /** Corner jitter: each corner moves up to this many column pitches sideways, and 3/4 of it in bead heights… see {@link jitterCorners}. */
  readonly jitter: number;
  /** Column count range [min, max] of the photos (default: the renderer's 1..21). Fewer columns per photo = more photos (more looks) for the same crops and about the same rendering time. */
  readonly columns?: readonly [number, number];
  /** Column pitch range of the photos in pixels (default: the renderer's). */
  readonly pitch?: readonly [number, number];
  /** Options for every 3D photo (framing, image size); see {@link Render3dOptions}. */
  readonly render3d?: Pick<Render3dOptions, 'fill' | 'maxSide' | 'beadAreaOnly'>;
  /**
   * Chance per photo of adding "not a column" crops cut from a misplaced quad (half a pitch sideways,
   * or a third of the bead area along the rods): what a wrong localization shows. Default 0.
   */
  readonly negatives?: number;
}

/** Column crops with labels and the style of the photo each came from. */
export interface Dataset {
  readonly name: string;
  readonly size: number;
  readonly height: number;
  readonly width: number;
  /** size × height × width values in the spec's input range. */
  readonly x: Float32Array;
  /** 0/1: the heaven bead is at the bar. */
  readonly heaven: Float32Array;
  /** 0..4 earth beads at the bar. */
  readonly earth: Int32Array;
  readonly digits: Uint8Array;
  readonly beadShape: string[];
  readonly beadColour: string[];
  readonly background: string[];
  /** '2d' or '3d': the renderer of each crop's photo. */
  readonly renderer: string[];
  /** Camera elevation of each crop's photo in degrees (NaN for the 2D renderer, whose camera has none). */
  readonly elevation: Float32Array;
  /** 1: the crop shows one whole, visible column; 0: it does not (a hand, the picture edge, a misplaced quad, the table), and its digit labels mean nothing. */
  readonly readable: Float32Array;
  /** Photos rendered. */
  readonly photos: number;
}

/** One labelled photo, from either renderer, with the crop-level labels the dataset keeps. */
export interface LabelledPhoto {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8ClampedArray;
  readonly digits: readonly number[];
  /** The bead area; for an empty table, a random quad where a soroban could have been. */
  readonly corners: Quad;
  /** Whether each column can be read (a 3D photo's hand or picture edge can hide one). */
  readonly readable: readonly boolean[];
  readonly beadShape: string;
  readonly beadColour: string;
  readonly background: string;
  readonly renderer: '2d' | '3d';
  readonly elevation: number;
  /** A whole soroban is in view: nothing cut off by the picture edge, at most a third of the columns hidden. */
  readonly present: boolean;
  /** What the picture shows (the 2D renderer always draws a whole soroban). */
  readonly scene: SceneKind;
}

/** What a photo's render is asked for besides its style filter. */
export interface PhotoRequest {
  readonly columns?: number | undefined;
  readonly pitch?: readonly [number, number] | undefined;
  readonly render3d?: Pick<Render3dOptions, 'fill' | 'maxSide' | 'beadAreaOnly' | 'roll'> | undefined;
}

/** Renders the photo of `seed` with the renderer and styles `filter` names. */
export function renderPhoto(seed: number, filter: StyleFilter, request: PhotoRequest = {}): LabelledPhoto {
  const colours = {
    ...(filter.beadColours === undefined ? {} : { beadColours: filter.beadColours }),
    ...(filter.frameColours === undefined ? {} : { frameColours: filter.frameColours }),
    ...(filter.backgrounds === undefined ? {} : { backgrounds: filter.backgrounds }),
  };
  const count = request.columns === undefined ? {} : { columns: request.columns };
  const pitch = request.pitch === undefined ? {} : { pitch: request.pitch };
  if (filter.renderer === '3d') {
    const options: Render3dOptions = {
      seed,
      ...colours,
      ...count,
      ...pitch,
      ...(filter.profiles === undefined ? {} : { profiles: filter.profiles }),
      ...(filter.elevation === undefined ? {} : { elevation: filter.elevation }),
      ...(filter.scene === undefined ? {} : { scene: filter.scene }),
      ...(filter.hand === undefined ? {} : { hand: filter.hand }),
      ...(filter.lighting === undefined ? {} : { lighting: filter.lighting }),
      ...(request.render3d ?? {}),
    };
    const photo = renderSoroban3d(options);
    if (photo.corners === null) {
      // An empty table: crops from a quad where a soroban could lie are all "not a column".
      const random = createRandom(seed ^ 0xe3e3);
      const quad = randomQuad(random, photo.width, photo.height);
      const digits = Array.from({ length: quad.columns }, () => 0);
      return {
        ...photo,
        digits,
        corners: quad.corners,
        readable: digits.map(() => false),
        beadShape: 'none',
        beadColour: 'none',
        background: photo.style.background,
        renderer: '3d',
        elevation: photo.style.elevationDeg,
        scene: photo.style.scene,
      };
    }
    return {
      ...photo,
      corners: photo.corners,
      readable: photo.visibility.map((v) => v.readable),
      beadShape: photo.style.profile,
      beadColour: photo.style.beadColour,
      background: photo.style.background,
      renderer: '3d',
      elevation: photo.style.elevationDeg,
      scene: photo.style.scene,
    };
  }
  const options: RenderOptions = {
    seed,
    ...colours,
    ...count,
    ...pitch,
    ...(filter.beadShapes === undefined ? {} : { beadShapes: filter.beadShapes }),
  };
  const photo = renderSoroban(options);
  return {
    ...photo,
    readable: photo.digits.map(() => true),
    beadShape: photo.style.beadShape,
    beadColour: photo.style.beadColour,
    background: photo.style.background,
    renderer: '2d',
    elevation: NaN,
    present: true,
    scene: 'whole',
  };
}

/**
 * How far (in column pitches) a column centre of the true bead area lands from where `jittered`
 * puts it, at the worst column and at the top, middle or bottom of the column.
 */
export function columnDrift(truth: Quad, jittered: Quad, columns: number): number {
  const toTrueSpace = invertHomography(homographyFromUnitSquare(truth));
  const fromJittered = homographyFromUnitSquare(jittered);
  let drift = 0;
  for (let i = 0; i < columns; i++) {
    const u = (i + 0.5) / columns;
    for (const v of [0, 0.5, 1]) {
      const p = applyHomography(fromJittered, u, v);
      drift = Math.max(drift, Math.abs(applyHomography(toTrueSpace, p.x, p.y).x - u) * columns);
    }
  }
  return drift;
}

/** The most a jittered column may drift from its true place, as a multiple of the jitter amount. */
export const MAX_DRIFT_PER_JITTER = 1.5;

/**
 * Moves each corner of the ground-truth bead area at random, as a person
 * marking the soroban on screen would: up to `amount` column pitches
 * sideways and up to 4 % of the bead-area height up or down.
 *
 * Corners moved independently change the perspective of a wide quad: one edge 8 % shorter than the
 * other moves the middle columns of a 19-column soroban by ~0.4 pitch, so the crop shows halves of two
 * columns and its label is wrong (run 5: 388 of 6000 test crops had drifted ≥ 0.3 pitch, and 42 of its
 * 62 test errors were among them). So the moves are shrunk until no column drifts more than
 * {@link MAX_DRIFT_PER_JITTER} × `amount` pitches: a person's error, not a different column.
 */
export function jitterCorners(random: Random, corners: Quad, columns: number, amount: number): Quad {
  const pitchX = (corners.topRight.x - corners.topLeft.x) / columns;
  const pitchY = (corners.topRight.y - corners.topLeft.y) / columns;
  const heightX = corners.bottomLeft.x - corners.topLeft.x;
  const heightY = corners.bottomLeft.y - corners.topLeft.y;
  // Drawn once, in the order the unbounded version drew them, then scaled by k.
  const draw = (): { s: number; t: number } => ({
    s: random.range(-amount, amount),
    t: random.range(-0.04, 0.04) * (amount > 0 ? 1 : 0),
  });
  const [tl, tr, br, bl] = [draw(), draw(), draw(), draw()];
  const at = (p: { x: number; y: number }, m: { s: number; t: number }, k: number): { x: number; y: number } => ({
    x: p.x + k * (m.s * pitchX + m.t * heightX),
    y: p.y + k * (m.s * pitchY + m.t * heightY),
  });
  const moved = (k: number): Quad => ({
    topLeft: at(corners.topLeft, tl, k),
    topRight: at(corners.topRight, tr, k),
    bottomRight: at(corners.bottomRight, br, k),
    bottomLeft: at(corners.bottomLeft, bl, k),
  });
  const bound = MAX_DRIFT_PER_JITTER * amount;
  let k = 1;
  let quad = moved(k);
  // Drift shrinks to 0 with k, so this ends; 0.8^20 ≈ 0.01.
  for (let tries = 0; tries < 20 && columnDrift(corners, quad, columns) > bound; tries++) {
    k *= 0.8;
    quad = moved(k);
  }
  return quad;
}

/**
 * The bead area moved where a wrong localization would put it: half a pitch sideways (each crop then
 * shows halves of two columns, or a column and the frame) or a third of the bead area along the rods.
 */
export function misplacedQuad(random: Random, corners: Quad, columns: number): Quad {
  const along = random.chance(0.3);
  const sign = random.chance(0.5) ? 1 : -1;
  const k = along ? sign * random.range(0.25, 0.38) : (sign * random.range(0.35, 0.65)) / columns;
  // Sideways: along the top and bottom edges; along the rods: along the left and right edges.
  const top = along
    ? { x: corners.bottomLeft.x - corners.topLeft.x, y: corners.bottomLeft.y - corners.topLeft.y }
    : { x: corners.topRight.x - corners.topLeft.x, y: corners.topRight.y - corners.topLeft.y };
  const bottom = along
    ? { x: corners.bottomRight.x - corners.topRight.x, y: corners.bottomRight.y - corners.topRight.y }
    : { x: corners.bottomRight.x - corners.bottomLeft.x, y: corners.bottomRight.y - corners.bottomLeft.y };
  const move = (p: { x: number; y: number }, d: { x: number; y: number }): { x: number; y: number } => ({
    x: p.x + k * d.x,
    y: p.y + k * d.y,
  });
  return along
    ? {
        topLeft: move(corners.topLeft, top),
        bottomLeft: move(corners.bottomLeft, top),
        topRight: move(corners.topRight, bottom),
        bottomRight: move(corners.bottomRight, bottom),
      }
    : {
        topLeft: move(corners.topLeft, top),
        topRight: move(corners.topRight, top),
        bottomLeft: move(corners.bottomLeft, bottom),
        bottomRight: move(corners.bottomRight, bottom),
      };
}

/** A quad of soroban-like proportions somewhere in a width × height picture (normalized), and a column count for it. */
function randomQuad(random: Random, width: number, height: number): { corners: Quad; columns: number } {
  const columns = random.int(1, 21);
  const w = random.range(0.2, 0.9);
  const h = Math.min(0.9, (((w * width) / columns) * random.range(2.2, 4.5)) / height);
  const x0 = random.range(0.02, 0.98 - w);
  const y0 = random.range(0.02, Math.max(0.03, 0.98 - h));
  const t = () => random.range(-0.03, 0.03);
  const corners: Quad = {
    topLeft: { x: x0 + t(), y: y0 + t() },
    topRight: { x: x0 + w + t(), y: y0 + t() },
    bottomRight: { x: x0 + w + t(), y: y0 + h + t() },
    bottomLeft: { x: x0 + t(), y: y0 + h + t() },
  };
  // A quad only a few hundredths high can be crossed by its jitter, and the product refuses crossed quads; the plain
  // rectangle then (no further draws, so every other photo of a set stays as it was).
  if (isConvexQuad(corners)) return { columns, corners };
  return {
    columns,
    corners: {
      topLeft: { x: x0, y: y0 },
      topRight: { x: x0 + w, y: y0 },
      bottomRight: { x: x0 + w, y: y0 + h },
      bottomLeft: { x: x0, y: y0 + h },
    },
  };
}

/** The RGBA bytes of a photo as a [H, W, 4] int32 tensor (what a decoded image gives TF.js). */
export function photoTensor(photo: {
  width: number;
  height: number;
  rgba: Uint8Array | Uint8ClampedArray;
}): tf.Tensor3D {
  return tf.tensor3d(Int32Array.from(photo.rgba), [photo.height, photo.width, 4], 'int32');
}

/** Renders and crops a dataset. `onProgress` is called after each photo. */
export function makeDataset(
  spec: DatasetSpec,
  preprocess: PreprocessSpec,
  onProgress?: (done: number, total: number) => void,
): Dataset {
  const { height, width } = preprocess;
  const per = height * width;
  const x = new Float32Array(spec.crops * per);
  const heaven = new Float32Array(spec.crops);
  const earth = new Int32Array(spec.crops);
  const digits = new Uint8Array(spec.crops);
  const beadShape: string[] = [];
  const beadColour: string[] = [];
  const background: string[] = [];
  const renderer: string[] = [];
  const elevation = new Float32Array(spec.crops);
  const readable = new Float32Array(spec.crops);
  const jitterRandom = createRandom(spec.seed ^ 0x5eed);
  const columnRandom = createRandom(spec.seed ^ 0xc011);
  const negativeRandom = createRandom(spec.seed ^ 0x0ff5e7);
  let n = 0;
  let photos = 0;
  const add = (values: Float32Array, c: number, photo: LabelledPhoto, isReadable: boolean): void => {
    if (n >= spec.crops) return;
    x.set(values.subarray(c * per, (c + 1) * per), n * per);
    const d = photo.digits[c] ?? 0;
    digits[n] = d;
    heaven[n] = d >= 5 ? 1 : 0;
    earth[n] = d % 5;
    readable[n] = isReadable ? 1 : 0;
    beadShape.push(photo.beadShape);
    beadColour.push(photo.beadColour);
    background.push(photo.background);
    renderer.push(photo.renderer);
    elevation[n] = photo.elevation;
    n++;
  };
  const cut = (photo: LabelledPhoto, corners: Quad, columns: number): Float32Array => {
    const frame = photoTensor(photo);
    const crops = preprocessColumns(frame, { columns, corners, margins: { horizontal: 0, vertical: 0 } }, preprocess);
    const values = crops.dataSync() as Float32Array;
    tf.dispose([frame, crops]);
    return values;
  };
  while (n < spec.crops) {
    const filter = spec.filters?.[photos % spec.filters.length] ?? {};
    const photo = renderPhoto(spec.seed * 1_000_003 + photos, filter, {
      columns: spec.columns === undefined ? undefined : columnRandom.int(spec.columns[0], spec.columns[1]),
      pitch: spec.pitch,
      render3d: spec.render3d,
    });
    photos++;
    const columns = photo.digits.length;
    const empty = photo.readable.every((r) => !r);
    const corners = empty ? photo.corners : jitterCorners(jitterRandom, photo.corners, columns, spec.jitter);
    const values = cut(photo, corners, columns);
    if (empty) {
      // A few crops of a table are enough; more would crowd out the columns.
      for (let k = 0; k < Math.min(columns, 3); k++) add(values, negativeRandom.int(0, columns - 1), photo, false);
    } else {
      for (let c = 0; c < columns; c++) add(values, c, photo, photo.readable[c] === true);
    }
    if (!empty && (spec.negatives ?? 0) > 0 && negativeRandom.chance(spec.negatives ?? 0)) {
      const misplaced = misplacedQuad(negativeRandom, photo.corners, columns);
      const off = cut(photo, misplaced, columns);
      const take = negativeRandom.int(1, 2);
      for (let k = 0; k < take; k++) add(off, negativeRandom.int(0, columns - 1), photo, false);
    }
    onProgress?.(n, spec.crops);
  }
  return {
    name: spec.name,
    size: spec.crops,
    height,
    width,
    x,
    heaven,
    earth,
    digits,
    beadShape,
    beadColour,
    background,
    renderer,
    elevation,
    readable,
    photos,
  };
}

/**
 * The batch of dataset items `indices` as tensors. With `augment` (training only), each crop is varied as
 * {@link AUGMENTATION} says: cheap extra variety on top of the rendered looks.
 */
export function batchOf(
  data: Dataset,
  indices: ArrayLike<number>,
  augment?: Random,
): { x: tf.Tensor4D; heaven: tf.Tensor2D; earth: tf.Tensor1D; readable: tf.Tensor2D } {
  const per = data.height * data.width;
  const count = indices.length;
  const xs = new Float32Array(count * per);
  const hs = new Float32Array(count);
  const es = new Int32Array(count);
  const rs = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const k = indices[i] ?? 0;
    xs.set(data.x.subarray(k * per, (k + 1) * per), i * per);
    if (augment !== undefined) augmentCrop(xs.subarray(i * per, (i + 1) * per), data.height, data.width, augment);
    hs[i] = data.heaven[k] ?? 0;
    es[i] = data.earth[k] ?? 0;
    rs[i] = data.readable[k] ?? 0;
  }
  return {
    x: tf.tensor4d(xs, [count, data.height, data.width, 1]),
    heaven: tf.tensor2d(hs, [count, 1]),
    earth: tf.tensor1d(es, 'int32'),
    readable: tf.tensor2d(rs, [count, 1]),
  };
}
