/**
 * Measuring a model on a set of model inputs, and comparing two models'
 * outputs the way the product reads them: the decoded digit (argmax of each
 * head through the contract's decode rule) and each head's values.
 */
import { classifierDecode } from '../contract/model-kind.ts';
import * as tf from '@tensorflow/tfjs';
import type { ClassifierModel } from '../model/classifier-model.ts';
import { decodeColumns } from '../model/decode.ts';
import { predictHeads } from '../model/read-heads.ts';
import { maxAbsDifference } from '../runtime/golden-check.ts';

/** Model inputs to measure on: `count` crops, already preprocessed to the contract's input. */
export interface InputSet {
  /** What the inputs are, for the contract's `measuredOn` (e.g. "validation, 1000 crops, seed 202"). */
  readonly description: string;
  readonly count: number;
  /** count × height × width × channels values. */
  readonly x: Float32Array;
}

/** A model's outputs on an {@link InputSet}. */
export interface Outputs {
  /** Flattened values per head name, batch-major. */
  readonly heads: Readonly<Record<string, Float32Array>>;
  readonly digits: Uint8Array;
}

/** How far a candidate's outputs are from the reference's. */
export interface Agreement {
  readonly cases: number;
  /** Cases whose decoded digit differs. */
  readonly changedDigits: number;
  /** Fraction of cases with the same digit (1 = 100 %). */
  readonly digitAgreement: number;
  /** max |candidate − reference| over all cases and units, per head. */
  readonly maxAbsDiffByHead: Readonly<Record<string, number>>;
  readonly maxAbsDiff: number;
}

/** Crops per predict: small batches keep the wasm heap and the loaded machine's latency low. */
const BATCH = 128;

/**
 * Runs a model over every input, in batches.
 *
 * @param model - a loaded model
 * @param inputs - preprocessed crops matching `model.spec`
 */
export async function measureOutputs(model: ClassifierModel, inputs: InputSet): Promise<Outputs> {
  const { height, width, channels } = model.spec;
  const per = height * width * channels;
  const heads: Record<string, Float32Array> = {};
  for (const bound of model.heads)
    heads[bound.head.name] = new Float32Array(
      inputs.count * bound.head.shape.slice(1).reduce<number>((n, d) => n * (d ?? 1), 1),
    );
  for (let start = 0; start < inputs.count; start += BATCH) {
    const n = Math.min(BATCH, inputs.count - start);
    const batch = tf.tensor4d(inputs.x.subarray(start * per, (start + n) * per), [n, height, width, channels]);
    let values;
    try {
      values = await predictHeads(model, batch);
    } finally {
      batch.dispose();
    }
    for (const [name, v] of Object.entries(values)) heads[name]?.set(v, start * (v.length / n));
  }
  const digits = Uint8Array.from(decodeColumns(heads, classifierDecode(model.contract), inputs.count), (r) => r.digit);
  return { heads, digits };
}

/** Compares a candidate's outputs with the reference's (same inputs, same order). */
export function compareOutputs(reference: Outputs, candidate: Outputs): Agreement {
  let changedDigits = 0;
  reference.digits.forEach((d, i) => {
    if (candidate.digits[i] !== d) changedDigits++;
  });
  const maxAbsDiffByHead: Record<string, number> = {};
  for (const [name, ref] of Object.entries(reference.heads))
    maxAbsDiffByHead[name] = maxAbsDifference(candidate.heads[name], ref);
  const cases = reference.digits.length;
  return {
    cases,
    changedDigits,
    digitAgreement: cases === 0 ? 1 : (cases - changedDigits) / cases,
    maxAbsDiffByHead,
    maxAbsDiff: Math.max(0, ...Object.values(maxAbsDiffByHead)),
  };
}

/** Whether an agreement passes the gate: every digit unchanged and no head further than `maxDiff`. */
export function passesGate(agreement: Agreement, maxDiff: number): boolean {
  return agreement.changedDigits === 0 && agreement.maxAbsDiff <= maxDiff;
}

/** Why an agreement fails the gate, in words (empty when it passes). */
export function gateFailures(agreement: Agreement, maxDiff: number): string[] {
  const why: string[] = [];
  if (agreement.changedDigits > 0) why.push(`${agreement.changedDigits} of ${agreement.cases} decoded digits changed`);
  for (const [head, diff] of Object.entries(agreement.maxAbsDiffByHead)) {
    if (!(diff <= maxDiff)) why.push(`head "${head}" moved by up to ${diff.toExponential(2)} > ${maxDiff}`);
  }
  return why;
}

/** Joins input sets into one (golden inputs + validation crops are measured together). */
export function concatInputs(sets: readonly InputSet[]): InputSet {
  const x = new Float32Array(sets.reduce((n, s) => n + s.x.length, 0));
  let at = 0;
  for (const s of sets) {
    x.set(s.x, at);
    at += s.x.length;
  }
  return { description: sets.map((s) => s.description).join(' + '), count: sets.reduce((n, s) => n + s.count, 0), x };
}
