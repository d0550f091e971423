/**
 * `column-classifier doctor [--model URL|PATH] [--images DIR] [--engines LIST] [--json]`
 * and `doctor --diagnose MODEL --images DIR [--sidecar PATH] [--out PATH] [--json]`.
 */
import { parseCommandArgs } from './parse-command-args.ts';
import { InputError } from '../errors.ts';
import { DOCTOR_USAGE } from '../doctor/usage.ts';
import { ENGINES, type Engine } from '../doctor/protocol.ts';
import { DEFAULT_MODEL } from './model-args.ts';

/** A progress reporter: one line rewritten in place on a terminal, plain lines otherwise. */
function progressLine(): { say: (line: string) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    say: (line) => {
      const text = `doctor: ${line}`;
      if (tty) {
        const width = process.stderr.columns ?? 100;
        process.stderr.write(`\r\x1b[2K${text.slice(0, width - 1)}`);
        shown = true;
      } else {
        process.stderr.write(`${text}\n`);
      }
    },
    done: () => {
      if (shown) process.stderr.write('\r\x1b[2K');
    },
  };
}

function engineList(text: string | undefined): Engine[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(',').map((e) => e.trim());
  for (const e of list)
    if (!(ENGINES as readonly string[]).includes(e))
      throw new InputError('input/bad-argument', `doctor: --engines takes ${ENGINES.join(', ')}; got "${e}".`);
  return list as Engine[];
}

/**
 * Runs `doctor`.
 *
 * @returns 0 when every row passes (rows of engines not installed, or of backends an engine lacks, do not count), 1 on any FAIL
 */
export async function runDoctorCommand(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs('doctor', DOCTOR_USAGE, args, {
    model: { type: 'string' },
    images: { type: 'string' },
    engines: { type: 'string' },
    json: { type: 'boolean', default: false },
    diagnose: { type: 'string' },
    sidecar: { type: 'string' },
    out: { type: 'string' },
  });
  const { values, positionals } = parsed;
  if (positionals.length > 0)
    throw new InputError('input/bad-argument', `doctor: unexpected ${positionals.join(' ')}.\nusage: ${DOCTOR_USAGE}`);
  const progress = progressLine();
  if (values.diagnose !== undefined) {
    if (values.images === undefined)
      throw new InputError(
        'input/bad-argument',
        `doctor --diagnose needs --images DIR (with labels.json from \`column-classifier render\`).\nusage: ${DOCTOR_USAGE}`,
      );
    const { diagnoseModel } = await import('../doctor/diagnose.ts');
    const { formatDiagnosis, diagnosisJson } = await import('../doctor/diagnosis-report.ts');
    const diagnosis = await diagnoseModel({
      model: values.diagnose,
      imagesDir: values.images,
      sidecar: values.sidecar,
      out: values.out,
      progress: progress.say,
    });
    progress.done();
    process.stdout.write(
      values.json ? `${JSON.stringify(diagnosisJson(diagnosis), null, 2)}\n` : `${formatDiagnosis(diagnosis)}\n`,
    );
    return diagnosis.verdict === 'ok' ? 0 : 1;
  }
  const { runDoctor } = await import('../doctor/run-doctor.ts');
  const { formatDoctorTable } = await import('../doctor/table.ts');
  const engines = engineList(values.engines);
  const report = await runDoctor({
    model: values.model ?? DEFAULT_MODEL,
    imagesDir: values.images,
    progress: progress.say,
    ...(engines === undefined ? {} : { engines }),
  });
  progress.done();
  const failed = report.rows.filter((r) => r.verdict === 'FAIL').length;
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const columns = report.images.reduce((n, i) => n + i.columns, 0);
    process.stdout.write(
      report.kind === 'localizer'
        ? `Localizer: ${report.model}\nImages: ${report.images.length}, each located as a still image through the Node reference (wasm) and the worker in each engine (beside the shipped column classifier).\n`
        : `Model: ${report.model}\nImages: ${report.images.length} (${columns} columns), through the Node reference (wasm) and the worker in each engine.\n`,
    );
    for (const e of report.engines)
      process.stdout.write(`  ${e.engine}: ${e.installed ? (e.userAgent ?? 'did not report') : 'not installed'}\n`);
    process.stdout.write(
      `Tolerance ${report.tolerance} (${report.toleranceSource}); |Δ| = max absolute difference of any output value.\n\n`,
    );
    process.stdout.write(
      `${formatDoctorTable(report.rows, report.tolerance, report.decision, report.kind === 'localizer' ? 'ms/locate' : undefined)}\n\n`,
    );
    process.stdout.write(
      failed === 0
        ? 'Verdict: every engine × backend that exists here agrees with Node.\n'
        : `Verdict: ${failed} FAIL(s).\n`,
    );
  }
  return failed === 0 ? 0 : 1;
}
