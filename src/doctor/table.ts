/** The doctor table as text: engine × backend → differences, agreement, time, verdict; notes below. */
import type { DoctorRow } from './compare.ts';

const exp = (v: number | undefined): string => (v === undefined ? '—' : Number.isFinite(v) ? v.toExponential(1) : '∞');

/**
 * Renders the rows.
 *
 * @param tolerance - the contract tolerance the verdicts used, for the header
 * @param decisionName - what the decisions are ("digits"; a localizer's "found, count")
 * @param timeLabel - what the time column times ("ms/batch (cols)"; a localizer's "ms/locate")
 */
export function formatDoctorTable(
  rows: readonly DoctorRow[],
  tolerance: number,
  decisionName = 'digits',
  timeLabel = 'ms/batch (cols)',
): string {
  const heads = [...new Set(rows.flatMap((r) => Object.keys(r.headDiff)))];
  const header = [
    'engine',
    'backend',
    'self-check |Δ|',
    ...heads.map((h) => `${h} |Δ| vs Node`),
    `${decisionName} = Node`,
    timeLabel,
    `result (tol ${tolerance})`,
  ];
  const lines = rows.map((r) => [
    r.engine,
    r.config,
    exp(r.selfCheck),
    ...heads.map((h) => exp(r.headDiff[h])),
    r.decisions === 0 ? '—' : `${r.decisionsAgree}/${r.decisions}`,
    r.msPerBatch === undefined
      ? '—'
      : r.batchColumns === undefined
        ? r.msPerBatch.toFixed(1)
        : `${r.msPerBatch.toFixed(1)} (${r.batchColumns})`,
    r.verdict,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const render = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)];
  const notes = rows.filter((r) => r.note !== undefined);
  if (notes.length > 0) {
    out.push('', 'Notes:');
    for (const r of notes) out.push(`  ${r.engine} ${r.config} (${r.verdict}): ${r.note ?? ''}`);
  }
  return out.join('\n');
}
