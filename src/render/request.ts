/**
 * What both renderers (the flat one here and the 3D one in src/render3d)
 * are asked for, and the checks and conversions they share.
 */
import type { Random } from './random.ts';
import type { Background, BeadColour, FrameColour } from './styles.ts';

/** The most columns a rendered soroban has. */
export const MAX_COLUMNS = 21;

/** The options every renderer takes. Everything not given is drawn from the seed. */
export interface SorobanRequest {
  /** Seed: the same seed and options give the same bytes, in Node and in a browser. */
  readonly seed: number;
  /** Column count, 1..21 (ignored when `digits` is given). */
  readonly columns?: number;
  /** Digits 0..9, left to right. */
  readonly digits?: readonly number[];
  /** Allowed bead colour families (default: all). */
  readonly beadColours?: readonly BeadColour[];
  /** Allowed frame colour families (default: all). */
  readonly frameColours?: readonly FrameColour[];
  /** Allowed backgrounds (default: all). */
  readonly backgrounds?: readonly Background[];
  /** Column pitch in output pixels, [min, max], log-uniform (each renderer has its default). */
  readonly pitch?: readonly [number, number];
}

/** `allowed` (or `all` when not given), refusing an empty list; `who` names the renderer in the error. */
export function nonEmpty<T>(
  allowed: readonly T[] | undefined,
  all: readonly T[],
  name: string,
  who: string,
): readonly T[] {
  const list = allowed ?? all;
  if (list.length === 0) throw new RangeError(`${who}: options.${name} must not be empty.`);
  return list;
}

/** The digits to draw: the request's, or `columns` (drawn when not given) random ones; a RangeError for anything out of range. */
export function requestedDigits(random: Random, request: SorobanRequest, who: string): number[] {
  const columns = request.digits?.length ?? request.columns ?? random.int(1, MAX_COLUMNS);
  if (!Number.isInteger(columns) || columns < 1 || columns > MAX_COLUMNS) {
    throw new RangeError(`${who}: columns must be an integer in 1..${MAX_COLUMNS}, got ${String(columns)}.`);
  }
  const digits =
    request.digits !== undefined ? [...request.digits] : Array.from({ length: columns }, () => random.int(0, 9));
  for (const d of digits) {
    if (!Number.isInteger(d) || d < 0 || d > 9)
      throw new RangeError(`${who}: every digit must be an integer 0..9, got ${String(d)}.`);
  }
  return digits;
}

/** Opaque RGBA bytes of an RGB float picture (0..255). */
export function rgbToRgba(rgb: Float32Array): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray((rgb.length / 3) * 4);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    // Uint8ClampedArray rounds half to even and clamps: exact and engine-independent.
    rgba[i] = rgb[j] ?? 0;
    rgba[i + 1] = rgb[j + 1] ?? 0;
    rgba[i + 2] = rgb[j + 2] ?? 0;
    rgba[i + 3] = 255;
  }
  return rgba;
}
