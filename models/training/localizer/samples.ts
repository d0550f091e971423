/**
 * Localizer samples: whole photos from both renderers, each read through a few windows the way the
 * product reads a frame (`preprocessColumns` cuts the window to the model's square input), labelled
 * with the bead-area corners in window coordinates, whether a whole soroban is in the window, and
 * its column count.
 *
 * The windows are what the localizer meets in use: a wide view (the whole frame, the soroban 25–95 %
 * of its width), a close view (the bounding box of a first estimate grown by a margin: the second
 * look), a view that cuts the soroban (nothing whole in view: presence false), and a corner view (a
 * square about one corner of a close estimate: the third look, which learns that corner only).
 */
import * as tf from '@tensorflow/tfjs';
import { preprocessColumns } from '../../../src/preprocess/preprocess-columns.ts';
import { NO_MARGINS, type PreprocessSpec, type Quad } from '../../../src/preprocess/types.ts';
import { createRandom, type Random } from '../../../src/render/random.ts';
import {
  boundingWindow,
  cornerWindow,
  grownWindow,
  mapQuad,
  quadValues,
  toWindow,
  windowQuad,
  WHOLE_WINDOW,
  type Window,
} from '../../../src/localize/window.ts';
import { photoTensor, renderPhoto, type LabelledPhoto, type PhotoRequest, type StyleFilter } from '../dataset.ts';

/** What a window shows. */
export type WindowKind = 'whole-frame' | 'wide' | 'close' | 'cutting' | 'corner';

/** How to make a set of localizer samples. */
export interface LocalizerSpec {
  readonly name: string;
  readonly seed: number;
  readonly photos: number;
  /** Photo i uses filters[i mod filters.length]. */
  readonly filters: readonly StyleFilter[];
  readonly request: PhotoRequest;
  /** Windows per photo; 'whole-frame' gives one sample per photo, the frame as the product first sees it. */
  readonly windows: number | 'whole-frame';
}

/** Localizer inputs and labels. Inputs are kept as bytes (value · 255): a quarter of the memory. */
export interface LocalizerSamples {
  readonly name: string;
  readonly size: number;
  readonly side: number;
  /** size × side × side, round(value · 255). */
  readonly x: Uint8Array;
  /** size × 8: topLeft, topRight, bottomRight, bottomLeft (x, y) in window coordinates. */
  readonly corners: Float32Array;
  /**
   * size × 4: 1 where a corner is a label to learn (topLeft, topRight, bottomRight, bottomLeft) — all four where a
   * whole soroban lies in the window, the one it is about in a corner window.
   */
  readonly cornerWeight: Float32Array;
  /** 1 where the count is a label to learn (a whole soroban lies in the window). */
  readonly countWeight: Float32Array;
  /** 1: a whole soroban is in the window. */
  readonly present: Float32Array;
  /** Column count − 1 (0..20); meaningful where present. */
  readonly count: Int32Array;
  /** The window's aspect ratio in pixels (width / height): the corner error is judged in pixels. */
  readonly aspect: Float32Array;
  /** Diagonal of the window in photo pixels. */
  readonly diagonal: Float32Array;
  readonly kind: WindowKind[];
  readonly renderer: string[];
  readonly scene: string[];
  readonly style: string[];
  readonly elevation: Float32Array;
  readonly photos: number;
}

/** The localizer's input: the window stretched to side × side grey in [0, 1]. */
export function localizerInputSpec(side: number): PreprocessSpec {
  return { height: side, width: side, channels: 1, grey: 'bt601', resize: 'bilinear', inputRange: { min: 0, max: 1 } };
}

