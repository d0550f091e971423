/**
 * The golden self-check: run the contract's golden inputs through a loaded
 * model on the current backend and measure how far the outputs are from the
 * expected ones. The worker runs it on every backend before trusting it; the
 * Node reference, `golden --check`, `inspect` and `quantize` run the same
 * function with the Node image decoder.
 */
import type { ClassifierModel } from '../model/classifier-model.ts';
import { goldenHeadValues, type ImageDecoder } from '../model/golden.ts';
import type { ModelSource } from '../model/source.ts';

/** What the check measured. */
export interface GoldenMeasurement {
  /** Largest |computed − expected| over every case, head and unit. */
  readonly maxAbsDiff: number;
  /** The same, per head name. */
  readonly maxAbsDiffByHead: Readonly<Record<string, number>>;
  readonly tolerance: number;
  readonly cases: number;
  readonly passed: boolean;
}

/** max |computed − expected| over one head's values; infinite when they are missing, of another length or NaN. */
export function maxAbsDifference(computed: ArrayLike<number> | undefined, expected: ArrayLike<number>): number {
  if (computed === undefined || computed.length !== expected.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs((computed[i] as number) - (expected[i] as number));
    // NaN must fail the check, and Math.max would keep it only by accident.
    diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(diff, d);
  }
  return diff;
}

/**
 * Runs every golden case of the model's contract on the active backend.
 *
 * @param model - a loaded model
 * @param source - where `png` cases are read from
 * @param decode - how this platform decodes an image
 * @returns undefined when the contract has no golden section
 */
export async function measureGolden(
  model: ClassifierModel,
  source: ModelSource,
  decode: ImageDecoder,
): Promise<GoldenMeasurement | undefined> {
  const golden = model.contract.golden;
  if (golden === undefined) return undefined;
  const byHead: Record<string, number> = {};
  for (const goldenCase of golden.cases) {
    const values = await goldenHeadValues(model, goldenCase, source, decode);
    for (const [head, expected] of Object.entries(goldenCase.expected)) {
      byHead[head] = Math.max(byHead[head] ?? 0, maxAbsDifference(values[head], expected));
    }
  }
  const largest = Math.max(0, ...Object.values(byHead));
  return {
    maxAbsDiff: largest,
    maxAbsDiffByHead: byHead,
    tolerance: golden.tolerance,
    cases: golden.cases.length,
    passed: largest <= golden.tolerance,
  };
}
