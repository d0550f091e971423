/**
 * The named looks the renderer draws from. Each id is reported with every
 * image, so datasets can hold a style out (train without it, test on it) and
 * reports can break accuracy down by style.
 */
import type { Random } from './random.ts';
import { hsl, type Rgb } from './raster.ts';

/** Bead silhouettes (seen from the front). */
export const BeadShape = {
  /** Classic soroban bicone: sharp left/right edge, flat top and bottom (a hexagon). */
  bicone: 'bicone',
  /** A rhombus: bicone without the flat top. */
  diamond: 'diamond',
  /** Rounded bead: an ellipse. */
  rounded: 'rounded',
  /** Flattened disc seen edge-on: a low rounded rectangle. */
  flattened: 'flattened',
  /** A lens (two circular arcs meeting in points left and right). */
  lens: 'lens',
} as const;
export type BeadShape = (typeof BeadShape)[keyof typeof BeadShape];
export const BEAD_SHAPES: readonly BeadShape[] = Object.values(BeadShape);

/** Colour families of beads. */
export const BeadColour = {
  wood: 'wood',
  darkWood: 'dark-wood',
  black: 'black',
  red: 'red',
  pastel: 'pastel',
  ivory: 'ivory',
  blue: 'blue',
  green: 'green',
  orange: 'orange',
  grey: 'grey',
  /** Every bead a different random colour (children's abacus). */
  mixed: 'mixed',
} as const;
export type BeadColour = (typeof BeadColour)[keyof typeof BeadColour];
export const BEAD_COLOURS: readonly BeadColour[] = Object.values(BeadColour);

/** Colour families of the frame and reckoning bar. */
export const FrameColour = {
  wood: 'wood',
  darkWood: 'dark-wood',
  black: 'black',
  redLacquer: 'red-lacquer',
  plastic: 'plastic',
  metal: 'metal',
} as const;
export type FrameColour = (typeof FrameColour)[keyof typeof FrameColour];
export const FRAME_COLOURS: readonly FrameColour[] = Object.values(FrameColour);

/** What is seen between the rods. */
export const Backing = {
  /** Open frame: the table shows through. */
  open: 'open',
  /** A solid panel behind the rods. */
  panel: 'panel',
} as const;
export type Backing = (typeof Backing)[keyof typeof Backing];

/** The surface the soroban lies on. */
export const Background = {
  plain: 'plain',
  wood: 'wood',
  paper: 'paper',
  dark: 'dark',
  cloth: 'cloth',
  cluttered: 'cluttered',
} as const;
export type Background = (typeof Background)[keyof typeof Background];
export const BACKGROUNDS: readonly Background[] = Object.values(Background);

function jitter(random: Random, c: Rgb, amount: number): Rgb {
  const k = 1 + random.range(-amount, amount);
  return [
    Math.min(255, c[0] * k + random.range(-8, 8)),
    Math.min(255, c[1] * k + random.range(-8, 8)),
    Math.min(255, c[2] * k + random.range(-8, 8)),
  ];
}

/** A base bead colour of a family (for `mixed`, one random bright colour per call). */
export function beadColourOf(family: BeadColour, random: Random): Rgb {
  switch (family) {
    case 'wood':
      return hsl(random.range(22, 40), random.range(0.35, 0.6), random.range(0.45, 0.62));
    case 'dark-wood':
      return hsl(random.range(12, 32), random.range(0.3, 0.6), random.range(0.16, 0.3));
    case 'black':
      return jitter(random, [28, 26, 26], 0.4);
    case 'red':
      return hsl(random.range(-8, 8), random.range(0.6, 0.85), random.range(0.32, 0.48));
    case 'pastel':
      return hsl(random.range(0, 360), random.range(0.35, 0.7), random.range(0.72, 0.85));
    case 'ivory':
      return hsl(random.range(35, 55), random.range(0.2, 0.5), random.range(0.84, 0.93));
    case 'blue':
      return hsl(random.range(200, 235), random.range(0.5, 0.8), random.range(0.3, 0.5));
    case 'green':
      return hsl(random.range(95, 150), random.range(0.4, 0.7), random.range(0.3, 0.48));
    case 'orange':
      return hsl(random.range(24, 40), random.range(0.75, 0.95), random.range(0.5, 0.6));
    case 'grey':
      return jitter(random, [128, 128, 132], 0.35);
    case 'mixed': {
      // Greens are left out so that 'green' can be held out cleanly.
      const h = random.range(0, 285);
      return hsl(h < 85 ? h : h + 75, random.range(0.5, 0.9), random.range(0.35, 0.65));
    }
  }
}

/** A frame colour of a family. */
export function frameColourOf(family: FrameColour, random: Random): Rgb {
  switch (family) {
    case 'wood':
      return hsl(random.range(20, 38), random.range(0.35, 0.6), random.range(0.35, 0.55));
    case 'dark-wood':
      return hsl(random.range(10, 30), random.range(0.3, 0.55), random.range(0.12, 0.25));
    case 'black':
      return jitter(random, [22, 22, 24], 0.5);
    case 'red-lacquer':
      return hsl(random.range(-6, 10), random.range(0.55, 0.8), random.range(0.25, 0.4));
    case 'plastic':
      return hsl(random.range(0, 360), random.range(0.2, 0.7), random.range(0.4, 0.9));
    case 'metal':
      return jitter(random, [170, 172, 176], 0.25);
  }
}

/** A rod colour (bamboo, metal, dark or brass). */
export function rodColourOf(random: Random): { id: string; colour: Rgb } {
  const id = random.pick(['bamboo', 'metal', 'dark', 'brass'] as const);
  const colour: Rgb =
    id === 'bamboo'
      ? hsl(random.range(35, 50), random.range(0.3, 0.5), random.range(0.55, 0.75))
      : id === 'metal'
        ? jitter(random, [180, 182, 186], 0.2)
        : id === 'dark'
          ? jitter(random, [40, 36, 34], 0.4)
          : hsl(random.range(40, 50), random.range(0.5, 0.7), random.range(0.45, 0.6));
  return { id, colour };
}

/** A panel colour behind the rods. */
export function panelColourOf(random: Random): Rgb {
  return random.pick<() => Rgb>([
    () => jitter(random, [235, 232, 222], 0.08),
    () => jitter(random, [30, 30, 32], 0.4),
    () => hsl(random.range(0, 360), random.range(0.1, 0.5), random.range(0.25, 0.8)),
    () => hsl(random.range(25, 40), random.range(0.3, 0.5), random.range(0.5, 0.7)),
  ])();
}

/** A table colour for a background family. */
export function backgroundColourOf(family: Background, random: Random): Rgb {
  switch (family) {
    case 'plain':
      return hsl(random.range(0, 360), random.range(0, 0.4), random.range(0.3, 0.8));
    case 'wood':
      return hsl(random.range(20, 40), random.range(0.3, 0.55), random.range(0.3, 0.6));
    case 'paper':
      return jitter(random, [238, 236, 230], 0.06);
    case 'dark':
      return jitter(random, [35, 35, 38], 0.5);
    case 'cloth':
      return hsl(random.range(0, 360), random.range(0.2, 0.6), random.range(0.25, 0.65));
    case 'cluttered':
      return hsl(random.range(0, 360), random.range(0, 0.3), random.range(0.35, 0.75));
  }
}
