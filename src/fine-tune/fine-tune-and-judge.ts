/**
 * A whole fine-tune as the CLI and the fine-tune worker both run it: hold out part of the user's columns, measure
 * the rendered test columns, fine-tune, measure them again, and judge.
 */
import type { ClassifierModel } from '../model/classifier-model.ts';
import { fineTune, scoreCrops, type FineTuneOptions, type FineTuneResult } from './fine-tune.ts';
import { splitCrops, type LabelledCrops } from './labelled-crops.ts';
import { judgeFineTune, type FineTuneVerdict } from './report.ts';

/** What the gates judge by, besides the user's columns. */
export interface JudgedFineTuneInput {
  /** The user's labelled columns: a fraction is held out, the rest learnt from. */
  readonly labelled: LabelledCrops;
  /** Rendered training columns mixed in. */
  readonly replay: LabelledCrops;
  /** Rendered test columns: the model must not forget them. */
  readonly test: LabelledCrops;
  /** Fraction of the labelled columns held out (default 0.2). */
  readonly heldOutFraction?: number;
  /** Largest drop on the test columns allowed, in points (default 0.3). */
  readonly maxTestDrop?: number;
}

/** A fine-tune and its verdict; the model holds the kept epoch's weights (judged, not yet accepted anywhere). */
export interface JudgedFineTune {
  readonly result: FineTuneResult;
  readonly verdict: FineTuneVerdict;
  readonly learnt: number;
  readonly heldOut: number;
  /** The labelled columns held out (the kept epoch was chosen on them; never learnt from). */
  readonly heldOutCrops: LabelledCrops;
}

/** Fine-tunes `model` in place and judges it. */
export async function fineTuneAndJudge(
  model: ClassifierModel,
  input: JudgedFineTuneInput,
  options: FineTuneOptions = {},
): Promise<JudgedFineTune> {
  const { train, heldOut } = splitCrops(input.labelled, input.heldOutFraction ?? 0.2, options.seed ?? 1);
  const testBefore = (await scoreCrops(model, input.test)).accuracy;
  const result = await fineTune(model, { user: train, replay: input.replay, heldOut }, options);
  const testAfter = (await scoreCrops(model, input.test)).accuracy;
  const verdict = judgeFineTune(
    result,
    { before: testBefore, after: testAfter, count: input.test.count },
    input.maxTestDrop ?? 0.3,
  );
  return { result, verdict, learnt: train.count, heldOut: heldOut.count, heldOutCrops: heldOut };
}
