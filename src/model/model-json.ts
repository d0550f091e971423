/**
 * The parsed `model.json` of a TF.js model (layers or graph format), checked
 * just enough to walk it safely. Pure data: no TF.js, no Node APIs.
 */
import { LoadError } from '../errors.ts';

/** One weight entry of a `weightsManifest` group. */
export interface WeightEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  /** Present when the converter stored the weight quantized; TF.js dequantizes uint8/uint16 as q * scale + min. */
  readonly quantization?: {
    readonly dtype: string;
    readonly min?: number;
    readonly scale?: number;
    readonly original_dtype?: string;
  };
}

/** One group of the weights manifest: shard paths (relative to model.json) and the weights laid out across them. */
export interface WeightGroup {
  readonly paths: readonly string[];
  readonly weights: readonly WeightEntry[];
}

/** A graph-model node, as the converter writes it. */
export interface GraphNode {
  readonly name: string;
  readonly op: string;
  readonly input?: readonly string[];
  readonly attr?: Readonly<Record<string, unknown>>;
}

/** A signature tensor entry (`signature.inputs` / `signature.outputs`). */
export interface SignatureTensor {
  readonly name: string;
  readonly dtype?: string;
  readonly tensorShape?: { readonly dim?: readonly { readonly size?: string | number }[] };
}

/** What this code reads from a `model.json`. */
export interface ModelJson {
  readonly format: 'layers-model' | 'graph-model';
  readonly generatedBy: string | undefined;
  readonly convertedBy: string | undefined;
  readonly modelTopology: Readonly<Record<string, unknown>>;
  readonly weightsManifest: readonly WeightGroup[];
  readonly signature:
    | {
        readonly inputs: Readonly<Record<string, SignatureTensor>>;
        readonly outputs: Readonly<Record<string, SignatureTensor>>;
      }
    | undefined;
  readonly userDefinedMetadata: Readonly<Record<string, unknown>> | undefined;
  /** The whole parsed JSON, for handing to TF.js unchanged. */
  readonly raw: Readonly<Record<string, unknown>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a parsed `model.json` and returns it typed.
 *
 * @param json - the parsed file
 * @param source - where it came from, for messages
 * @throws {LoadError} `load/unsupported-format` when it is not a TF.js layers or graph model
 */
export function parseModelJson(json: unknown, source: string): ModelJson {
  const fail = (why: string): never => {
    throw new LoadError(
      'load/unsupported-format',
      `${source} is not a TF.js model.json: ${why}. Give the model.json written by tensorflowjs_converter or tf.io (layers-model or graph-model).`,
    );
  };
  if (!isRecord(json)) return fail('it is not a JSON object');
  const topology = json['modelTopology'];
  if (!isRecord(topology)) return fail('it has no modelTopology object');
  let format = json['format'];
  // Old converters left `format` out; the topology says which kind it is.
  if (format === undefined) format = Array.isArray(topology['node']) ? 'graph-model' : 'layers-model';
  if (format !== 'layers-model' && format !== 'graph-model') return fail(`format is ${JSON.stringify(format)}`);
  if (format === 'graph-model' && !Array.isArray(topology['node']))
    return fail('a graph-model topology has no node list');
  if (format === 'layers-model' && !isRecord(topology['model_config']) && !isRecord(topology['config'])) {
    return fail('a layers-model topology has no model_config');
  }
  const manifest = json['weightsManifest'];
  if (!Array.isArray(manifest)) return fail('it has no weightsManifest array');
  const groups: WeightGroup[] = manifest.map((group: unknown, g) => {
    if (!isRecord(group) || !Array.isArray(group['paths']) || !Array.isArray(group['weights'])) {
      return fail(`weightsManifest[${g}] lacks paths or weights`);
    }
    const paths = group['paths'].map((p: unknown) =>
      typeof p === 'string' ? p : fail(`weightsManifest[${g}].paths holds a non-string`),
    );
    const weights = group['weights'].map((w: unknown, i) => {
      if (
        !isRecord(w) ||
        typeof w['name'] !== 'string' ||
        typeof w['dtype'] !== 'string' ||
        !Array.isArray(w['shape'])
      ) {
        return fail(`weightsManifest[${g}].weights[${i}] lacks name, dtype or shape`);
      }
      const entry: WeightEntry = {
        name: w['name'],
        dtype: w['dtype'],
        shape: w['shape'].map((d: unknown) =>
          typeof d === 'number' ? d : fail(`weight ${String(w['name'])} has a non-numeric dimension`),
        ),
        ...(isRecord(w['quantization'])
          ? { quantization: w['quantization'] as WeightEntry['quantization'] & object }
          : {}),
      };
      return entry;
    });
    return { paths, weights };
  });
  const signature = json['signature'];
  return {
    format,
    generatedBy: typeof json['generatedBy'] === 'string' ? json['generatedBy'] : undefined,
    convertedBy: typeof json['convertedBy'] === 'string' ? json['convertedBy'] : undefined,
    modelTopology: topology,
    weightsManifest: groups,
    signature:
      isRecord(signature) && isRecord(signature['inputs']) && isRecord(signature['outputs'])
        ? {
            inputs: signature['inputs'] as Record<string, SignatureTensor>,
            outputs: signature['outputs'] as Record<string, SignatureTensor>,
          }
        : undefined,
    userDefinedMetadata: isRecord(json['userDefinedMetadata']) ? json['userDefinedMetadata'] : undefined,
    raw: json,
  };
}
