/**
 * A 3D soroban scene: the soroban (frame rails, reckoning bar, optional back
 * board, rods, turned beads), the table, clutter, a hand, and the lights —
 * all drawn from a seed. Units: one column pitch.
 */
import type { Random } from '../render/random.ts';
import { detCos, detSin } from '../render/random.ts';
import type { Rgb } from '../render/raster.ts';
import {
  backgroundColourOf,
  beadColourOf,
  frameColourOf,
  panelColourOf,
  rodColourOf,
  type Background,
  type BeadColour,
  type FrameColour,
} from '../render/styles.ts';
import type { BeadProfile, Box } from './primitives.ts';
import { beadProfile, type BeadProfileName } from './profiles.ts';

/** How a material's colour varies over its surface. */
export type Texture = 'none' | 'grain-x' | 'grain-y' | 'table-wood' | 'cloth' | 'paper' | 'bar';

/** A surface: albedo (0..255), a Blinn–Phong highlight, and a texture. */
export interface Material {
  readonly colour: Rgb;
  /** Highlight strength, 0..1. */
  readonly specular: number;
  /** Highlight exponent as a number of squarings (exponent 2^n). */
  readonly shininessLog2: number;
  readonly texture: Texture;
  /** Texture contrast and phase. */
  readonly grain: number;
  readonly phase: number;
}

/** A directional light: unit direction towards the light and its strength. */
export interface Light {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly strength: number;
}

/** An axis-aligned ellipsoid: centre `c`, semi-axes `s` (a palm, a ball). */
export interface Ellipsoid {
  readonly kind: 'ellipsoid';
  readonly c: readonly [number, number, number];
  readonly s: readonly [number, number, number];
  readonly material: number;
}

/** Something that may hide columns (fingers, a palm, a pen). */
export type Occluder =
  | {
      readonly kind: 'capsule';
      readonly p: readonly [number, number, number];
      readonly q: readonly [number, number, number];
      readonly radius: number;
      readonly material: number;
    }
  | Ellipsoid;

/** Clutter standing on the table. */
export type ClutterItem =
  | { readonly kind: 'box'; readonly box: Box; readonly material: number }
  | {
      readonly kind: 'upright';
      readonly x: number;
      readonly y: number;
      readonly radius: number;
      readonly height: number;
      readonly material: number;
    }
  | Ellipsoid;

/** Object ids that hits report (columns of beads and rods use their column index ≥ 0). */
export const OBJECT = { table: -1, frame: -2, bar: -3, board: -4, clutter: -5, occluder: -6 } as const;

/** The soroban's geometry. */
export interface SorobanGeometry {
  readonly columns: number;
  /** Rod x positions (column centres). */
  readonly rodX: readonly number[];
  readonly rodZ: number;
  readonly rodRadius: number;
  /** Bead centres along y, 5 per column (heaven first, then earth top to bottom). */
  readonly beadY: Float64Array;
  /** Material index of each bead. */
  readonly beadMaterial: Int32Array;
  readonly profile: BeadProfile;
  /** The bead area on the rod plane: x from x0 to x1, y from y0 (earth end) to y1 (heaven end), at z = rodZ. */
  readonly beadArea: { readonly x0: number; readonly x1: number; readonly y0: number; readonly y1: number };
  /** Reckoning bar and frame parts. */
  readonly bar: Box;
  readonly rails: readonly Box[];
  readonly board: Box | null;
  /** Unit dots on the bar: their x positions, radius and material, or none. */
  readonly dots: { readonly x: readonly number[]; readonly radius: number; readonly material: number } | null;
  /** Everything of the soroban lies in this box. */
  readonly bounds: Box;
  readonly materials: {
    readonly rod: number;
    readonly frame: number;
    readonly frameSide: number;
    readonly bar: number;
    readonly board: number;
  };
}

/** A whole scene. */
export interface Scene3d {
  readonly materials: Material[];
  readonly soroban: SorobanGeometry | null;
  readonly table: number;
  readonly clutter: readonly ClutterItem[];
  readonly occluders: readonly Occluder[];
  readonly lights: readonly Light[];
  readonly ambient: number;
}

