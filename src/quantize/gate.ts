/**
 * The quantization gate: each float32 weight gets the smallest encoding that
 * keeps every decoded decision (a classifier's digit, a localizer's presence
 * and count) and keeps each head within a tolerance of the float32 model,
 * measured on real inputs. Tensors are tried largest first and
 * each trial includes the encodings already accepted, so the accepted model
 * is always one that was measured as a whole — never a sum of separately
 * harmless changes.
 */
import type { ClassifierModel } from '../model/classifier-model.ts';
import type { ModelSource } from '../model/source.ts';
import { baseModelOf, loadCandidate, quantizableWeights, type BaseModel, type CandidateFiles } from './candidate.ts';
import { BYTES_PER_VALUE, type Encoding } from './encode.ts';
import {
  compareOutputs,
  gateFailures,
  measureOutputs,
  passesGate,
  toleranceFor,
  type Agreement,
  type InputSet,
  type Outputs,
  type Tolerance,
} from './measure.ts';

/** Encodings tried for each tensor, in order: smallest first; uint16 before float16 since per-tensor affine steps are finer than half-float ones for weights in a narrow range. */
export const TRIAL_ORDER: readonly Encoding[] = ['uint8', 'uint16', 'float16'];

/** Tensors with fewer values stay float32: they save almost nothing, and biases and head weights shift outputs directly. */
export const DEFAULT_MIN_VALUES = 256;

/** Default largest change of any head's value (probabilities) allowed by the gate. */
export const DEFAULT_MAX_DIFF = 0.01;

/** One trial of one encoding for one tensor. */
export interface Trial {
  readonly encoding: Encoding;
  readonly agreement: Agreement;
  readonly passed: boolean;
}

/** What the gate decided for one weight. */
export interface TensorDecision {
  readonly name: string;
  readonly shape: readonly number[];
  readonly count: number;
  readonly encoding: Encoding;
  readonly bytes: number;
  /** quantized: an encoding passed; failed: every encoding failed, kept float32; small: below the size threshold, not tried. */
  readonly reason: 'quantized' | 'failed' | 'small';
  /** The agreement of the accepted model right after this decision (cumulative), undefined when not tried. */
  readonly agreement: Agreement | undefined;
  readonly trials: readonly Trial[];
}

/** Progress of the measuring, for a progress bar. */
export interface GateProgress {
  readonly done: number;
  /** Upper bound on trials (each tensor stops at its first passing encoding). */
  readonly total: number;
  readonly tensor: string;
  readonly encoding: Encoding;
  readonly passed: boolean | undefined;
}

/** Options of {@link runGate}. */
export interface GateOptions {
  /** Largest allowed |change| of any head value; default {@link DEFAULT_MAX_DIFF}. */
  readonly maxDiff?: number;
  /** Largest allowed move of a localizer's corners (window fractions); default `DEFAULT_MAX_CORNER_SHIFT`. */
  readonly maxCornerShift?: number;
  /** Default {@link DEFAULT_MIN_VALUES}. */
  readonly minValues?: number;
  readonly onProgress?: (progress: GateProgress) => void;
}

