/**
 * The `column-classifier` command-line dispatcher. Each command lives in its
 * own file and returns an exit code; errors print their code and message and
 * exit non-zero.
 */
import { ColumnClassifierError } from '../errors.ts';
import { runSchema } from './schema.ts';
import { DOCTOR_USAGE } from '../doctor/usage.ts';
import {
  CLASSIFY_USAGE,
  FINE_TUNE_USAGE,
  GOLDEN_USAGE,
  INSPECT_USAGE,
  LOCATE_USAGE,
  RENDER_USAGE,
  SCHEMA_USAGE,
  SEAL_USAGE,
} from './usage.ts';

type Command = (args: readonly string[]) => Promise<number>;

// Commands load lazily: `inspect` and `schema` need no TF.js backend.
const commands: Record<string, { run: () => Promise<Command>; summary: string }> = {
  classify: { run: async () => (await import('./classify.ts')).runClassify, summary: CLASSIFY_USAGE },
  locate: { run: async () => (await import('./locate.ts')).runLocate, summary: LOCATE_USAGE },
  inspect: { run: async () => (await import('./inspect.ts')).runInspect, summary: INSPECT_USAGE },
  golden: { run: async () => (await import('./golden.ts')).runGoldenCommand, summary: GOLDEN_USAGE },
  seal: { run: async () => (await import('./seal.ts')).runSeal, summary: SEAL_USAGE },
  render: { run: async () => (await import('./render.ts')).runRender, summary: RENDER_USAGE },
  schema: { run: async () => runSchema, summary: SCHEMA_USAGE },
  quantize: {
    run: async () => (await import('./quantize.ts')).runQuantize,
    summary:
      "quantize MODEL --out DIR [--max-diff E] [--val-crops N] [--verify-crops N|all] [--uniform uint8|uint16|float16]   gate each weight's encoding on measured agreement with float32",
  },
  'fine-tune': { run: async () => (await import('./fine-tune.ts')).runFineTune, summary: FINE_TUNE_USAGE },
  doctor: { run: async () => (await import('./doctor.ts')).runDoctorCommand, summary: DOCTOR_USAGE },
};

/** Usage text listing every command. */
export function usage(): string {
  return [
    'usage: column-classifier <command> [options]',
    '',
    ...Object.values(commands).map((c) => `  ${c.summary}`),
  ].join('\n');
}

/**
 * Runs the CLI with the given arguments (without `node` and the script).
 *
 * @returns the process exit code: 0 on success, 1 on an error, 2 on bad usage
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`column-classifier: unknown command "${name}".\n${usage()}\n`);
    return 2;
  }
  try {
    return await (
      await command.run()
    )(rest);
  } catch (error) {
    if (error instanceof ColumnClassifierError) {
      process.stderr.write(`column-classifier ${name}: ${error.name} [${error.code}]\n${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
