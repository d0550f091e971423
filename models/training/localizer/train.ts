/**
 * `npm run train:localizer`: renders whole photos from both renderers in two threads, trains the localizer on
 * windows of them (wasm backend, our gradient kernels) while new chunks of photos join the training set between
 * epochs, and writes the model to models/localizer/ with its training record; then seals it (golden photos and
 * contract) and writes REPORT.md with the learning curve, reading the held-out test photos as the product does
 * (models/training/localizer/report.ts, evaluate.ts).
 *
 * Options: `--quick` (a smoke run), `--out DIR` (REPORT.md is written only into models/localizer/, the default, or
 * with `--report`), `--minutes M` (training budget, default 60), `--init DIR` (start
 * from that localizer's weights and train its own architecture on: a run that adds a kind of window need not
 * relearn the rest), `--learning-rate R` (default 2e-3).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom, shuffledIndices } from '../../../src/render/random.ts';
import { argValue, positiveNumber } from '../args.ts';
import { gitCommit } from '../git-commit.ts';
import { loadModel, saveModel } from '../io.ts';
import { registerWasmGradientKernels } from '../../../src/training/kernels/register.ts';
import { RenderPool } from '../render-threads/render-pool.ts';
import { ScheduledAdam } from '../train-loop.ts';
import { attachLocalizerContract } from './attach-contract.ts';
import { concatSamples, localizerBatch } from './batches.ts';
import { localizerDatasets } from './config.ts';
import { localizerLoss } from './loss.ts';
import { predictSamples, scoreSamples, validationScore, type LocalizerScores } from './metrics.ts';
import { buildLocalizer, LOCALIZER_ARCHITECTURE, LOCALIZER_SIDE } from './model.ts';
import { LOCALIZER_RECORD_FILE, type LocalizerEpoch, type LocalizerTrainingRecord } from './record.ts';
import { REPORT_PHOTOS, writeLocalizerReport } from './report.ts';
import type { LocalizerSamples } from './samples.ts';

const BATCH = 32;
const DEFAULT_LEARNING_RATE = 2e-3;
/** The learning rate halves every this many windows trained on (epochs grow as chunks arrive). */
const LR_HALF_LIFE_WINDOWS = 40_000;
/** Chunks rendered before the first epoch (both threads); then one thread renders the next while training runs. */
const FIRST_CHUNKS = 2;
/** Where the shipped localizer lives. */
const SHIPPED_DIR = 'models/localizer';
/** The classifier REPORT.md reads the test photos end to end with. */
const CLASSIFIER_DIR = 'models/column-classifier';

function describe(s: LocalizerScores): string {
  return `corner error mean ${(100 * s.meanCornerError).toFixed(2)}% p95 ${(100 * s.p95CornerError).toFixed(2)}% of the diagonal, presence ${(100 * s.presenceAccuracy).toFixed(2)}%, count ${(100 * s.countAccuracy).toFixed(2)}% (${s.windows} windows)`;
}

/**
 * Validation of the looks apart: the first two (whole, wide, close and cutting windows) and the third (corner
 * windows, whose errors are fractions of a much smaller window and would hide the others' in one mean).
 */
function validate(model: tf.LayersModel, val: LocalizerSamples): { looks: LocalizerScores; corner: LocalizerScores } {
  const predictions = predictSamples(model, val);
  return {
    looks: scoreSamples(val, predictions, (i) => val.kind[i] !== 'corner'),
    corner: scoreSamples(val, predictions, (i) => val.kind[i] === 'corner'),
  };
}

function describeBoth(v: { looks: LocalizerScores; corner: LocalizerScores }): string {
  return `${describe(v.looks)}; corner windows: error mean ${(100 * v.corner.meanCornerError).toFixed(2)}% p95 ${(100 * v.corner.p95CornerError).toFixed(2)}% (${v.corner.windows})`;
}

