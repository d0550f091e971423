/**
 * `column-classifier quantize MODEL --out DIR [--max-diff E]`: the
 * quantization gate (src/quantize/). Chooses each weight's encoding by
 * measured agreement with float32, compares with the converter's uniform
 * uint8, optionally re-checks the choice on whole validation and test sets,
 * and writes the sealed model only when every decision is unchanged (a column
 * classifier's digits; a localizer's presence and column count) but near ties,
 * which float32 itself hardly decides and are reported.
 */
import { parseCommandArgs } from './parse-command-args.ts';
import { progressLine } from './progress-line.ts';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ContractError, InputError } from '../errors.ts';
import { modelKind, type ModelKind } from '../contract/model-kind.ts';
import { loadClassifierModel } from '../model/load.ts';
import { useNodeBackend, type NodeBackend } from '../reference/backend.ts';
import { goldenInputs, renderedInputs } from '../quantize/datasets.ts';
import { BYTES_PER_VALUE, ENCODINGS, type Encoding } from '../quantize/encode.ts';
import {
  DEFAULT_MAX_DIFF,
  DEFAULT_MIN_VALUES,
  judgePlan,
  measureReference,
  runGate,
  uniformPlan,
  type GateResult,
  type Reference,
} from '../quantize/gate.ts';
import { buildCandidate, loadCandidate } from '../quantize/candidate.ts';
import {
  compareOutputs,
  concatInputs,
  DEFAULT_MAX_CORNER_SHIFT,
  NEAR_TIE,
  formatTolerance,
  measureOutputs,
  toleranceFor,
  type Agreement,
  type InputSet,
} from '../quantize/measure.ts';
import { formatQuantizationReport, withQuantizationSection } from '../quantize/report.ts';
import { formatAgreement, formatGateTable, gateProgressWriter } from '../quantize/table.ts';
import { writeGatedModel } from '../quantize/write.ts';
import { openModelSource } from './model-args.ts';
import { datasetSize, trainingInputs, type DatasetName } from './training-crops.ts';

/** Usage of the quantize command. */
export const QUANTIZE_USAGE = `quantize MODEL --out DIR [--max-diff E] [--max-corner-shift S] [--val-crops N] [--verify-crops N|all] [--uniform uint8|uint16|float16] [--min-values N] [--backend wasm|cpu] [--report REPORT.md]
  per weight, the smallest of uint8/uint16/float16 that keeps every decoded digit (a localizer: presence and count) and
  each head within E (default ${DEFAULT_MAX_DIFF}) of float32, a localizer's corners within S (default ${DEFAULT_MAX_CORNER_SHIFT} of the window);
  a decision float32 itself hardly prefers (two best within ${NEAR_TIE}) may turn and is reported;
  a localizer's --val-crops and --verify-crops count windows`;

function count(value: string, option: string, all: number): number {
  if (value === 'all') return all;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InputError('input/bad-argument', `quantize: ${option} takes a whole number or "all", got ${value}.`);
  return Math.min(n, all);
}

async function rendered(
  name: DatasetName,
  crops: number,
  kind: ModelKind,
  reference: { spec: Parameters<typeof renderedInputs>[1] },
): Promise<InputSet> {
  return renderedInputs(await trainingInputs(name, crops, kind), reference.spec, progressLine(`rendering ${name}`));
}

/** Re-measures the accepted plan on other inputs (whole validation and test sets) against float32: every digit must agree. */
async function verify(reference: Reference, plan: GateResult['plan'], inputs: InputSet): Promise<Agreement> {
  const float = await loadCandidate(reference.base, new Map());
  const quantized = await loadCandidate(reference.base, plan);
  try {
    return compareOutputs(await measureOutputs(float.model, inputs), await measureOutputs(quantized.model, inputs));
  } finally {
    float.model.dispose();
    quantized.model.dispose();
  }
}

/**
 * Runs `quantize`.
 *
 * @param args - the arguments after `quantize`
 * @returns 0 when the gated model was written, 1 when the gate refused it
 */