/** A window showing the whole quad, which spans 25–95 % of the window's width; the aspect near the frame's. */
function wideWindow(random: Random, box: Window): Window {
  const fill = random.range(0.25, 0.95);
  let width = Math.min(1, Math.max(box.width / fill, box.width * 1.04));
  let height = Math.min(1, Math.max(width * Math.exp(random.range(-0.25, 0.25)), box.height * 1.08));
  width = Math.min(1, width);
  height = Math.min(1, height);
  const place = (lo: number, size: number, boxSize: number): number => {
    // Anywhere that keeps the box inside the window and the window inside the frame.
    const min = Math.max(0, lo + boxSize - size);
    const max = Math.min(lo, 1 - size);
    return max >= min ? random.range(min, max) : Math.max(0, Math.min(1 - size, lo + boxSize / 2 - size / 2));
  };
  return { x: place(box.x, width, box.width), y: place(box.y, height, box.height), width, height };
}

/** The second look: the box of a first estimate (the truth moved a little) grown by 6–25 % on each side. */
function closeWindow(random: Random, box: Window): Window {
  // Moved and resized about its centre, each by up to 4 % of the box.
  const width = box.width * (1 + random.range(-0.04, 0.04));
  const height = box.height * (1 + random.range(-0.04, 0.04));
  const estimate: Window = {
    x: box.x + (box.width - width) / 2 + random.range(-0.04, 0.04) * box.width,
    y: box.y + (box.height - height) / 2 + random.range(-0.04, 0.04) * box.height,
    width,
    height,
  };
  const m = () => random.range(0.06, 0.25);
  return grownWindow(estimate, { left: m(), right: m(), top: m(), bottom: m() });
}

/** A window that leaves 15–60 % of the box's width (or height) outside it. */
function cuttingWindow(random: Random, box: Window): Window {
  const w = wideWindow(random, box);
  const cut = random.range(0.15, 0.6);
  switch (random.int(0, 3)) {
    case 0:
      return { ...w, x: box.x + cut * box.width, width: Math.max(0.05, w.x + w.width - (box.x + cut * box.width)) };
    case 1:
      return { ...w, width: Math.max(0.05, box.x + (1 - cut) * box.width - w.x) };
    case 2:
      return { ...w, y: box.y + cut * box.height, height: Math.max(0.05, w.y + w.height - (box.y + cut * box.height)) };
    default:
      return { ...w, height: Math.max(0.05, box.y + (1 - cut) * box.height - w.y) };
  }
}

/**
 * The third look's window about corner `k` of a close estimate: a square in pixels, {@link CORNER_WINDOW_SCALE}
 * times the bead area's height, centred where the estimate puts the corner. Trained on the true quad with the
 * centre moved by up to 30 % of the side (45 % for one window in five) and the side scaled by 0.8–1.25: the second
 * look's corners are within 0.34 of the bead area's height of the truth on 90 % of validation corners, 0.48 on 95 %.
 */
function trainingCornerWindow(random: Random, photo: LabelledPhoto, k: number): Window {
  const reach = random.chance(0.2) ? 0.45 : 0.3;
  const base = cornerWindow(photo.corners, k, photo.width, photo.height, random.range(0.8, 1.25));
  const dx = random.range(-reach, reach) * base.width;
  const dy = random.range(-reach, reach) * base.height;
  return { ...base, x: base.x + dx, y: base.y + dy };
}

/** Any window of at least half the frame's width and height. */
function randomWindow(random: Random): Window {
  const width = random.range(0.5, 1);
  const height = random.range(0.5, 1);
  return { x: random.range(0, 1 - width), y: random.range(0, 1 - height), width, height };
}

function inside(q: Quad, w: Window): boolean {
  const tolerance = 1e-3;
  return [q.topLeft, q.topRight, q.bottomRight, q.bottomLeft].every(
    (p) =>
      p.x >= w.x - tolerance &&
      p.x <= w.x + w.width + tolerance &&
      p.y >= w.y - tolerance &&
      p.y <= w.y + w.height + tolerance,
  );
}

