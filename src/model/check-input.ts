/**
 * Compares the contract's input with the model's input as the topology shows
 * it: name, shape, dtype, the input range, and the rescaling the model
 * already does inside (the soroban field's double-normalization bug).
 */
import type { ModelContract } from '../contract/schema.ts';
import { problem, type Problem } from './problems.ts';
import { formatMap, IDENTITY_MAP, mapRange, type AffineMap } from './affine-map.ts';
import type { InputPathReport } from './topology-report.ts';

/**
 * Below this width the first convolution sees a nearly constant image: a
 * correct pipeline gives it a range about 1 wide ([0, 1], [-1, 1]) or 255 wide
 * (raw pixels), a doubled normalization about 2/255 wide.
 */
export const MIN_USEFUL_RANGE_WIDTH = 0.05;

function sameMap(a: AffineMap, b: AffineMap): boolean {
  const close = (x: number, y: number): boolean => Math.abs(x - y) <= 1e-4 * Math.max(1, Math.abs(x), Math.abs(y));
  return close(a.scale, b.scale) && close(a.offset, b.offset);
}

function isIdentity(map: AffineMap): boolean {
  return sameMap(map, IDENTITY_MAP);
}

const fmt = (v: number): string => String(Number(v.toPrecision(5)));
const range = (r: { min: number; max: number }): string => `[${fmt(r.min)}, ${fmt(r.max)}]`;

/** The model input the contract names, or undefined. */
export function findInput(contract: ModelContract, inputs: readonly InputPathReport[]): InputPathReport | undefined {
  return inputs.find((i) => i.name === contract.input.name || i.aliases.includes(contract.input.name));
}

/**
 * Every disagreement between the contract's input section and the model.
 *
 * @param contract - the validated contract
 * @param inputs - the model's inputs from the topology inspection
 */
export function checkInput(contract: ModelContract, inputs: readonly InputPathReport[]): Problem[] {
  const problems: Problem[] = [];
  const want = contract.input;
  if (inputs.length !== 1) {
    problems.push(
      problem(
        'contract/input-not-found',
        `The model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ') || 'none'}); a column classifier takes exactly one image input.`,
      ),
    );
    return problems;
  }
  const input = findInput(contract, inputs);
  if (input === undefined) {
    const only = inputs[0] as InputPathReport;
    problems.push(
      problem(
        'contract/input-not-found',
        `input.name is "${want.name}", but the model's input is "${only.name}"${only.aliases.length > 0 ? ` (also ${only.aliases.join(', ')})` : ''}. Set input.name to "${only.name}".`,
      ),
    );
    return problems;
  }
  const [, h, w, c] = input.shape;
  if (input.shape.length !== 4 || h !== want.height || w !== want.width || c !== want.channels) {
    problems.push(
      problem(
        'contract/input-mismatch',
        `The contract feeds [batch, ${want.height}, ${want.width}, ${want.channels}] (input.height, input.width, input.channels), but the model's input "${input.name}" has shape ${JSON.stringify(input.shape)}. Make the contract match the model.`,
      ),
    );
  }
  if (input.dtype !== want.dtype) {
    problems.push(
      problem(
        'contract/input-dtype-mismatch',
        `input.dtype is ${want.dtype}, but the model's input "${input.name}" is ${input.dtype}. Set input.dtype to ${input.dtype}.`,
      ),
    );
  }
  if (want.inputRange === undefined) {
    if (input.dtype.startsWith('float')) {
      problems.push(
        problem(
          'contract/missing-input-range',
          `The model's input "${input.name}" is ${input.dtype} and the contract gives no input.inputRange, so nobody knows whether it expects [0, 255], [0, 1] or [-1, 1]; feeding the wrong one is silent. Add input.inputRange: the values for black and white pixels the model was trained with.`,
        ),
      );
    }
    return problems;
  }
  if (input.map === undefined) {
    problems.push(
      problem(
        'contract/uninspectable-input',
        `The rescaling the model applies to its input "${input.name}" before its first convolution could not be established: ${input.problem ?? 'unknown reason'}. The loader refuses a model whose input handling it cannot check; provide the weight shards, or simplify the model's input path to Rescaling/Normalization layers or scalar Mul/Add/Sub/RealDiv ops.`,
      ),
    );
    return problems;
  }
  const found = input.map;
  const declared =
    contract.modelInternals.normalization.kind === 'affine' ? contract.modelInternals.normalization : IDENTITY_MAP;
  const fed = want.inputRange;
  const seen = mapRange(found, fed);
  const where = input.steps
    .filter((s) => s.map !== undefined && !isIdentity(s.map))
    .map((s) => `${s.name} (${s.op})`)
    .join(', ');
  const conv =
    input.firstWeightedOp === undefined
      ? 'the first convolution'
      : `the first convolution (${input.firstWeightedOp.name})`;
  if (!isIdentity(found) && seen.max - seen.min < MIN_USEFUL_RANGE_WIDTH) {
    const contractMap: AffineMap = { scale: (fed.max - fed.min) / 255, offset: fed.min };
    // Rounded: the found constants are float32, and the suggestion is for people to paste.
    const exact = mapRange({ scale: 1 / found.scale, offset: -found.offset / found.scale }, fed);
    const intended = { min: Number(exact.min.toPrecision(6)), max: Number(exact.max.toPrecision(6)) };
    problems.push(
      problem(
        'contract/double-normalization',
        [
          `Double normalization: the contract normalizes the input to ${range(fed)} (input.inputRange: pixel p ↦ ${formatMap(contractMap).replace(/x/g, 'p')}), and the model normalizes again inside (found: x ↦ ${formatMap(found)} at ${where}).`,
          `Applied twice, ${conv} sees ${range(seen)}: almost a constant image, so the predictions are garbage without any error.`,
          `The model's own map turns ${range(intended)} into ${range(fed)}: set input.inputRange to {"min": ${fmt(intended.min)}, "max": ${fmt(intended.max)}} and modelInternals.normalization to {"kind": "affine", "scale": ${found.scale}, "offset": ${found.offset}}, so the normalization happens once, inside the model.`,
        ].join('\n'),
        { contractMap, modelMap: found, fedRange: fed, firstConvRange: seen, suggestedInputRange: intended },
      ),
    );
  } else if (!sameMap(found, declared)) {
    problems.push(
      problem(
        'contract/internals-mismatch',
        `modelInternals.normalization declares ${isIdentity(declared) ? 'no rescaling' : `x ↦ ${formatMap(declared)}`}, but the model's topology applies ${isIdentity(found) ? 'no rescaling' : `x ↦ ${formatMap(found)} (at ${where})`} before ${conv}; fed ${range(fed)}, the convolution sees ${range(seen)}. Correct modelInternals.normalization to ${isIdentity(found) ? '{"kind": "none"}' : `{"kind": "affine", "scale": ${found.scale}, "offset": ${found.offset}}`} and check input.inputRange against how the model was trained.`,
        { declared, found, fedRange: fed, firstConvRange: seen },
      ),
    );
  }
  return problems;
}
