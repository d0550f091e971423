/**
 * Renders one photo of a soroban with known digits: the ground truth for
 * training, validation, tests and users' own models.
 */
import { applyHomography } from '../preprocess/homography.ts';
import type { Quad } from '../preprocess/types.ts';
import { applyCamera, drawBackground, photograph, randomPose, sceneToPhoto, type CameraEffects } from './camera.ts';
import { createRandom, detPow } from './random.ts';
import type { Rgb } from './raster.ts';
import { nonEmpty, requestedDigits, rgbToRgba, type SorobanRequest } from './request.ts';
import { drawSoroban, randomLayout, sceneSize, type SorobanLook } from './soroban.ts';
import {
  BACKGROUNDS,
  BEAD_COLOURS,
  BEAD_SHAPES,
  FRAME_COLOURS,
  backgroundColourOf,
  beadColourOf,
  frameColourOf,
  panelColourOf,
  rodColourOf,
  type Background,
  type BeadColour,
  type BeadShape,
  type FrameColour,
  type Backing,
} from './styles.ts';

const WHO = 'renderSoroban';

/** Least |luma(bead) − luma(backdrop)| (0..255) of a bead's base colour. */
export const MIN_BEAD_CONTRAST = 50;

function luma(c: Rgb): number {
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
}

/** c, scaled towards black or white until its luma is at least `gap` away from `other`. */
function withLumaApart(c: Rgb, other: number, gap: number): Rgb {
  const l = luma(c);
  if (Math.abs(l - other) >= gap) return c;
  const darker = other - gap;
  const lighter = other + gap;
  const goDark = lighter > 245 || (darker >= 10 && l <= other);
  if (goDark) {
    const k = Math.max(0, darker) / Math.max(1, l);
    return [c[0] * k, c[1] * k, c[2] * k];
  }
  // Mix towards white: luma(mix) = l + t (255 − l).
  const t = Math.min(1, (lighter - l) / Math.max(1, 255 - l));
  return [c[0] + (255 - c[0]) * t, c[1] + (255 - c[1]) * t, c[2] + (255 - c[2]) * t];
}

/** Moves (and if needed enlarges the photo around) `quad` so it lies `margin` pixels inside a width × height photo. */
function fitInside(
  quad: Quad,
  width: number,
  height: number,
  margin: number,
): { quad: Quad; width: number; height: number } {
  const points = [quad.topLeft, quad.topRight, quad.bottomRight, quad.bottomLeft];
  const x0 = Math.min(...points.map((p) => p.x));
  const x1 = Math.max(...points.map((p) => p.x));
  const y0 = Math.min(...points.map((p) => p.y));
  const y1 = Math.max(...points.map((p) => p.y));
  const w = Math.max(width, Math.ceil(x1 - x0 + 2 * margin));
  const h = Math.max(height, Math.ceil(y1 - y0 + 2 * margin));
  const dx = x0 < margin ? margin - x0 : x1 > w - margin ? w - margin - x1 : 0;
  const dy = y0 < margin ? margin - y0 : y1 > h - margin ? h - margin - y1 : 0;
  if (dx === 0 && dy === 0 && w === width && h === height) return { quad, width, height };
  const move = (p: { x: number; y: number }): { x: number; y: number } => ({ x: p.x + dx, y: p.y + dy });
  return {
    quad: {
      topLeft: move(quad.topLeft),
      topRight: move(quad.topRight),
      bottomRight: move(quad.bottomRight),
      bottomLeft: move(quad.bottomLeft),
    },
    width: w,
    height: h,
  };
}

export { MAX_COLUMNS } from './request.ts';

/** What to render. Everything not given is drawn from the seed. */
export interface RenderOptions extends SorobanRequest {
  /** Allowed bead shapes (default: all). */
  readonly beadShapes?: readonly BeadShape[];
  /** Column pitch in output pixels, [min, max] (default [18, 80], log-uniform; capped so the image stays ≤ 1280 px wide). */
  readonly pitch?: readonly [number, number];
}

