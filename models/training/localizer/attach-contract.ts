/**
 * Seals a trained localizer: writes its golden photos (whole rendered frames — a flat soroban, a 3D one and an
 * empty table — as PNGs beside model.json), computes the outputs the model gives on each (the whole image as its
 * window, as the first look reads a frame), hashes the shard and writes the contract into model.json. The
 * contract's golden cases then check, on every backend, the browser's PNG decoder, grey conversion and resample
 * as well as the model.
 *
 * `npx tsx models/training/localizer/attach-contract.ts DIR`
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CONTRACT_SCHEMA_VERSION,
  CORNER_VALUES,
  LOCATE_RULE,
  type GoldenCase,
  type ModelContract,
} from '../../../src/contract/schema.ts';
import { MAX_COLUMN_COUNT } from '../../../src/localize/limits.ts';
import { goldenGeometry } from '../../../src/model/golden.ts';
import { preprocessColumns } from '../../../src/preprocess/index.ts';
import { GOLDEN_TOLERANCE, shardIntegrity, writeContract } from '../attach-contract.ts';
import { photoTensor, renderPhoto, type StyleFilter } from '../dataset.ts';
import { loadModel, readModelFiles } from '../io.ts';
import { writePng } from '../png.ts';
import { LOCALIZER_HEADS, LOCALIZER_SIDE } from './model.ts';
import { localizerInputSpec } from './samples.ts';

/** Presence at or above this counts as a soroban found. */
export const PRESENCE_THRESHOLD = 0.5;

/** The golden photos: seeds no training, validation or test set uses. */
const GOLDEN_PHOTOS: readonly { readonly name: string; readonly seed: number; readonly filter: StyleFilter }[] = [
  { name: 'flat', seed: 31_001, filter: {} },
  { name: '3d', seed: 31_002, filter: { renderer: '3d' } },
  { name: 'empty-table', seed: 31_003, filter: { renderer: '3d', scene: 'empty' } },
];

/** Writes the golden photos, builds and validates the contract, and rewrites `dir`/model.json with it. */
export async function attachLocalizerContract(
  dir: string,
  provenance: ModelContract['provenance'] = undefined,
): Promise<ModelContract> {
  const { model, json } = await loadModel(dir);
  const { shards } = readModelFiles(dir);
  const spec = localizerInputSpec(LOCALIZER_SIDE);
  mkdirSync(join(dir, 'golden'), { recursive: true });
  const cases: GoldenCase[] = GOLDEN_PHOTOS.map(({ name, seed, filter }) => {
    // Golden photos are kept small: they travel with the model.
    const photo = renderPhoto(seed, filter, { render3d: { maxSide: 240 }, pitch: [10, 14], columns: 5 });
    const path = `golden/${name}.png`;
    writePng(join(dir, path), photo);
    const input = { kind: 'png' as const, path };
    const outputs = tf.tidy(() => {
      const x = preprocessColumns(photoTensor(photo), goldenGeometry(input), spec);
      return (model.predict(x) as tf.Tensor[]).map((t) => Array.from(t.dataSync()));
    });
    const [corners = [], presence = [], count = []] = outputs;
    return {
      name: `${name} photo (${photo.digits.length} columns, ${photo.present ? 'a whole soroban' : 'no whole soroban'})`,
      input,
      expected: {
        [LOCALIZER_HEADS.corners]: corners,
        [LOCALIZER_HEADS.presence]: presence,
        [LOCALIZER_HEADS.count]: count,
      },
    };
  });
  model.dispose();
  const contract: ModelContract = {
    schemaVersion: CONTRACT_SCHEMA_VERSION,
    input: {
      name: 'image',
      height: LOCALIZER_SIDE,
      width: LOCALIZER_SIDE,
      channels: 1,
      shape: [null, LOCALIZER_SIDE, LOCALIZER_SIDE, 1],
      dtype: 'float32',
      grey: spec.grey,
      resize: { method: spec.resize, prefilter: spec.prefilter ?? 'box' },
      inputRange: { min: spec.inputRange.min, max: spec.inputRange.max },
    },
    modelInternals: { normalization: { kind: 'affine', scale: 2, offset: -1 } },
    heads: [
      {
        name: LOCALIZER_HEADS.corners,
        output: LOCALIZER_HEADS.corners,
        shape: [null, CORNER_VALUES],
        activation: 'linear',
        meaning:
          "The bead area (the columns' outer edges, frame bars excluded): topLeft, topRight, bottomRight, bottomLeft as (x, y) normalized to the window the input was cut from.",
      },
      {
        name: LOCALIZER_HEADS.presence,
        output: LOCALIZER_HEADS.presence,
        shape: [null, 1],
        activation: 'sigmoid',
        meaning:
          'Probability that a whole soroban is in the window: none of it cut off, at most a third of its columns hidden.',
      },
      {
        name: LOCALIZER_HEADS.count,
        output: LOCALIZER_HEADS.count,
        shape: [null, MAX_COLUMN_COUNT],
        activation: 'softmax',
        meaning: `Probability of each column count 1..${MAX_COLUMN_COUNT} (index n - 1).`,
      },
    ],
    decode: {
      rule: LOCATE_RULE,
      corners: LOCALIZER_HEADS.corners,
      presence: LOCALIZER_HEADS.presence,
      count: LOCALIZER_HEADS.count,
      presenceThreshold: PRESENCE_THRESHOLD,
    },
    golden: { tolerance: GOLDEN_TOLERANCE, cases },
    integrity: shardIntegrity(shards),
    quantization: Object.fromEntries(
      json.weightsManifest.flatMap((g) => g.weights).map((w) => [w.name, { dtype: 'float32' as const }]),
    ),
    provenance: provenance ?? {
      trainedBy: 'models/training/localizer/train.ts (npm run train:localizer), TF.js 4.22 wasm backend in Node',
      dataset: 'Whole photos of src/render and src/render3d (seeded), read through windows by src/preprocess.',
    },
  };
  return writeContract(dir, json, contract);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error('usage: attach-contract.ts DIR');
  await tf.setBackend('wasm');
  const contract = await attachLocalizerContract(dir);
  console.log(
    `attached a localizer contract with ${contract.golden?.cases.length ?? 0} golden photos to ${dir}/model.json`,
  );
}
