/**
 * `column-classifier fine-tune --data DIR [--model PATH] --out DIR`: teaches a column classifier the user's own
 * soroban from labelled photos in the `render` format (the element's `exportSamples()` writes one), mixed with
 * rendered columns so that it keeps reading what it read before. The result must pass the gates the shipped model
 * passed: it reads the user's held-out columns no worse, the rendered test set at most `--max-test-drop` points
 * worse, its golden cases (rewritten for its weights) on reload, and the quantization gate. Writes the gated model
 * and REPORT.md to DIR; a refused model is not written, and REPORT.md says why.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { fineTuneAndJudge } from '../fine-tune/fine-tune-and-judge.ts';
import { readLabelledFolder } from '../fine-tune/read-labelled-folder.ts';
import { writeFineTunedModel } from '../fine-tune/write-fine-tuned.ts';
import { formatFineTuneReport } from '../fine-tune/report.ts';
import { loadClassifierModel } from '../model/load.ts';
import { useNodeBackend } from '../reference/backend.ts';
import { registerWasmGradientKernels } from '../training/kernels/register.ts';
import { DEFAULT_MODEL, openModelSource } from './model-args.ts';
import { parseCommandArgs } from './parse-command-args.ts';
import { progressLine } from './progress-line.ts';
import { trainingColumns } from './training-crops.ts';
import { FINE_TUNE_USAGE } from './usage.ts';

function whole(value: string, option: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new InputError('input/bad-argument', `fine-tune: ${option} takes a whole number ≥ ${min}, got ${value}.`);
  return n;
}

function fraction(value: string, option: string, max: number): number {
  const n = Number(value);
  if (!(n >= 0 && n <= max))
    throw new InputError('input/bad-argument', `fine-tune: ${option} takes a number from 0 to ${max}, got ${value}.`);
  return n;
}

/**
 * Runs `fine-tune`.
 *
 * @param args - the arguments after `fine-tune`
 * @returns 0 when the fine-tuned model passed every gate and was written, 1 when a gate refused it
 */
export async function runFineTune(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('fine-tune', FINE_TUNE_USAGE, args, {
    data: { type: 'string' },
    model: { type: 'string' },
    out: { type: 'string' },
    epochs: { type: 'string', default: '6' },
    'learning-rate': { type: 'string', default: '5e-4' },
    replay: { type: 'string', default: '600' },
    'test-crops': { type: 'string', default: '3000' },
    'held-out': { type: 'string', default: '0.2' },
    'max-test-drop': { type: 'string', default: '0.3' },
    'gate-crops': { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
  });
  if (values.data === undefined || values.out === undefined || positionals.length > 0)
    throw new InputError('input/bad-argument', `fine-tune: give --data DIR and --out DIR.\nusage: ${FINE_TUNE_USAGE}`);
  const epochs = whole(values.epochs, '--epochs', 1);
  const learningRate = Number(values['learning-rate']);
  if (!(learningRate > 0 && learningRate < 1))
    throw new InputError(
      'input/bad-argument',
      `fine-tune: --learning-rate takes a number between 0 and 1, got ${values['learning-rate']}.`,
    );
  const replayCount = whole(values.replay, '--replay', 0);
  const testCount = whole(values['test-crops'], '--test-crops', 1);
  const heldOutFraction = fraction(values['held-out'], '--held-out', 0.9);
  const maxTestDrop = fraction(values['max-test-drop'], '--max-test-drop', 100);
  const seed = whole(values.seed, '--seed', 0);
  const gateCrops = whole(values['gate-crops'], '--gate-crops', 1);
  const out = process.stderr;

  await useNodeBackend('wasm');
  registerWasmGradientKernels();
  const modelPath = values.model ?? DEFAULT_MODEL;
  const source = await openModelSource(modelPath);
  const model = await loadClassifierModel(source);
  try {
    const folder = await readLabelledFolder(values.data, model.spec);
    out.write(
      `${folder.photos} photo(s), ${folder.crops.count} labelled columns (${folder.unreadable} marked unreadable left out), ${Math.round(100 * heldOutFraction)} % held out\n`,
    );
    const replay = await trainingColumns('train', replayCount, model.spec, progressLine('rendering replay columns'));
    const test = await trainingColumns('test', testCount, model.spec, progressLine('rendering test columns'));
    const { result, verdict, learnt, heldOut } = await fineTuneAndJudge(
      model,
      { labelled: folder.crops, replay, test, heldOutFraction, maxTestDrop },
      {
        epochs,
        learningRate,
        seed,
        onProgress: (p) => {
          const line = `fine-tune epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)}${p.heldOutAccuracy === undefined ? '' : ` held-out ${(100 * p.heldOutAccuracy).toFixed(2)} %`}`;
          if (process.stderr.isTTY) out.write(`\r${line}\u001b[K${p.heldOutAccuracy === undefined ? '' : '\n'}`);
          else if (p.heldOutAccuracy !== undefined) out.write(`${line}\n`);
        },
      },
    );
    const report = formatFineTuneReport({
      command: `column-classifier fine-tune ${args.join(' ')}`,
      model: source.description,
      data: resolve(values.data),
      folder,
      train: learnt,
      heldOut,
      replay: replay.count,
      result,
      verdict,
    });
    const reportPath = join(values.out, 'REPORT.md');
    await mkdir(values.out, { recursive: true });
    await writeFile(reportPath, report);
    process.stdout.write(`${verdict.summary}\n`);
    if (!verdict.accepted) {
      process.stderr.write(
        `fine-tune: REFUSED [contract/fine-tune-gate] ${verdict.failures.join('; ')}; no model written (${reportPath}).\n`,
      );
      return 1;
    }
    const floatDir = await mkdtemp(join(tmpdir(), 'column-classifier-fine-tuned-'));
    try {
      await writeFineTunedModel(model, source, floatDir, {
        trainedBy: 'column-classifier fine-tune (TF.js wasm in Node)',
        dataset: `Fine-tuned from ${source.description} on ${learnt} labelled columns of ${resolve(values.data)} (${heldOut} more held out), mixed with ${replay.count} rendered training columns.`,
        notes: verdict.summary,
      });
      // The quantization gate, as for the shipped model; its section goes into REPORT.md.
      const { runQuantize } = await import('./quantize.ts');
      const code = await runQuantize([
        floatDir,
        '--out',
        values.out,
        '--val-crops',
        String(gateCrops),
        '--report',
        reportPath,
      ]);
      if (code !== 0) {
        process.stderr.write(`fine-tune: the quantization gate refused the fine-tuned weights; see ${reportPath}.\n`);
        return code;
      }
    } finally {
      await rm(floatDir, { recursive: true, force: true });
    }
    process.stdout.write(`wrote the fine-tuned model and REPORT.md to ${values.out}\n`);
    return 0;
  } finally {
    model.dispose();
  }
}
