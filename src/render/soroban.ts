/**
 * Draws a flat, front-facing soroban into a layer: frame, reckoning bar with
 * unit dots, rods and beads showing the given digits. The camera (see
 * camera.ts) then places this layer in a photo.
 */
import type { Random } from './random.ts';
import { detExp, detSin } from './random.ts';
import {
  createLayer,
  ellipse,
  lens,
  mix,
  offset,
  paint,
  rect,
  roundedBox,
  shade,
  symmetricPolygon,
  type Layer,
  type Rgb,
  type Sdf,
} from './raster.ts';
import type { BeadShape } from './styles.ts';

/** Everything that fixes the look of one soroban. */
export interface SorobanLook {
  readonly beadShape: BeadShape;
  /** Colour of each bead, by column then bead (0 = heaven, 1..4 = earth, top to bottom). */
  readonly beadColour: (column: number, bead: number) => Rgb;
  readonly frameColour: Rgb;
  readonly barColour: Rgb;
  readonly rodColour: Rgb;
  /** Panel colour behind the rods, or null when the frame is open. */
  readonly panelColour: Rgb | null;
  /** Dot colour on the bar, or null for no unit dots. */
  readonly dotColour: Rgb | null;
  /** Wood-grain contrast of the frame (0 = plain). */
  readonly grain: number;
  /** Bead shadow strength (0 = none) and offset direction in bead heights. */
  readonly shadow: { readonly strength: number; readonly dx: number; readonly dy: number };
  /** Bead shading: how strongly light from above brightens the top. */
  readonly relief: number;
  /** Specular highlight strength (0 = matte). */
  readonly gloss: number;
}

/** Geometry of one soroban, in scene pixels. */
export interface SorobanLayout {
  readonly columns: number;
  readonly pitch: number;
  readonly beadWidth: number;
  readonly beadHeight: number;
  readonly heavenDeck: number;
  readonly earthDeck: number;
  readonly bar: number;
  readonly frameTop: number;
  readonly frameBottom: number;
  readonly frameSide: number;
  readonly sidePad: number;
  readonly rodWidth: number;
}

/** A random layout for `columns` columns at `pitch` scene pixels per column. */
export function randomLayout(random: Random, columns: number, pitch: number, shape: BeadShape): SorobanLayout {
  const beadWidth = pitch * random.range(0.78, 0.97);
  const tall = shape === 'flattened' ? random.range(0.3, 0.45) : random.range(0.36, 0.62);
  return {
    columns,
    pitch,
    beadWidth,
    beadHeight: beadWidth * tall,
    heavenDeck: beadWidth * tall * (1 + random.range(0.85, 1.6)),
    earthDeck: beadWidth * tall * (4 + random.range(0.85, 1.7)),
    bar: pitch * random.range(0.1, 0.35),
    frameTop: pitch * random.range(0.25, 0.9),
    frameBottom: pitch * random.range(0.25, 0.9),
    frameSide: pitch * random.range(0.2, 0.8),
    sidePad: pitch * random.range(0, 0.3),
    rodWidth: pitch * random.range(0.04, 0.12),
  };
}

/** Scene size and the bead area (the ground-truth quad before the camera). */
export function sceneSize(l: SorobanLayout): {
  width: number;
  height: number;
  beadArea: { x0: number; y0: number; x1: number; y1: number };
} {
  const width = 2 * (l.frameSide + l.sidePad) + l.columns * l.pitch;
  const height = l.frameTop + l.heavenDeck + l.bar + l.earthDeck + l.frameBottom;
  const x0 = l.frameSide + l.sidePad;
  return { width, height, beadArea: { x0, y0: l.frameTop, x1: x0 + l.columns * l.pitch, y1: height - l.frameBottom } };
}

function beadSdf(shape: BeadShape, cx: number, cy: number, a: number, b: number, flat: number): Sdf {
  switch (shape) {
    case 'bicone':
      return symmetricPolygon(cx, cy, [
        [a, 0],
        [a * flat, b],
        [0, b],
      ]);
    case 'diamond':
      return symmetricPolygon(cx, cy, [
        [a, 0],
        [0, b],
      ]);
    case 'rounded':
      return ellipse(cx, cy, a, b);
    case 'flattened':
      return roundedBox(cx, cy, a, b, b * flat * 1.6);
    case 'lens':
      return lens(cx, cy, a, b);
  }
}