/** The windows of one photo and what each shows. */
function windowsOf(
  random: Random,
  photo: LabelledPhoto,
  count: number | 'whole-frame',
): { window: Window; kind: WindowKind; corner?: number }[] {
  if (count === 'whole-frame') return [{ window: WHOLE_WINDOW, kind: 'whole-frame' }];
  const box = boundingWindow(photo.corners);
  return Array.from({ length: count }, () => {
    if (!photo.present)
      return random.chance(0.5)
        ? { window: WHOLE_WINDOW, kind: 'wide' as const }
        : { window: randomWindow(random), kind: 'wide' as const };
    const r = random.next();
    if (r < 0.3) return { window: wideWindow(random, box), kind: 'wide' as const };
    if (r < 0.55) return { window: closeWindow(random, box), kind: 'close' as const };
    if (r < 0.65) return { window: cuttingWindow(random, box), kind: 'cutting' as const };
    const corner = random.int(0, 3);
    return { window: trainingCornerWindow(random, photo, corner), kind: 'corner' as const, corner };
  });
}

/** Renders the photos of `spec` and reads each through its windows. `onProgress` is called after each photo. */
export function makeLocalizerSamples(
  spec: LocalizerSpec,
  side: number,
  onProgress?: (done: number, total: number) => void,
): LocalizerSamples {
  const perPhoto = spec.windows === 'whole-frame' ? 1 : spec.windows;
  const size = spec.photos * perPhoto;
  const per = side * side;
  const out = {
    x: new Uint8Array(size * per),
    corners: new Float32Array(size * 8),
    cornerWeight: new Float32Array(size * 4),
    countWeight: new Float32Array(size),
    present: new Float32Array(size),
    count: new Int32Array(size),
    aspect: new Float32Array(size),
    diagonal: new Float32Array(size),
    elevation: new Float32Array(size),
    kind: [] as WindowKind[],
    renderer: [] as string[],
    scene: [] as string[],
    style: [] as string[],
  };
  const random = createRandom(spec.seed ^ 0x10ca7e);
  const inputSpec = localizerInputSpec(side);
  let n = 0;
  for (let i = 0; i < spec.photos; i++) {
    const filter = spec.filters[i % spec.filters.length] ?? {};
    const photo = renderPhoto(spec.seed * 1_000_003 + i, filter, spec.request);
    const frame = photoTensor(photo);
    for (const { window, kind, corner } of windowsOf(random, photo, spec.windows)) {
      const input = preprocessColumns(
        frame,
        { columns: 1, corners: windowQuad(window), margins: NO_MARGINS },
        inputSpec,
      );
      const values = input.dataSync();
      input.dispose();
      const target = out.x.subarray(n * per, (n + 1) * per);
      for (let j = 0; j < per; j++) target[j] = Math.round((values[j] ?? 0) * 255);
      const inWindow = mapQuad(photo.corners, (p) => toWindow(window, p));
      out.corners.set(quadValues(inWindow), n * 8);
      const whole = photo.present && inside(photo.corners, window);
      out.present[n] = whole ? 1 : 0;
      out.cornerWeight.fill(whole ? 1 : 0, n * 4, n * 4 + 4);
      if (corner !== undefined) out.cornerWeight[n * 4 + corner] = 1;
      out.countWeight[n] = whole ? 1 : 0;
      out.count[n] = photo.digits.length - 1;
      out.aspect[n] = (window.width * photo.width) / (window.height * photo.height);
      out.diagonal[n] = Math.hypot(window.width * photo.width, window.height * photo.height);
      out.elevation[n] = photo.elevation;
      out.kind.push(kind);
      out.renderer.push(photo.renderer);
      out.scene.push(photo.present ? 'whole' : photo.scene === 'whole' ? 'hidden' : photo.scene);
      out.style.push(`${photo.beadShape}/${photo.beadColour}`);
      n++;
    }
    frame.dispose();
    onProgress?.(i + 1, spec.photos);
  }
  return { name: spec.name, size, side, photos: spec.photos, ...out };
}
