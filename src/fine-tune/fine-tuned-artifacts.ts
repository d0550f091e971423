/**
 * A fine-tuned model as files: model.json with its float32 weights in one shard, the contract of the model it
 * started from whose golden cases now expect the new weights' outputs (the same inputs, copied), the provenance
 * saying what it was fine-tuned on, and shard hashes. One path for the CLI (written to a folder) and the fine-tune
 * worker (stored in IndexedDB); the loader then verifies it like any model.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelContract } from '../contract/schema.ts';
import { validateContract } from '../contract/validate.ts';
import { ContractError } from '../errors.ts';
import type { ClassifierModel } from '../model/classifier-model.ts';
import { goldenOutputs, type ImageDecoder } from '../model/golden.ts';
import { sha256Hex } from '../model/integrity.ts';
import type { ModelSource } from '../model/source.ts';

/** The one weight shard a fine-tuned model has. */
export const FINE_TUNED_SHARD = 'group1-shard1of1.bin';

/** Where a fine-tuned model came from, for its contract's provenance. */
export interface FineTuneProvenance {
  readonly trainedBy: string;
  readonly dataset: string;
  readonly notes: string;
}

/** model.json (sealed) and the files it names. */
export interface FineTunedArtifacts {
  readonly modelJson: string;
  readonly files: Readonly<Record<string, Uint8Array>>;
}

function bytesOf(data: tf.io.WeightData | undefined): Uint8Array {
  const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
  const out = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  buffers.reduce((at, b) => (out.set(new Uint8Array(b), at), at + b.byteLength), 0);
  return out;
}

/**
 * The files of `model` (a layers model, fine-tuned).
 *
 * @param source - where the model was loaded from: its PNG golden inputs are copied from there
 * @param decode - how golden PNGs are decoded here (Node or the worker)
 * @throws {ContractError} `contract/wrong-model-kind` for a graph model
 */
export async function fineTunedArtifacts(
  model: ClassifierModel,
  source: ModelSource,
  decode: ImageDecoder,
  provenance: FineTuneProvenance,
): Promise<FineTunedArtifacts> {
  const layers = model.tfModel;
  if (!(layers instanceof tf.LayersModel))
    throw new ContractError('contract/wrong-model-kind', 'Only a layers model can be written after fine-tuning.');
  let saved: tf.io.ModelArtifacts | undefined;
  await layers.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (saved === undefined) throw new ContractError('contract/missing-field', 'TF.js saved no model artifacts.');
  const shard = bytesOf(saved.weightData);
  const files: Record<string, Uint8Array> = { [FINE_TUNED_SHARD]: shard };
  const { golden } = model.contract;
  const cases = [];
  for (const goldenCase of golden?.cases ?? []) {
    if (goldenCase.input.kind === 'png') files[goldenCase.input.path] = await source.readBytes(goldenCase.input.path);
    cases.push({ ...goldenCase, expected: await goldenOutputs(model, goldenCase, source, decode) });
  }
  // Quantization is the gate's to decide again for these weights; integrity is that of the new shard.
  const { quantization: _quantization, integrity: _integrity, ...kept } = model.contract;
  const contract: ModelContract = validateContract(
    {
      ...kept,
      ...(golden === undefined ? {} : { golden: { ...golden, cases } }),
      provenance: { ...provenance, trainedAt: new Date().toISOString() },
      integrity: { algorithm: 'sha256', shards: { [FINE_TUNED_SHARD]: await sha256Hex(shard) } },
    },
    'the fine-tuned model contract',
  );
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: saved.modelTopology,
    weightsManifest: [{ paths: [FINE_TUNED_SHARD], weights: saved.weightSpecs ?? [] }],
    userDefinedMetadata: { contract },
  };
  return { modelJson: `${JSON.stringify(modelJson)}\n`, files };
}
