/**
 * Binds the contract's heads to model outputs by name and checks each by
 * shape and activation. Never by index: graph models list their outputs in
 * any order (the field model lists earth before heaven).
 */
import type { HeadContract, ModelContract } from '../contract/schema.ts';
import { problem, warning, type Problem } from './problems.ts';
import type { ModelOutput } from './topology.ts';

/** A contract head bound to the model output it names. */
export interface BoundHead {
  readonly head: HeadContract;
  readonly output: ModelOutput;
}

function describe(outputs: readonly ModelOutput[]): string {
  return outputs.map((o) => `"${o.key}" ${JSON.stringify(o.shape)} ${o.activation}`).join(', ');
}

function sameDims(a: readonly (number | null)[], b: readonly (number | null)[]): boolean {
  return a.length === b.length && a.every((d, i) => i === 0 || d === b[i]);
}

/**
 * Binds every head of the contract.
 *
 * @param contract - the validated contract
 * @param outputs - the model's outputs (from the topology, with shapes refined by the loaded model when known)
 * @returns the bindings of heads that could be bound, and every problem found
 */
export function bindHeads(
  contract: ModelContract,
  outputs: readonly ModelOutput[],
): { bound: BoundHead[]; problems: Problem[] } {
  const bound: BoundHead[] = [];
  const problems: Problem[] = [];
  contract.heads.forEach((head, i) => {
    const matches = outputs.filter((o) => o.key === head.output || o.aliases.includes(head.output));
    if (matches.length === 0) {
      problems.push(
        problem(
          'contract/head-not-found',
          `heads[${i}] ("${head.name}") is bound to output "${head.output}", which the model does not have. Its outputs are: ${describe(outputs)}. Set heads[${i}].output to one of them.`,
        ),
      );
      return;
    }
    if (matches.length > 1) {
      problems.push(
        problem(
          'contract/head-ambiguous',
          `heads[${i}] ("${head.name}") output "${head.output}" designates ${matches.length} different model outputs (${describe(matches)}), e.g. a signature key equal to another output's node name. Bind it by the signature output key.`,
        ),
      );
      return;
    }
    const output = matches[0] as ModelOutput;
    if (output.shape.length > 0 && !sameDims(head.shape, output.shape)) {
      problems.push(
        problem(
          'contract/head-shape-mismatch',
          `heads[${i}] ("${head.name}") expects shape ${JSON.stringify(head.shape)}, but output "${output.key}" has shape ${JSON.stringify(output.shape)}. Check that the head is bound to the right output (outputs: ${describe(outputs)}).`,
        ),
      );
      return;
    }
    if (output.activation !== head.activation) {
      problems.push(
        problem(
          'contract/head-activation-mismatch',
          `heads[${i}] ("${head.name}") is declared ${head.activation}, but output "${output.key}" ends in ${output.activation} (${output.producer}). Bind the head to the right output, or correct heads[${i}].activation.`,
        ),
      );
      return;
    }
    bound.push({ head, output });
  });
  const used = new Set(bound.map((b) => b.output.key));
  for (const output of outputs) {
    if (!used.has(output.key)) {
      problems.push(
        warning(
          'contract/unbound-output',
          `Model output "${output.key}" ${JSON.stringify(output.shape)} is not bound to any head; it will be computed and ignored.`,
        ),
      );
    }
  }
  return { bound, problems };
}
