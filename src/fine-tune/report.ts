/**
 * The fine-tune gate and its report: a fine-tuned model replaces the one it started from only when it reads the
 * user's held-out columns no worse and the rendered test columns at most a few tenths of a point worse. Plain data
 * in, text out, so the CLI's REPORT.md and the worker's verdict say the same.
 */
import type { CropScore, FineTuneResult } from './fine-tune.ts';

/** Digit accuracy on the rendered test columns before and after a fine-tune. */
export interface TestAccuracy {
  readonly before: number;
  readonly after: number;
  readonly count: number;
}

/** Whether a fine-tuned model may replace the one it started from, and why. */
export interface FineTuneVerdict {
  readonly accepted: boolean;
  /** Each gate that failed, in words (empty when accepted). */
  readonly failures: readonly string[];
  readonly heldOut: { readonly before: CropScore; readonly after: CropScore };
  readonly test: TestAccuracy;
  /** The largest drop on the rendered test columns allowed, in percentage points. */
  readonly maxTestDrop: number;
  /** One line: what changed and whether it is accepted. */
  readonly summary: string;
}

const percent = (v: number): string => `${(100 * v).toFixed(2)} %`;

/**
 * Judges a fine-tune. It must have learnt something (a later epoch read the held-out columns better than the
 * weights before) and must not have forgotten (the rendered test accuracy fell by at most `maxTestDrop` points).
 */
export function judgeFineTune(result: FineTuneResult, test: TestAccuracy, maxTestDrop: number): FineTuneVerdict {
  const failures: string[] = [];
  if (result.bestEpoch === 0)
    failures.push(
      `no epoch read the held-out columns better than the model before (${percent(result.heldOutBefore.accuracy)}, loss ${result.heldOutBefore.loss.toPrecision(3)})`,
    );
  const drop = 100 * (test.before - test.after);
  if (drop > maxTestDrop + 1e-9)
    failures.push(
      `the rendered test columns fell from ${percent(test.before)} to ${percent(test.after)} (${drop.toFixed(2)} points; at most ${maxTestDrop} allowed)`,
    );
  const accepted = failures.length === 0;
  return {
    accepted,
    failures,
    heldOut: { before: result.heldOutBefore, after: result.heldOut },
    test,
    maxTestDrop,
    summary: `held-out user columns ${percent(result.heldOutBefore.accuracy)} → ${percent(result.heldOut.accuracy)} (loss ${result.heldOutBefore.loss.toPrecision(3)} → ${result.heldOut.loss.toPrecision(3)}), rendered test columns ${percent(test.before)} → ${percent(test.after)}: ${accepted ? 'accepted' : 'REFUSED'}`,
  };
}

/** What REPORT.md tells. */
export interface FineTuneReportInput {
  readonly command: string;
  readonly model: string;
  readonly data: string;
  readonly folder: { readonly photos: number; readonly unreadable: number };
  readonly train: number;
  readonly heldOut: number;
  readonly replay: number;
  readonly result: FineTuneResult;
  readonly verdict: FineTuneVerdict;
}

/** REPORT.md of a fine-tune (the quantization gate adds its own section when the model is written). */
export function formatFineTuneReport(input: FineTuneReportInput): string {
  const { result, verdict } = input;
  const rows = result.epochs.map(
    (e) =>
      `| ${e.epoch} | ${e.loss.toPrecision(3)} | ${percent(e.heldOutAccuracy)} | ${e.heldOutLoss.toPrecision(3)} | ${e.learningRate.toExponential(1)} | ${e.seconds.toFixed(1)} | ${e.epoch === result.bestEpoch ? 'kept' : ''} |`,
  );
  return `# Fine-tune report

\`${input.command}\`

- Started from: ${input.model}
- Labelled photos: ${input.data} — ${input.folder.photos} photo(s); ${input.train + input.heldOut} readable columns (${input.folder.unreadable} marked unreadable left out): ${input.train} learnt from, ${input.heldOut} held out (never trained on; the epoch kept is chosen on them).
- Mixed in: ${input.replay} rendered training columns, so that the model keeps reading what it read before.
- ${result.epochs.length} epoch(s), ${result.cropsSeen} crops seen, ${result.seconds.toFixed(1)} s; kept epoch ${result.bestEpoch}${result.bestEpoch === 0 ? ' (the weights before)' : ''}.

## Verdict: ${verdict.accepted ? 'accepted' : 'REFUSED'}

| | before | after |
| --- | ---: | ---: |
| held-out user columns (${input.heldOut}) | ${percent(verdict.heldOut.before.accuracy)} | ${percent(verdict.heldOut.after.accuracy)} |\n| held-out loss | ${verdict.heldOut.before.loss.toPrecision(3)} | ${verdict.heldOut.after.loss.toPrecision(3)} |
| rendered test columns (${verdict.test.count}) | ${percent(verdict.test.before)} | ${percent(verdict.test.after)} |

Gates: a later epoch reads the held-out columns better than the weights before (more right, or as many with a lower loss); the rendered test columns fall by at most ${verdict.maxTestDrop} points; then (when written) the golden cases, rewritten for the new weights, pass on reload, and the quantization gate chooses each weight's encoding.
${verdict.failures.length === 0 ? '' : `\nRefused because ${verdict.failures.join('; ')}. No model was written.\n`}
## Epochs

| epoch | training loss | held-out accuracy | held-out loss | learning rate | seconds | |
| ---: | ---: | ---: | ---: | ---: | ---: | --- |
| 0 | | ${percent(result.heldOutBefore.accuracy)} | ${result.heldOutBefore.loss.toPrecision(3)} | | | ${result.bestEpoch === 0 ? 'kept' : ''} |
${rows.join('\n')}
`;
}