/** The look of one soroban, by named family. */
export interface SorobanStyle3d {
  readonly profile: BeadProfileName;
  readonly beadColour: BeadColour;
  readonly frameColour: FrameColour;
  readonly backing: 'open' | 'board';
  readonly background: Background;
}

function material(colour: Rgb, random: Random, texture: Texture = 'none', glossy = false): Material {
  return {
    colour,
    specular: glossy ? random.range(0.15, 0.8) : random.range(0, 0.12),
    shininessLog2: glossy ? random.int(4, 7) : random.int(2, 4),
    texture,
    grain: texture === 'none' ? 0 : random.range(0.03, 0.14),
    phase: random.range(0, 100),
  };
}

/** Builds a soroban for `digits` with its frame's outer corner at the origin; adds its materials to `materials`. */
export function buildSoroban(
  random: Random,
  digits: readonly number[],
  style: SorobanStyle3d,
  materials: Material[],
): SorobanGeometry {
  const columns = digits.length;
  const add = (m: Material): number => materials.push(m) - 1;
  const beadRadius = random.range(0.39, 0.485);
  const tall =
    style.profile === 'flattened'
      ? random.range(0.3, 0.42)
      : style.profile === 'cylinder'
        ? random.range(0.45, 0.75)
        : random.range(0.36, 0.62);
  const h = beadRadius * tall; // bead half height
  const profile = beadProfile(style.profile, beadRadius, h, random);
  const heavenDeck = 2 * h * (1 + random.range(0.85, 1.6));
  const earthDeck = 2 * h * (4 + random.range(0.85, 1.7));
  const barWidth = random.range(0.12, 0.35);
  const railWidth = random.range(0.25, 0.8);
  const sideWidth = random.range(0.2, 0.7);
  const sidePad = random.range(0, 0.3);
  const board = style.backing === 'board';
  const boardThickness = board ? random.range(0.04, 0.15) : 0;
  const rodZ = boardThickness + beadRadius + random.range(0.03, 0.25);
  const railTop = rodZ + beadRadius * random.range(0.2, 1.25);
  const barTop = rodZ + beadRadius * random.range(0.05, 0.7);
  const barBottom = rodZ - beadRadius * random.range(0.2, 0.8);
  const rodRadius = random.range(0.025, 0.06);

  const x0 = sideWidth + sidePad;
  const x1 = x0 + columns;
  const width = x1 + sidePad + sideWidth;
  const y0 = railWidth; // earth end of the bead area
  const barY0 = y0 + earthDeck;
  const barY1 = barY0 + barWidth;
  const y1 = barY1 + heavenDeck;
  const length = y1 + railWidth;

  const frameColour = frameColourOf(style.frameColour, random);
  const wooden = style.frameColour === 'wood' || style.frameColour === 'dark-wood';
  const lacquer =
    style.frameColour === 'red-lacquer' || style.frameColour === 'black' || style.frameColour === 'plastic';
  const frame = add(material(frameColour, random, wooden ? 'grain-x' : 'none', lacquer));
  const frameSide = add({ ...(materials[frame] as Material), texture: wooden ? 'grain-y' : 'none' });
  const bar = add({
    ...material(random.chance(0.75) ? frameColour : frameColourOf(style.frameColour, random), random, 'bar', lacquer),
    texture: 'bar',
  });
  const boardMaterial = add(material(panelColourOf(random), random));
  const rod = add(material(rodColourOf(random).colour, random, 'none', true));
  const dots = random.chance(0.6)
    ? {
        x: Array.from({ length: Math.ceil(columns / 3) }, (_, k) => x0 + columns - 0.5 - 3 * k),
        radius: Math.min(0.09, barWidth * 0.35),
        material: add(material(random.chance(0.5) ? [235, 235, 230] : [25, 25, 25], random)),
      }
    : null;

  // Beads: one base colour per family (mixed: one per bead).
  const glossyBeads = random.chance(0.6);
  const base = beadColourOf(style.beadColour, random);
  const heavenBase = random.chance(0.15) ? beadColourOf(style.beadColour, random) : base;
  const baseMaterial = add(material(base, random, 'none', glossyBeads));
  const heavenMaterial = heavenBase === base ? baseMaterial : add(material(heavenBase, random, 'none', glossyBeads));
  const beadY = new Float64Array(columns * 5);
  const beadMaterial = new Int32Array(columns * 5);
  const rodX: number[] = [];
  const heavenSlack = heavenDeck - 2 * h;
  const earthSlack = earthDeck - 8 * h;
  digits.forEach((digit, i) => {
    rodX.push(x0 + i + 0.5);
    const mat = (bead: number): number =>
      style.beadColour === 'mixed'
        ? add(material(beadColourOf('mixed', random), random, 'none', glossyBeads))
        : bead === 0
          ? heavenMaterial
          : baseMaterial;
    // Heaven bead: down (at the bar) counts 5; up rests against the top rail, or a little below it.
    beadY[i * 5] =
      digit >= 5
        ? barY1 + h + random.range(0, 0.05) * h
        : y1 - h - random.range(0, 0.35) * Math.max(0, heavenSlack - h);
    beadMaterial[i * 5] = mat(0);
    const earth = digit % 5;
    // Earth beads pushed up to the bar, the rest resting against the bottom rail.
    let y = barY0 - random.range(0, 0.04) * h;
    for (let k = 0; k < earth; k++) {
      beadY[i * 5 + 1 + k] = y - h;
      beadMaterial[i * 5 + 1 + k] = mat(1 + k);
      y -= 2 * h + random.range(0, 0.03) * h;
    }
    let yb = y0 + random.range(0, 0.35) * Math.max(0, earthSlack - h) + random.range(0, 0.04) * h;
    for (let k = 3; k >= earth; k--) {
      beadY[i * 5 + 1 + k] = yb + h;
      beadMaterial[i * 5 + 1 + k] = mat(1 + k);
      yb += 2 * h + random.range(0, 0.03) * h;
    }
  });

  const rails: Box[] = [
    { x0: 0, y0: 0, z0: 0, x1: width, y1: railWidth, z1: railTop },
    { x0: 0, y0: y1, z0: 0, x1: width, y1: length, z1: railTop },
    { x0: 0, y0: railWidth, z0: 0, x1: sideWidth, y1: y1, z1: railTop },
    { x0: width - sideWidth, y0: railWidth, z0: 0, x1: width, y1: y1, z1: railTop },
  ];
  return {
    columns,
    rodX,
    rodZ,
    rodRadius,
    beadY,
    beadMaterial,
    profile,
    beadArea: { x0, x1, y0, y1 },
    bar: { x0: sideWidth, y0: barY0, z0: barBottom, x1: width - sideWidth, y1: barY1, z1: barTop },
    rails,
    board: board ? { x0: sideWidth, y0: railWidth, z0: 0, x1: width - sideWidth, y1: y1, z1: boardThickness } : null,
    dots,
    bounds: { x0: 0, y0: 0, z0: 0, x1: width, y1: length, z1: Math.max(railTop, barTop, rodZ + beadRadius) },
    materials: { rod, frame, frameSide, bar, board: boardMaterial },
  };
}

