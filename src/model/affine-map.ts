/**
 * Affine maps x ↦ x · scale + offset: what a model's own normalization does
 * to its input, composed step by step by the topology readers.
 */

/** x ↦ x · scale + offset. */
export interface AffineMap {
  readonly scale: number;
  readonly offset: number;
}

/** The identity map. */
export const IDENTITY_MAP: AffineMap = { scale: 1, offset: 0 };

/** Composes two maps: first `a`, then `b`. */
export function thenMap(a: AffineMap, b: AffineMap): AffineMap {
  return { scale: a.scale * b.scale, offset: a.offset * b.scale + b.offset };
}

/** Renders a map as `x · 0.00784 − 1`. */
export function formatMap(map: AffineMap): string {
  const fmt = (v: number): string => String(Number(v.toPrecision(6)));
  const scale = map.scale === 1 ? 'x' : `x · ${fmt(map.scale)}`;
  if (map.offset === 0) return scale;
  return `${scale} ${map.offset < 0 ? '−' : '+'} ${fmt(Math.abs(map.offset))}`;
}

/** Applies a map to a range (the result sorted low to high). */
export function mapRange(
  map: AffineMap,
  range: { readonly min: number; readonly max: number },
): { min: number; max: number } {
  const a = range.min * map.scale + map.offset;
  const b = range.max * map.scale + map.offset;
  return { min: Math.min(a, b), max: Math.max(a, b) };
}
