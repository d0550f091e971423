/** Text output of `quantize`: the progress bar while it measures and the summary table at the end. */
import type { GateProgress, GateResult } from './gate.ts';
import { NEAR_TIE, type Agreement } from './measure.ts';

const exp = (v: number): string => (Number.isFinite(v) ? v.toExponential(2) : String(v));
const thousands = (n: number): string => n.toLocaleString('en-US');

/** One progress line, e.g. `[#####...............] 5/27 features/kernel uint16 ok`. */
export function formatGateProgress(p: GateProgress, width = 20): string {
  const filled = Math.round((p.done / Math.max(1, p.total)) * width);
  const verdict = p.passed === undefined ? '…' : p.passed ? 'ok' : 'refused';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} ${p.tensor} ${p.tensor === '' ? '' : `${p.encoding} ${verdict}`}`.trimEnd();
}

/** Writes progress in place on a terminal, one line per finished trial otherwise. */
export function gateProgressWriter(stream: NodeJS.WriteStream = process.stderr): (p: GateProgress) => void {
  return (p) => {
    if (stream.isTTY)
      stream.write(`\r${formatGateProgress(p)}\u001b[K${p.done === p.total && p.tensor === '' ? '\n' : ''}`);
    else if (p.passed !== undefined) stream.write(`${formatGateProgress(p)}\n`);
  };
}

/** Agreement in words, e.g. `1010/1010 digits unchanged (100 %), max |diff| heaven 1.2e-4, earth 3.0e-4`. */
export function formatAgreement(a: Agreement): string {
  const heads = Object.entries(a.maxAbsDiffByHead)
    .map(([h, d]) => `${h} ${exp(d)}`)
    .join(', ');
  const unchanged = a.cases - a.changedDecisions - a.changedNearTies;
  const ties =
    a.changedNearTies === 0
      ? ''
      : `; ${a.changedNearTies} near tie${a.changedNearTies === 1 ? '' : 's'} (float32's two best within ${NEAR_TIE}) went the other way`;
  return `${unchanged}/${a.cases} ${a.decision} unchanged (${((100 * unchanged) / Math.max(1, a.cases)).toFixed(2)} %)${ties}, max |diff| ${heads}`;
}

/** The summary table (tensor, shape, encoding, bytes, max diff), markdown-compatible. */
export function formatGateTable(result: GateResult): string {
  const rows = result.decisions.map((d) => {
    const note =
      d.reason === 'small'
        ? 'small: kept float32'
        : d.reason === 'failed'
          ? `every encoding refused`
          : d.trials.length > 1
            ? `after ${d.trials
                .filter((t) => !t.passed)
                .map((t) => t.encoding)
                .join(', ')} refused`
            : '';
    const maxDiff = d.reason === 'quantized' && d.agreement !== undefined ? exp(d.agreement.maxAbsDiff) : '—';
    return [d.name, `[${d.shape.join(',')}]`, d.encoding, thousands(d.bytes), maxDiff, note];
  });
  const header = ['tensor', 'shape', 'encoding', 'bytes', 'max diff (cumulative)', 'note'];
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${header.map((h, i) => (i === 3 || i === 4 ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  lines.push(
    `| **total** | | | **${thousands(result.bytesAfter)}** (float32: ${thousands(result.bytesBefore)}) | ${exp(result.agreement.maxAbsDiff)} | |`,
  );
  return lines.join('\n');
}
