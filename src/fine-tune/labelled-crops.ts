/**
 * Column crops with their digits, as the model reads them: the unit fine-tuning learns from and is judged on. Plain
 * arrays (no tensors), so samples can be stored, sent to a worker and split without a backend.
 */
import { InputError } from '../errors.ts';
import { createRandom } from '../render/random.ts';

/** `count` crops of `height` × `width` grey values (the model's input range) and the digit each shows. */
export interface LabelledCrops {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  /** count × height × width values, crop after crop. */
  readonly x: Float32Array;
  /** 0–9, one per crop. */
  readonly digits: Uint8Array;
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
  return { count: indices.length, height: crops.height, width: crops.width, x, digits };
}

/**
 * Splits `crops` into a part to learn from and a held-out part (`fraction` of them, at least one when there are
 * two or more), the same way for the same seed. Held-out crops are never trained on: the gate judges on them.
 */
export function splitCrops(
  crops: LabelledCrops,
  fraction: number,
  seed: number,
): { readonly train: LabelledCrops; readonly heldOut: LabelledCrops } {
  const random = createRandom(seed);
  const order = Array.from({ length: crops.count }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  const heldOutCount = crops.count < 2 ? 0 : Math.max(1, Math.round(crops.count * fraction));
  const heldOut = order.slice(0, heldOutCount).sort((a, b) => a - b);
  const train = order.slice(heldOutCount).sort((a, b) => a - b);
  return { train: pickCrops(crops, train), heldOut: pickCrops(crops, heldOut) };
}
