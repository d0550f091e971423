/**
 * The localizer's REPORT.md and learning curve: the goals it is judged by (issue 22) against the held-out test
 * photos read as the product reads them, how the run trained, and its validation windows epoch by epoch.
 *
 * `npx tsx models/training/localizer/report.ts DIR [--classifier DIR] [--photos N]` (the localizer must be sealed:
 * the end-to-end reading loads it as the product does). `npm run train:localizer` calls it when it has sealed its model.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { curveSvg, type CurvePoint } from '../learning-curve.ts';
import { CURVE_FILE, pct } from '../report.ts';
import { argValue, positiveNumber } from '../args.ts';
import { evaluateLocalizer, headline, type LocalizerHeadline } from './evaluate.ts';
import { readLocalizerRecord, type LocalizerTrainingRecord } from './record.ts';

/** Test photos a report reads (the figures in models/localizer/TEST.md are on the same 300). */
export const REPORT_PHOTOS = 300;

/** How far below the true geometry the end-to-end reading with found geometry may be (issue 22), in points. */
const END_TO_END_MARGIN = 0.3;

const minutes = (s: number): string => `${(s / 60).toFixed(1)} min`;

/** The learning curve's points: the training loss, and the validation windows' corner error, presence and count. */
function localizerPoints(record: LocalizerTrainingRecord): CurvePoint[] {
  return record.history.flatMap((h) => [
    { epoch: h.epoch, metric: 'loss', set: 'train', value: h.trainLoss },
    { epoch: h.epoch, metric: 'corner error (% of diagonal)', set: 'first two looks', value: 100 * h.meanCornerError },
    ...(h.cornerWindows === undefined
      ? []
      : [
          {
            epoch: h.epoch,
            metric: 'corner error (% of diagonal)',
            set: 'corner windows',
            value: 100 * h.cornerWindows.meanCornerError,
          },
        ]),
    { epoch: h.epoch, metric: 'right (%)', set: 'presence', value: 100 * h.presenceAccuracy },
    { epoch: h.epoch, metric: 'right (%)', set: 'count head', value: 100 * h.countAccuracy },
  ]);
}

/** One row of the goals table. */
function goalRow(measure: string, value: string, goal: string, met: boolean): string {
  return `| ${measure} | ${value} | ${goal} | ${met ? 'met' : '**not met**'} |`;
}

/** The goals table (issue 22's "Done when" figures that a Node run can measure). */
function goalsTable(h: LocalizerHeadline): string {
  const rows = [
    goalRow('mean corner error, of the photo diagonal', pct(h.meanCornerError), '≤ 1 %', h.meanCornerError <= 0.01),
    goalRow('p95 corner error', pct(h.p95CornerError), '≤ 2.5 %', h.p95CornerError <= 0.025),
    goalRow('column count exact (whole sorobans)', pct(h.countExact), '≥ 99.5 %', h.countExact >= 0.995),
    goalRow('presence right (all photos)', pct(h.presenceRight), '≥ 99 %', h.presenceRight >= 0.99),
  ];
  const e = h.endToEnd;
  if (e !== undefined) {
    const trueRate = e.rightTrue / Math.max(1, e.readable);
    const foundRate = e.rightFound / Math.max(1, e.readable);
    rows.push(
      goalRow(
        'end to end, readable columns right, no geometry given',
        `${pct(foundRate)} (true geometry ${pct(trueRate)})`,
        `≥ true − ${END_TO_END_MARGIN} points`,
        foundRate >= trueRate - END_TO_END_MARGIN / 100,
      ),
    );
  }
  const c = h.confidentWrong;
  if (c !== undefined) {
    const rate = c.wrong / Math.max(1, c.reported);
    rows.push(
      goalRow(
        'wrong among columns reported at confidence ≥ 0.5',
        `${c.wrong} / ${c.reported} (${pct(rate)})`,
        '≤ 0.5 %',
        rate <= 0.005,
      ),
    );
  }
  return ['| measure | this model | goal | |', '| --- | ---: | ---: | --- |', ...rows].join('\n');
}

/** The weights' story in one sentence: gated or float32, from scratch or from an earlier run. */
function weightsLine(dir: string, record: LocalizerTrainingRecord): string {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    userDefinedMetadata?: { contract?: { quantization?: Record<string, { dtype: string }> } };
  };
  const quantization = json.userDefinedMetadata?.contract?.quantization;
  const narrowed = Object.values(quantization ?? {}).filter((q) => q.dtype !== 'float32').length;
  const gated =
    quantization === undefined
      ? 'float32, as trained (not yet through the quantization gate)'
      : `through the quantization gate (${narrowed} tensors narrowed; models/localizer/QUANTIZATION.md)`;
  const start =
    record.initFrom === undefined
      ? 'trained from scratch'
      : `**started from the weights of \`${record.initFrom}\`** (\`--init\`): they also carry the runs before it (models/localizer/RUNS.md)`;
  return `The weights are ${gated}; the run ${start}.`;
}

