/** `column-classifier inspect MODEL [--sidecar PATH|none] [--json]`: prints the debugging checklist of a model. */
import { parseArgs } from 'node:util';
import { InputError } from '../errors.ts';
import { INSPECT_USAGE } from './usage.ts';
import { inspectModel, type ModelInspection } from '../model/inspect.ts';
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
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: { sidecar: { type: 'string' }, json: { type: 'boolean', default: false } } });
  } catch (error) {
    throw new InputError('input/bad-argument', `inspect: ${(error as Error).message}\nusage: ${INSPECT_USAGE}`);
  }
  const [model, ...extra] = parsed.positionals;
  if (model === undefined || extra.length > 0) throw new InputError('input/bad-argument', `inspect: give exactly one model.\nusage: ${INSPECT_USAGE}`);
  const inspection = await inspectModel(await openModelSource(model), { requireWeights: false, sidecar: await sidecarOption(parsed.values.sidecar) });
  process.stdout.write(parsed.values.json ? `${JSON.stringify(inspectionJson(inspection), null, 2)}\n` : `${formatInspection(inspection)}\n`);
  return inspection.problems.some((p) => p.severity === 'error') ? 1 : 0;
}
