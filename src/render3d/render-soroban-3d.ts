/**
 * Renders a photo of a solid soroban as a phone camera sees it: ray cast
 * with real perspective (camera elevation 35–90°, azimuth, roll, field of
 * view), turned beads, rails that hide part of a deck at low elevations,
 * shadows, a textured table, clutter, and optionally a hand over some columns,
 * a soroban cut off by the image edge, or no soroban at all. Deterministic
 * from a seed, the same bytes in Node and in every browser.
 */
import type { Quad } from '../preprocess/types.ts';
import { applyCamera, type CameraEffects } from '../render/camera.ts';
import { createRandom, detCos, detPow, detSin, type Random } from '../render/random.ts';
import { nonEmpty, requestedDigits, rgbToRgba, type SorobanRequest } from '../render/request.ts';
import {
  BACKGROUNDS,
  BEAD_COLOURS,
  FRAME_COLOURS,
  type Background,
  type BeadColour,
  type FrameColour,
} from '../render/styles.ts';
import { cameraRay, makeCamera, project, type Camera3d, type CameraPose } from './camera3d.ts';
import { T_MIN, type Hit, type Ray } from './primitives.ts';
import { BEAD_PROFILES, type BeadProfileName } from './profiles.ts';
import {
  buildSoroban,
  randomClutter,
  randomHand,
  tableMaterial,
  type Light,
  type Material,
  type Scene3d,
  type SorobanGeometry,
  type SorobanStyle3d,
} from './scene3d.ts';
import { intersect, noHit, shadeRay } from './trace.ts';

/** What kind of picture to take. */
export const SceneKind = {
  /** The whole soroban in view. */
  whole: 'whole',
  /** The soroban runs off an edge of the picture: some columns are outside it. */
  cutOff: 'cut-off',
  /** Only the table and what lies on it. */
  empty: 'empty',
} as const;
export type SceneKind = (typeof SceneKind)[keyof typeof SceneKind];

/** What to render. Everything not given is drawn from the seed. */
export interface Render3dOptions extends SorobanRequest {
  /** Allowed bead profiles (default: all). */
  readonly profiles?: readonly BeadProfileName[];
  /** Camera elevation range in degrees above the table (default [35, 90]); a list of ranges picks one at random, weighted by width. */
  readonly elevation?: readonly (readonly [number, number])[];
  /** Column pitch at the soroban's centre in pixels, [min, max] (default [18, 70], log-uniform). */
  readonly pitch?: readonly [number, number];
  /** Fraction of the image width the soroban spans, [min, max] (default [0.3, 0.95]). */
  readonly fill?: readonly [number, number];
  /** Chance of a hand over some columns (default 0). */
  readonly hand?: number;
  /** What kind of picture (default whole). */
  readonly scene?: SceneKind;
  /** Largest image side in pixels (default 960). */
  readonly maxSide?: number;
  /** Roll range ± degrees (default 8). */
  readonly roll?: number;
  /**
   * Ray cast only around the bead area (1.2 pitches sideways, 40 % of its height above and below) and
   * fill the rest with the table's flat colour: for training crops, which never look further, at a
   * fraction of the time. Default false (the whole picture).
   */
  readonly beadAreaOnly?: boolean;
  /** How the scene is lit (default `'varied'`); see {@link Lighting}. */
  readonly lighting?: Lighting;
}

/**
 * `'varied'`: one or two lights 25–85° above the table and a generous ambient, what training draws.
 * `'raking'`: one low sun 8–16° above the table and little ambient — long hard shadows across the rods and
 * bright bead rims on a dark frame (late light through a window), a look training never draws.
 */
export const LIGHTINGS = ['varied', 'raking'] as const;
export type Lighting = (typeof LIGHTINGS)[number];

/** The named look and the camera of one 3D photo. */
export interface Render3dStyle {
  readonly renderer: '3d';
  readonly profile: BeadProfileName;
  readonly beadColour: BeadColour;
  readonly frameColour: FrameColour;
  readonly backing: 'open' | 'board';
  readonly background: Background;
  readonly scene: SceneKind;
  readonly elevationDeg: number;
  readonly azimuthDeg: number;
  readonly rollDeg: number;
  readonly fovDeg: number;
  readonly hand: boolean;
  readonly clutter: number;
  readonly camera: CameraEffects;
  readonly lighting: Lighting;
}

