/**
 * Encoding one float32 weight tensor the way tensorflowjs_converter does
 * (`tensorflowjs/quantization.py`), since TF.js 4.22 can read quantized
 * weights but not write them: uint8/uint16 with a per-tensor affine map
 * (dequantized as q · scale + min, the range nudged so that 0 is exact) or
 * IEEE half floats.
 */
import { InputError } from '../errors.ts';
import { readWeight } from '../model/weights.ts';

/** The encodings a weight can be stored in, smallest first. */
export const ENCODINGS = ['uint8', 'uint16', 'float16', 'float32'] as const;
/** One of {@link ENCODINGS}. */
export type Encoding = (typeof ENCODINGS)[number];

/** Bytes per value of each encoding. */
export const BYTES_PER_VALUE: Readonly<Record<Encoding, number>> = { uint8: 1, uint16: 2, float16: 2, float32: 4 };

/** The manifest entry's `quantization` block, exactly as TF.js reads it. */
export type QuantizationBlock =
  | {
      readonly dtype: 'uint8' | 'uint16';
      readonly min: number;
      readonly scale: number;
      readonly original_dtype: 'float32';
    }
  | { readonly dtype: 'float16'; readonly original_dtype: 'float32' };

/** A tensor in one encoding: the shard bytes, the manifest block and the values TF.js will see after loading. */
export interface EncodedWeight {
  readonly encoding: Encoding;
  readonly bytes: Uint8Array;
  /** Undefined for float32 (no block in the manifest). */
  readonly quantization: QuantizationBlock | undefined;
  /** The dequantized values, float32 as TF.js holds them. */
  readonly decoded: Float32Array;
}

/** numpy's `np.round`: halves go to the even neighbour (the converter's rounding, so our bytes match its). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The converter's affine range: scale spreads [min, max] over the integer
 * levels; when 0 lies inside, min is nudged so that 0 is a level (zero
 * padding and ReLU zeros stay exact).
 */
export function affineRange(min: number, max: number, levels: number): { min: number; scale: number; max: number } {
  const scale = (max - min) / levels;
  if (min <= 0 && 0 <= max) {
    const nudgedMin = -roundHalfEven(-min / scale) * scale;
    return { min: nudgedMin, scale, max: levels * scale + nudgedMin };
  }
  return { min, scale, max };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE half bits, round to nearest even (numpy's `astype(np.float16)`). */
export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mantissa & ((1 << shift) - 1);
    let h = mantissa >>> shift;
    if (rest > half || (rest === half && (h & 1) === 1)) h += 1;
    return sign | h;
  }
  const rest = mantissa & 0x1fff;
  let h = (e << 10) | (mantissa >>> 13);
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h += 1;
  return sign | h;
}

/** The values the loader will see: read back through the same reader `inspect` uses (q · scale + min, rounded once to float32 as TF.js stores it). */
function decodeLikeTfjs(bytes: Uint8Array, n: number, quantization: QuantizationBlock): Float32Array {
  const entry = { name: 'candidate', shape: [n], dtype: 'float32', quantization };
  return Float32Array.from(readWeight({ entry, group: 0, offset: 0, byteLength: bytes.byteLength }, bytes));
}

/**
 * Encodes a float32 tensor.
 *
 * @param values - the float32 values, in manifest (row-major) order
 * @param encoding - the target encoding
 * @throws {InputError} `input/bad-argument` for non-finite values, which no encoding but float32 can hold
 */
export function encodeWeight(values: Float32Array, encoding: Encoding): EncodedWeight {
  const n = values.length;
  if (encoding === 'float32') {
    const copy = Float32Array.from(values);
    return { encoding, bytes: new Uint8Array(copy.buffer), quantization: undefined, decoded: copy };
  }
  for (const v of values) {
    if (!Number.isFinite(v))
      throw new InputError(
        'input/bad-argument',
        `A weight holds ${v}, which ${encoding} cannot encode; keep it float32.`,
      );
  }
  if (encoding === 'float16') {
    const bits = new Uint16Array(n);
    for (let i = 0; i < n; i++) bits[i] = float32ToFloat16Bits(values[i] as number);
    const quantization: QuantizationBlock = { dtype: 'float16', original_dtype: 'float32' };
    const bytes = new Uint8Array(bits.buffer);
    return { encoding, bytes, quantization, decoded: decodeLikeTfjs(bytes, n, quantization) };
  }
  const levels = encoding === 'uint8' ? 255 : 65535;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const q = encoding === 'uint8' ? new Uint8Array(n) : new Uint16Array(n);
  // The converter stores a constant tensor as all zeros with scale 1 and min = the value.
  const range =
    n === 0 || lo === hi ? { min: n === 0 ? 0 : lo, scale: 1, max: n === 0 ? 0 : lo } : affineRange(lo, hi, levels);
  for (let i = 0; i < n; i++) {
    const v = Math.min(range.max, Math.max(range.min, values[i] as number));
    const level = lo === hi ? 0 : roundHalfEven((v - range.min) / range.scale);
    q[i] = level;
  }
  const quantization: QuantizationBlock = {
    dtype: encoding,
    min: range.min,
    scale: range.scale,
    original_dtype: 'float32',
  };
  const bytes = new Uint8Array(q.buffer);
  return { encoding, bytes, quantization, decoded: decodeLikeTfjs(bytes, n, quantization) };
}