async function main(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const out = argValue(args, '--out') ?? (quick ? '/tmp/localizer-quick' : SHIPPED_DIR);
  // The test photos are read for REPORT.md when the run writes the shipped folder (or is asked to): a run written
  // elsewhere is a candidate, chosen on validation photos (models/localizer/RUNS.md).
  const report = args.includes('--report') || out === SHIPPED_DIR;
  const budgetSeconds = 60 * (positiveNumber(argValue(args, '--minutes'), '--minutes') ?? (quick ? 1 : 60));
  const init = argValue(args, '--init');
  const learningRate = positiveNumber(argValue(args, '--learning-rate'), '--learning-rate') ?? DEFAULT_LEARNING_RATE;
  if (!(learningRate > 0)) throw new Error('--learning-rate must be a positive number.');
  // The commit the code was at when training started (later commits do not describe this model).
  const commit = gitCommit();
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const log = (line: string) => process.stderr.write(`[${(elapsed() / 60).toFixed(1)} min] ${line}\n`);
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmGradientKernels();
  const specs = localizerDatasets(quick ? 0.02 : 1);
  const pool = new RenderPool(2);
  try {
    const render = (k: number) =>
      pool.renderLocalizer(specs.train(k), LOCALIZER_SIDE).then((r) => {
        log(`chunk ${k}: ${r.data.size} windows of ${r.data.photos} photos in ${r.seconds.toFixed(0)} s`);
        return r.data;
      });
    const valJob = pool.renderLocalizer(specs.val, LOCALIZER_SIDE);
    const chunks: LocalizerSamples[] = await Promise.all(Array.from({ length: FIRST_CHUNKS }, (_, k) => render(k)));
    const val = (await valJob).data;
    const renderSeconds = elapsed();
    log(`rendered ${chunks.length} chunks and validation in ${renderSeconds.toFixed(0)} s`);
    let nextChunk = FIRST_CHUNKS;
    let pending: Promise<LocalizerSamples> | undefined = render(nextChunk++);
    let ready: LocalizerSamples | undefined;
    // A chunk still rendering when training ends is dropped with the pool.
    void pending.then(
      (c) => (ready = c),
      () => undefined,
    );

    const model = init === undefined ? buildLocalizer(LOCALIZER_ARCHITECTURE) : (await loadModel(init)).model;
    log(`localizer: ${model.countParams()} parameters${init === undefined ? '' : `, weights from ${init}`}`);
    const optimizer = new ScheduledAdam(learningRate, 0.9, 0.999, 1e-7);
    const random = createRandom(11);
    const augment = createRandom(12);
    const history: LocalizerEpoch[] = [];
    let best = { score: -Infinity, epoch: 0, weights: [] as tf.Tensor[] };
    let train = concatSamples(chunks, 'train');
    let seen = 0;
    for (let epoch = 1; ; epoch++) {
      // A chunk rendered during the last epoch joins the set, and the next one starts.
      await new Promise<void>((r) => setImmediate(r));
      if (ready !== undefined) {
        chunks.push(ready);
        ready = undefined;
        train = concatSamples(chunks, 'train');
        pending = render(nextChunk++);
        void pending.then(
          (c) => (ready = c),
          () => undefined,
        );
      }
      optimizer.setLearningRate(learningRate * 0.5 ** (seen / LR_HALF_LIFE_WINDOWS));
      const order = shuffledIndices(random, train.size);
      const epochStart = performance.now();
      let lossSum = 0;
      const steps = Math.ceil(order.length / BATCH);
      for (let step = 0; step < steps; step++) {
        const indices = order.slice(step * BATCH, (step + 1) * BATCH);
        const batch = localizerBatch(train, indices, augment);
        const loss = optimizer.minimize(() => {
          const [c, p, n] = model.apply(batch.x, { training: true }) as tf.Tensor[];
          if (c === undefined || p === undefined || n === undefined) throw new Error('the localizer has three heads');
          return localizerLoss(c, p, n, batch).total;
        }, true);
        lossSum += (loss?.dataSync()[0] ?? NaN) * indices.length;
        tf.dispose([batch.x, batch.corners, batch.cornerWeight, batch.countWeight, batch.present, batch.count]);
        loss?.dispose();
        if (step % 100 === 0 && step > 0) {
          const rate = ((step + 1) * BATCH) / ((performance.now() - epochStart) / 1000);
          process.stderr.write(
            `  epoch ${epoch} step ${step}/${steps} loss ${(lossSum / ((step + 1) * BATCH)).toFixed(4)} ${rate.toFixed(0)} windows/s\r`,
          );
        }
      }
      seen += order.length;
      const seconds = (performance.now() - epochStart) / 1000;
      const v = validate(model, val);
      const score = validationScore(v);
      if (!Number.isFinite(score))
        throw new Error(`localizer training diverged at epoch ${epoch} (validation score ${score}).`);
      const isBest = score > best.score;
      log(
        `epoch ${epoch}: train loss ${(lossSum / order.length).toFixed(4)} on ${order.length} windows (${(order.length / seconds).toFixed(0)}/s); val ${describeBoth(v)}${isBest ? ' (best)' : ''}`,
      );
      history.push({
        epoch,
        trainLoss: lossSum / order.length,
        trainWindows: order.length,
        seconds,
        learningRate: optimizer.rate,
        ...v.looks,
        cornerWindows: v.corner,
      });
      if (isBest) {
        tf.dispose(best.weights);
        best = { score, epoch, weights: model.getWeights().map((w) => w.clone()) };
      }
      const perEpoch = (elapsed() - renderSeconds) / epoch;
      if (elapsed() - renderSeconds + perEpoch > budgetSeconds) break;
    }
    model.setWeights(best.weights);
    tf.dispose(best.weights);
    const v = validate(model, val);
    log(`best epoch ${best.epoch}: val ${describeBoth(v)}`);
    await saveModel(model, out);
    const record: LocalizerTrainingRecord = {
      architecture: init === undefined ? LOCALIZER_ARCHITECTURE : `that of ${init}`,
      ...(init === undefined ? {} : { initFrom: init }),
      learningRate,
      parameters: model.countParams(),
      bestEpoch: best.epoch,
      renderSeconds,
      trainingSeconds: elapsed() - renderSeconds,
      windowsSeen: seen,
      photos: chunks.reduce((n, c) => n + c.photos, 0),
      validation: v,
      history,
      commit,
      finishedAt: new Date().toISOString(),
      ...(quick ? { quick } : {}),
    };
    writeFileSync(join(out, LOCALIZER_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
    log(`wrote ${out}`);
    await attachLocalizerContract(out);
    log(`sealed ${out} (golden photos and contract in model.json)`);
    if (!report) {
      log('no REPORT.md: a candidate run is chosen on validation photos, not the test ones (--report writes it)');
      return;
    }
    log('reading the held-out test photos for REPORT.md');
    const h = await writeLocalizerReport(out, {
      classifierDir: CLASSIFIER_DIR,
      photos: quick ? 20 : REPORT_PHOTOS,
      onProgress: (done, total) => process.stderr.write(`  test photo ${done}/${total}\r`),
    });
    log(
      `wrote ${out}/REPORT.md: corners ${(100 * h.meanCornerError).toFixed(2)} % of the diagonal, count ${(100 * h.countExact).toFixed(1)} %, presence ${(100 * h.presenceRight).toFixed(1)} %`,
    );
  } finally {
    await pool.dispose();
  }
}

await main(process.argv.slice(2));