/** One rendered 3D photo and its ground truth. */
export interface Rendered3dSoroban {
  readonly width: number;
  readonly height: number;
  /** RGBA, row-major, alpha 255. */
  readonly rgba: Uint8ClampedArray;
  /** Digits left to right (empty on an empty scene). */
  readonly digits: number[];
  /** The bead area on the rod plane, normalized to the image (corners may lie outside [0, 1] when cut off); null when empty. */
  readonly corners: Quad | null;
  /** Column pitch in pixels at the soroban's centre. */
  readonly pitch: number;
  /** Per column: the fraction of its bead area hidden by a hand or outside the picture, and whether that makes it unreadable. */
  readonly visibility: { readonly hidden: number; readonly outside: number; readonly readable: boolean }[];
  /** A whole soroban is in view: all of its bead area inside the picture and no more than a third of its columns hidden. */
  readonly present: boolean;
  readonly style: Render3dStyle;
}

const WHO = 'renderSoroban3d';

/** A column counts as unreadable when at least this fraction of its bead area is hidden or outside the picture. */
export const UNREADABLE_FRACTION = 0.12;

function pickRange(random: Random, ranges: readonly (readonly [number, number])[]): number {
  const total = ranges.reduce((s, r) => s + (r[1] - r[0]), 0);
  let u = random.next() * total;
  for (const [lo, hi] of ranges) {
    if (u <= hi - lo) return lo + u;
    u -= hi - lo;
  }
  const last = ranges[ranges.length - 1] ?? [35, 90];
  return last[1];
}

function randomLights(random: Random): { lights: Light[]; ambient: number } {
  const lights: Light[] = [];
  const count = random.chance(0.35) ? 2 : 1;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const el = random.range(25, 85) * (Math.PI / 180);
    const az = random.range(0, 2 * Math.PI);
    const strength = i === 0 ? random.range(0.45, 0.8) : random.range(0.1, 0.3);
    total += strength;
    lights.push({ x: detCos(el) * detCos(az), y: detCos(el) * detSin(az), z: detSin(el), strength });
  }
  return { lights, ambient: Math.max(0.15, random.range(0.9, 1.15) - total * 0.8) };
}

function rakingLight(random: Random): { lights: Light[]; ambient: number } {
  const el = random.range(8, 16) * (Math.PI / 180);
  const az = random.range(0, 2 * Math.PI);
  const light = {
    x: detCos(el) * detCos(az),
    y: detCos(el) * detSin(az),
    z: detSin(el),
    strength: random.range(1.1, 1.4),
  };
  return { lights: [light], ambient: random.range(0.1, 0.16) };
}

/** The fraction of a grid over the bead area (on the rod plane) that falls outside the picture. */
function outsideFraction(camera: Camera3d, area: SorobanGeometry['beadArea'], z: number): number {
  let outside = 0;
  const n = 24;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const p = project(
        camera,
        area.x0 + ((i + 0.5) / n) * (area.x1 - area.x0),
        area.y0 + ((k + 0.5) / n) * (area.y1 - area.y0),
        z,
      );
      if (p.depth <= 0 || p.x < 0 || p.x >= camera.width || p.y < 0 || p.y >= camera.height) outside++;
    }
  }
  return outside / (n * n);
}

/** The pixel rectangle around the bead area that training crops can reach (see Render3dOptions.beadAreaOnly). */
function castRegion(camera: Camera3d, s: SorobanGeometry): { x0: number; y0: number; x1: number; y1: number } {
  const { beadArea: a } = s;
  const marginX = 1.2;
  const marginY = 0.4 * (a.y1 - a.y0);
  const points = [
    project(camera, a.x0 - marginX, a.y0 - marginY, s.rodZ),
    project(camera, a.x1 + marginX, a.y0 - marginY, s.rodZ),
    project(camera, a.x0 - marginX, a.y1 + marginY, s.rodZ),
    project(camera, a.x1 + marginX, a.y1 + marginY, s.rodZ),
  ];
  const clampX = (v: number): number => Math.max(0, Math.min(camera.width, v));
  const clampY = (v: number): number => Math.max(0, Math.min(camera.height, v));
  return {
    x0: clampX(Math.floor(Math.min(...points.map((p) => p.x)))),
    x1: clampX(Math.ceil(Math.max(...points.map((p) => p.x)))),
    y0: clampY(Math.floor(Math.min(...points.map((p) => p.y)))),
    y1: clampY(Math.ceil(Math.max(...points.map((p) => p.y)))),
  };
}

