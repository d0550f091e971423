import { InputError } from '../../src/errors.ts';
import type { Quad } from '../../src/preprocess/types.ts';

/**
 * Parses the `corners` attribute: eight numbers in [0, 1], separated by commas
 * or spaces, as x,y of the top-left, top-right, bottom-right and bottom-left
 * corners of the bead area.
 */
export function parseCorners(text: string): Quad {
  const numbers = text
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  if (numbers.length !== 8 || numbers.some((n) => !Number.isFinite(n) || n < 0 || n > 1)) {
    throw new InputError(
      'input/bad-geometry',
      `corners="${text}": give eight numbers in [0, 1] — x,y of the top-left, top-right, bottom-right and bottom-left corners of the bead area.`,
    );
  }
  const [x0, y0, x1, y1, x2, y2, x3, y3] = numbers as [number, number, number, number, number, number, number, number];
  return {
    topLeft: { x: x0, y: y0 },
    topRight: { x: x1, y: y1 },
    bottomRight: { x: x2, y: y2 },
    bottomLeft: { x: x3, y: y3 },
  };
}

/** The inverse of {@link parseCorners}. */
export function formatCorners(quad: Quad): string {
  const round = (n: number) => Number(n.toFixed(4));
  return [quad.topLeft, quad.topRight, quad.bottomRight, quad.bottomLeft]
    .map((p) => `${round(p.x)},${round(p.y)}`)
    .join(' ');
}