function beadShader(
  look: SorobanLook,
  base: Rgb,
  cx: number,
  cy: number,
  a: number,
  b: number,
): (x: number, y: number, d: number) => Rgb {
  const faceted = look.beadShape === 'bicone' || look.beadShape === 'diamond';
  const upper = 1 + 0.35 * look.relief;
  const lower = 1 - 0.35 * look.relief;
  return (x, y, d) => {
    const nx = (x - cx) / a;
    const ny = (y - cy) / b;
    let k = faceted
      ? (ny < 0 ? upper : lower) - 0.08 * look.relief * nx
      : 1 - 0.35 * look.relief * ny - 0.2 * look.relief * (nx * nx);
    // Edge darkening: the silhouette turns away from the light.
    const edge = Math.min(1, -d / Math.max(1.5, 0.18 * b));
    k *= 0.75 + 0.25 * Math.max(0, edge);
    let c = shade(base, k);
    if (look.gloss > 0) {
      const hx = nx + 0.25;
      const hy = ny + (faceted ? 0.45 : 0.5);
      const s = look.gloss * detExp(-(hx * hx * 4 + hy * hy * 14));
      c = mix(c, [255, 255, 255], Math.min(1, s));
    }
    return c;
  };
}

/** Draws the soroban for `digits` (0..9 each, left to right) into a new scene layer. */
export function drawSoroban(
  random: Random,
  layout: SorobanLayout,
  look: SorobanLook,
  digits: readonly number[],
): { layer: Layer; beadArea: { x0: number; y0: number; x1: number; y1: number } } {
  const { width, height, beadArea } = sceneSize(layout);
  const layer = createLayer(Math.ceil(width), Math.ceil(height));
  const { x0, y0, y1 } = beadArea;
  const innerX0 = layout.frameSide;
  const innerX1 = width - layout.frameSide;
  const barTop = y0 + layout.heavenDeck;
  const barBottom = barTop + layout.bar;

  if (look.panelColour !== null) {
    const panel = look.panelColour;
    paint(layer, rect(innerX0, y0, innerX1, y1), { x0: innerX0, y0, x1: innerX1, y1 }, () => panel);
  }

  // Rods, with imperfect spacing.
  const rodX: number[] = [];
  for (let i = 0; i < layout.columns; i++) {
    const cx = x0 + (i + 0.5) * layout.pitch + random.normal() * 0.02 * layout.pitch;
    rodX.push(cx);
    const rw = layout.rodWidth / 2;
    const rod = look.rodColour;
    paint(layer, rect(cx - rw, y0, cx + rw, y1), { x0: cx - rw, y0, x1: cx + rw, y1 }, (x) =>
      shade(rod, 1.1 - 0.3 * Math.abs((x - cx) / rw)),
    );
  }

  // Reckoning bar with unit dots on every third rod from the right.
  const barShade = look.barColour;
  paint(
    layer,
    rect(innerX0, barTop, innerX1, barBottom),
    { x0: innerX0, y0: barTop, x1: innerX1, y1: barBottom },
    (_x, y) => shade(barShade, 1.12 - 0.25 * ((y - barTop) / layout.bar)),
  );
  if (look.dotColour !== null) {
    const dot = look.dotColour;
    const r = Math.min(layout.bar * 0.35, layout.pitch * 0.08);
    for (let i = layout.columns - 1; i >= 0; i -= 3) {
      const cx = rodX[i] ?? 0;
      const cy = (barTop + barBottom) / 2;
      paint(layer, ellipse(cx, cy, r, r), { x0: cx - r, y0: cy - r, x1: cx + r, y1: cy + r }, () => dot);
    }
  }

  // Beads: centres for every column, then shadows, then beads.
  const a = layout.beadWidth / 2;
  const b = layout.beadHeight / 2;
  const flat = random.range(0.2, 0.45);
  const beads: { cx: number; cy: number; colour: Rgb }[] = [];
  const heavenSlack = layout.heavenDeck - layout.beadHeight; // free travel of the heaven bead
  const earthSlack = layout.earthDeck - 4 * layout.beadHeight;
  digits.forEach((digit, i) => {
    const heaven = digit >= 5;
    const earth = digit % 5;
    const rod = rodX[i] ?? 0;
    const jx = (): number => rod + random.range(-0.03, 0.03) * layout.pitch;
    // An "away" bead may not be pushed all the way, but stays clearly apart from the bar.
    const heavenY = heaven
      ? barTop - b - random.range(0, 0.06) * layout.beadHeight
      : y0 + b + random.range(0, 0.35) * Math.max(0, heavenSlack - 0.5 * layout.beadHeight);
    beads.push({ cx: jx(), cy: heavenY, colour: look.beadColour(i, 0) });
    let y = barBottom + random.range(0, 0.04) * layout.beadHeight;
    for (let k = 0; k < earth; k++) {
      beads.push({ cx: jx(), cy: y + b, colour: look.beadColour(i, k + 1) });
      y += layout.beadHeight + random.range(0, 0.03) * layout.beadHeight;
    }
    const lift = random.range(0, 0.35) * Math.max(0, earthSlack - 0.5 * layout.beadHeight);
    let yb = y1 - lift - random.range(0, 0.04) * layout.beadHeight;
    for (let k = 3; k >= earth; k--) {
      beads.push({ cx: jx(), cy: yb - b, colour: look.beadColour(i, k + 1) });
      yb -= layout.beadHeight + random.range(0, 0.03) * layout.beadHeight;
    }
  });
  if (look.shadow.strength > 0) {
    const dx = look.shadow.dx * layout.beadHeight;
    const dy = look.shadow.dy * layout.beadHeight;
    const soft = Math.max(1, 0.25 * layout.beadHeight);
    for (const bead of beads) {
      const sdf = offset(beadSdf(look.beadShape, bead.cx, bead.cy, a, b, flat), dx, dy);
      paint(
        layer,
        sdf,
        { x0: bead.cx - a + dx, y0: bead.cy - b + dy, x1: bead.cx + a + dx, y1: bead.cy + b + dy },
        () => [0, 0, 0],
        look.shadow.strength,
        soft,
      );
    }
  }
  for (const bead of beads) {
    const sdf = beadSdf(look.beadShape, bead.cx, bead.cy, a, b, flat);
    paint(
      layer,
      sdf,
      { x0: bead.cx - a, y0: bead.cy - b, x1: bead.cx + a, y1: bead.cy + b },
      beadShader(look, bead.colour, bead.cx, bead.cy, a, b),
    );
  }

  // Frame: four bars with wood grain and a lit top edge.
  const frame = look.frameColour;
  const phase = random.range(0, 100);
  const grainColour = (x: number, y: number): Rgb => {
    const g = look.grain * detSin(0.9 * y + 0.05 * x + 3 * detSin(0.013 * x + phase) + phase);
    return shade(frame, 1 + g);
  };
  const sides: [number, number, number, number][] = [
    [0, 0, width, y0],
    [0, y1, width, height],
    [0, y0, innerX0, y1],
    [innerX1, y0, width, y1],
  ];
  for (const [fx0, fy0, fx1, fy1] of sides) {
    paint(layer, rect(fx0, fy0, fx1, fy1), { x0: fx0, y0: fy0, x1: fx1, y1: fy1 }, grainColour);
  }
  // A thin bright bevel along the outer top edge and a dark inner edge.
  const bevel = Math.max(1, layout.frameTop * 0.12);
  paint(layer, rect(0, 0, width, bevel), { x0: 0, y0: 0, x1: width, y1: bevel }, () => shade(frame, 1.35), 0.6);
  paint(
    layer,
    rect(innerX0, y1 - 1, innerX1, y1),
    { x0: innerX0, y0: y1 - 1, x1: innerX1, y1 },
    () => shade(frame, 0.5),
    0.5,
  );
  return { layer, beadArea };
}
