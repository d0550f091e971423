/**
 * Sealing a model: put its contract inside model.json
 * (`userDefinedMetadata.contract`) with the sha256 of every shard, after
 * checking that the sealed model passes the same inspection the loader runs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { ModelContract } from '../contract/schema.ts';
import { validateContract } from '../contract/validate.ts';
import { ContractError, LoadError } from '../errors.ts';
import { inspectModel, type ModelInspection } from '../model/inspect.ts';
import { sha256Hex } from '../model/integrity.ts';
import { parseModelJson } from '../model/model-json.ts';
import { fileModelSource } from '../model/node-file-source.ts';
import type { ModelSource } from '../model/source.ts';
import { toError } from '../model/problems.ts';

/** What {@link sealModel} did. */
export interface SealResult {
  readonly contract: ModelContract;
  readonly inspection: ModelInspection;
  /** The model.json written (unless `dryRun`). */
  readonly modelJsonPath: string;
}

/**
 * Embeds a contract into a model's model.json, with `integrity` computed from the shards.
 *
 * @param modelPath - model.json or its directory
 * @param contractJson - the contract (its `integrity` is replaced)
 * @param options.dryRun - check only, write nothing
 * @throws {ContractError} / {LoadError} the first error the loader would raise on the sealed model; nothing is written then
 */
export async function sealModel(
  modelPath: string,
  contractJson: unknown,
  options: { dryRun?: boolean } = {},
): Promise<SealResult> {
  const files = await fileModelSource(modelPath);
  const text = await files.readModelJson();
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new LoadError('load/bad-json', `${files.description} is not valid JSON: ${String(error)}.`, { cause: error });
  }
  const model = parseModelJson(raw, files.description);
  const shards: Record<string, string> = {};
  for (const path of model.weightsManifest.flatMap((g) => g.paths))
    shards[path] = await sha256Hex(await files.readBytes(path));
  if (typeof contractJson !== 'object' || contractJson === null)
    throw new ContractError('contract/not-an-object', 'The contract to seal must be a JSON object.');
  const contract = validateContract(
    { ...contractJson, integrity: { algorithm: 'sha256', shards } },
    'the contract to seal',
  );
  const metadata =
    typeof raw['userDefinedMetadata'] === 'object' && raw['userDefinedMetadata'] !== null
      ? (raw['userDefinedMetadata'] as Record<string, unknown>)
      : {};
  const sealedText = JSON.stringify({ ...raw, userDefinedMetadata: { ...metadata, contract } });
  // Inspect exactly what will be written, ignoring any sidecar (sealing makes it redundant).
  const sealed: ModelSource = {
    ...files,
    readModelJson: async () => sealedText,
    readOptionalText: async () => undefined,
  };
  const inspection = await inspectModel(sealed, { sidecar: 'none' });
  const firstError = inspection.problems.find((p) => p.severity === 'error');
  if (firstError !== undefined) throw toError(firstError);
  if (options.dryRun !== true) await writeFile(files.description, sealedText);
  return { contract, inspection, modelJsonPath: files.description };
}

/** Reads a contract JSON file. */
export async function readContractFile(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (error) {
    throw new LoadError('load/bad-json', `Could not read the contract ${path}: ${String(error)}.`, { cause: error });
  }
}
