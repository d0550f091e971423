/**
 * Pure projective geometry for the preprocessing: the homography that maps the
 * unit square onto a quadrilateral, and helpers built on it. No TF.js here, so
 * the UI, the renderer and the tests can use it without tensors.
 */
import type { Point, Quad } from './types.ts';

/** A 3 × 3 homography, row-major: [h00, h01, h02, h10, h11, h12, h20, h21, h22]. */
export type Homography = readonly [number, number, number, number, number, number, number, number, number];

/**
 * The homography H that maps the unit square onto `quad`:
 * (0,0) → topLeft, (1,0) → topRight, (1,1) → bottomRight, (0,1) → bottomLeft.
 *
 * Closed form (Heckbert, "Fundamentals of Texture Mapping", 1989, §2.2.3);
 * when the quad is a parallelogram the projective terms vanish and H is affine.
 *
 * @param quad the target quadrilateral (any coordinate system: normalized or pixels)
 * @throws RangeError when the quad is degenerate (three corners collinear)
 */
export function homographyFromUnitSquare(quad: Quad): Homography {
  const { x: x0, y: y0 } = quad.topLeft;
  const { x: x1, y: y1 } = quad.topRight;
  const { x: x2, y: y2 } = quad.bottomRight;
  const { x: x3, y: y3 } = quad.bottomLeft;
  const sx = x0 - x1 + x2 - x3;
  const sy = y0 - y1 + y2 - y3;
  let g = 0;
  let h = 0;
  if (sx !== 0 || sy !== 0) {
    const dx1 = x1 - x2;
    const dx2 = x3 - x2;
    const dy1 = y1 - y2;
    const dy2 = y3 - y2;
    const den = dx1 * dy2 - dx2 * dy1;
    if (Math.abs(den) < 1e-12) throw new RangeError('The quad is degenerate: its corners are collinear.');
    g = (sx * dy2 - dx2 * sy) / den;
    h = (dx1 * sy - sx * dy1) / den;
  }
  const a = x1 - x0 + g * x1;
  const b = x3 - x0 + h * x3;
  const d = y1 - y0 + g * y1;
  const e = y3 - y0 + h * y3;
  if (Math.abs(a * e - b * d) < 1e-12) throw new RangeError('The quad is degenerate: it has no area.');
  return [a, b, x0, d, e, y0, g, h, 1];
}

/** Applies a homography to the point (u, v). */
export function applyHomography(m: Homography, u: number, v: number): Point {
  const w = m[6] * u + m[7] * v + m[8];
  return { x: (m[0] * u + m[1] * v + m[2]) / w, y: (m[3] * u + m[4] * v + m[5]) / w };
}

/** The inverse of a homography (adjugate over determinant). */
export function invertHomography(m: Homography): Homography {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-15) throw new RangeError('The homography is singular.');
  const k = 1 / det;
  return [
    A * k,
    -(b * i - c * h) * k,
    (b * f - c * e) * k,
    B * k,
    (a * i - c * g) * k,
    -(a * f - c * d) * k,
    C * k,
    -(a * h - b * g) * k,
    (a * e - b * d) * k,
  ];
}

/** The product m1 · m2 (apply m2 first, then m1). */
export function composeHomographies(m1: Homography, m2: Homography): Homography {
  const at = (m: Homography, row: number, col: number): number => m[row * 3 + col] ?? 0;
  const cell = (row: number, col: number): number =>
    at(m1, row, 0) * at(m2, 0, col) + at(m1, row, 1) * at(m2, 1, col) + at(m1, row, 2) * at(m2, 2, col);
  return [cell(0, 0), cell(0, 1), cell(0, 2), cell(1, 0), cell(1, 1), cell(1, 2), cell(2, 0), cell(2, 1), cell(2, 2)];
}

/** The sub-quad of `quad` spanning u ∈ [u0, u1], v ∈ [v0, v1] of its perspective-corrected space. */
export function subQuad(quad: Quad, u0: number, u1: number, v0: number, v1: number): Quad {
  const m = homographyFromUnitSquare(quad);
  return {
    topLeft: applyHomography(m, u0, v0),
    topRight: applyHomography(m, u1, v0),
    bottomRight: applyHomography(m, u1, v1),
    bottomLeft: applyHomography(m, u0, v1),
  };
}
