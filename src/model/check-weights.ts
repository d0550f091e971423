/**
 * Weight shards and weights against the manifest and the contract: sizes
 * (a truncated shard), sha256 (a corrupted or swapped one), and each weight's
 * encoding against the contract's quantization section.
 */
import type { ModelContract } from '../contract/schema.ts';
import { ColumnClassifierError } from '../errors.ts';
import { canHash, sha256Hex } from './integrity.ts';
import type { ModelJson } from './model-json.ts';
import { problem, warning, type Problem } from './problems.ts';
import { groupByteLength, storedByteLength, storedDtype } from './weights.ts';

/** What happened to one shard. */
export interface ShardReport {
  readonly group: number;
  readonly path: string;
  /** Bytes read, undefined when the shard could not be read. */
  readonly bytes: number | undefined;
  /** sha256 of the bytes read. */
  readonly sha256: string | undefined;
  /** sha256 the contract declares. */
  readonly declaredSha256: string | undefined;
  /** ok: hash matches the contract; mismatch; unverified: no hash in the contract; missing: not readable. */
  readonly status: 'ok' | 'mismatch' | 'unverified' | 'missing';
}

/** One weight, as stored. */
export interface WeightReport {
  readonly name: string;
  readonly shape: readonly number[];
  /** dtype TF.js gives the weight after loading. */
  readonly dtype: string;
  /** How it is stored in the shard (uint8/uint16/float16 when quantized). */
  readonly stored: string;
  readonly quantization: { readonly min: number | undefined; readonly scale: number | undefined } | undefined;
  readonly bytes: number;
  /** What the contract's quantization section says about it. */
  readonly declared: NonNullable<ModelContract['quantization']>[string] | undefined;
}

/** Shard bytes by group and path, or the error met reading them. */
export type ShardContents = ReadonlyMap<string, Uint8Array | Error>;

/**
 * Checks the shards: each group's total size against its manifest, then each
 * shard's sha256 against the contract.
 *
 * @returns per-shard reports, each group's concatenated bytes (undefined when incomplete or wrong), problems
 */
