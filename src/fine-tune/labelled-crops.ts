/**
 * Column crops with their digits, as the model reads them: the unit fine-tuning learns from and is judged on. Plain
 * arrays (no tensors), so samples can be stored, sent to a worker and split without a backend.
 */
import { InputError } from '../errors.ts';
import { createRandom, shuffle, shuffledIndices } from '../render/random.ts';

/** `count` crops of `height` × `width` grey values (the model's input range) and the digit each shows. */
export interface LabelledCrops {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  /** count × height × width values, crop after crop. */
  readonly x: Float32Array;
  /** 0–9, one per crop. */
  readonly digits: Uint8Array;
  /**
   * Which labelled frame each crop came from (a photo, a sample). Crops of one frame are alike; held-out crops are
   * taken a whole frame at a time, so that the held-out part does not measure memorisation.
   */
  readonly groups?: Uint32Array;
}

/**
 * Crop values (the model's input range `min`–`max`) as bytes 0–255, as samples and cached rendered columns are
 * stored: a quarter of the size, and what a camera frame holds anyway.
 */
export function cropBytes(values: Float32Array, min: number, max: number): Uint8Array {
  return Uint8Array.from(values, (v) => Math.round((255 * (v - min)) / (max - min)));
}

/** Bytes from {@link cropBytes} back into the model's input range. */
export function cropValues(bytes: Uint8Array, min: number, max: number): Float32Array {
  return Float32Array.from(bytes, (b) => min + (b / 255) * (max - min));
}

/** No crops of the given size. */
export function emptyCrops(height: number, width: number): LabelledCrops {
  return { count: 0, height, width, x: new Float32Array(0), digits: new Uint8Array(0) };
}

/**
 * The crops of `parts` one after another.
 *
 * @throws {InputError} `input/bad-argument` when the parts' crop sizes differ
 */
export function concatCrops(parts: readonly LabelledCrops[]): LabelledCrops {
  const first = parts[0];
  if (first === undefined) throw new InputError('input/bad-argument', 'concatCrops: no crops given.');
  for (const part of parts)
    if (part.height !== first.height || part.width !== first.width)
      throw new InputError(
        'input/bad-argument',
        `Crops of ${part.height}×${part.width} cannot be joined with crops of ${first.height}×${first.width}.`,
      );
  const count = parts.reduce((n, p) => n + p.count, 0);
  const x = new Float32Array(count * first.height * first.width);
  const digits = new Uint8Array(count);
  let at = 0;
  for (const part of parts) {
    x.set(part.x, at * first.height * first.width);
    digits.set(part.digits, at);
    at += part.count;
  }
  return { count, height: first.height, width: first.width, x, digits };
}

/** The crops at `indices`, in that order. */
export function pickCrops(crops: LabelledCrops, indices: readonly number[]): LabelledCrops {
  const per = crops.height * crops.width;
  const x = new Float32Array(indices.length * per);
  const digits = new Uint8Array(indices.length);
  indices.forEach((index, i) => {
    x.set(crops.x.subarray(index * per, (index + 1) * per), i * per);
    digits[i] = crops.digits[index] ?? 0;
  });
  const groups = crops.groups === undefined ? {} : { groups: Uint32Array.from(indices, (i) => crops.groups?.[i] ?? 0) };
  return { count: indices.length, height: crops.height, width: crops.width, x, digits, ...groups };
}

/**
 * Splits `crops` into a part to learn from and a held-out part (about `fraction` of them, at least one crop when there
 * are two or more), the same way for the same seed. With `groups`, whole frames are held out (at least one, and at
 * least one is left to learn from). Held-out crops are never trained on: the gate judges on them.
 */
export function splitCrops(
  crops: LabelledCrops,
  fraction: number,
  seed: number,
): { readonly train: LabelledCrops; readonly heldOut: LabelledCrops } {
  const random = createRandom(seed);
  const want = crops.count < 2 ? 0 : Math.max(1, Math.round(crops.count * fraction));
  const held = new Set<number>();
  const groups = crops.groups;
  const frames = groups === undefined ? [] : [...new Set(groups)];
  if (groups !== undefined && frames.length >= 2) {
    const byFrame = new Map<number, number[]>();
    groups.forEach((g, i) => byFrame.set(g, [...(byFrame.get(g) ?? []), i]));
    for (const [k, frame] of shuffle(random, frames).entries()) {
      if (held.size >= want || k === frames.length - 1) break;
      for (const i of byFrame.get(frame) ?? []) held.add(i);
    }
  } else {
    for (const i of shuffledIndices(random, crops.count).slice(0, want)) held.add(i);
  }
  const all = Array.from({ length: crops.count }, (_, i) => i);
  return {
    train: pickCrops(
      crops,
      all.filter((i) => !held.has(i)),
    ),
    heldOut: pickCrops(
      crops,
      all.filter((i) => held.has(i)),
    ),
  };
}
