/**
 * Turning what each engine's worker returned into the doctor table's rows:
 * per-head max |browser − Node| over every image and column, agreement of the
 * decisions (a classifier's digits, a localizer's found and count),
 * median worker time per batch, and a verdict against the contract's
 * tolerance. Pure, so it is tested without browsers.
 */
import { quadValues } from '../localize/window.ts';
import type { ConfigResult, Engine, ImageOutputs, ImageReading } from './protocol.ts';

/** Error codes that mean the engine does not have the backend at all (not a numeric failure). */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set(['backend/unavailable', 'backend/init-failed']);

/** Verdict of one cell of the table. */
export type Verdict = 'PASS' | 'FAIL' | 'N/A' | 'NOT INSTALLED';

/** One row of the doctor table. */
export interface DoctorRow {
  readonly engine: Engine;
  readonly config: string;
  readonly backendUsed: string | undefined;
  /** The worker's own golden self-check: max |computed − expected| over the contract's golden cases. */
  readonly selfCheck: number | undefined;
  /** Max |browser − Node| per head over every image and column. */
  readonly headDiff: Readonly<Record<string, number>>;
  /** Decisions (a classifier's digits; a localizer's found and count) that match the Node reference, out of all. */
  readonly decisionsAgree: number;
  readonly decisions: number;
  /** Median worker milliseconds per classify call of the largest batch, and that batch's columns. */
  readonly msPerBatch: number | undefined;
  readonly batchColumns: number | undefined;
  readonly verdict: Verdict;
  /** Why, for anything but PASS. */
  readonly note: string | undefined;
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function maxDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  a.forEach((v, i) => {
    const d = Math.abs(v - (b[i] as number));
    diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(diff, d);
  });
  return diff;
}

/** The values one image's reading is compared by: its heads, and what they decode to. */
export function imageOutputs(reading: ImageReading): ImageOutputs {
  if ('location' in reading) {
    const { corners, presence, countProbability, countConfidence, found, columns } = reading.location;
    return {
      name: reading.name,
      heads: {
        corners: quadValues(corners),
        presence: [presence],
        countProbability: [countProbability],
        countConfidence: [countConfidence],
      },
      decisions: [found ? 1 : 0, columns],
    };
  }
  return {
    name: reading.name,
    heads: {
      heaven: reading.columns.map((c) => c.heaven),
      earth: reading.columns.flatMap((c) => [...c.earth]),
    },
    decisions: reading.columns.map((c) => c.digit),
  };
}

/** Per-head max |Δ| and decision agreement of browser readings against the Node reference, image by image. */
export function compareOutputs(
  browserReadings: readonly ImageReading[],
  nodeReadings: readonly ImageReading[],
): { headDiff: Record<string, number>; decisionsAgree: number; decisions: number } {
  const browser = browserReadings.map(imageOutputs);
  const headDiff: Record<string, number> = {};
  let decisionsAgree = 0;
  let decisions = 0;
  for (const reference of nodeReadings.map(imageOutputs)) {
    const got = browser.find((b) => b.name === reference.name);
    decisions += reference.decisions.length;
    for (const [head, values] of Object.entries(reference.heads))
      headDiff[head] = Math.max(
        headDiff[head] ?? 0,
        got === undefined ? Number.POSITIVE_INFINITY : maxDiff(got.heads[head] ?? [], values),
      );
    if (got !== undefined) decisionsAgree += reference.decisions.filter((d, i) => got.decisions[i] === d).length;
  }
  return { headDiff, decisionsAgree, decisions };
}

/**
 * The row of one engine × backend configuration.
 *
 * @param tolerance - the contract's golden tolerance: the largest |Δ| allowed per output value
 * @param decisionName - what the decisions are, for the notes ("digits")
 */
