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

/** Weight dtypes as TF.js writes them in a manifest, and the encodings its quantization block may name. */
const WEIGHT_DTYPES: ReadonlySet<unknown> = new Set(['float32', 'int32', 'bool', 'complex64']);
const QUANTIZED_DTYPES: ReadonlySet<unknown> = new Set(['uint8', 'uint16', 'float16']);

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * One weight entry, checked so its size can be computed: a name, a dtype TF.js can size, a shape
 * of whole non-negative dimensions, and a quantization block TF.js can decode.
 */
function parseWeightEntry(w: unknown, at: string, fail: (why: string) => never): WeightEntry {
  if (!isRecord(w)) return fail(`${at} is ${describe(w)}, not a weight entry`);
  const { name, dtype, shape, quantization } = w;
  if (typeof name !== 'string' || name === '') return fail(`${at}.name is ${describe(name)}, not a weight name`);
  if (!WEIGHT_DTYPES.has(dtype))
    return fail(`${at}.dtype is ${describe(dtype)}; a weight is float32, int32, bool or complex64`);
  if (!Array.isArray(shape)) return fail(`${at}.shape is ${describe(shape)}, not a list of dimensions`);
  const dims = shape.map((d: unknown, k) =>
    Number.isSafeInteger(d) && (d as number) >= 0
      ? (d as number)
      : fail(`${at}.shape[${k}] is ${describe(d)}, not a whole number of at least 0`),
  );
  if (!Number.isSafeInteger(dims.reduce((n, d) => n * d, 1)))
    return fail(`${at}.shape ${describe(dims)} has more values than can be counted`);
  const entry = { name, dtype: dtype as string, shape: dims };
  if (quantization === undefined) return entry;
  const q = `${at}.quantization`;
  if (!isRecord(quantization)) return fail(`${q} is ${describe(quantization)}, not an object`);
  if (!QUANTIZED_DTYPES.has(quantization['dtype']))
    return fail(`${q}.dtype is ${describe(quantization['dtype'])}; TF.js decodes uint8, uint16 or float16`);
  const qDtype = quantization['dtype'] as string;
  for (const key of ['min', 'scale'] as const) {
    const value = quantization[key];
    // uint8 and uint16 are dequantized as q * scale + min: both must be numbers; float16 needs neither.
    if (value === undefined && qDtype === 'float16') continue;
    if (typeof value !== 'number' || !Number.isFinite(value))
      return fail(`${q}.${key} is ${describe(value)}, not a finite number (${qDtype} is read as q * scale + min)`);
  }
  const original = quantization['original_dtype'];
  if (original !== undefined && !WEIGHT_DTYPES.has(original))
    return fail(`${q}.original_dtype is ${describe(original)}, not a weight dtype`);
  return { ...entry, quantization: quantization as WeightEntry['quantization'] & object };
}

/**
 * Checks a parsed `model.json` and returns it typed.
 *
 * @param json - the parsed file
 * @param source - where it came from, for messages
 * @throws {LoadError} `load/unsupported-format` when it is not a TF.js layers or graph model, or a
 *   weightsManifest entry cannot be sized or decoded; the message names the field
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
  const names = new Set<string>();
  const groups: WeightGroup[] = manifest.map((group: unknown, g) => {
    const at = `weightsManifest[${g}]`;
    if (!isRecord(group) || !Array.isArray(group['paths']) || !Array.isArray(group['weights'])) {
      return fail(`${at} lacks paths or weights`);
    }
    const paths = group['paths'].map((p: unknown, i) =>
      typeof p === 'string' && p !== '' ? p : fail(`${at}.paths[${i}] is ${describe(p)}, not a file path`),
    );
    const weights = group['weights'].map((w: unknown, i) => {
      const entry = parseWeightEntry(w, `${at}.weights[${i}]`, fail);
      if (names.has(entry.name)) return fail(`${at}.weights[${i}].name "${entry.name}" names a second weight`);
      names.add(entry.name);
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