/** A table material of a background family. */
export function tableMaterial(random: Random, background: Background): Material {
  const colour = backgroundColourOf(background, random);
  const texture: Texture =
    background === 'wood' ? 'table-wood' : background === 'cloth' ? 'cloth' : background === 'paper' ? 'paper' : 'none';
  return {
    ...material(colour, random, texture, background === 'wood' && random.chance(0.5)),
    grain: random.range(0.04, 0.15),
  };
}

/** Random clutter on the table around `area` (x0..x1, y0..y1), never on it. */
export function randomClutter(
  random: Random,
  area: Box | null,
  count: number,
  reach: number,
  materials: Material[],
): ClutterItem[] {
  const items: ClutterItem[] = [];
  const cx = area === null ? 0 : (area.x0 + area.x1) / 2;
  const cy = area === null ? 0 : (area.y0 + area.y1) / 2;
  for (let tries = 0; items.length < count && tries < count * 10; tries++) {
    const x = cx + random.range(-reach, reach);
    const y = cy + random.range(-reach, reach);
    const size = random.range(0.3, 3);
    const colour: Rgb = [random.range(10, 250), random.range(10, 250), random.range(10, 250)];
    const m = materials.push(material(colour, random, 'none', random.chance(0.4))) - 1;
    const kind = random.int(0, 2);
    let box: Box;
    let item: ClutterItem;
    if (kind === 0) {
      const w = size * random.range(0.5, 2);
      const l = size * random.range(0.5, 2);
      box = { x0: x - w / 2, y0: y - l / 2, z0: 0, x1: x + w / 2, y1: y + l / 2, z1: random.range(0.05, 1.5) };
      item = { kind: 'box', box, material: m };
    } else if (kind === 1) {
      const radius = size * random.range(0.15, 0.5);
      const height = random.range(0.3, 4);
      box = { x0: x - radius, y0: y - radius, z0: 0, x1: x + radius, y1: y + radius, z1: height };
      item = { kind: 'upright', x, y, radius, height, material: m };
    } else {
      const s: [number, number, number] = [
        size * random.range(0.2, 0.6),
        size * random.range(0.2, 0.6),
        size * random.range(0.1, 0.4),
      ];
      box = { x0: x - s[0], y0: y - s[1], z0: 0, x1: x + s[0], y1: y + s[1], z1: 2 * s[2] };
      item = { kind: 'ellipsoid', c: [x, y, s[2]], s, material: m };
    }
    const overlaps =
      area !== null &&
      box.x1 > area.x0 - 0.2 &&
      box.x0 < area.x1 + 0.2 &&
      box.y1 > area.y0 - 0.2 &&
      box.y0 < area.y1 + 0.2;
    if (!overlaps) items.push(item);
  }
  return items;
}

