/**
 * `npm run train`: renders the datasets, trains the column classifier on the
 * wasm backend (with our gradient kernels), evaluates it on the held-out test
 * set, and writes models/column-classifier/: model.json + shard, the training
 * record, golden files, the contract inside model.json, REPORT.md and the
 * learning-curve SVG.
 *
 * Options: `--quick` (tiny datasets, 2 epochs: a smoke test, never shipped),
 * `--out DIR` (default models/column-classifier), `--init DIR` (start from the
 * weights of the model in DIR, layer by layer where names and shapes match),
 * `--learning-rate R` and `--budget-minutes M` (override the recipe's).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { argValue, positiveNumber } from './args.ts';
import { gitCommit } from './git-commit.ts';
import {
  datasets,
  HELD_OUT_COLOUR,
  HELD_OUT_ELEVATION,
  HELD_OUT_PROFILE,
  HELD_OUT_SHAPE,
  PREPROCESS,
  TRAIN_STREAM,
  TRAINING,
  trainChunk,
} from './config.ts';
import { atThreshold, evaluate, predictDataset } from './evaluate.ts';
import { scoreByElevation } from './score-3d.ts';
import { loadModel, saveModel } from './io.ts';
import { copyMatchingWeights, type WarmStart } from './warm-start.ts';
import { registerWasmGradientKernels } from '../../src/training/kernels/register.ts';
import { buildModel, modelSize, SHIPPED_ARCHITECTURE } from './model.ts';
import { ProgressBar } from './progress.ts';
import { writeRecord } from './record.ts';
import { trainModel } from './train-loop.ts';
import { RenderPool } from './render-threads/render-pool.ts';
import { RollingTrainingSet } from './rolling-training-set.ts';
import { ChunkStream } from './chunk-stream.ts';

/** Render threads: this machine has 2 cores, and training takes one. */
const RENDER_THREADS = 2;

/** A positive number option as part of the training options, or nothing when absent. */
function numberOption<T>(args: string[], name: string, toOptions: (value: number) => T): T | Record<string, never> {
  const value = positiveNumber(argValue(args, name), name);
  return value === undefined ? {} : toOptions(value);
}

