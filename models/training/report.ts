/** REPORT.md: the shipped model's measured accuracy, size, training time and learning curve. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_DRIFT_PER_JITTER } from './dataset.ts';
import type { Evaluation, GroupAccuracy } from './evaluate.ts';
import { learningCurveSvg } from './learning-curve.ts';
import type { TrainingRecord } from './record.ts';

/** File name of the learning-curve plot. */
export const CURVE_FILE = 'learning-curve.svg';

/** A fraction as a percentage with two decimals, 'n/a' when it is not a number (nothing was counted). */
export const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(2)} %` : 'n/a');

function groupTable(title: string, groups: Record<string, GroupAccuracy>, heldOut: string): string {
  const rows = Object.entries(groups)
    .sort((a, b) => a[1].accuracy - b[1].accuracy)
    .map(([k, g]) => `| ${k}${k === heldOut ? ' (held out of training)' : ''} | ${g.count} | ${pct(g.accuracy)} |`);
  return [`| ${title} | crops | digit accuracy |`, '| --- | ---: | ---: |', ...rows].join('\n');
}

function confusionTable(e: Evaluation): string {
  const head = `| true \\ predicted | ${Array.from({ length: 10 }, (_, i) => i).join(' | ')} |`;
  const sep = `| --- |${' ---: |'.repeat(10)}`;
  const rows = e.confusion.map(
    (row, d) => `| **${d}** | ${row.map((v, p) => (p === d ? `**${v}**` : v === 0 ? '·' : String(v))).join(' | ')} |`,
  );
  return [head, sep, ...rows].join('\n');
}

/** The 3D test set's section (empty for runs before the 3D renderer). */
function section3d(record: TrainingRecord): string {
  const t = record.test3d;
  const spec = record.datasets.test3d;
  if (t === undefined || spec === undefined) return '';
  const bands = t.byElevation.map((b) => `| ${b.band} | ${b.count} | ${pct(b.accuracy)} |`).join('\n');
  const profiles = [...t.byProfile]
    .sort((a, b) => a.accuracy - b.accuracy)
    .map(
      (g) =>
        `| ${g.profile}${g.profile === record.heldOut.profile ? ' (held out of training)' : ''} | ${g.count} | ${pct(g.accuracy)} |`,
    )
    .join('\n');
  const colour = t.byBeadColour[record.heldOut.beadColour];
  const thresholds = t.thresholds
    .map((o) => `| ${o.threshold} | ${o.reported} | ${o.wrong} | ${pct(o.wrongRate)} | ${pct(o.coverage)} |`)
    .join('\n');
  const held = record.heldOut.elevation;
  return `## Result on 3D photos

${t.size} crops (seed ${spec.seed}, ${spec.photos} photos from the 3D renderer, \`src/render3d\`): sorobans ray cast in perspective at camera
elevations 35–90°, cut with their true corners jittered as for training. ${t.readableCrops} crops show a readable column; the other
${t.unreadableCrops} are "not a column" (a hand over it, the picture edge, a misplaced quad, an empty table). Held out of training: the bead
profile **${record.heldOut.profile ?? 'n/a'}**, the colour **${record.heldOut.beadColour}**${held === undefined ? '' : ` and the elevations **${held[0]}–${held[1]}°**`}.

| measure | value |
| --- | ---: |
| whole-digit accuracy (readable crops) | **${pct(t.digitAccuracy)}** |
| readable head right (all crops) | ${pct(t.readableAccuracy)} |
| held-out colour "${record.heldOut.beadColour}" | ${colour === undefined ? 'n/a' : `${pct(colour.accuracy)} of ${colour.count}`} |

| camera elevation | readable crops | digit accuracy |
| --- | ---: | ---: |
${bands}

| bead profile | readable crops | digit accuracy |
| --- | ---: | ---: |
${profiles}

What \`min-confidence\` means: of the crops whose confidence (P(heaven) · P(earth) · P(readable)) is at least the threshold, how many
are wrong (a "not a column" crop, or the wrong digit), and what share of the readable columns is reported with the right digit.

| min-confidence | reported | wrong | wrong share | readable columns reported right |
| ---: | ---: | ---: | ---: | ---: |
${thresholds}

`;
}