/** Runs `edit` on a copy of a rectangle of an RGB picture and writes the copy back. */
function withinRegion<T>(
  rgb: Float32Array,
  width: number,
  r: { x0: number; y0: number; x1: number; y1: number },
  edit: (sub: Float32Array, w: number, h: number) => T,
): T {
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  const sub = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++)
    sub.set(rgb.subarray(((r.y0 + y) * width + r.x0) * 3, ((r.y0 + y) * width + r.x1) * 3), y * w * 3);
  const result = edit(sub, w, h);
  for (let y = 0; y < h; y++) rgb.set(sub.subarray(y * w * 3, (y + 1) * w * 3), ((r.y0 + y) * width + r.x0) * 3);
  return result;
}

/** Image points of the soroban's bounding box corners. */
function projectedBounds(camera: Camera3d, s: SorobanGeometry): { x: number; y: number; depth: number }[] {
  const b = s.bounds;
  const points: { x: number; y: number; depth: number }[] = [];
  for (const x of [b.x0, b.x1])
    for (const y of [b.y0, b.y1]) for (const z of [b.z0, b.z1]) points.push(project(camera, x, y, z));
  return points;
}

/**
 * Renders a photo of a 3D soroban.
 *
 * ```ts
 * const photo = renderSoroban3d({ seed: 7, digits: [1, 2, 3], elevation: [[40, 50]] });
 * // photo.rgba, photo.corners, photo.visibility[i].readable, photo.style.elevationDeg …
 * ```
 */
