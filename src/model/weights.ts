/**
 * Reading weight values straight from shard bytes, without TF.js tensors: the
 * topology inspection needs a few scalar constants (a graph model's rescaling
 * factors), and the quantization report needs each weight's encoding.
 */
import { LoadError } from '../errors.ts';
import type { WeightEntry, WeightGroup } from './model-json.ts';

const BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
  complex64: 8,
};

/** How a weight is stored: its manifest dtype, or the quantized dtype when the converter quantized it. */
export function storedDtype(entry: WeightEntry): string {
  return entry.quantization?.dtype ?? entry.dtype;
}

/** Number of values of a weight. */
export function valueCount(entry: WeightEntry): number {
  return entry.shape.reduce((n, d) => n * d, 1);
}

/**
 * Bytes a weight takes in its shard.
 *
 * @throws {LoadError} `load/unsupported-format` for a dtype whose size is unknown (e.g. string)
 */
export function storedByteLength(entry: WeightEntry): number {
  const bytes = BYTES[storedDtype(entry)];
  if (bytes === undefined) {
    throw new LoadError(
      'load/unsupported-format',
      `Weight "${entry.name}" is stored as ${storedDtype(entry)}, which this loader cannot size; re-export the model with numeric weights.`,
    );
  }
  return valueCount(entry) * bytes;
}

/** Total bytes a weight group's shards must hold together. */
export function groupByteLength(group: WeightGroup): number {
  return group.weights.reduce((n, w) => n + storedByteLength(w), 0);
}

/** Where each weight sits in the concatenated bytes of its group. */
export interface WeightLocation {
  readonly entry: WeightEntry;
  readonly group: number;
  readonly offset: number;
  readonly byteLength: number;
}

/** The location of every weight, by name, across all groups. */
export function locateWeights(groups: readonly WeightGroup[]): Map<string, WeightLocation> {
  const located = new Map<string, WeightLocation>();
  groups.forEach((group, g) => {
    let offset = 0;
    for (const entry of group.weights) {
      const byteLength = storedByteLength(entry);
      located.set(entry.name, { entry, group: g, offset, byteLength });
      offset += byteLength;
    }
  });
  return located;
}

function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * Decodes one weight's values (dequantized, as TF.js would see them).
 *
 * @param location - from {@link locateWeights}
 * @param groupBytes - the concatenated shard bytes of the weight's group
 */
export function readWeight(location: WeightLocation, groupBytes: Uint8Array): Float64Array {
  const { entry, offset, byteLength } = location;
  if (offset + byteLength > groupBytes.byteLength) {
    throw new LoadError(
      'load/truncated',
      `Weight "${entry.name}" ends at byte ${offset + byteLength}, past the ${groupBytes.byteLength} bytes of its shards; the shard is truncated, download it again.`,
    );
  }
  const view = new DataView(groupBytes.buffer, groupBytes.byteOffset + offset, byteLength);
  const n = valueCount(entry);
  const out = new Float64Array(n);
  const q = entry.quantization;
  const dtype = storedDtype(entry);
  for (let i = 0; i < n; i++) {
    switch (dtype) {
      case 'float32':
        out[i] = view.getFloat32(i * 4, true);
        break;
      case 'int32':
        out[i] = view.getInt32(i * 4, true);
        break;
      case 'float16':
        out[i] = float16ToFloat32(view.getUint16(i * 2, true));
        break;
      case 'uint16':
        out[i] = view.getUint16(i * 2, true) * (q?.scale ?? 1) + (q?.min ?? 0);
        break;
      case 'uint8':
        out[i] = view.getUint8(i) * (q?.scale ?? 1) + (q?.min ?? 0);
        break;
      case 'bool':
        out[i] = view.getUint8(i);
        break;
      default:
        throw new LoadError(
          'load/unsupported-format',
          `Weight "${entry.name}" is stored as ${dtype}, which cannot be read as numbers.`,
        );
    }
  }
  return out;
}
