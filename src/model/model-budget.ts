/**
 * The byte limits of one load: the whole model (model.json, its sidecar and
 * its weights) within `maxModelBytes`, and each weight shard within what its
 * manifest lists. Each limit is handed to the source, which stops reading as
 * soon as a file passes it.
 */
import { InputError, LoadError } from '../errors.ts';
import type { ByteLimit } from './bounded-read.ts';
import type { WeightGroup } from './model-json.ts';
import { groupByteLength } from './weights.ts';

/** The default of `maxModelBytes`: 64 MiB, about 240 times the shipped model (274 KB). */
export const DEFAULT_MAX_MODEL_BYTES = 64 * 1024 * 1024;

const MIB = 1024 * 1024;

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(bytes < MIB ? 3 : 1)} MiB`;
}

/**
 * Checks a `maxModelBytes` option.
 *
 * @throws {InputError} `input/bad-argument` unless it is a positive safe integer
 */
export function checkMaxModelBytes(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_MODEL_BYTES;
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new InputError(
      'input/bad-argument',
      `maxModelBytes is ${String(value)}; give a positive whole number of bytes (default ${DEFAULT_MAX_MODEL_BYTES}, ${mib(DEFAULT_MAX_MODEL_BYTES)}).`,
    );
  return value;
}

/** The bytes spent so far on one model against its `maxModelBytes`. */
export class ModelBudget {
  private spent = 0;

  /**
   * @param max - `maxModelBytes`
   * @param source - model.json's location, for messages
   */
  constructor(
    readonly max: number,
    private readonly source: string,
  ) {}

  /** The limit for reading `what` with what is left of the budget. */
  limit(what: string): ByteLimit {
    const before = this.spent;
    return {
      bytes: this.max - before,
      exceeded: (atLeast) => this.tooLarge(`${what} alone is at least ${atLeast} bytes`, before + atLeast),
    };
  }

  /** Counts bytes read. */
  spend(bytes: number): void {
    this.spent += bytes;
  }

  /**
   * Refuses a manifest whose weights do not fit in what is left, before any shard is requested.
   *
   * @throws {LoadError} `load/too-large`
   */
  checkManifest(groups: readonly WeightGroup[]): void {
    const weights = groups.reduce((n, g) => n + groupByteLength(g), 0);
    if (this.spent + weights > this.max)
      throw this.tooLarge(`its weightsManifest lists ${weights} bytes of weights`, this.spent + weights);
  }

  private tooLarge(why: string, atLeast: number): LoadError {
    return new LoadError(
      'load/too-large',
      `${this.source} is larger than the loader's limit of ${this.max} bytes (${mib(this.max)}): ${why}, at least ${atLeast} bytes in all. Nothing more is downloaded. If the model is meant to be this large, raise the limit with the maxModelBytes option.`,
      { details: { limit: this.max, atLeast } },
    );
  }
}

/**
 * The limit of one shard: what its group's manifest lists, less what the group's earlier shards held.
 *
 * @param group - the weight group, `g` its index, `path` the shard
 * @param before - bytes of the group's earlier shards
 */
export function shardLimit(group: WeightGroup, g: number, path: string, before: number): ByteLimit {
  const expected = groupByteLength(group);
  return {
    bytes: Math.max(0, expected - before),
    exceeded: (atLeast) =>
      new LoadError(
        'load/integrity',
        `Weight shard ${path} is larger than its manifest allows: weightsManifest[${g}] lists ${expected} bytes of weights in all, and this shard reached ${before + atLeast} with the group's earlier shards. The download was stopped there. The shard does not belong to this model.json (or was tampered with); download the model again.`,
        { details: { group: g, path, expected, atLeast: before + atLeast } },
      ),
  };
}