export function renderSoroban3d(options: Render3dOptions): Rendered3dSoroban {
  const random = createRandom(options.seed ^ 0x3d3d3d);
  const kind = options.scene ?? 'whole';
  const digits = requestedDigits(random, options, WHO);
  const columns = digits.length;
  const style: SorobanStyle3d = {
    profile: random.pick(nonEmpty(options.profiles, BEAD_PROFILES, 'profiles', WHO)),
    beadColour: random.pick(nonEmpty(options.beadColours, BEAD_COLOURS, 'beadColours', WHO)),
    frameColour: random.pick(nonEmpty(options.frameColours, FRAME_COLOURS, 'frameColours', WHO)),
    backing: random.chance(0.5) ? 'open' : 'board',
    background: random.pick(nonEmpty(options.backgrounds, BACKGROUNDS, 'backgrounds', WHO)),
  };
  const materials: Material[] = [];
  const table = materials.push(tableMaterial(random, style.background)) - 1;
  const built = buildSoroban(random, digits, style, materials);
  const soroban = kind === 'empty' ? null : built;
  const hand = soroban !== null && random.chance(options.hand ?? 0);
  const occluders = hand && soroban !== null ? randomHand(random, soroban, materials) : [];
  const clutterCount = style.background === 'cluttered' ? random.int(3, 8) : random.chance(0.3) ? random.int(1, 3) : 0;
  const clutter = randomClutter(
    random,
    built.bounds,
    clutterCount,
    (built.bounds.x1 + built.bounds.y1) * 0.9,
    materials,
  );
  const lighting = options.lighting ?? 'varied';
  const { lights, ambient } = lighting === 'raking' ? rakingLight(random) : randomLights(random);
  const scene: Scene3d = { materials, soroban, table, clutter, occluders, lights, ambient };

  // Camera: elevation, azimuth, roll, field of view; distance from the wanted pitch in pixels.
  const elevationDeg = pickRange(random, options.elevation ?? [[35, 90]]);
  const azimuthDeg = random.range(-20, 20);
  const rollLimit = options.roll ?? 8;
  const rollDeg = random.range(-rollLimit, rollLimit);
  const fovDeg = random.range(45, 75);
  const [minPitch, maxPitch] = options.pitch ?? [18, 70];
  let pitch = minPitch * detPow(maxPitch / minPitch, random.next());
  const [minFill, maxFill] = options.fill ?? [0.3, 0.95];
  const fill = random.range(minFill, maxFill);
  const maxSide = options.maxSide ?? 960;
  const sorobanWidth = built.bounds.x1;
  let width = Math.round((sorobanWidth * pitch) / fill);
  if (width > maxSide) {
    pitch *= maxSide / width;
    width = maxSide;
  }
  width = Math.max(48, width);
  const aspect = random.pick([0.75, 0.5625, 1, 1.333]);
  const height = Math.max(48, Math.round(width * aspect));
  const { beadArea } = built;
  const centre = { x: (beadArea.x0 + beadArea.x1) / 2, y: (beadArea.y0 + beadArea.y1) / 2, z: built.rodZ };
  const target = {
    x: centre.x + random.range(-0.1, 0.1) * sorobanWidth * (1 - fill),
    y: centre.y + random.range(-0.3, 0.3),
    z: centre.z,
  };
  const half = ((fovDeg / 2) * Math.PI) / 180;
  const focal = width / 2 / (detSin(half) / detCos(half));
  let pose: CameraPose = { elevationDeg, azimuthDeg, rollDeg, fovDeg, distance: focal / pitch, target };
  let camera = makeCamera(pose, width, height);
  // Move back until the whole soroban is in the picture (a photo of a whole soroban promises that).
  const margin = 0.02 * Math.max(width, height);
  for (let tries = 0; tries < 40; tries++) {
    const inside = projectedBounds(camera, built).every(
      (p) => p.depth > 0 && p.x >= margin && p.x <= width - margin && p.y >= margin && p.y <= height - margin,
    );
    if (inside) break;
    pose = { ...pose, distance: pose.distance * 1.08 };
    camera = makeCamera(pose, width, height);
  }
  if (kind === 'cut-off') {
    // Slide the view along the soroban (or across it) until 20–60 % of its bead area is outside the picture.
    const wanted = random.range(0.2, 0.6);
    const along = random.chance(0.75);
    const direction = random.chance(0.5) ? 1 : -1;
    const span = along ? beadArea.x1 - beadArea.x0 : beadArea.y1 - beadArea.y0;
    const moved = (amount: number): Camera3d => {
      const dx = along ? direction * amount : 0;
      const dy = along ? 0 : direction * amount;
      return makeCamera(
        { ...pose, target: { ...pose.target, x: pose.target.x + dx, y: pose.target.y + dy } },
        width,
        height,
      );
    };
    let lo = 0;
    let hi = 2 * span + 4;
    for (let step = 0; step < 24; step++) {
      const mid = (lo + hi) / 2;
      if (outsideFraction(moved(mid), beadArea, built.rodZ) < wanted) lo = mid;
      else hi = mid;
    }
    camera = moved(hi);
  }

  // Cast: 2 × 2 samples per pixel when columns are small (their edges would alias).
  const samples = pitch < 24 ? 2 : 1;
  const rgb = new Float32Array(width * height * 3);
  const ray: Ray = { ox: 0, oy: 0, oz: 0, dx: 0, dy: 0, dz: 0 };
  const hit = noHit();
  const colour = new Float32Array(3);
  const weight = 1 / (samples * samples);
  const region =
    options.beadAreaOnly === true && soroban !== null
      ? castRegion(camera, soroban)
      : { x0: 0, y0: 0, x1: width, y1: height };
  if (region.x1 - region.x0 < width || region.y1 - region.y0 < height) {
    const table = materials[scene.table] as Material;
    for (let j = 0; j < rgb.length; j += 3) {
      rgb[j] = table.colour[0] * ambient;
      rgb[j + 1] = table.colour[1] * ambient;
      rgb[j + 2] = table.colour[2] * ambient;
    }
  }
  for (let py = region.y0; py < region.y1; py++) {
    for (let px = region.x0; px < region.x1; px++) {
      const j = (py * width + px) * 3;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          cameraRay(camera, px + (sx + 0.5) / samples, py + (sy + 0.5) / samples, ray);
          shadeRay(scene, ray, hit, colour, 0);
          rgb[j] = (rgb[j] as number) + (colour[0] as number) * weight;
          rgb[j + 1] = (rgb[j + 1] as number) + (colour[1] as number) * weight;
          rgb[j + 2] = (rgb[j + 2] as number) + (colour[2] as number) * weight;
        }
      }
    }
  }
  const lens = { rotationDeg: rollDeg, tiltX: 0, tiltY: 0 };
  const whole = region.x0 === 0 && region.y0 === 0 && region.x1 === width && region.y1 === height;
  // Only the cast region gets the camera's effects (a fifth of the time went to blurring and noising a flat fill no crop reads).
  const effects = whole
    ? applyCamera(random, rgb, width, height, lens, 0, pitch)
    : withinRegion(rgb, width, region, (sub, w, h) => applyCamera(random, sub, w, h, lens, 0, pitch));
  const rgba = rgbToRgba(rgb);

  const styleOut: Render3dStyle = {
    renderer: '3d',
    ...style,
    scene: kind,
    elevationDeg,
    azimuthDeg,
    rollDeg,
    fovDeg,
    hand,
    clutter: clutter.length,
    camera: effects,
    lighting,
  };
  if (soroban === null) {
    return { width, height, rgba, digits: [], corners: null, pitch, visibility: [], present: false, style: styleOut };
  }
  const norm = (x: number, y: number): { x: number; y: number } => {
    const p = project(camera, x, y, soroban.rodZ);
    return { x: p.x / width, y: p.y / height };
  };
  const corners: Quad = {
    topLeft: norm(beadArea.x0, beadArea.y1),
    topRight: norm(beadArea.x1, beadArea.y1),
    bottomRight: norm(beadArea.x1, beadArea.y0),
    bottomLeft: norm(beadArea.x0, beadArea.y0),
  };
  const visibility = columnVisibility(scene, soroban, camera);
  const allInside = visibility.every((v) => v.outside === 0);
  const hiddenColumns = visibility.filter((v) => v.hidden >= UNREADABLE_FRACTION).length;
  return {
    width,
    height,
    rgba,
    digits,
    corners,
    pitch,
    visibility,
    present: allInside && hiddenColumns <= columns / 3,
    style: styleOut,
  };
}

