/**
 * Where each column is: the margin-inset quad cut into equal columns in its
 * perspective-corrected space. Pure geometry (no TF.js).
 */
import { InputError } from '../errors.ts';
import { applyHomography, homographyFromUnitSquare, subQuad, type Homography } from './homography.ts';
import { MAX_GEOMETRY_COLUMNS, type ColumnGeometry, type Point, type Quad } from './types.ts';

/** Whether `columns` is a column count a geometry may ask for: a whole number from 1 to {@link MAX_GEOMETRY_COLUMNS}. */
export function isColumnCount(columns: number): boolean {
  return Number.isInteger(columns) && columns >= 1 && columns <= MAX_GEOMETRY_COLUMNS;
}

/** Throws an {@link InputError} (`input/bad-geometry`) naming the field when a geometry can't be used. */
export function checkGeometry(geometry: ColumnGeometry): void {
  const { columns, margins, corners } = geometry;
  if (!isColumnCount(columns)) {
    throw new InputError(
      'input/bad-geometry',
      `geometry.columns must be a whole number from 1 to ${MAX_GEOMETRY_COLUMNS}, got ${String(columns)}.`,
    );
  }
  for (const key of ['horizontal', 'vertical'] as const) {
    const m = margins[key];
    if (!Number.isFinite(m) || m < 0 || m >= 0.5) {
      throw new InputError('input/bad-geometry', `geometry.margins.${key} must be in [0, 0.5), got ${String(m)}.`);
    }
  }
  for (const key of ['topLeft', 'topRight', 'bottomRight', 'bottomLeft'] as const) {
    const p = corners[key];
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      throw new InputError('input/bad-geometry', `geometry.corners.${key} must have finite x and y.`);
    }
  }
  if (!isConvexQuad(corners)) {
    // A crossed or dented quad still has a homography, which reads columns from the wrong places without a word.
    throw new InputError(
      'input/bad-geometry',
      'geometry.corners do not outline a convex quad in the order top-left, top-right, bottom-right, bottom-left (two corners are swapped, or one lies inside the others).',
    );
  }
  try {
    homographyFromUnitSquare(corners);
  } catch (cause) {
    throw new InputError(
      'input/bad-geometry',
      'geometry.corners is degenerate (three corners on a line); pick four corners of the bead area.',
      { cause },
    );
  }
}

/** Whether the corners, taken in order, turn the same way at every corner (a convex, non-crossed quad); either turning direction (a mirrored view) is fine. */
export function isConvexQuad(quad: Quad): boolean {
  const points = [quad.topLeft, quad.topRight, quad.bottomRight, quad.bottomLeft];
  const turn = (a: Point, b: Point, c: Point): number => (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x);
  const turns = points.map((p, i) => turn(p, points[(i + 1) % 4]!, points[(i + 2) % 4]!));
  // Zero turns (three corners on a line) are left to the homography's degenerate check below.
  return turns.every((t) => t >= 0) || turns.every((t) => t <= 0);
}

/** The margin-inset quad of a geometry, in normalized frame coordinates. */
export function insetQuad(geometry: ColumnGeometry): Quad {
  const { horizontal: mh, vertical: mv } = geometry.margins;
  return subQuad(geometry.corners, mh, 1 - mh, mv, 1 - mv);
}

/**
 * The quad of every column, in normalized frame coordinates, left to right —
 * what the UI draws as column boxes. Column i spans u ∈ [i/N, (i+1)/N], v ∈ [0, 1]
 * of the inset quad's perspective-corrected space.
 */
export function columnBoxes(geometry: ColumnGeometry): Quad[] {
  checkGeometry(geometry);
  const inset = insetQuad(geometry);
  const n = geometry.columns;
  return Array.from({ length: n }, (_, i) => subQuad(inset, i / n, (i + 1) / n, 0, 1));
}

/** The homography from (u, v) ∈ unit square of the inset quad to normalized frame coordinates. */
export function insetHomography(geometry: ColumnGeometry): Homography {
  return homographyFromUnitSquare(insetQuad(geometry));
}

/**
 * Normalized frame coordinates of every output pixel centre, column-major by
 * column then row then x: index ((i · height) + r) · width + c. Pixel centres
 * sit at half-pixel offsets: u = (i + (c + ½)/width)/N, v = (r + ½)/height.
 */
export function samplePoints(
  geometry: ColumnGeometry,
  height: number,
  width: number,
): { xs: Float64Array; ys: Float64Array } {
  const m = insetHomography(geometry);
  const n = geometry.columns;
  const total = n * height * width;
  const xs = new Float64Array(total);
  const ys = new Float64Array(total);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < height; r++) {
      const v = (r + 0.5) / height;
      for (let c = 0; c < width; c++) {
        const p = applyHomography(m, (i + (c + 0.5) / width) / n, v);
        xs[k] = p.x;
        ys[k] = p.y;
        k++;
      }
    }
  }
  return { xs, ys };
}

/** Mean length of the quad's top and bottom edges, and of its left and right edges, in the units of its coordinates. */
export function quadSize(q: Quad, scaleX: number, scaleY: number): { width: number; height: number } {
  const len = (a: { x: number; y: number }, b: { x: number; y: number }): number =>
    Math.hypot((a.x - b.x) * scaleX, (a.y - b.y) * scaleY);
  return {
    width: (len(q.topLeft, q.topRight) + len(q.bottomLeft, q.bottomRight)) / 2,
    height: (len(q.topLeft, q.bottomLeft) + len(q.topRight, q.bottomRight)) / 2,
  };
}