/** Where the weights started, when they did not start from scratch: a report must say its run is not reproducible alone. */
function warmStartLine(record: TrainingRecord): string {
  const w = record.warmStart;
  if (w === undefined) return '';
  return `\n- **Started from an earlier model's weights** (\`npm run train -- --init ${w.from}\`): ${w.copied.join(', ')} copied${w.fresh.length === 0 ? '' : `; ${w.fresh.join(', ')} fresh`}. Every number in this report is this run's; the weights also carry the runs before it (models/column-classifier/RUNS.md).`;
}

/** Writes REPORT.md and the learning-curve SVG into `dir`. */
export async function writeReport(
  dir: string,
  record: TrainingRecord,
  extra: { modelJsonBytes: number; shardBytes: number },
): Promise<void> {
  writeFileSync(join(dir, CURVE_FILE), await learningCurveSvg(record.training.history));
  const t = record.test;
  const heldShape = record.test.byBeadShape[record.heldOut.beadShape];
  const heldColour = record.test.byBeadColour[record.heldOut.beadColour];
  const perDigit = t.perDigit.map((g, d) => `| ${d} | ${g.count} | ${pct(g.accuracy)} |`).join('\n');
  const history = record.training.history
    .map(
      (h) =>
        `| ${h.epoch} | ${h.trainLoss.toFixed(4)} | ${pct(h.trainHeavenAccuracy)} | ${pct(h.trainEarthAccuracy)} | ${h.valLoss.toFixed(4)} | ${pct(h.valDigitAccuracy)} | ${h.learningRate.toExponential(1)} | ${h.imagesPerSecond.toFixed(0)} |`,
    )
    .join('\n');
  const worst = [
    ...Object.entries(t.byBeadShape).map(([k, g]) => ({ what: `bead shape ${k}`, g })),
    ...Object.entries(t.byBeadColour).map(([k, g]) => ({ what: `bead colour ${k}`, g })),
    ...Object.entries(t.byBackground).map(([k, g]) => ({ what: `background ${k}`, g })),
  ]
    .filter((w) => w.g.count >= 50)
    .sort((a, b) => a.g.accuracy - b.g.accuracy)
    .slice(0, 4)
    .map((w) => `${w.what} (${pct(w.g.accuracy)})`)
    .join(', ');
  const renderSeconds =
    record.datasets.train.renderSeconds + record.datasets.val.renderSeconds + record.datasets.test.renderSeconds;
  const stream = record.trainStream;
  const dataLine =
    stream === undefined
      ? `${record.datasets.train.crops} training crops from ${record.datasets.train.photos} photos (seed ${record.datasets.train.seed})`
      : `${record.datasets.train.crops} training crops from ${record.datasets.train.photos} photos, streamed: the training set holds ${stream.chunksInSet} chunks of ${stream.chunkCrops} crops, and after each epoch the oldest chunk is replaced by a fresh one that a render thread drew during the epoch (${stream.chunks} chunks in all; chunk k has seed ${record.datasets.train.seed} + ${stream.seedStep}·k)`;
  const timeLine =
    stream === undefined
      ? `rendering ${renderSeconds.toFixed(0)} s, training ${record.training.seconds.toFixed(0)} s`
      : `rendering before the first epoch ${stream.upfrontSeconds.toFixed(0)} s (${stream.renderThreads} threads; ${renderSeconds.toFixed(0)} thread-seconds of rendering in all, most of it beside training), training ${record.training.seconds.toFixed(0)} s of which ${(record.training.waitSeconds ?? 0).toFixed(0)} s waiting for a fresh chunk`;
  const text = `# Column classifier — training report

Generated by \`npm run train\` (models/training/train.ts) on ${record.finishedAt}, commit \`${record.commit.slice(0, 12)}\`${record.quick ? ' — **QUICK SMOKE RUN, NOT A SHIPPED MODEL**' : ''}.
Every number below was measured by that run (models/column-classifier/${'training-record.json'} holds them all).

## Result on the test set

${t.size} test column crops (seed ${record.datasets.test.seed}, ${record.datasets.test.photos} rendered photos). Half of the test photos use
the bead shape **${record.heldOut.beadShape}** or the bead colour **${record.heldOut.beadColour}**, neither of which training ever saw.

| measure | value |
| --- | ---: |
| whole-digit accuracy | **${pct(t.digitAccuracy)}** |
| heaven head accuracy | ${pct(t.heavenAccuracy)} |
| earth head accuracy | ${pct(t.earthAccuracy)} |
| mean test loss (BCE + CE) | ${t.loss.toFixed(4)} |
| held-out bead shape "${record.heldOut.beadShape}" | ${heldShape === undefined ? 'n/a' : `${pct(heldShape.accuracy)} of ${heldShape.count}`} |
| held-out bead colour "${record.heldOut.beadColour}" | ${heldColour === undefined ? 'n/a' : `${pct(heldColour.accuracy)} of ${heldColour.count}`} |
| validation whole-digit accuracy | ${pct(record.validation.digitAccuracy)} |

Hardest styles (groups of at least 50 crops): ${worst}.

### Per digit

| digit | crops | accuracy |
| ---: | ---: | ---: |
${perDigit}

### Per style (worst first)

${groupTable('bead shape', t.byBeadShape, record.heldOut.beadShape)}

${groupTable('bead colour', t.byBeadColour, record.heldOut.beadColour)}

${groupTable('background', t.byBackground, '')}

### Confusion matrix (test set)

${confusionTable(t)}

${section3d(record)}
## Model

- Input: grey ${128} × ${64} × 1 in [0, 1] (BT.601 grey, bilinear sampling after a box pre-filter, via \`src/preprocess\`), \`Rescaling(scale 2, offset −1)\` inside.
- Layers: conv ${record.architecture.filters.join('-')} (3 × 3, ReLU, each followed by 2 × 2 max-pool) → flatten → dense ${record.architecture.dense} (ReLU) → heads \`heaven\` (dense 1, sigmoid)${record.test3d === undefined ? ' and' : ','} \`earth\` (dense 5, softmax)${record.test3d === undefined ? '' : ' and `readable` (dense 1, sigmoid: the crop shows one whole, visible column)'}.
  The last map is flattened, not globally averaged, because the digit is where the beads are.${warmStartLine(record)}
- Parameters: **${record.parameters}**; float32 weight bytes: **${record.weightBytes}** (shard file ${extra.shardBytes} bytes; model.json ${extra.modelJsonBytes} bytes with the contract and 2 float32 golden inputs).
- Decode: digit = 5 · [heaven ≥ 0.5] + argmax(earth).

## Training

- Backend: TF.js ${record.backend} in Node, with our Conv2DBackpropFilter, Conv2DBackpropInput and MaxPoolGrad kernels (models/training/kernels/).
- Data: ${dataLine}; ${record.datasets.val.crops} validation crops (seed ${record.datasets.val.seed}); every crop cut from a whole rendered photo by \`preprocessColumns\`, corners jittered by up to ${record.datasets.train.jitter} column pitch (shrunk until no column drifts more than ${Number((MAX_DRIFT_PER_JITTER * record.datasets.train.jitter).toFixed(3))} pitch).
- Adam, learning rate ${String(record.training.options['learningRate'])} ${record.training.options['lrDecay'] === undefined ? 'halved after each epoch without a better validation result' : `× ${String(record.training.options['lrDecay'])} per epoch`}; the weights of the best validation epoch are kept; batch ${String(record.training.options['batchSize'])}; early stopping patience ${String(record.training.options['patience'])}; best epoch **${record.training.bestEpoch}** of ${record.training.history.length} (stopped by ${record.training.stoppedBecause}).
- Time: ${timeLine}, at **${record.training.imagesPerSecond.toFixed(0)} images/s** (2 cores, shared with other work), **total ${(record.totalSeconds / 60).toFixed(1)} min** for \`npm run train\` up to saving the model.

![learning curve](${CURVE_FILE})

| epoch | train loss | train heaven | train earth | val loss | val digit | lr | img/s |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${history}
`;
  writeFileSync(join(dir, 'REPORT.md'), text);
}