export async function runQuantize(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs('quantize', QUANTIZE_USAGE, args, {
    out: { type: 'string' },
    'max-diff': { type: 'string', default: String(DEFAULT_MAX_DIFF) },
    'max-corner-shift': { type: 'string', default: String(DEFAULT_MAX_CORNER_SHIFT) },
    'val-crops': { type: 'string', default: '1000' },
    'verify-crops': { type: 'string', default: '0' },
    uniform: { type: 'string' },
    'min-values': { type: 'string', default: String(DEFAULT_MIN_VALUES) },
    backend: { type: 'string', default: 'wasm' },
    report: { type: 'string' },
  });
  const { values, positionals } = parsed;
  const [modelPath, ...extra] = positionals;
  if (modelPath === undefined || extra.length > 0 || values.out === undefined)
    throw new InputError('input/bad-argument', `quantize: give one MODEL and --out DIR.\nusage: ${QUANTIZE_USAGE}`);
  const maxDiff = Number(values['max-diff']);
  if (!(maxDiff >= 0))
    throw new InputError('input/bad-argument', `quantize: --max-diff must be a number ≥ 0, got ${values['max-diff']}.`);
  const maxCornerShift = Number(values['max-corner-shift']);
  if (!(maxCornerShift >= 0))
    throw new InputError(
      'input/bad-argument',
      `quantize: --max-corner-shift must be a number ≥ 0, got ${values['max-corner-shift']}.`,
    );
  const minValues = count(values['min-values'], '--min-values', Number.MAX_SAFE_INTEGER);
  const uniform = values.uniform as Encoding | undefined;
  if (uniform !== undefined && (!(ENCODINGS as readonly string[]).includes(uniform) || uniform === 'float32'))
    throw new InputError('input/bad-argument', `quantize: --uniform takes uint8, uint16 or float16, got ${uniform}.`);
  if (values.backend !== 'wasm' && values.backend !== 'cpu')
    throw new InputError('input/bad-argument', `quantize: --backend takes wasm or cpu, got ${values.backend}.`);
  await useNodeBackend(values.backend as NodeBackend);

  const source = await openModelSource(modelPath);
  const model = await loadClassifierModel(source);
  const kind = modelKind(model.contract);
  const tolerance = toleranceFor(model.contract, maxDiff, maxCornerShift);
  let reference: Reference;
  try {
    const valCrops = count(values['val-crops'], '--val-crops', datasetSize('val', kind));
    const inputs = concatInputs([await goldenInputs(model, source), await rendered('val', valCrops, kind, model)]);
    reference = await measureReference(model, source, inputs);
  } finally {
    model.dispose();
  }
  const decisions = reference.outputs.decision;
  const out = process.stdout;
  out.write(
    `measuring on ${reference.inputs.description}; gate: no decoded ${decisions} changed, ${formatTolerance(tolerance)}\n`,
  );

  // The seed's failure, measured every time: the converter's uniform uint8 on every tensor.
  const naive = await judgePlan(reference, uniformPlan(reference.base, 'uint8'), tolerance);
  out.write(
    `converter-style uint8 on every tensor (${naive.bytes.toLocaleString('en-US')} bytes): ${formatAgreement(naive.agreement)} — ${naive.passed ? 'would pass' : `REFUSED: ${naive.failures.join('; ')}`}\n`,
  );

  let result: GateResult;
  if (uniform !== undefined) {
    const plan = uniformPlan(reference.base, uniform);
    const verdict = uniform === 'uint8' ? naive : await judgePlan(reference, plan, tolerance);
    result = {
      base: reference.base,
      plan,
      agreement: verdict.agreement,
      tolerance,
      inputs: reference.inputs,
      bytesBefore: reference.base.weights.reduce((n, w) => n + w.stored.byteLength, 0),
      bytesAfter: verdict.bytes,
      decisions: reference.base.weights.flatMap((w) =>
        w.values === undefined
          ? []
          : [
              {
                name: w.entry.name,
                shape: w.entry.shape,
                count: w.values.length,
                encoding: uniform,
                bytes: w.values.length * BYTES_PER_VALUE[uniform],
                reason: 'quantized' as const,
                agreement: verdict.agreement,
                trials: [{ encoding: uniform, agreement: verdict.agreement, passed: verdict.passed }],
              },
            ],
      ),
    };
  } else {
    result = await runGate(reference, { maxDiff, maxCornerShift, minValues, onProgress: gateProgressWriter() });
    out.write(`\n${formatGateTable(result)}\n\n`);
  }
  out.write(`accepted model on ${reference.inputs.description}: ${formatAgreement(result.agreement)}\n`);

  const verifyCrops = values['verify-crops'];
  const verified: { description: string; agreement: Agreement }[] = [];
  if (verifyCrops !== '0') {
    for (const name of ['val', 'test'] as const) {
      const inputs = await rendered(name, count(verifyCrops, '--verify-crops', datasetSize(name, kind)), kind, model);
      const agreement = await verify(reference, result.plan, inputs);
      verified.push({ description: inputs.description, agreement });
      out.write(`verify on ${inputs.description}: ${formatAgreement(agreement)}\n`);
      if (agreement.changedDecisions > 0) {
        process.stderr.write(
          `quantize: the accepted encodings change ${decisions} on the ${name} set; nothing was written. Lower --max-diff or raise --val-crops so the gate sees these cases.\n`,
        );
        return 1;
      }
    }
  }

  try {
    const written = await writeGatedModel(result, values.out);
    const shard = await readFile(join(values.out, result.base.shardPath));
    const float32 = await buildCandidate(result.base, new Map());
    const bytes = {
      raw: shard.byteLength,
      gzip: gzipSync(shard, { level: 9 }).byteLength,
      float32: float32.shard.byteLength,
      float32Gzip: gzipSync(float32.shard, { level: 9 }).byteLength,
    };
    out.write(
      `wrote ${written.modelJsonPath}: weights ${bytes.raw.toLocaleString('en-US')} bytes (gzip ${bytes.gzip.toLocaleString('en-US')}); float32 ${bytes.float32.toLocaleString('en-US')} bytes (gzip ${bytes.float32Gzip.toLocaleString('en-US')})\n`,
    );
    const command = `column-classifier quantize ${args.join(' ')}`;
    const section = formatQuantizationReport({
      result,
      naive,
      verified,
      bytes,
      golden: written.golden,
      backend: values.backend,
      command,
    });
    if (values.report === undefined) {
      await writeFile(join(values.out, 'QUANTIZATION.md'), section);
    } else {
      const markdown = await readFile(values.report, 'utf8').catch(() => '');
      await writeFile(values.report, withQuantizationSection(markdown, section));
      out.write(`wrote the Quantization section into ${values.report}\n`);
    }
    if (written.golden !== undefined)
      out.write(
        `golden check after loading from disk (${values.backend}): ${written.golden.cases} case(s), max |diff| ${written.golden.maxAbsDiff.toExponential(2)}, tolerance ${written.golden.tolerance} — ${written.golden.passed ? 'ok' : 'MISMATCH'}\n`,
      );
    return written.golden?.passed === false ? 1 : 0;
  } catch (error) {
    if (error instanceof ContractError && error.code === 'contract/quantization-gate') {
      process.stderr.write(`quantize: REFUSED [${error.code}] ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
