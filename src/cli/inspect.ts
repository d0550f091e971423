/** `column-classifier inspect MODEL [--sidecar PATH|none] [--json]`: prints the debugging checklist of a model. */
import { parseCommandArgs } from './parse-command-args.ts';
import { InputError } from '../errors.ts';
import { INSPECT_USAGE } from './usage.ts';
import { inspectModel, type ModelInspection, type SidecarOption } from '../model/inspect.ts';
import type { ModelSource } from '../model/source.ts';
import { formatInspection } from './inspect-report.ts';
import { openModelSource, sidecarOption } from './model-args.ts';

/** The inspection as plain JSON (without weight bytes). */
export function inspectionJson(inspection: ModelInspection): Record<string, unknown> {
  return {
    source: inspection.source,
    format: inspection.model.format,
    contractOrigin: inspection.contractOrigin ?? null,
    contract: inspection.contract ?? null,
    inputs: inspection.topology.inputs,
    outputs: inspection.topology.outputs,
    heads: inspection.heads.map((b) => ({ head: b.head.name, output: b.output.key })),
    weights: inspection.weights,
    shards: inspection.shards,
    problems: inspection.problems,
  };
}

/**
 * Runs `inspect`. Exits 1 when the model would be refused, so scripts can gate on it.
 *
 * @param args - the arguments after `inspect`
 */
export async function runInspect(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs('inspect', INSPECT_USAGE, args, {
    sidecar: { type: 'string' },
    json: { type: 'boolean', default: false },
    golden: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'wasm' },
  });
  const [model, ...extra] = parsed.positionals;
  if (model === undefined || extra.length > 0)
    throw new InputError('input/bad-argument', `inspect: give exactly one model.\nusage: ${INSPECT_USAGE}`);
  const source = await openModelSource(model);
  const sidecar = await sidecarOption(parsed.values.sidecar);
  const inspection = await inspectModel(source, { requireWeights: false, sidecar });
  const refused = inspection.problems.some((p) => p.severity === 'error');
  let golden: string | undefined;
  if (parsed.values.golden)
    golden = refused
      ? '  not run: the model would be refused'
      : await goldenSection(source, sidecar, parsed.values.backend);
  if (parsed.values.json) {
    process.stdout.write(
      `${JSON.stringify({ ...inspectionJson(inspection), ...(golden === undefined ? {} : { golden }) }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(`${formatInspection(inspection)}\n`);
    if (golden !== undefined)
      process.stdout.write(`\n8. Golden cases on the ${parsed.values.backend} backend\n${golden}\n`);
  }
  return refused || golden?.includes('MISMATCH') === true ? 1 : 0;
}

/** Loads the model on a Node backend and measures it against its golden cases. */
async function goldenSection(source: ModelSource, sidecar: SidecarOption, backend: string): Promise<string> {
  if (backend !== 'wasm' && backend !== 'cpu')
    throw new InputError('input/bad-argument', `inspect: --backend must be wasm or cpu, got ${backend}.`);
  const [{ useNodeBackend }, { loadClassifierModel }, { measureGolden }, { nodeImageDecoder }] = await Promise.all([
    import('../reference/backend.ts'),
    import('../model/load.ts'),
    import('../runtime/golden-check.ts'),
    import('../reference/image.ts'),
  ]);
  await useNodeBackend(backend);
  const model = await loadClassifierModel(source, { sidecar });
  try {
    const measured = await measureGolden(model, source, nodeImageDecoder);
    if (measured === undefined) return '  the contract has no golden cases';
    const heads = Object.entries(measured.maxAbsDiffByHead)
      .map(([head, diff]) => `${head} ${diff.toExponential(2)}`)
      .join(', ');
    return `  ${measured.cases} case(s); max |computed − expected| per head: ${heads}; tolerance ${measured.tolerance} → ${measured.passed ? 'ok' : 'MISMATCH'}`;
  } finally {
    model.dispose();
  }
}
