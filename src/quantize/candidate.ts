/**
 * A model with some of its weights re-encoded, built in memory as the exact
 * model.json + shard that would be written, and loaded through the product's
 * own loader. Measuring that (not a simulation of it) is what makes the gate
 * trustworthy: the bytes measured are the bytes shipped.
 */
import type { ModelContract } from '../contract/schema.ts';
import { LoadError } from '../errors.ts';
import type { ClassifierModel } from '../model/classifier-model.ts';
import { sha256Hex } from '../model/integrity.ts';
import { loadClassifierModel } from '../model/load.ts';
import type { WeightEntry } from '../model/model-json.ts';
import type { ModelSource } from '../model/source.ts';
import { locateWeights, readWeight } from '../model/weights.ts';
import { encodeWeight, type EncodedWeight, type Encoding } from './encode.ts';

/** One weight of the model being quantized. */
export interface BaseWeight {
  readonly entry: WeightEntry;
  /** The float32 values (dequantized if the model came quantized); undefined for non-float weights (int32 constants), which are copied as stored. */
  readonly values: Float32Array | undefined;
  /** The bytes as stored in the original shard. */
  readonly stored: Uint8Array;
}

/** The float32 model every candidate is derived from. */
export interface BaseModel {
  /** The parsed model.json, as read. */
  readonly raw: Readonly<Record<string, unknown>>;
  readonly contract: ModelContract;
  readonly weights: readonly BaseWeight[];
  /** The single shard every candidate is written to. */
  readonly shardPath: string;
  /** The original files (golden PNGs are read from here). */
  readonly source: ModelSource;
}

/** Per weight name, the encoding to store it in (absent: float32). */
export type EncodingPlan = ReadonlyMap<string, Encoding>;

/** The files of a candidate. */
export interface CandidateFiles {
  /** model.json as an object (its contract's quantization and integrity describe these bytes). */
  readonly modelJson: Record<string, unknown>;
  readonly shard: Uint8Array;
  readonly shardPath: string;
  readonly encoded: ReadonlyMap<string, EncodedWeight>;
}

/**
 * Reads the base model out of a loaded, verified model.
 *
 * @param model - loaded with {@link loadClassifierModel}, so its shards passed their hashes
 * @param source - where it was loaded from
 */
export function baseModelOf(model: ClassifierModel, source: ModelSource): BaseModel {
  const { inspection } = model;
  const located = locateWeights(inspection.model.weightsManifest);
  const weights = inspection.model.weightsManifest.flatMap((group, g) =>
    group.weights.map((entry): BaseWeight => {
      const where = located.get(entry.name);
      const bytes = inspection.groupBytes[g];
      if (where === undefined || bytes === undefined)
        throw new LoadError('load/truncated', `Weight "${entry.name}" has no verified bytes; load the model again.`);
      const stored = bytes.subarray(where.offset, where.offset + where.byteLength);
      const values = entry.dtype === 'float32' ? Float32Array.from(readWeight(where, bytes)) : undefined;
      return { entry, values, stored };
    }),
  );
  const paths = inspection.model.weightsManifest.flatMap((g) => g.paths);
  // One group keeps its shard name (the element's URLs stay valid); several are merged into one shard.
  const shardPath = paths.length === 1 ? (paths[0] as string) : 'group1-shard1of1.bin';
  return { raw: inspection.model.raw, contract: model.contract, weights, shardPath, source };
}

/** Names of the weights that can be re-encoded (float32 ones), with their value counts. */
export function quantizableWeights(base: BaseModel): { name: string; shape: readonly number[]; count: number }[] {
  return base.weights
    .filter((w) => w.values !== undefined)
    .map((w) => ({ name: w.entry.name, shape: w.entry.shape, count: w.values?.length ?? 0 }));
}

const cache = new WeakMap<Float32Array, Map<Encoding, EncodedWeight>>();

function encoded(values: Float32Array, encoding: Encoding): EncodedWeight {
  let byEncoding = cache.get(values);
  if (byEncoding === undefined) cache.set(values, (byEncoding = new Map()));
  let result = byEncoding.get(encoding);
  if (result === undefined) byEncoding.set(encoding, (result = encodeWeight(values, encoding)));
  return result;
}

/**
 * The model.json and shard of the base model with `plan` applied.
 *
 * @param contract - the contract to embed (its integrity is replaced by the new shard's sha256)
 */
export async function buildCandidate(
  base: BaseModel,
  plan: EncodingPlan,
  contract: ModelContract = base.contract,
): Promise<CandidateFiles> {
  const entries: Record<string, unknown>[] = [];
  const parts: Uint8Array[] = [];
  const encodedWeights = new Map<string, EncodedWeight>();
  for (const weight of base.weights) {
    const { name, shape, dtype } = weight.entry;
    if (weight.values === undefined) {
      entries.push({ ...weight.entry });
      parts.push(weight.stored);
      continue;
    }
    const e = encoded(weight.values, plan.get(name) ?? 'float32');
    encodedWeights.set(name, e);
    entries.push(
      e.quantization === undefined ? { name, shape, dtype } : { name, shape, dtype, quantization: e.quantization },
    );
    parts.push(e.bytes);
  }
  const shard = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    shard.set(p, at);
    at += p.byteLength;
  }
  const sealed: ModelContract = {
    ...contract,
    integrity: { algorithm: 'sha256', shards: { [base.shardPath]: await sha256Hex(shard) } },
  };
  const metadata =
    typeof base.raw['userDefinedMetadata'] === 'object' && base.raw['userDefinedMetadata'] !== null
      ? (base.raw['userDefinedMetadata'] as Record<string, unknown>)
      : {};
  const modelJson = {
    ...base.raw,
    weightsManifest: [{ paths: [base.shardPath], weights: entries }],
    userDefinedMetadata: { ...metadata, contract: sealed },
  };
  return { modelJson, shard, shardPath: base.shardPath, encoded: encodedWeights };
}

/** A {@link ModelSource} serving a candidate from memory, other files (golden PNGs) from the original model. */
export function candidateSource(files: CandidateFiles, original: ModelSource): ModelSource {
  const text = JSON.stringify(files.modelJson);
  return {
    description: `${original.description} (re-encoded in memory)`,
    readModelJson: async () => text,
    locate: (path, field) => original.locate(path, field),
    readBytes: async (path, options = {}) => {
      if (path !== files.shardPath) return original.readBytes(path, options);
      options.onProgress?.(files.shard.byteLength, files.shard.byteLength);
      return files.shard;
    },
    // The contract is embedded; an old sidecar beside the original must not override it.
    readOptionalText: async () => undefined,
  };
}

/** The contract's quantization section for a plan: each float32 weight with the encoding the plan gives it. */
export function planSection(base: BaseModel, plan: EncodingPlan): NonNullable<ModelContract['quantization']> {
  return Object.fromEntries(
    base.weights
      .filter((w) => w.values !== undefined)
      .map((w) => [w.entry.name, { dtype: plan.get(w.entry.name) ?? 'float32' }]),
  );
}

/**
 * Builds a candidate and loads it with the product's loader (every check the
 * element runs, including the contract's quantization section against the manifest).
 */
export async function loadCandidate(
  base: BaseModel,
  plan: EncodingPlan,
): Promise<{ model: ClassifierModel; files: CandidateFiles }> {
  const files = await buildCandidate(base, plan, { ...base.contract, quantization: planSection(base, plan) });
  const model = await loadClassifierModel(candidateSource(files, base.source), { sidecar: 'none' });
  return { model, files };
}
