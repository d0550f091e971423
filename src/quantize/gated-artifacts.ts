/**
 * A gated model as files in memory: the shard with the chosen encodings, the manifest's quantization blocks, a
 * contract whose quantization section holds every decision with its measured agreement, golden outputs recomputed
 * from the quantized model (they are what every backend must reproduce), and the shard's hash. One path for
 * `quantize` (written to a folder) and the fine-tune worker (stored in IndexedDB).
 */
import type { ModelContract } from '../contract/schema.ts';
import { ContractError } from '../errors.ts';
import { goldenOutputs, type ImageDecoder } from '../model/golden.ts';
import { loadClassifierModel } from '../model/load.ts';
import { buildCandidate, candidateSource, planSection, type CandidateFiles } from './candidate.ts';
import type { GateResult, TensorDecision } from './gate.ts';
import { formatTolerance, gateFailures, passesGate, type Agreement } from './measure.ts';

const exp = (v: number): string => v.toExponential(2);

function diffs(agreement: Agreement): string {
  return Object.entries(agreement.maxAbsDiffByHead)
    .map(([head, d]) => `${head} ${exp(d)}`)
    .join(', ');
}

/** The contract entry of one decision: its encoding and what was measured for it. */
function decisionEntry(
  decision: TensorDecision,
  result: GateResult,
): NonNullable<ModelContract['quantization']>[string] {
  const on = result.inputs.description;
  if (decision.reason === 'small')
    return {
      dtype: 'float32',
      agreement: {
        metric: 'argmax-agreement',
        value: 1,
        measuredOn: `kept float32 untried: ${decision.count} values (below the size threshold)`,
      },
    };
  const tried = decision.trials
    .filter((t) => !t.passed)
    .map((t) => `${t.encoding}: ${gateFailures(t.agreement, result.tolerance).join('; ')}`);
  const agreement = decision.agreement;
  if (decision.reason === 'failed' || agreement === undefined) {
    return {
      dtype: 'float32',
      agreement: {
        metric: 'argmax-agreement',
        value: 1,
        measuredOn: `kept float32 on ${on}; refused ${tried.join(' | ')}`,
      },
    };
  }
  const refused = tried.length === 0 ? '' : `; refused ${tried.join(' | ')}`;
  return {
    dtype: decision.encoding,
    agreement: {
      metric: 'argmax-agreement',
      value: agreement.decisionAgreement,
      measuredOn: `${on}, with the encodings chosen before it; max |diff| ${diffs(agreement)} (gate: ${formatTolerance(result.tolerance)})${refused}`,
    },
  };
}

/** The files of a gated model. */
export interface GatedArtifacts {
  readonly contract: ModelContract;
  /** model.json (with `contract`) and the shard. */
  readonly files: CandidateFiles;
  /** The golden PNGs model.json names, by path. */
  readonly goldenFiles: Readonly<Record<string, Uint8Array>>;
}

/**
 * The gated model's files.
 *
 * @param decode - how golden PNGs are decoded here (Node or a worker)
 * @throws {ContractError} `contract/quantization-gate` when the result's agreement does not pass the gate: a model that changes a decision (a digit, a localizer's presence or count) is never made
 */
export async function gatedArtifacts(result: GateResult, decode: ImageDecoder): Promise<GatedArtifacts> {
  if (!passesGate(result.agreement, result.tolerance)) {
    throw new ContractError(
      'contract/quantization-gate',
      `The quantized model was not written: on ${result.inputs.description} ${gateFailures(result.agreement, result.tolerance).join('; ')}. Keep the failing tensors float32 (run the gate rather than a uniform encoding) or loosen --max-diff only if a changed probability is acceptable; a changed decision never is.`,
      { details: { ...result.agreement } },
    );
  }
  const { base } = result;
  const section = Object.fromEntries(result.decisions.map((d) => [d.name, decisionEntry(d, result)]));
  // Golden outputs must be those of the quantized model: load it in memory first and recompute them.
  const plain = await buildCandidate(base, result.plan, {
    ...base.contract,
    quantization: planSection(base, result.plan),
  });
  const source = candidateSource(plain, base.source);
  const model = await loadClassifierModel(source, { sidecar: 'none' });
  let golden = base.contract.golden;
  try {
    if (golden !== undefined) {
      const cases = [];
      for (const goldenCase of golden.cases) {
        cases.push({ ...goldenCase, expected: await goldenOutputs(model, goldenCase, source, decode) });
      }
      golden = { ...golden, cases };
    }
  } finally {
    model.dispose();
  }
  const contract: ModelContract = {
    ...base.contract,
    quantization: section,
    ...(golden === undefined ? {} : { golden }),
  };
  const goldenFiles: Record<string, Uint8Array> = {};
  for (const goldenCase of golden?.cases ?? [])
    if (goldenCase.input.kind === 'png')
      goldenFiles[goldenCase.input.path] = await base.source.readBytes(goldenCase.input.path);
  return { contract, files: await buildCandidate(base, result.plan, contract), goldenFiles };
}