/**
 * For each column, the fraction of a grid of points over its bead area (on the rod plane) that an
 * occluder hides from the camera, and the fraction that falls outside the picture.
 */
function columnVisibility(
  scene: Scene3d,
  s: SorobanGeometry,
  camera: Camera3d,
): { hidden: number; outside: number; readable: boolean }[] {
  const occludersOnly: Scene3d = { ...scene, soroban: null, clutter: [] };
  const ray: Ray = { ox: 0, oy: 0, oz: 0, dx: 0, dy: 0, dz: 0 };
  const hit: Hit = noHit();
  const across = 3;
  const along = 16;
  const { beadArea } = s;
  return s.rodX.map((_, c) => {
    let hidden = 0;
    let outside = 0;
    for (let i = 0; i < across; i++) {
      for (let k = 0; k < along; k++) {
        const x = beadArea.x0 + c + (i + 0.5) / across;
        const y = beadArea.y0 + ((k + 0.5) / along) * (beadArea.y1 - beadArea.y0);
        const p = project(camera, x, y, s.rodZ);
        if (p.x < 0 || p.x >= camera.width || p.y < 0 || p.y >= camera.height) {
          outside++;
          continue;
        }
        ray.ox = camera.eye[0];
        ray.oy = camera.eye[1];
        ray.oz = camera.eye[2];
        ray.dx = x - camera.eye[0];
        ray.dy = y - camera.eye[1];
        ray.dz = s.rodZ - camera.eye[2];
        // t = 1 is the point itself; anything nearer in front of the beads hides it.
        if (scene.occluders.length > 0 && intersect(occludersOnly, ray, hit, 1 - T_MIN) && hit.object !== -1) hidden++;
      }
    }
    const n = across * along;
    const hiddenFraction = hidden / n;
    const outsideFraction = outside / n;
    return {
      hidden: hiddenFraction,
      outside: outsideFraction,
      readable: hiddenFraction + outsideFraction < UNREADABLE_FRACTION,
    };
  });
}