/** Writes REPORT.md and the learning-curve SVG into `dir`, reading `photos` held-out test photos. */
export async function writeLocalizerReport(
  dir: string,
  options: {
    readonly classifierDir: string;
    readonly photos?: number;
    readonly onProgress?: (done: number, total: number) => void;
  },
): Promise<LocalizerHeadline> {
  const record = readLocalizerRecord(dir);
  writeFileSync(
    join(dir, CURVE_FILE),
    await curveSvg(localizerPoints(record), [
      { metric: 'loss', title: 'Training loss', scale: { zero: false } },
      {
        metric: 'corner error (% of diagonal)',
        title: 'Validation corner error (of each window)',
        scale: { zero: false },
      },
      { metric: 'right (%)', title: 'Validation windows right', scale: { zero: false } },
    ]),
  );
  const evaluation = await evaluateLocalizer({
    dir,
    photos: options.photos ?? REPORT_PHOTOS,
    classifierDir: options.classifierDir,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  const h = headline(evaluation.rows);
  const epochs = record.history
    .map(
      (e) =>
        `| ${e.epoch}${e.epoch === record.bestEpoch ? ' (kept)' : ''} | ${e.trainWindows} | ${e.trainLoss.toFixed(4)} | ${pct(e.meanCornerError)} / ${pct(e.p95CornerError)} | ${pct(e.presenceAccuracy)} | ${pct(e.countAccuracy)} | ${e.cornerWindows === undefined ? 'n/a' : `${pct(e.cornerWindows.meanCornerError)} / ${pct(e.cornerWindows.p95CornerError)}`} | ${e.learningRate.toExponential(1)} | ${e.seconds.toFixed(0)} s |`,
    )
    .join('\n');
  const provenance =
    record.commit === undefined
      ? 'This training record has no commit or finish time (written before runs noted them).'
      : `Trained at commit \`${record.commit.slice(0, 12)}\`, finished ${record.finishedAt ?? 'n/a'}.`;
  const text = `# Localizer — training report

Written by \`models/training/localizer/report.ts\` (\`npm run train:localizer\` runs it after training and sealing) on
${new Date().toISOString()}${record.quick === true ? ' — **QUICK SMOKE RUN, NOT A SHIPPED MODEL**' : ''}. ${provenance}
${weightsLine(dir, record)}

## Goals, on ${h.photos} held-out test photos (${h.wholeSorobans} with a whole soroban)

Read as the product reads a frame with no geometry given (\`locate\`: the whole frame, the window around the first
quad, a window about each corner where that is a closer look; the count from the count head and the bead area's periodicity), and end to end with
the classifier \`${options.classifierDir}\` (\`readLocated\`). The photos (seed ${evaluation.seed}) are 3D and flat, at elevations
35–90°, with clutter, hands, cut-off and empty frames, and hold styles training never saw. Never used to choose a run.

${goalsTable(h)}

Not measured here: one localizer call on wasm in the browser (goal ≤ 8 ms: \`npm run bench\`, part 2), the weights on
the wire (goal ≤ 300 KB gzip: part 5), \`doctor\`.

## Training

- ${record.parameters} parameters; ${record.photos} photos rendered, ${record.windowsSeen} windows trained on; learning rate ${record.learningRate} (halving as windows are seen).
- Time: rendering before the first epoch ${minutes(record.renderSeconds)}, training ${minutes(record.trainingSeconds)} (later photos are rendered beside training); ${minutes(record.renderSeconds + record.trainingSeconds)} in all.
- Kept: epoch ${record.bestEpoch}, the best validation score (\`validationScore\`: count and presence right, minus 20 × each kind of window's corner error).

![learning curve](${CURVE_FILE})

Validation windows (the training mix's styles, validation seeds; corner errors are fractions of each window's diagonal):

| epoch | windows | train loss | first two looks: corners mean / p95 | presence | count head | corner windows: mean / p95 | rate | time |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${epochs}

## The test photos in full

${evaluation.text}
`;
  writeFileSync(join(dir, 'REPORT.md'), text);
  return h;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const dir = args[0];
  if (dir === undefined) throw new Error('usage: report.ts DIR [--classifier DIR] [--photos N]');
  await tf.setBackend('wasm');
  await tf.ready();
  const h = await writeLocalizerReport(dir, {
    classifierDir: argValue(args, '--classifier') ?? 'models/column-classifier',
    photos: positiveNumber(argValue(args, '--photos'), '--photos') ?? REPORT_PHOTOS,
    onProgress: (done, total) => {
      if (done % 25 === 0) process.stderr.write(`${done}/${total} photos\n`);
    },
  });
  console.log(`wrote ${dir}/REPORT.md and ${dir}/${CURVE_FILE}: ${goalsTable(h)}`);
}