export async function checkShards(
  model: ModelJson,
  shards: ShardContents,
  contract: ModelContract | undefined,
  missingSeverity: 'error' | 'warning',
): Promise<{ shards: ShardReport[]; groupBytes: (Uint8Array | undefined)[]; problems: Problem[] }> {
  const reports: ShardReport[] = [];
  const problems: Problem[] = [];
  const groupBytes: (Uint8Array | undefined)[] = [];
  const declared = contract?.integrity?.shards ?? {};
  for (const [g, group] of model.weightsManifest.entries()) {
    const parts: Uint8Array[] = [];
    let complete = true;
    let hashesOk = true;
    for (const path of group.paths) {
      const content = shards.get(path);
      const declaredSha256 = declared[path];
      if (content === undefined || content instanceof Error) {
        complete = false;
        reports.push({ group: g, path, bytes: undefined, sha256: undefined, declaredSha256, status: 'missing' });
        const why = content instanceof Error ? content.message : 'not read';
        const code = content instanceof ColumnClassifierError ? content.code : 'load/http';
        const message = `Weight shard ${path} could not be read (${why}).`;
        const details = content instanceof ColumnClassifierError ? content.details : undefined;
        problems.push(
          missingSeverity === 'error'
            ? problem(code, message, details === undefined ? undefined : { ...details })
            : warning(code, `${message} Weight values, sizes and hashes were not checked.`),
        );
        continue;
      }
      // Hash for the report whenever possible; a declared hash must be checked, or sha256Hex throws why it cannot.
      const sha256 = declaredSha256 !== undefined || canHash() ? await sha256Hex(content) : undefined;
      let status: ShardReport['status'] = 'unverified';
      if (declaredSha256 !== undefined) {
        status = declaredSha256 === sha256 ? 'ok' : 'mismatch';
        if (status === 'mismatch') {
          hashesOk = false;
          problems.push(
            problem(
              'load/integrity',
              `Weight shard ${path} has sha256 ${sha256}, but the contract (integrity.shards) says ${declaredSha256}: the file is corrupted, truncated or belongs to another model. Download the model again; do not edit the hash unless you rebuilt the weights.`,
              { path, sha256, declaredSha256 },
            ),
          );
        }
      }
      reports.push({ group: g, path, bytes: content.byteLength, sha256, declaredSha256, status });
      parts.push(content);
    }
    if (!complete) {
      groupBytes.push(undefined);
      continue;
    }
    const total = parts.reduce((n, p) => n + p.byteLength, 0);
    const expected = groupByteLength(group);
    if (total < expected) {
      problems.unshift(
        problem(
          'load/truncated',
          `Weight group ${g} (${group.paths.join(', ')}) holds ${total} bytes, but its manifest lists weights totalling ${expected} bytes: the shard is truncated. Download it again.`,
          { group: g, bytes: total, expected },
        ),
      );
      groupBytes.push(undefined);
      continue;
    }
    if (total > expected) {
      problems.unshift(
        problem(
          'load/integrity',
          `Weight group ${g} (${group.paths.join(', ')}) holds ${total} bytes, more than the ${expected} its manifest lists: the shards do not belong to this model.json.`,
          { group: g, bytes: total, expected },
        ),
      );
      groupBytes.push(undefined);
      continue;
    }
    const joined = parts.length === 1 ? (parts[0] as Uint8Array) : new Uint8Array(total);
    if (parts.length > 1) {
      let at = 0;
      for (const p of parts) {
        joined.set(p, at);
        at += p.byteLength;
      }
    }
    groupBytes.push(hashesOk ? joined : undefined);
  }
  if (contract !== undefined) {
    const manifestPaths = new Set(model.weightsManifest.flatMap((g) => g.paths));
    if (contract.integrity === undefined) {
      problems.push(
        warning(
          'contract/no-integrity',
          'The contract has no integrity section, so the weight shards were not verified. Add integrity.shards with the sha256 of each shard.',
        ),
      );
    } else {
      for (const path of manifestPaths) {
        if (!(path in contract.integrity.shards)) {
          problems.push(
            problem(
              'contract/integrity-incomplete',
              `integrity.shards has no sha256 for shard ${path}, which weightsManifest lists. Add it (every shard must be verified).`,
            ),
          );
        }
      }
      for (const path of Object.keys(contract.integrity.shards)) {
        if (!manifestPaths.has(path)) {
          problems.push(
            problem(
              'contract/integrity-unknown-shard',
              `integrity.shards lists ${path}, which weightsManifest does not (it lists ${[...manifestPaths].join(', ')}). Remove it or fix the path.`,
            ),
          );
        }
      }
    }
  }
  return { shards: reports, groupBytes, problems };
}

/**
 * Each weight's encoding, compared with the contract's quantization section.
 */
export function checkQuantization(
  model: ModelJson,
  contract: ModelContract | undefined,
): { weights: WeightReport[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const declared = contract?.quantization ?? {};
  const weights: WeightReport[] = model.weightsManifest.flatMap((group) =>
    group.weights.map((entry) => {
      const q = entry.quantization;
      const report: WeightReport = {
        name: entry.name,
        shape: entry.shape,
        dtype: entry.dtype,
        stored: storedDtype(entry),
        quantization: q === undefined ? undefined : { min: q.min, scale: q.scale },
        bytes: storedByteLength(entry),
        declared: declared[entry.name],
      };
      if (report.declared !== undefined && report.declared.dtype !== report.stored) {
        problems.push(
          problem(
            'contract/quantization-mismatch',
            `quantization["${entry.name}"] says the weight is stored as ${report.declared.dtype}, but weightsManifest stores it as ${report.stored}. The agreement measured for ${report.declared.dtype} says nothing about ${report.stored}: re-measure, or ship the weights the contract describes.`,
          ),
        );
      }
      return report;
    }),
  );
  const names = new Set(weights.map((w) => w.name));
  for (const name of Object.keys(declared)) {
    if (!names.has(name)) {
      problems.push(
        problem(
          'contract/quantization-unknown-weight',
          `quantization lists weight "${name}", which weightsManifest does not have. Remove it or fix the name.`,
        ),
      );
    }
  }
  if (contract?.quantization !== undefined) {
    for (const w of weights) {
      if (w.declared === undefined)
        problems.push(
          warning(
            'contract/quantization-undeclared',
            `Weight "${w.name}" (stored ${w.stored}) has no entry in quantization, so its agreement with float32 was never measured.`,
          ),
        );
    }
  }
  return { weights, problems };
}
