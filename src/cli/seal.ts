/** `column-classifier seal MODEL --contract FILE [--dry-run]`: embeds a contract (with shard hashes) into model.json. */
import { parseCommandArgs } from './parse-command-args.ts';
import { InputError } from '../errors.ts';
import { readContractFile, sealModel } from '../reference/seal.ts';
import { SEAL_USAGE } from './usage.ts';

/**
 * Runs `seal`.
 *
 * @param args - the arguments after `seal`
 */
export async function runSeal(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs('seal', SEAL_USAGE, args, {
    contract: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  });
  const [model, ...extra] = parsed.positionals;
  if (model === undefined || extra.length > 0 || parsed.values.contract === undefined)
    throw new InputError('input/bad-argument', `seal: give one model and --contract FILE.\nusage: ${SEAL_USAGE}`);
  const result = await sealModel(model, await readContractFile(parsed.values.contract), {
    dryRun: parsed.values['dry-run'],
  });
  const warnings = result.inspection.problems.filter((p) => p.severity === 'warning');
  for (const w of warnings) process.stderr.write(`warning [${w.code}] ${w.message}\n`);
  process.stdout.write(
    `${parsed.values['dry-run'] ? 'would seal' : 'sealed'} ${result.modelJsonPath}: contract embedded, ${Object.keys(result.contract.integrity?.shards ?? {}).length} shard hash(es), heads ${result.inspection.heads.map((b) => `${b.head.name}→${b.output.key}`).join(', ')}\n`,
  );
  return 0;
}