export function rowOf(
  engine: Engine,
  result: ConfigResult,
  node: readonly ImageReading[],
  tolerance: number,
  decisionName = 'digits',
): DoctorRow {
  const { headDiff, decisionsAgree, decisions } = compareOutputs(result.outputs, node);
  // The largest batch is the one that says most about a frame of the element; golden columns come one per call.
  const batchColumns = result.batchColumns.length === 0 ? undefined : Math.max(...result.batchColumns);
  const msPerBatch = median(result.batchMs.filter((_, i) => result.batchColumns[i] === batchColumns));
  const base = {
    engine,
    config: result.id,
    backendUsed: result.backendUsed,
    headDiff,
    decisionsAgree,
    decisions,
    msPerBatch,
    batchColumns,
  };
  const wanted = result.id.startsWith('webgl') ? 'webgl' : result.id;
  const refusal = result.warnings.find((w) => w.details?.['backend'] === wanted) ?? result.error;
  if (result.backendUsed !== wanted && refusal !== undefined) {
    const checks = refusal.details?.['selfChecks'];
    const failedCheck = Array.isArray(checks)
      ? (checks as { backend?: unknown; maxAbsDiff?: unknown; passed?: unknown }[]).find(
          (c) => c.backend === wanted && c.passed === false,
        )
      : undefined;
    const measured = refusal.details?.['maxAbsDiff'] ?? failedCheck?.maxAbsDiff;
    const byHead = refusal.details?.['byHead'];
    const perHead =
      typeof byHead === 'object' && byHead !== null
        ? Object.entries(byHead)
            .map(([h, d]) => `${h} ${Number(d).toExponential(2)}`)
            .join(', ')
        : '';
    const goldenMismatch = refusal.code === 'backend/golden-mismatch' || failedCheck !== undefined;
    if (
      !goldenMismatch &&
      refusal.code !== undefined &&
      (UNAVAILABLE_CODES.has(refusal.code) || refusal.code === 'backend/fallback')
    ) {
      return {
        ...base,
        headDiff: {},
        decisionsAgree: 0,
        selfCheck: undefined,
        verdict: 'N/A',
        note: `${engine} has no usable ${result.id} backend here: ${refusal.message}`,
      };
    }
    const fellBack =
      result.backendUsed === undefined
        ? 'nothing ran'
        : `the worker fell back to ${result.backendUsed}, as users' would`;
    return {
      ...base,
      headDiff: {},
      decisionsAgree: 0,
      selfCheck: typeof measured === 'number' ? measured : undefined,
      verdict: 'FAIL',
      note: goldenMismatch
        ? `the worker's golden self-check refused ${result.id}${perHead === '' ? '' : ` (max |Δ| per head: ${perHead})`}; ${fellBack}. ${refusal.message}`
        : `[${refusal.code ?? 'error'}] ${refusal.message}`,
    };
  }
  if (result.error !== undefined) {
    return {
      ...base,
      selfCheck: result.selfCheck?.maxAbsDiff,
      verdict: 'FAIL',
      note: `[${result.error.code ?? 'error'}] ${result.error.message}`,
    };
  }
  const problems: string[] = [];
  if (result.selfCheck !== undefined && !result.selfCheck.passed)
    problems.push(`self-check ${result.selfCheck.maxAbsDiff.toExponential(2)} > ${result.selfCheck.tolerance}`);
  for (const [head, diff] of Object.entries(headDiff))
    if (!(diff <= tolerance)) problems.push(`${head} differs from Node by ${diff.toExponential(2)} > ${tolerance}`);
  if (decisionsAgree !== decisions)
    problems.push(`${decisions - decisionsAgree} of ${decisions} decisions (${decisionName}) differ from Node`);
  if (result.backendUsed !== wanted) problems.push(`ran on ${result.backendUsed ?? 'nothing'} instead of ${wanted}`);
  if (problems.length > 0 && result.selfCheck?.passed === true) {
    // The case doctor exists for: numbers the load-time self-check lets through.
    problems.push(
      `the worker's golden self-check passed (${result.selfCheck.maxAbsDiff.toExponential(1)} ≤ ${result.selfCheck.tolerance}), so users get this backend: its ${result.selfCheck.cases} golden case(s) do not exercise what these images do`,
    );
  }
  return {
    ...base,
    selfCheck: result.selfCheck?.maxAbsDiff,
    verdict: problems.length === 0 ? 'PASS' : 'FAIL',
    note: problems.length === 0 ? undefined : problems.join('; '),
  };
}

/** Rows for an engine that is not installed. */
export function notInstalledRows(engine: Engine, configs: readonly string[], why: string): DoctorRow[] {
  return configs.map((config) => ({
    engine,
    config,
    backendUsed: undefined,
    selfCheck: undefined,
    headDiff: {},
    decisionsAgree: 0,
    decisions: 0,
    msPerBatch: undefined,
    batchColumns: undefined,
    verdict: 'NOT INSTALLED',
    note: why,
  }));
}

/** Rows for an engine whose page failed as a whole. */
export function failedRows(engine: Engine, configs: readonly string[], why: string): DoctorRow[] {
  return notInstalledRows(engine, configs, why).map((row) => ({ ...row, verdict: 'FAIL' as const }));
}
