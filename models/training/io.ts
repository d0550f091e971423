/**
 * Saving and loading a layers model in Node without tfjs-node: model.json +
 * one weight shard, written through `tf.io.withSaveHandler` and read back with
 * `tf.io.fromMemory`.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** File name of the single weight shard. */
export const SHARD_NAME = 'group1-shard1of1.bin';

/** The model.json layout TF.js reads (layers format). */
export interface ModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: tf.io.ModelArtifacts['modelTopology'];
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  userDefinedMetadata?: Record<string, unknown>;
}

function weightBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) throw new Error('The model has no weight data to save.');
  const buffers = Array.isArray(data) ? data : [data];
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out;
}

/** Writes `model` to `dir` as model.json + {@link SHARD_NAME}. Returns the paths written. */
export async function saveModel(
  model: tf.LayersModel,
  dir: string,
  userDefinedMetadata?: Record<string, unknown>,
): Promise<{ modelJson: string; shard: string }> {
  mkdirSync(dir, { recursive: true });
  const modelJson = join(dir, 'model.json');
  const shard = join(dir, SHARD_NAME);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const json: ModelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [SHARD_NAME], weights: artifacts.weightSpecs ?? [] }],
        ...(userDefinedMetadata === undefined ? {} : { userDefinedMetadata }),
      };
      writeFileSync(shard, weightBytes(artifacts.weightData));
      writeFileSync(modelJson, `${JSON.stringify(json)}\n`);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return { modelJson, shard };
}

/** Reads model.json and its shard(s) from `dir`. */
export function readModelFiles(dir: string): { json: ModelJson; shards: Map<string, Uint8Array> } {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelJson;
  const shards = new Map<string, Uint8Array>();
  for (const group of json.weightsManifest)
    for (const path of group.paths) shards.set(path, new Uint8Array(readFileSync(join(dir, path))));
  return { json, shards };
}

/** Loads the layers model saved in `dir` (via `tf.io.fromMemory`). */
export async function loadModel(dir: string): Promise<{ model: tf.LayersModel; json: ModelJson }> {
  const { json, shards } = readModelFiles(dir);
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const parts = json.weightsManifest.flatMap((g) => g.paths.map((p) => shards.get(p) ?? new Uint8Array(0)));
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    weightData.set(p, at);
    at += p.byteLength;
  }
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs,
      weightData: weightData.buffer,
      ...(json.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: json.userDefinedMetadata }),
    }),
  );
  return { model, json };
}
