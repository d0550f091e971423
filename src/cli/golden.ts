/**
 * `column-classifier golden --model PATH IMAGE...` computes golden cases for
 * single-column PNGs beside model.json with the Node reference (to paste into
 * the contract's `golden`); `golden --check --model PATH [--backend wasm,cpu]`
 * runs the contract's golden cases on each backend.
 */
import { parseCommandArgs } from './parse-command-args.ts';
import { relative, dirname, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { GOLDEN_USAGE } from './usage.ts';
import { goldenOutputs } from '../model/golden.ts';
import { measureGolden } from '../runtime/golden-check.ts';
import { loadClassifierModel } from '../model/load.ts';
import { useNodeBackend, type NodeBackend } from '../reference/backend.ts';
import { nodeImageDecoder } from '../reference/image.ts';
import { DEFAULT_MODEL, openModelSource, sidecarOption } from './model-args.ts';

/**
 * Runs `golden`.
 *
 * @param args - the arguments after `golden`
 * @returns 0, or 1 when `--check` finds a backend that disagrees
 */
export async function runGoldenCommand(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs('golden', GOLDEN_USAGE, args, {
    model: { type: 'string' },
    sidecar: { type: 'string' },
    tolerance: { type: 'string', default: '1e-4' },
    backend: { type: 'string', default: 'wasm' },
    check: { type: 'boolean', default: false },
  });
  const { values, positionals } = parsed;
  const modelPath = values.model ?? DEFAULT_MODEL;
  const backends = values.backend.split(',');
  if (backends.some((b) => b !== 'wasm' && b !== 'cpu'))
    throw new InputError('input/bad-argument', `golden: --backend takes wasm and/or cpu, got ${values.backend}.`);
  const source = await openModelSource(modelPath);
  const sidecar = await sidecarOption(values.sidecar);
  if (values.check) {
    let failed = false;
    for (const backend of backends as NodeBackend[]) {
      await useNodeBackend(backend);
      const model = await loadClassifierModel(source, { sidecar });
      try {
        const measured = await measureGolden(model, source, nodeImageDecoder);
        if (measured === undefined) {
          process.stdout.write(`${backend}\tthe contract has no golden cases\n`);
        } else {
          const heads = Object.entries(measured.maxAbsDiffByHead)
            .map(([head, diff]) => `${head} ${diff.toExponential(2)}`)
            .join(', ');
          process.stdout.write(
            `${backend}\t${measured.cases} case(s)\tmax |diff| ${heads}\ttolerance ${measured.tolerance}\t${measured.passed ? 'ok' : 'MISMATCH'}\n`,
          );
          if (!measured.passed) {
            failed = true;
            process.stderr.write(
              `On the ${backend} backend the model disagrees with its golden outputs beyond the contract's tolerance ${measured.tolerance} (max |diff| ${measured.maxAbsDiff}).\n`,
            );
          }
        }
      } finally {
        model.dispose();
      }
    }
    return failed ? 1 : 0;
  }
  if (positionals.length === 0)
    throw new InputError(
      'input/bad-argument',
      `golden: give single-column images, or --check.\nusage: ${GOLDEN_USAGE}`,
    );
  const tolerance = Number(values.tolerance);
  if (!(tolerance >= 0))
    throw new InputError('input/bad-argument', `golden: --tolerance must be a number ≥ 0, got ${values.tolerance}.`);
  await useNodeBackend(backends[0] as NodeBackend);
  const model = await loadClassifierModel(source, { sidecar });
  try {
    const modelDir = /^https?:/.test(modelPath) ? '' : dirname(source.description);
    const cases = [];
    for (const image of positionals) {
      const path = relative(modelDir, resolve(image));
      if (path.startsWith('..'))
        throw new InputError(
          'input/bad-argument',
          `golden: ${image} must sit beside (or below) model.json, since the contract refers to it by a relative path.`,
        );
      const goldenCase = { name: path, input: { kind: 'png' as const, path }, expected: {} };
      cases.push({ ...goldenCase, expected: await goldenOutputs(model, goldenCase, source, nodeImageDecoder) });
    }
    process.stdout.write(`${JSON.stringify({ tolerance, cases }, null, 2)}\n`);
    return 0;
  } finally {
    model.dispose();
  }
}
