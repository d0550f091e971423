/**
 * Writing a fine-tuned model in Node: its float32 weights with the contract of the model it started from, whose
 * golden cases now expect the new weights' outputs (the same inputs, copied beside it), the provenance saying what
 * it was fine-tuned on, and shard hashes — sealed, so the loader and the quantization gate take it like any model.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ModelContract } from '../contract/schema.ts';
import { ContractError } from '../errors.ts';
import type { ClassifierModel } from '../model/classifier-model.ts';
import { goldenOutputs } from '../model/golden.ts';
import type { ModelSource } from '../model/source.ts';
import { nodeImageDecoder } from '../reference/image.ts';
import { sealModel } from '../reference/seal.ts';

/** The one weight shard a written model has. */
const SHARD = 'group1-shard1of1.bin';

/** Where a fine-tuned model came from, for its contract's provenance. */
export interface FineTuneProvenance {
  readonly trainedBy: string;
  readonly dataset: string;
  readonly notes: string;
}

function bytesOf(data: tf.io.WeightData | undefined): Uint8Array {
  const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
  const out = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  buffers.reduce((at, b) => (out.set(new Uint8Array(b), at), at + b.byteLength), 0);
  return out;
}

/**
 * Writes `model` (a layers model, fine-tuned) to `dir` as a sealed float32 model.
 *
 * @param source - where the model was loaded from: its PNG golden inputs are copied from there
 * @returns the path of the model.json written
 * @throws {ContractError} `contract/wrong-model-kind` for a graph model
 */
export async function writeFineTunedModel(
  model: ClassifierModel,
  source: ModelSource,
  dir: string,
  provenance: FineTuneProvenance,
): Promise<string> {
  const layers = model.tfModel;
  if (!(layers instanceof tf.LayersModel))
    throw new ContractError('contract/wrong-model-kind', 'Only a layers model can be written after fine-tuning.');
  await mkdir(dir, { recursive: true });
  await layers.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [SHARD], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(join(dir, SHARD), bytesOf(artifacts.weightData));
      await writeFile(join(dir, 'model.json'), `${JSON.stringify(json)}\n`);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const { golden } = model.contract;
  const cases = [];
  for (const goldenCase of golden?.cases ?? []) {
    if (goldenCase.input.kind === 'png') {
      const path = join(dir, goldenCase.input.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, await source.readBytes(goldenCase.input.path));
    }
    cases.push({ ...goldenCase, expected: await goldenOutputs(model, goldenCase, source, nodeImageDecoder) });
  }
  // Quantization is the gate's to decide again for these weights; integrity is recomputed by the seal.
  const { quantization: _quantization, integrity: _integrity, ...kept } = model.contract;
  const contract: ModelContract = {
    ...kept,
    ...(golden === undefined ? {} : { golden: { ...golden, cases } }),
    provenance: { ...provenance, trainedAt: new Date().toISOString() },
  };
  return (await sealModel(dir, contract)).modelJsonPath;
}