/** The named style ids of one rendered image. */
export interface RenderStyle {
  readonly beadShape: BeadShape;
  readonly beadColour: BeadColour;
  /** The heaven beads' colour family, when it differs from the earth beads'. */
  readonly heavenColour: BeadColour;
  readonly frameColour: FrameColour;
  readonly rod: string;
  readonly backing: Backing;
  readonly background: Background;
  readonly camera: CameraEffects;
}

/** One rendered photo and its ground truth. */
export interface RenderedSoroban {
  readonly width: number;
  readonly height: number;
  /** RGBA, row-major, alpha always 255. */
  readonly rgba: Uint8ClampedArray;
  readonly digits: number[];
  /** The bead area (the columns' outer edges, frame bars excluded), normalized to [0, 1]. */
  readonly corners: Quad;
  /** Column pitch in photo pixels (before perspective). */
  readonly pitch: number;
  readonly style: RenderStyle;
}

/**
 * Renders a photo of a soroban.
 *
 * ```ts
 * const photo = renderSoroban({ seed: 7, digits: [1, 2, 3] });
 * // photo.rgba, photo.corners (normalized bead area), photo.style.beadShape …
 * ```
 */
export function renderSoroban(options: RenderOptions): RenderedSoroban {
  const random = createRandom(options.seed);
  const digits = requestedDigits(random, options, WHO);
  const columns = digits.length;

  const beadShape = random.pick(nonEmpty(options.beadShapes, BEAD_SHAPES, 'beadShapes', WHO));
  const colours = nonEmpty(options.beadColours, BEAD_COLOURS, 'beadColours', WHO);
  const beadColour = random.pick(colours);
  const heavenColour = random.chance(0.15) ? random.pick(colours) : beadColour;
  const frameColour = random.pick(nonEmpty(options.frameColours, FRAME_COLOURS, 'frameColours', WHO));
  const background = random.pick(nonEmpty(options.backgrounds, BACKGROUNDS, 'backgrounds', WHO));
  const backing: Backing = random.chance(0.5) ? 'open' : 'panel';
  const rod = rodColourOf(random);
  const panelColour = backing === 'panel' ? panelColourOf(random) : null;
  const tableColour = backgroundColourOf(background, random);
  // Beads must stand out from what is behind them in grey (a person could not read them
  // otherwise, and the model sees grey): push a bead colour away from the backdrop's luma.
  const backdropLuma = luma(panelColour ?? tableColour);
  const readable = (c: Rgb): Rgb => withLumaApart(c, backdropLuma, MIN_BEAD_CONTRAST);

  // One base colour per family; `mixed` gives each bead its own colour.
  const earthBase = readable(beadColourOf(beadColour, random));
  const heavenBase = heavenColour === beadColour ? earthBase : readable(beadColourOf(heavenColour, random));
  const mixedColours = new Map<number, Rgb>();
  const colourOf = (family: BeadColour, base: Rgb, key: number): Rgb => {
    if (family !== 'mixed') return base;
    let c = mixedColours.get(key);
    if (c === undefined) {
      c = readable(beadColourOf('mixed', random));
      mixedColours.set(key, c);
    }
    return c;
  };
  const frame = frameColourOf(frameColour, random);
  const look: SorobanLook = {
    beadShape,
    beadColour: (column, bead) =>
      bead === 0 ? colourOf(heavenColour, heavenBase, column * 5) : colourOf(beadColour, earthBase, column * 5 + bead),
    frameColour: frame,
    barColour: random.chance(0.7) ? frame : frameColourOf(random.pick(FRAME_COLOURS), random),
    rodColour: rod.colour,
    panelColour,
    dotColour: random.chance(0.6) ? (random.chance(0.5) ? [235, 235, 230] : [20, 20, 20]) : null,
    grain: frameColour === 'wood' || frameColour === 'dark-wood' ? random.range(0.02, 0.12) : random.range(0, 0.03),
    shadow: random.chance(0.7)
      ? { strength: random.range(0.15, 0.5), dx: random.range(-0.15, 0.15), dy: random.range(0.02, 0.25) }
      : { strength: 0, dx: 0, dy: 0 },
    relief: random.range(0, 1),
    gloss: random.chance(0.6) ? random.range(0.1, 0.7) : 0,
  };

  // Scale: the pitch in photo pixels, log-uniform; the scene is drawn a little finer and resampled by the camera.
  const [minPitch, maxPitch] = options.pitch ?? [18, 80];
  let pitch = minPitch * detPow(maxPitch / minPitch, random.next());
  const scenePitchFactor = 1.3;
  const layout0 = randomLayout(random, columns, 100, beadShape);
  const unit = sceneSize(layout0);
  const fill = random.range(0.6, 0.95);
  // Keep the photo ≤ 1280 px on its long side.
  pitch = Math.min(pitch, (1280 * fill) / (unit.width / 100), (960 * fill) / (unit.height / 100));
  pitch = Math.max(8, pitch);
  const scenePitch = pitch * scenePitchFactor;
  const scale = scenePitch / 100;
  const layout = {
    ...layout0,
    pitch: layout0.pitch * scale,
    beadWidth: layout0.beadWidth * scale,
    beadHeight: layout0.beadHeight * scale,
    heavenDeck: layout0.heavenDeck * scale,
    earthDeck: layout0.earthDeck * scale,
    bar: layout0.bar * scale,
    frameTop: layout0.frameTop * scale,
    frameBottom: layout0.frameBottom * scale,
    frameSide: layout0.frameSide * scale,
    sidePad: layout0.sidePad * scale,
    rodWidth: layout0.rodWidth * scale,
  };
  const scene = drawSoroban(random, layout, look, digits);
  const sceneOutW = scene.layer.width / scenePitchFactor;
  const sceneOutH = scene.layer.height / scenePitchFactor;
  const aspect = random.range(0.9, 1.1);
  const width0 = Math.max(16, Math.round((sceneOutW / fill) * (random.chance(0.5) ? 1 : aspect)));
  const height0 = Math.max(
    16,
    Math.round(Math.max(sceneOutH / fill, sceneOutH + (width0 - sceneOutW) * random.range(0.2, 1))),
  );

  const pose0 = randomPose(random, sceneOutW, sceneOutH, width0, height0);
  // Rotation and tilt can carry a corner of a tightly framed soroban out of the photo; the
  // ground truth promises the whole soroban is in it, so grow and shift the photo to fit.
  const { quad, width, height } = fitInside(pose0.quad, width0, height0, Math.max(2, 0.01 * Math.max(width0, height0)));
  const pose = { ...pose0, quad };
  const toPhoto = sceneToPhoto(scene.layer.width, scene.layer.height, pose.quad);
  const tableShadow = random.chance(0.6) ? random.range(0.15, 0.5) : 0;
  const shadowOffset = {
    strength: tableShadow,
    dx: random.range(-0.6, 0.6) * pitch,
    dy: random.range(0.1, 0.8) * pitch,
  };
  const backgroundRgb = drawBackground(random, background, tableColour, width, height);
  const rgb = photograph(scene.layer, backgroundRgb, width, height, toPhoto, shadowOffset);
  const camera = applyCamera(random, rgb, width, height, pose, tableShadow, pitch);

  const rgba = rgbToRgba(rgb);
  const { x0, y0, x1, y1 } = scene.beadArea;
  const norm = (x: number, y: number): { x: number; y: number } => {
    const p = applyHomography(toPhoto, x, y);
    return { x: p.x / width, y: p.y / height };
  };
  return {
    width,
    height,
    rgba,
    digits,
    corners: { topLeft: norm(x0, y0), topRight: norm(x1, y0), bottomRight: norm(x1, y1), bottomLeft: norm(x0, y1) },
    pitch,
    style: { beadShape, beadColour, heavenColour, frameColour, rod: rod.id, backing, background, camera },
  };
}
