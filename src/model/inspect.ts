/**
 * Inspects a model and its contract without running it: everything the
 * loader checks, collected instead of thrown, so `inspect` can print the
 * whole checklist and the loader can refuse on the first error.
 */
import { validateContract } from '../contract/validate.ts';
import type { ModelContract } from '../contract/schema.ts';
import { ColumnClassifierError, LoadError } from '../errors.ts';
import { bindHeads, type BoundHead } from './bind-heads.ts';
import { checkInput } from './check-input.ts';
import { checkQuantization, checkShards, type ShardReport, type WeightReport } from './check-weights.ts';
import { locateContract, parseSidecar, SIDECAR_NAME, type ContractOrigin } from './contract-location.ts';
import { checkMaxModelBytes, ModelBudget, shardLimit } from './model-budget.ts';
import { parseModelJson, type ModelJson } from './model-json.ts';
import { problem, type Problem } from './problems.ts';
import type { ModelSource } from './source.ts';
import { inspectTopology, type TopologyReport } from './topology.ts';
import { locateWeights, readWeight } from './weights.ts';
import { auditProblems, auditQuantization, type WeightAudit } from './quantization-audit.ts';

/** Where to look for a sidecar contract. */
export type SidecarOption =
  /**
   * The contract embedded in model.json; only when there is none, `model.contract.json` beside it,
   * if it exists (a model that carries its contract costs no request that a page logs as a 404).
   */
  | 'auto'
  /** Only the contract embedded in model.json. */
  | 'none'
  /** A sidecar already read (from a path or a URL), with a description for messages. */
  | { readonly json: unknown; readonly description: string };

/** Progress of a load, for a progress bar. */
export interface LoadProgress {
  readonly phase: 'model-json' | 'weights' | 'verifying' | 'building';
  /** Weight bytes read so far, and the total the manifest lists. */
  readonly loaded: number;
  readonly total: number;
}

/** Options of {@link inspectModel}. */
export interface InspectOptions {
  readonly sidecar?: SidecarOption;
  /** When true (the loader), a missing shard is an error; when false (`inspect`), a warning. Default true. */
  readonly requireWeights?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: LoadProgress) => void;
  /**
   * The most bytes the model may take, model.json, sidecar and weights together (and each golden
   * image on its own). A larger model is refused with `load/too-large` before its weights are
   * requested, and a file that grows past the limit while downloading is cut off there.
   * Default 64 MiB (`DEFAULT_MAX_MODEL_BYTES` in `model-budget.ts`).
   */
  readonly maxModelBytes?: number;
}

/** Everything known about a model after inspection. */
export interface ModelInspection {
  readonly source: string;
  readonly model: ModelJson;
  /** The `maxModelBytes` the model was read with (golden images are read within it too). */
  readonly maxModelBytes: number;
  readonly contractOrigin: ContractOrigin | undefined;
  /** Where the contract was read from, for people (e.g. `model.contract.json`). */
  readonly contractDescription: string | undefined;
  /** The validated contract, undefined when missing or invalid (see problems). */
  readonly contract: ModelContract | undefined;
  readonly topology: TopologyReport;
  readonly heads: readonly BoundHead[];
  readonly shards: readonly ShardReport[];
  readonly weights: readonly WeightReport[];
  /** Each quantized weight's range and worst-case rounding error (`quantization-audit.ts`). */
  readonly audit: readonly WeightAudit[];
  /** Each weight group's verified bytes (undefined when missing, truncated or failing its hash). */
  readonly groupBytes: readonly (Uint8Array | undefined)[];
  /** Every problem, loading problems first; errors stop the loader. */
  readonly problems: readonly Problem[];
}

function asProblem(error: unknown): Problem {
  if (error instanceof ColumnClassifierError)
    return problem(error.code, error.message, error.details === undefined ? undefined : { ...error.details });
  throw error;
}

/**
 * Asks the source where every path model.json names leads, before any of them is read: one path
 * outside the model's folder refuses the whole model, so no request goes out for the others.
 */
function checkPaths(source: ModelSource, paths: readonly (readonly [path: string, field: string])[]): void {
  for (const [path, field] of paths) source.locate(path, field);
}

/**
 * Reads model.json, the contract and the weight shards from `source` and
 * checks them against each other.
 *
 * @throws {LoadError} when model.json itself cannot be read or parsed, names a path outside its
 *   folder (`load/path-outside-model`) or is larger than `maxModelBytes` (`load/too-large`);
 *   every other problem is in `problems`
 * @throws {InputError} `input/bad-argument` for a `maxModelBytes` that is no positive whole number
 */