/** The gate's outcome. */
export interface GateResult {
  readonly base: BaseModel;
  readonly decisions: readonly TensorDecision[];
  /** The accepted plan, measured as a whole. */
  readonly plan: ReadonlyMap<string, Encoding>;
  readonly agreement: Agreement;
  readonly tolerance: Tolerance;
  readonly inputs: InputSet;
  /** Weight bytes of the float32 model and of the accepted one. */
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

/** A float32 model loaded for quantizing, with its reference outputs. */
export interface Reference {
  readonly base: BaseModel;
  readonly outputs: Outputs;
  readonly inputs: InputSet;
}

/** Measures the float32 model once: every trial is compared with these outputs. */
export async function measureReference(
  model: ClassifierModel,
  source: ModelSource,
  inputs: InputSet,
): Promise<Reference> {
  return { base: baseModelOf(model, source), outputs: await measureOutputs(model, inputs), inputs };
}

/** Builds, loads and measures one plan against the reference; disposes the model. */
export async function measurePlan(
  reference: Reference,
  plan: ReadonlyMap<string, Encoding>,
): Promise<{ agreement: Agreement; files: CandidateFiles }> {
  const { model, files } = await loadCandidate(reference.base, plan);
  try {
    return { agreement: compareOutputs(reference.outputs, await measureOutputs(model, reference.inputs)), files };
  } finally {
    model.dispose();
  }
}

function weightBytes(base: BaseModel, plan: ReadonlyMap<string, Encoding>): number {
  return base.weights.reduce(
    (n, w) =>
      n +
      (w.values === undefined
        ? w.stored.byteLength
        : w.values.length * BYTES_PER_VALUE[plan.get(w.entry.name) ?? 'float32']),
    0,
  );
}

/** Every float32 weight in one encoding: what `tensorflowjs_converter --quantize_uint8` (or `_uint16`, `_float16`) does. */
export function uniformPlan(base: BaseModel, encoding: Encoding): Map<string, Encoding> {
  return new Map(quantizableWeights(base).map((w) => [w.name, encoding]));
}

/**
 * Runs the gate.
 *
 * @param reference - from {@link measureReference}
 */
export async function runGate(reference: Reference, options: GateOptions = {}): Promise<GateResult> {
  const tolerance = toleranceFor(reference.base.contract, options.maxDiff ?? DEFAULT_MAX_DIFF, options.maxCornerShift);
  const minValues = options.minValues ?? DEFAULT_MIN_VALUES;
  const { base } = reference;
  const weights = quantizableWeights(base);
  const tried = weights.filter((w) => w.count >= minValues).sort((a, b) => b.count - a.count);
  const total = tried.length * TRIAL_ORDER.length;
  const plan = new Map<string, Encoding>();
  const decided = new Map<string, TensorDecision>();
  let agreement = compareOutputs(reference.outputs, reference.outputs);
  let done = 0;
  for (const w of tried) {
    const trials: Trial[] = [];
    for (const encoding of TRIAL_ORDER) {
      options.onProgress?.({ done, total, tensor: w.name, encoding, passed: undefined });
      const trialPlan = new Map(plan).set(w.name, encoding);
      const measured = (await measurePlan(reference, trialPlan)).agreement;
      const passed = passesGate(measured, tolerance);
      trials.push({ encoding, agreement: measured, passed });
      done++;
      options.onProgress?.({ done, total, tensor: w.name, encoding, passed });
      if (passed) {
        plan.set(w.name, encoding);
        agreement = measured;
        break;
      }
    }
    const encoding = plan.get(w.name) ?? 'float32';
    decided.set(w.name, {
      name: w.name,
      shape: w.shape,
      count: w.count,
      encoding,
      bytes: w.count * BYTES_PER_VALUE[encoding],
      reason: encoding === 'float32' ? 'failed' : 'quantized',
      agreement: encoding === 'float32' ? agreement : trials.at(-1)?.agreement,
      trials,
    });
  }
  options.onProgress?.({ done: total, total, tensor: '', encoding: 'float32', passed: undefined });
  const decisions = weights.map(
    (w): TensorDecision =>
      decided.get(w.name) ?? {
        name: w.name,
        shape: w.shape,
        count: w.count,
        encoding: 'float32',
        bytes: w.count * 4,
        reason: 'small',
        agreement: undefined,
        trials: [],
      },
  );
  return {
    base,
    decisions,
    plan,
    agreement,
    tolerance,
    inputs: reference.inputs,
    bytesBefore: weightBytes(base, new Map()),
    bytesAfter: weightBytes(base, plan),
  };
}

/** The verdict of measuring one fixed plan (e.g. the converter's uniform uint8). */
export interface PlanVerdict {
  readonly agreement: Agreement;
  readonly passed: boolean;
  /** Why it fails, in words. */
  readonly failures: readonly string[];
  readonly bytes: number;
}

/** Measures a fixed plan and says whether the gate would let it through. */
export async function judgePlan(
  reference: Reference,
  plan: ReadonlyMap<string, Encoding>,
  tolerance: Tolerance,
): Promise<PlanVerdict> {
  const { agreement } = await measurePlan(reference, plan);
  return {
    agreement,
    passed: passesGate(agreement, tolerance),
    failures: gateFailures(agreement, tolerance),
    bytes: weightBytes(reference.base, plan),
  };
}