const SKIN: readonly Rgb[] = [
  [241, 194, 167],
  [224, 172, 138],
  [198, 134, 96],
  [160, 104, 72],
  [112, 72, 50],
  [80, 52, 38],
];

/**
 * A hand over the soroban: a palm and one to four fingers reaching in from the user's side or from
 * the right, hovering above the beads, over the columns around `column` (in world x).
 */
export function randomHand(random: Random, soroban: SorobanGeometry, materials: Material[]): Occluder[] {
  const skin = SKIN[random.int(0, SKIN.length - 1)] as Rgb;
  const m =
    materials.push(
      material(
        [skin[0] * random.range(0.9, 1.05), skin[1] * random.range(0.9, 1.05), skin[2] * random.range(0.9, 1.05)],
        random,
      ),
    ) - 1;
  const { beadArea } = soroban;
  const x = random.range(beadArea.x0, beadArea.x1);
  const y = random.range(beadArea.y0, beadArea.y1);
  const z = soroban.bounds.z1 + random.range(0.1, 1.2);
  const fingerRadius = random.range(0.28, 0.42);
  // The direction the fingers point: from the user (−y) towards +y, turned up to ±60°.
  const turn = random.range(-1.05, 1.05);
  const dirX = detSin(turn);
  const dirY = detCos(turn);
  const sideX = dirY;
  const sideY = -dirX;
  const parts: Occluder[] = [];
  const fingers = random.int(1, 4);
  const palmBack = random.range(2, 3.5);
  for (let f = 0; f < fingers; f++) {
    const offset = (f - (fingers - 1) / 2) * fingerRadius * 2.1;
    const len = random.range(1.6, 3.2);
    const bx = x + sideX * offset - dirX * len;
    const by = y + sideY * offset - dirY * len;
    parts.push({
      kind: 'capsule',
      p: [bx, by, z + random.range(0, 0.3)],
      q: [x + sideX * offset, y + sideY * offset, z],
      radius: fingerRadius,
      material: m,
    });
  }
  const px = x - dirX * (palmBack + 1.2);
  const py = y - dirY * (palmBack + 1.2);
  parts.push({
    kind: 'ellipsoid',
    c: [px, py, z + 0.4],
    s: [random.range(1.6, 2.2), random.range(1.6, 2.4), random.range(0.6, 0.9)],
    material: m,
  });
  return parts;
}