export async function inspectModel(source: ModelSource, options: InspectOptions = {}): Promise<ModelInspection> {
  const { signal, onProgress } = options;
  const requireWeights = options.requireWeights ?? true;
  const budget = new ModelBudget(checkMaxModelBytes(options.maxModelBytes), source.description);
  onProgress?.({ phase: 'model-json', loaded: 0, total: 0 });
  const text = await source.readModelJson({
    ...(signal === undefined ? {} : { signal }),
    limit: budget.limit('model.json'),
  });
  budget.spend(new TextEncoder().encode(text).byteLength);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    throw new LoadError(
      'load/bad-json',
      `${source.description} is not valid JSON: ${String(error)}. Check that the URL serves model.json, not an HTML error page.`,
      { cause: error },
    );
  }
  const model = parseModelJson(parsed, source.description);
  checkPaths(
    source,
    model.weightsManifest.flatMap((group, g) =>
      group.paths.map((path, i) => [path, `weightsManifest[${g}].paths[${i}]`] as const),
    ),
  );
  budget.checkManifest(model.weightsManifest);
  const problems: Problem[] = [];

  let sidecar: { json: unknown; description: string } | undefined;
  const option = options.sidecar ?? 'auto';
  if (option === 'auto') {
    if (model.userDefinedMetadata?.['contract'] === undefined) {
      const sidecarText = await source.readOptionalText(SIDECAR_NAME, {
        ...(signal === undefined ? {} : { signal }),
        limit: budget.limit(SIDECAR_NAME),
      });
      if (sidecarText !== undefined) {
        budget.spend(new TextEncoder().encode(sidecarText).byteLength);
        budget.checkManifest(model.weightsManifest);
        sidecar = { json: parseSidecar(sidecarText, SIDECAR_NAME), description: SIDECAR_NAME };
      }
    }
  } else if (option !== 'none') {
    sidecar = option;
  }

  let contract: ModelContract | undefined;
  let contractOrigin: ContractOrigin | undefined;
  let contractDescription: string | undefined;
  try {
    const located = locateContract(model, sidecar);
    contractOrigin = located.origin;
    contractDescription = located.description;
    contract = validateContract(located.json, located.description);
  } catch (error) {
    problems.push(asProblem(error));
  }
  checkPaths(
    source,
    (contract?.golden?.cases ?? []).flatMap((c, i) =>
      c.input.kind === 'png' ? [[c.input.path, `golden.cases[${i}].input.path`] as const] : [],
    ),
  );

  const located = locateWeights(model.weightsManifest);
  const total = [...located.values()].reduce((n, w) => n + w.byteLength, 0);
  const shardContents = new Map<string, Uint8Array | Error>();
  let loadedBefore = 0;
  for (const [g, group] of model.weightsManifest.entries()) {
    let groupBefore = 0;
    for (const path of group.paths) {
      try {
        const bytes = await source.readBytes(path, {
          ...(signal === undefined ? {} : { signal }),
          onProgress: (loaded) => onProgress?.({ phase: 'weights', loaded: loadedBefore + loaded, total }),
          limit: shardLimit(group, g, path, groupBefore),
        });
        loadedBefore += bytes.byteLength;
        groupBefore += bytes.byteLength;
        shardContents.set(path, bytes);
      } catch (error) {
        if (!(error instanceof LoadError) || error.code === 'load/aborted') throw error;
        shardContents.set(path, error);
      }
    }
  }
  onProgress?.({ phase: 'verifying', loaded: loadedBefore, total });
  const checked = await checkShards(model, shardContents, contract, requireWeights ? 'error' : 'warning');
  problems.unshift(...checked.problems.filter((p) => p.code.startsWith('load/')));
  problems.push(...checked.problems.filter((p) => !p.code.startsWith('load/')));

  const reader = (name: string): Float64Array | undefined => {
    const where = located.get(name);
    const bytes = where === undefined ? undefined : checked.groupBytes[where.group];
    return where === undefined || bytes === undefined ? undefined : readWeight(where, bytes);
  };
  const topology = inspectTopology(model, reader);
  const quantization = checkQuantization(model, contract);
  const audit = auditQuantization(quantization.weights, reader);
  // A tensor whose encoding the contract says was measured is covered by that measurement; the rest are only guessed at.
  const measured = new Set(
    quantization.weights
      .filter((w) => w.declared?.agreement !== undefined && w.declared.dtype === w.stored)
      .map((w) => w.name),
  );
  problems.push(...auditProblems(audit, measured));
  let heads: BoundHead[] = [];
  if (contract !== undefined) {
    problems.push(...checkInput(contract, topology.inputs));
    const binding = bindHeads(contract, topology.outputs);
    heads = binding.bound;
    problems.push(...binding.problems);
    problems.push(...quantization.problems);
  }
  return {
    source: source.description,
    model,
    maxModelBytes: budget.max,
    contractOrigin,
    contractDescription,
    contract,
    topology,
    heads,
    shards: checked.shards,
    weights: quantization.weights,
    audit,
    groupBytes: checked.groupBytes,
    problems,
  };
}
