/**
 * Writing a fine-tuned model to a folder in Node (`column-classifier fine-tune`), then loading it back as every
 * model is loaded, so a file the loader would refuse is never left behind as if it were fine.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ClassifierModel } from '../model/classifier-model.ts';
import { loadClassifierModel } from '../model/load.ts';
import { fileModelSource } from '../model/node-file-source.ts';
import type { ModelSource } from '../model/source.ts';
import { nodeImageDecoder } from '../reference/image.ts';
import { fineTunedArtifacts, type FineTuneProvenance } from './fine-tuned-artifacts.ts';

export type { FineTuneProvenance };

/**
 * Writes `model` (a layers model, fine-tuned) to `dir` as a sealed float32 model and loads it back.
 *
 * @param source - where the model was loaded from: its PNG golden inputs are copied from there
 * @returns the path of the model.json written
 */
export async function writeFineTunedModel(
  model: ClassifierModel,
  source: ModelSource,
  dir: string,
  provenance: FineTuneProvenance,
): Promise<string> {
  const artifacts = await fineTunedArtifacts(model, source, nodeImageDecoder, provenance);
  for (const [path, bytes] of Object.entries(artifacts.files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
  const modelJsonPath = join(dir, 'model.json');
  await writeFile(modelJsonPath, artifacts.modelJson);
  (await loadClassifierModel(await fileModelSource(dir))).dispose();
  return modelJsonPath;
}
