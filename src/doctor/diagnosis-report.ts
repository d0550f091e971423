/** The `doctor --diagnose` report as text and as JSON. */
import { formatMap } from '../model/topology.ts';
import type { Diagnosis } from './diagnose.ts';

const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;
const rng = (r: { min: number; max: number }): string =>
  `[${Number(r.min.toPrecision(4))}, ${Number(r.max.toPrecision(4))}]`;

/** Renders a diagnosis as the plain-text report. */
export function formatDiagnosis(d: Diagnosis): string {
  const out: string[] = [`Diagnosis of ${d.model} (${d.format})`, ''];
  out.push(`1. Input: "${d.input.name}" ${d.input.dtype} ${JSON.stringify(d.input.shape)}`);
  out.push('', '2. Normalization inside the model (double-normalization risk)');
  for (const step of d.normalization.steps) out.push(`  ${step}`);
  if (d.normalization.channelRepeat !== 1)
    out.push(`  the input is repeated ${d.normalization.channelRepeat}× along channels`);
  out.push(
    `  composed: ${d.normalization.map === undefined ? `UNKNOWN (${d.normalization.problem ?? ''})` : `x ↦ ${formatMap(d.normalization.map)}`}`,
  );
  out.push('', "3. Outputs (in the model's order; heads identified by shape and activation, never by order)");
  for (const o of d.outputs) {
    const role = d.heads.heaven?.key === o.key ? '→ heaven' : d.heads.earth?.key === o.key ? '→ earth' : '';
    out.push(`  #${o.index} "${o.key}" ${JSON.stringify(o.shape)} ${o.units} unit(s)/column, ${o.activation} ${role}`);
  }
  for (const note of d.heads.notes) out.push(`  ${note}`);
  out.push('', '4. Quantization audit');
  out.push(
    `  ${Object.entries(d.quantization.byStored)
      .map(([dtype, n]) => `${n} weights stored ${dtype}`)
      .join(', ')}`,
  );
  const atRisk = d.quantization.audit.filter((a) => a.risk !== undefined);
  if (d.quantization.audit.length > 0)
    out.push(`  ${d.quantization.audit.length} quantized weight(s), ${atRisk.length} at risk of changing the outputs:`);
  for (const a of atRisk.slice(0, 12)) out.push(`  AT RISK ${a.name} (${a.stored}): ${a.risk ?? ''}`);
  if (atRisk.length > 12) out.push(`  … ${atRisk.length - 12} more`);
  if (d.quantization.audit.length > 0)
    out.push(
      '  their agreement with float32 was never measured (the float originals are not here); `doctor` shows what each backend makes of them.',
    );
  out.push(
    '',
    `5. Input hypotheses on ${d.images} labelled photo(s), ${d.columns} columns, ranked by loss = mean −log P(true digit) (most common digit alone: ${pct(d.chance)} right)`,
  );
  if (d.scores.length === 0) out.push('  not measured (see conclusions)');
  if (d.scores.length > 0) out.push(`  ${'hypothesis'.padEnd(28)} ${'loss'.padStart(7)} ${'right'.padStart(7)}`);
  for (const s of d.scores)
    out.push(
      `  ${s.label.padEnd(28)} ${s.loss.toFixed(3).padStart(7)} ${pct(s.accuracy).padStart(7)}${s.firstConvSees === undefined ? '' : `   first conv sees ${rng(s.firstConvSees)}`}`,
    );
  out.push('', '6. Conclusions');
  for (const c of d.conclusions) out.push(`  ${c}`);
  if (d.suspect !== undefined) {
    out.push('', `7. The existing contract (${d.suspect.description})`);
    out.push(
      `  its preprocessing: ${d.suspect.label}; measured accuracy ${d.suspect.accuracy === undefined ? 'not measurable (its heads do not decode)' : pct(d.suspect.accuracy)}`,
    );
    if (d.suspect.findings.length === 0) out.push('  nothing wrong found');
    for (const f of d.suspect.findings) out.push(`  WRONG: ${f}`);
  }
  out.push('', '8. Contract written');
  if (d.written === undefined) out.push('  none (see conclusions)');
  else {
    out.push(`  ${d.written.path}: ${d.written.loads ? 'the model loads with it' : 'the loader still refuses it:'}`);
    for (const p of d.written.problems) out.push(`    ${p.severity} [${p.code}] ${p.message.split('\n')[0] ?? ''}`);
  }
  return out.join('\n');
}

/** The diagnosis as plain JSON. */
export function diagnosisJson(d: Diagnosis): Record<string, unknown> {
  return {
    ...d,
    scores: d.scores.map(({ logLikelihoods: _perColumn, ...rest }) => rest),
    best: d.best === undefined ? null : { label: d.best.label, accuracy: d.best.accuracy, ...d.best.hypothesis },
  };
}
