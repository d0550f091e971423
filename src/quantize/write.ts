/**
 * Writing a gated model to a folder (the files {@link gatedArtifacts} makes), sealed and then loaded back to prove
 * it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadClassifierModel } from '../model/load.ts';
import { fileModelSource } from '../model/node-file-source.ts';
import { measureGolden, type GoldenMeasurement } from '../runtime/golden-check.ts';
import { nodeImageDecoder } from '../reference/image.ts';
import { sealModel } from '../reference/seal.ts';
import { gatedArtifacts } from './gated-artifacts.ts';
import type { GateResult } from './gate.ts';

/** What {@link writeGatedModel} wrote and measured. */
export interface WrittenModel {
  readonly modelJsonPath: string;
  readonly shardBytes: number;
  /** Golden check of the written model on the current backend, after loading it from disk. */
  readonly golden: GoldenMeasurement | undefined;
}

/**
 * Writes the gated model to `outDir` (model.json, shard, golden files).
 *
 * @throws {ContractError} `contract/quantization-gate` when the result's agreement does not pass the gate: a model that changes a decision (a digit, a localizer's presence or count) is never written
 */
export async function writeGatedModel(result: GateResult, outDir: string): Promise<WrittenModel> {
  const { contract, files, goldenFiles } = await gatedArtifacts(result, nodeImageDecoder);
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, files.shardPath), files.shard);
  await writeFile(join(outDir, 'model.json'), JSON.stringify(files.modelJson));
  for (const [path, bytes] of Object.entries(goldenFiles)) {
    const to = join(outDir, path);
    await mkdir(dirname(to), { recursive: true });
    await writeFile(to, bytes);
  }
  // Sealing re-hashes and runs the loader's whole inspection on exactly what is on disk.
  await sealModel(outDir, contract);
  const written = await fileModelSource(outDir);
  const loaded = await loadClassifierModel(written);
  try {
    return {
      modelJsonPath: written.description,
      shardBytes: files.shard.byteLength,
      golden: await measureGolden(loaded, written, nodeImageDecoder),
    };
  } finally {
    loaded.dispose();
  }
}
