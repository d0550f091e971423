/**
 * Measuring a model on a set of model inputs, and comparing two models'
 * outputs the way the product reads them: the decision each input decodes to
 * (a column classifier's digit; a localizer's presence and column count) and
 * each head's values.
 */
import { classifierDecode, locateDecode, modelKind } from '../contract/model-kind.ts';
import type { ModelContract } from '../contract/schema.ts';
import * as tf from '@tensorflow/tfjs';
import type { ClassifierModel } from '../model/classifier-model.ts';
import { decodeColumns } from '../model/decode.ts';
import { mostProbableCount } from '../localize/locate.ts';
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
  /** What each input decodes to (see {@link decisionsOf}). */
  readonly decisions: Int32Array;
  /** 1 where the decision is a near tie (see {@link NEAR_TIE}): a change there is counted apart. */
  readonly nearTies: Uint8Array;
  /** What the decisions are, in words ("digits", "presence and count decisions"). */
  readonly decision: string;
}

/** How far a candidate's outputs are from the reference's. */
export interface Agreement {
  readonly cases: number;
  /** What the decisions are, in words ("digits", "presence and count decisions"). */
  readonly decision: string;
  /** Cases whose decision differs (near ties apart). */
  readonly changedDecisions: number;
  /** Cases whose reference decision was a near tie and went the other way (not a change the gate refuses). */
  readonly changedNearTies: number;
  /** Fraction of cases with the same decision (1 = 100 %). */
  readonly decisionAgreement: number;
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
  return { heads, ...decisionsOf(model.contract, heads, inputs.count) };
}

/**
 * Head values this close to a decision's edge make a near tie: the float32 model itself has no preference there, so a
 * change of far less than the gate's bound can turn it. For a column classifier, heaven within this of its threshold
 * or the two most probable earth counts within this of each other; for a localizer, presence within this of its
 * threshold or the two most probable counts (the product settles the count with the bead area's periodicity). A near
 * tie that goes the other way is reported, not refused; every other decision must hold.
 */
export const NEAR_TIE = 1e-3;

/** Whether the two largest of `values` lie within {@link NEAR_TIE} of each other. */
function topTwoTie(values: ArrayLike<number>): boolean {
  let best = -Infinity;
  let second = -Infinity;
  for (let k = 0; k < values.length; k++) {
    const v = values[k] ?? -Infinity;
    if (v > best) [best, second] = [v, best];
    else if (v > second) second = v;
  }
  return best - second < NEAR_TIE;
}

/**
 * What each of `count` inputs decodes to, as the product acts on it: a column classifier's digit; a localizer's
 * column count (the count head's most probable, 1..21) where its presence passes the threshold, 0 where it does
 * not. (The product settles a localizer's count with the bead area's periodicity too; that needs the photo, not
 * the window, so the gate holds the head's own choice unchanged outside near ties.)
 */
export function decisionsOf(
  contract: ModelContract,
  heads: Readonly<Record<string, Float32Array>>,
  count: number,
): { decisions: Int32Array; nearTies: Uint8Array; decision: string } {
  if (modelKind(contract) === 'column-classifier') {
    const decode = classifierDecode(contract);
    const readings = decodeColumns(heads, decode, count);
    return {
      decisions: Int32Array.from(readings, (r) => r.digit),
      nearTies: Uint8Array.from(readings, (r) =>
        Math.abs(r.heaven - decode.heavenThreshold) < NEAR_TIE || topTwoTie(r.earth) ? 1 : 0,
      ),
      decision: 'digits',
    };
  }
  const decode = locateDecode(contract);
  const presence = heads[decode.presence] ?? new Float32Array(count);
  const counts = heads[decode.count] ?? new Float32Array(0);
  const classes = count === 0 ? 0 : counts.length / count;
  const nearTies = new Uint8Array(count);
  const decisions = Int32Array.from({ length: count }, (_, i) => {
    const p = presence[i] ?? 0;
    if (Math.abs(p - decode.presenceThreshold) < NEAR_TIE) nearTies[i] = 1;
    if (!(p >= decode.presenceThreshold)) return 0;
    const row = counts.subarray(i * classes, (i + 1) * classes);
    if (topTwoTie(row)) nearTies[i] = 1;
    return mostProbableCount(row);
  });
  return { decisions, nearTies, decision: 'presence and count decisions' };
}

/** How far the gate lets a candidate's heads move from float32. */
export interface Tolerance {
  /** Largest |change| of a probability head's value. */
  readonly maxDiff: number;
  /** Heads held to their own bound: a localizer's corners, which are window fractions, not probabilities. */
  readonly byHead: Readonly<Record<string, number>>;
}

/** Default largest move of a localizer's corner (a fraction of the window's side: 0.2 %, 1.3 px of a 640 px frame). */
export const DEFAULT_MAX_CORNER_SHIFT = 0.002;

/** The gate's tolerance for a model: `maxDiff` for every head, `maxCornerShift` for a localizer's corners. */
export function toleranceFor(
  contract: ModelContract,
  maxDiff: number,
  maxCornerShift = DEFAULT_MAX_CORNER_SHIFT,
): Tolerance {
  return {
    maxDiff,
    byHead: modelKind(contract) === 'localizer' ? { [locateDecode(contract).corners]: maxCornerShift } : {},
  };
}

/** The bound of one head. */
export function headTolerance(tolerance: Tolerance, head: string): number {
  return tolerance.byHead[head] ?? tolerance.maxDiff;
}

/** The tolerance in words, e.g. `each head within 0.01 (corners within 0.002)`. */
export function formatTolerance(tolerance: Tolerance): string {
  const own = Object.entries(tolerance.byHead).map(([head, max]) => `${head} within ${max}`);
  return `each head within ${tolerance.maxDiff}${own.length === 0 ? '' : ` (${own.join(', ')})`}`;
}

/** Compares a candidate's outputs with the reference's (same inputs, same order). */
export function compareOutputs(reference: Outputs, candidate: Outputs): Agreement {
  let changedDecisions = 0;
  let changedNearTies = 0;
  reference.decisions.forEach((d, i) => {
    if (candidate.decisions[i] === d) return;
    if (reference.nearTies[i] === 1) changedNearTies++;
    else changedDecisions++;
  });
  const maxAbsDiffByHead: Record<string, number> = {};
  for (const [name, ref] of Object.entries(reference.heads))
    maxAbsDiffByHead[name] = maxAbsDifference(candidate.heads[name], ref);
  const cases = reference.decisions.length;
  return {
    cases,
    decision: reference.decision,
    changedDecisions,
    changedNearTies,
    decisionAgreement: cases === 0 ? 1 : (cases - changedDecisions) / cases,
    maxAbsDiffByHead,
    maxAbsDiff: Math.max(0, ...Object.values(maxAbsDiffByHead)),
  };
}

/** Whether an agreement passes the gate: every decision unchanged and no head further than its tolerance. */
export function passesGate(agreement: Agreement, tolerance: Tolerance): boolean {
  return gateFailures(agreement, tolerance).length === 0;
}

/** Why an agreement fails the gate, in words (empty when it passes). */
export function gateFailures(agreement: Agreement, tolerance: Tolerance): string[] {
  const why: string[] = [];
  if (agreement.changedDecisions > 0)
    why.push(`${agreement.changedDecisions} of ${agreement.cases} decoded ${agreement.decision} changed`);
  for (const [head, diff] of Object.entries(agreement.maxAbsDiffByHead)) {
    const max = headTolerance(tolerance, head);
    if (!(diff <= max)) why.push(`head "${head}" moved by up to ${diff.toExponential(2)} > ${max}`);
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
