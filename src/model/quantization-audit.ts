/**
 * The audit of a model someone else quantized: for each quantized weight, its
 * encoding, the range it can hold, and its worst-case rounding error, with a
 * warning naming the tensors where that error is likely to matter. Pure (no
 * Node, no TF.js): the loader runs it in the worker, `inspect` prints it.
 */
import type { WeightReport } from './check-weights.ts';
import { warning, type Problem } from './problems.ts';

/** One quantized weight, audited. */
export interface WeightAudit {
  readonly name: string;
  readonly stored: string;
  /** The range the encoding spans (uint8/uint16: min … min + scale · levels); undefined for float16. */
  readonly min: number | undefined;
  readonly max: number | undefined;
  /** Worst-case rounding error: half a step (uint8/uint16), or a half-float's relative 2^-11 of the largest magnitude. */
  readonly worstError: number | undefined;
  /** worstError ÷ (max − min): how coarse the encoding is for this tensor's spread. */
  readonly relativeToSpread: number | undefined;
  /** worstError ÷ the smallest magnitude a positive-only tensor holds (variances, scales): how far its small values can move. */
  readonly relativeToSmallest: number | undefined;
  /** worstError ÷ the standard deviation of the stored values, when the shard could be read. */
  readonly relativeToStd: number | undefined;
  /** Why the tensor is at risk, or undefined. */
  readonly risk: string | undefined;
}

/** A positive-only tensor whose rounding error exceeds this fraction of its smallest value is at risk (a batch-norm variance under a square root divides the activations). */
export const SMALLEST_VALUE_RISK = 0.5;
/** A tensor whose rounding error exceeds this fraction of its values' standard deviation is at risk (an outlier stretched its range, so most values share a few levels). */
export const STD_RISK = 0.05;

const LEVELS: Readonly<Record<string, number>> = { uint8: 255, uint16: 65535 };

function std(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i] as number;
  mean /= Math.max(1, values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += ((values[i] as number) - mean) ** 2;
  return Math.sqrt(sum / Math.max(1, values.length));
}

/**
 * Audits every quantized weight.
 *
 * @param weights - from the inspection (`checkQuantization`)
 * @param read - the dequantized values of a weight, when its shard was read and verified
 */
export function auditQuantization(
  weights: readonly WeightReport[],
  read: (name: string) => ArrayLike<number> | undefined = () => undefined,
): WeightAudit[] {
  return weights
    .filter((w) => w.stored !== w.dtype && w.dtype === 'float32')
    .map((w): WeightAudit => {
      const values = read(w.name);
      const levels = LEVELS[w.stored];
      const scale = w.quantization?.scale;
      const qmin = w.quantization?.min;
      let min: number | undefined;
      let max: number | undefined;
      let worstError: number | undefined;
      if (levels !== undefined && scale !== undefined && qmin !== undefined) {
        min = qmin;
        max = qmin + scale * levels;
        worstError = scale / 2;
      } else if (w.stored === 'float16' && values !== undefined) {
        let largest = 0;
        for (let i = 0; i < values.length; i++) largest = Math.max(largest, Math.abs(values[i] as number));
        worstError = largest * 2 ** -11;
      }
      const relativeToSpread =
        worstError !== undefined && min !== undefined && max !== undefined && max > min
          ? worstError / (max - min)
          : undefined;
      const relativeToSmallest =
        worstError !== undefined && min !== undefined && min > 0 ? worstError / min : undefined;
      const spread = values === undefined || values.length < 2 ? undefined : std(values);
      const relativeToStd =
        worstError !== undefined && spread !== undefined && spread > 0 ? worstError / spread : undefined;
      const risks: string[] = [];
      if (relativeToSmallest !== undefined && relativeToSmallest > SMALLEST_VALUE_RISK) {
        const by =
          relativeToSmallest >= 10
            ? `${relativeToSmallest.toPrecision(2)}× its size`
            : `${(100 * relativeToSmallest).toFixed(0)} %`;
        risks.push(
          `all its values are positive, but rounding can move the smallest (${min?.toPrecision(3)}) by up to ${worstError?.toPrecision(3)}, ${by}`,
        );
      }
      if (relativeToStd !== undefined && relativeToStd > STD_RISK) {
        risks.push(
          `rounding error is ${(100 * relativeToStd).toFixed(0)} % of its values' standard deviation: the range is stretched by outliers`,
        );
      }
      return {
        name: w.name,
        stored: w.stored,
        min,
        max,
        worstError,
        relativeToSpread,
        relativeToSmallest,
        relativeToStd,
        risk: risks.length === 0 ? undefined : risks.join('; '),
      };
    });
}

/** The audit's warning, naming the tensors at risk (none when no tensor is). */
export function auditProblems(audits: readonly WeightAudit[], measured: ReadonlySet<string>): Problem[] {
  const atRisk = audits.filter((a) => a.risk !== undefined && !measured.has(a.name));
  if (atRisk.length === 0) return [];
  return [
    warning(
      'contract/quantization-at-risk',
      `${atRisk.length} quantized weight(s) are at risk of changing the model's outputs, and no measured agreement covers them: ${atRisk.map((a) => `${a.name} (${a.stored}: ${a.risk ?? ''})`).join('; ')}. Re-export these tensors as float32, or run \`column-classifier quantize\` on the float32 model so each encoding is chosen by measured agreement.`,
    ),
  ];
}
