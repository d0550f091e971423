/**
 * Which model output is which soroban head, found from the outputs
 * themselves (units per column and last activation), never from their order;
 * and what a contract's binding gets wrong compared with that.
 */
import { classifierDecode } from '../contract/model-kind.ts';
import type { ModelContract } from '../contract/schema.ts';
import { EARTH_CLASSES } from '../contract/schema.ts';
import type { ModelOutput } from '../model/topology.ts';

/** One output as measured: its key, declared activation and units per column. */
export interface MeasuredOutput {
  readonly index: number;
  readonly key: string;
  readonly aliases: readonly string[];
  readonly shape: readonly (number | null)[];
  readonly activation: string;
  readonly units: number;
}

/** The soroban heads found among the outputs. */
export interface HeadIdentification {
  readonly heaven: MeasuredOutput | undefined;
  readonly earth: MeasuredOutput | undefined;
  /** Why a head could not be identified. */
  readonly notes: readonly string[];
}

/** Merges the topology's outputs with the units measured by running the model once. */
export function measuredOutputs(
  outputs: readonly ModelOutput[],
  units: Readonly<Record<string, number>>,
): MeasuredOutput[] {
  return outputs.map((o) => ({
    index: o.index,
    key: o.key,
    aliases: o.aliases,
    shape: o.shape,
    activation: o.activation,
    units: units[o.key] ?? Number.NaN,
  }));
}

/** Finds the heaven (1 unit, sigmoid) and earth (5 units, softmax) outputs; ambiguity leaves a head unidentified. */
export function identifyHeads(outputs: readonly MeasuredOutput[]): HeadIdentification {
  const notes: string[] = [];
  const pick = (role: string, units: number, activation: string): MeasuredOutput | undefined => {
    const matches = outputs.filter((o) => o.units === units && o.activation === activation);
    if (matches.length === 1) return matches[0];
    notes.push(
      matches.length === 0
        ? `no output has ${units} unit(s) per column ending in ${activation}, so there is no ${role} head (outputs: ${outputs.map((o) => `"${o.key}" ${o.units} ${o.activation}`).join(', ')})`
        : `${matches.length} outputs could be the ${role} head (${matches.map((o) => `"${o.key}"`).join(', ')}): ambiguous`,
    );
    return undefined;
  };
  return { heaven: pick('heaven', 1, 'sigmoid'), earth: pick('earth', EARTH_CLASSES, 'softmax'), notes };
}

/** What a contract binds each role to, and whether that is the identified output. */
export interface BindingCheck {
  readonly role: 'heaven' | 'earth';
  /** The contract head's name and the output it names. */
  readonly head: string;
  readonly boundTo: MeasuredOutput | undefined;
  readonly identified: MeasuredOutput | undefined;
  readonly correct: boolean;
}

function resolve(outputs: readonly MeasuredOutput[], name: string): MeasuredOutput | undefined {
  return outputs.find((o) => o.key === name || o.aliases.includes(name));
}

/** Checks the contract's heaven and earth bindings against the identified heads. */
export function checkBinding(
  contract: ModelContract,
  outputs: readonly MeasuredOutput[],
  identified: HeadIdentification,
): { checks: BindingCheck[]; swapped: boolean } {
  const checks = (['heaven', 'earth'] as const).map((role): BindingCheck => {
    const headName = classifierDecode(contract)[role];
    const head = contract.heads.find((h) => h.name === headName);
    const boundTo = head === undefined ? undefined : resolve(outputs, head.output);
    const wanted = identified[role];
    return {
      role,
      head: headName,
      boundTo,
      identified: wanted,
      correct: boundTo !== undefined && wanted !== undefined && boundTo.key === wanted.key,
    };
  });
  const [heaven, earth] = checks as [BindingCheck, BindingCheck];
  const swapped =
    heaven.boundTo !== undefined &&
    earth.boundTo !== undefined &&
    heaven.identified !== undefined &&
    earth.identified !== undefined &&
    heaven.boundTo.key === earth.identified.key &&
    earth.boundTo.key === heaven.identified.key;
  return { checks, swapped };
}