async function main(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const out = argValue(args, '--out') ?? (quick ? '/tmp/column-classifier-quick' : 'models/column-classifier');
  const startedAt = new Date();
  // The commit the code was at when training started (later commits do not describe this model).
  const commit = gitCommit();
  const t0 = performance.now();
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmGradientKernels();
  const progress = new ProgressBar(process.stderr, quick ? 5 : 50);
  progress.log(`backend ${tf.getBackend()}, output ${out}${quick ? ' (quick run)' : ''}`);

  const specs = datasets(quick ? 0.02 : 1);
  // Two threads render the first chunks, validation and test; during training one of them
  // renders the next chunk while the main thread trains (the wasm backend uses one core).
  const renderer = new RenderPool(RENDER_THREADS);
  try {
    const s0 = performance.now();
    const shown = new Map<string, number>();
    const report = (name: string) => (done: number, total: number) => {
      if (done - (shown.get(name) ?? 0) >= total / 5 || done === total) {
        shown.set(name, done);
        progress.log(`rendering ${name}: ${done}/${total} crops (${((performance.now() - s0) / 1000).toFixed(0)} s)`);
      }
    };
    const chunkJob = (k: number) => {
      const spec = trainChunk(specs.train, k);
      return renderer.render(spec, PREPROCESS, report(spec.name));
    };
    const firstChunks = Array.from({ length: TRAIN_STREAM.inSet }, (_, k) => chunkJob(k));
    const valJob = renderer.render(specs.val, PREPROCESS, report(specs.val.name));
    const testJob = renderer.render(specs.test, PREPROCESS, report(specs.test.name));
    const test3dJob = renderer.render(specs.test3d, PREPROCESS, report(specs.test3d.name));
    const [chunks, val, test, test3d] = await Promise.all([Promise.all(firstChunks), valJob, testJob, test3dJob]);
    const upfrontSeconds = (performance.now() - s0) / 1000;
    const trainSet = new RollingTrainingSet(chunks.map((c) => c.data));
    let renderSeconds = chunks.reduce((sum, c) => sum + c.seconds, 0);
    // The chunk in flight when training ends is rejected by the pool's dispose(); nothing takes it then.
    const stream = new ChunkStream(chunkJob, TRAIN_STREAM.inSet);
    progress.log(
      `rendered ${trainSet.data.size} training crops, ${val.data.size} validation, ${test.data.size} test, ${test3d.data.size} 3D test in ${upfrontSeconds.toFixed(0)} s`,
    );

    const model = buildModel(SHIPPED_ARCHITECTURE);
    const size = modelSize(model);
    progress.log(`model: ${size.parameters} parameters, ${size.bytes} bytes float32`);
    const initDir = argValue(args, '--init');
    let warmStart: WarmStart | undefined;
    if (initDir !== undefined) {
      const earlier = await loadModel(initDir);
      warmStart = copyMatchingWeights(earlier.model, model, initDir);
      earlier.model.dispose();
      progress.log(
        `warm start from ${initDir}: ${warmStart.copied.join(', ')} copied; ${warmStart.fresh.join(', ') || 'none'} fresh`,
      );
    }
    const options = {
      ...TRAINING,
      ...(quick ? { epochs: 3, budgetSeconds: 600 } : {}),
      ...numberOption(args, '--learning-rate', (learningRate) => ({ learningRate })),
      ...numberOption(args, '--budget-minutes', (minutes) => ({ budgetSeconds: minutes * 60 })),
    };
    const result = await trainModel(model, trainSet.data, val.data, {
      ...options,
      progress,
      betweenEpochs: async () => {
        const chunk = await stream.take();
        if (chunk === undefined) return;
        trainSet.replaceOldest(chunk.data);
        renderSeconds += chunk.seconds;
      },
    });
    progress.log(
      `training: ${result.history.length} epochs, best ${result.bestEpoch}, stopped by ${result.stoppedBecause}, ${result.seconds.toFixed(0)} s, ${result.imagesPerSecond.toFixed(0)} img/s, ${result.waitSeconds.toFixed(0)} s waiting for fresh crops; ${trainSet.seen.crops} crops from ${trainSet.seen.photos} photos`,
    );
    await renderer.dispose();

    const valEval = evaluate(val.data, predictDataset(model, val.data));
    const testEval = evaluate(test.data, predictDataset(model, test.data));
    const test3dPredictions = predictDataset(model, test3d.data);
    const test3dScore = scoreByElevation(test3d.data, test3dPredictions);
    const test3dEval = {
      ...evaluate(test3d.data, test3dPredictions),
      byElevation: test3dScore.bands,
      byProfile: test3dScore.profiles,
      thresholds: [0.3, 0.5, 0.7, 0.9].map((t) => atThreshold(test3d.data, test3dPredictions, t)),
      unreadableCrops: test3d.data.readable.filter((r) => r === 0).length,
    };
    progress.log(
      `3D test: digit ${(100 * test3dEval.digitAccuracy).toFixed(2)}% of ${test3dEval.readableCrops} readable crops; readable head ${(100 * test3dEval.readableAccuracy).toFixed(2)}%`,
    );
    for (const b of test3dScore.bands)
      progress.log(`  elevation ${b.band}: ${(100 * b.accuracy).toFixed(2)}% of ${b.count}`);
    for (const o of test3dEval.thresholds)
      progress.log(
        `  confidence ≥ ${o.threshold}: ${o.reported} reported, ${o.wrong} wrong (${(100 * o.wrongRate).toFixed(2)}%), coverage ${(100 * o.coverage).toFixed(2)}%`,
      );
    progress.log(
      `test: digit ${(100 * testEval.digitAccuracy).toFixed(2)}% heaven ${(100 * testEval.heavenAccuracy).toFixed(2)}% earth ${(100 * testEval.earthAccuracy).toFixed(2)}%`,
    );
    for (const [shape, g] of Object.entries(testEval.byBeadShape))
      progress.log(`  shape ${shape}: ${(100 * g.accuracy).toFixed(2)}% of ${g.count}`);
    for (const [colour, g] of Object.entries(testEval.byBeadColour))
      progress.log(`  colour ${colour}: ${(100 * g.accuracy).toFixed(2)}% of ${g.count}`);

    await saveModel(model, out);
    writeRecord(out, {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      commit,
      quick,
      backend: tf.getBackend(),
      architecture: SHIPPED_ARCHITECTURE,
      ...(warmStart === undefined ? {} : { warmStart }),
      parameters: size.parameters,
      weightBytes: size.bytes,
      datasets: {
        train: { ...specs.train, crops: trainSet.seen.crops, photos: trainSet.seen.photos, renderSeconds },
        val: { ...specs.val, photos: val.data.photos, renderSeconds: val.seconds },
        test: { ...specs.test, photos: test.data.photos, renderSeconds: test.seconds },
        test3d: { ...specs.test3d, photos: test3d.data.photos, renderSeconds: test3d.seconds },
      },
      trainStream: {
        chunkCrops: specs.train.crops,
        chunksInSet: TRAIN_STREAM.inSet,
        seedStep: TRAIN_STREAM.seedStep,
        chunks: trainSet.seen.chunks,
        refreshes: stream.chunksTaken,
        renderThreads: RENDER_THREADS,
        upfrontSeconds,
      },
      heldOut: {
        beadShape: HELD_OUT_SHAPE,
        beadColour: HELD_OUT_COLOUR,
        profile: HELD_OUT_PROFILE,
        elevation: HELD_OUT_ELEVATION,
      },
      training: { ...result, options: { ...options } },
      totalSeconds: (performance.now() - t0) / 1000,
      validation: valEval,
      test: testEval,
      test3d: test3dEval,
    });
    progress.log(
      `saved model and training record to ${out} after ${((performance.now() - t0) / 60000).toFixed(1)} min`,
    );
    model.dispose();

    // Golden files, contract and report are a separate step that re-reads what was saved
    // (re-runnable alone: `npx tsx models/training/finish.ts [DIR]`).
    const { finish } = (await import('./finish.ts')) as { finish: (dir: string) => Promise<void> };
    await finish(out);
    progress.log(`done in ${((performance.now() - t0) / 60000).toFixed(1)} min`);
  } finally {
    await renderer.dispose();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
