/**
 * `npm run train`: renders the datasets, trains the column classifier on the
 * wasm backend (with our gradient kernels), evaluates it on the held-out test
 * set, and writes models/column-classifier/: model.json + shard, the training
 * record, golden files, the contract inside model.json, REPORT.md and the
 * learning-curve SVG.
 *
 * Options: `--quick` (tiny datasets, 2 epochs: a smoke test, never shipped),
 * `--out DIR` (default models/column-classifier).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { execFileSync } from 'node:child_process';
import { datasets, HELD_OUT_COLOUR, HELD_OUT_SHAPE, PREPROCESS, TRAINING } from './config.ts';
import { makeDataset, type Dataset, type DatasetSpec } from './dataset.ts';
import { evaluate, predictDataset } from './evaluate.ts';
import { saveModel } from './io.ts';
import { registerWasmGradientKernels } from './kernels/register.ts';
import { buildModel, modelSize, SHIPPED_ARCHITECTURE } from './model.ts';
import { ProgressBar } from './progress.ts';
import { writeRecord } from './record.ts';
import { trainModel } from './train-loop.ts';

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
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
  const made: Partial<Record<'train' | 'val' | 'test', { data: Dataset; spec: DatasetSpec; seconds: number }>> = {};
  for (const key of ['train', 'val', 'test'] as const) {
    const spec = specs[key];
    const s0 = performance.now();
    let lastShown = 0;
    const data = makeDataset(spec, PREPROCESS, (done, total) => {
      if (done - lastShown >= total / 10 || done === total) {
        lastShown = done;
        progress.log(`rendering ${spec.name}: ${done}/${total} crops (${((performance.now() - s0) / 1000).toFixed(0)} s)`);
      }
    });
    made[key] = { data, spec, seconds: (performance.now() - s0) / 1000 };
  }
  const train = made.train!;
  const val = made.val!;
  const test = made.test!;

  const model = buildModel(SHIPPED_ARCHITECTURE);
  const size = modelSize(model);
  progress.log(`model: ${size.parameters} parameters, ${size.bytes} bytes float32`);
  const options = { ...TRAINING, ...(quick ? { epochs: 2, budgetSeconds: 600 } : {}) };
  const result = trainModel(model, train.data, val.data, { ...options, progress });
  progress.log(`training: ${result.history.length} epochs, best ${result.bestEpoch}, stopped by ${result.stoppedBecause}, ${result.seconds.toFixed(0)} s, ${result.imagesPerSecond.toFixed(0)} img/s`);

  const valEval = evaluate(val.data, predictDataset(model, val.data));
  const testEval = evaluate(test.data, predictDataset(model, test.data));
  progress.log(`test: digit ${(100 * testEval.digitAccuracy).toFixed(2)}% heaven ${(100 * testEval.heavenAccuracy).toFixed(2)}% earth ${(100 * testEval.earthAccuracy).toFixed(2)}%`);
  for (const [shape, g] of Object.entries(testEval.byBeadShape)) progress.log(`  shape ${shape}: ${(100 * g.accuracy).toFixed(2)}% of ${g.count}`);
  for (const [colour, g] of Object.entries(testEval.byBeadColour)) progress.log(`  colour ${colour}: ${(100 * g.accuracy).toFixed(2)}% of ${g.count}`);

  await saveModel(model, out);
  const withInfo = (k: 'train' | 'val' | 'test', m: { data: Dataset; spec: DatasetSpec; seconds: number }) => ({ ...m.spec, photos: m.data.photos, renderSeconds: m.seconds, key: k });
  writeRecord(out, {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    commit,
    quick,
    backend: tf.getBackend(),
    architecture: SHIPPED_ARCHITECTURE,
    parameters: size.parameters,
    weightBytes: size.bytes,
    datasets: { train: withInfo('train', train), val: withInfo('val', val), test: withInfo('test', test) },
    heldOut: { beadShape: HELD_OUT_SHAPE, beadColour: HELD_OUT_COLOUR },
    training: { ...result, options: { ...options } },
    totalSeconds: (performance.now() - t0) / 1000,
    validation: valEval,
    test: testEval,
  });
  progress.log(`saved model and training record to ${out} after ${((performance.now() - t0) / 60000).toFixed(1)} min`);
  model.dispose();

  // Golden files, contract and report are a separate step that re-reads what was saved
  // (re-runnable alone: `npx tsx models/training/finish.ts [DIR]`).
  const { finish } = (await import('./finish.ts')) as { finish: (dir: string) => Promise<void> };
  await finish(out);
  progress.log(`done in ${((performance.now() - t0) / 60000).toFixed(1)} min`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
