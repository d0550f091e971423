/** Colour → grey weights, applied to R, G, B. */
import type { GreyFormula } from './types.ts';

/** The R, G, B weights of each {@link GreyFormula}; each triple sums to 1, so grey stays in [0, 255]. */
export const GREY_WEIGHTS: Readonly<Record<GreyFormula, readonly [number, number, number]>> = {
  bt601: [0.299, 0.587, 0.114],
  bt709: [0.2126, 0.7152, 0.0722],
  mean: [1 / 3, 1 / 3, 1 / 3],
};

/** The grey value of one RGB pixel by `formula` (pure; for tests and the renderer's previews). */
export function greyOf(formula: GreyFormula, r: number, g: number, b: number): number {
  const [wr, wg, wb] = GREY_WEIGHTS[formula];
  return wr * r + wg * g + wb * b;
}
