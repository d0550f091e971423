/**
 * Seals a trained localizer: writes its golden photos (whole rendered frames — a flat soroban, a 3D one and an
 * empty table — as PNGs beside model.json), computes the outputs the model gives on each (the whole image as its
 * window, as the first look reads a frame), hashes the shard and writes the contract into model.json. The
 * contract's golden cases then check, on every backend, the browser's PNG decoder, grey conversion and resample
 * as well as the model.
 *
 * `npx tsx models/training/localizer/attach-contract.ts DIR [--goldens-only]`
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, writeFileSync } from 'node:fs';
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
import { goldenGeometry, goldenOutputs } from '../../../src/model/golden.ts';
import { loadClassifierModel } from '../../../src/model/load.ts';
import { fileModelSource } from '../../../src/model/node-file-source.ts';
import { nodeImageDecoder } from '../../../src/reference/image.ts';
import { sealModel } from '../../../src/reference/seal.ts';
import { preprocessColumns } from '../../../src/preprocess/index.ts';
import { GOLDEN_TOLERANCE, shardIntegrity, writeContract } from '../attach-contract.ts';
import { photoTensor, renderPhoto, type LabelledPhoto, type StyleFilter } from '../dataset.ts';
import { loadModel, readModelFiles } from '../io.ts';
import { firstCompactPng } from '../png.ts';
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

/**
 * Largest side of the 3D golden photos. They travel with the model and are fetched before the first reading: at 240
 * pixels the noisy 3D photo alone was 45 KB of PNG; at 128 (still larger than the 96-pixel input, so the resample is
 * checked) it is a third of that.
 */
const GOLDEN_MAX_SIDE = 128;

/**
 * Largest PNG of a golden photo. Each travels before the first reading, and a photo with sensor noise or a textured
 * cloth does not compress (23 KB at 128 × 96, the same as its raw RGB); the check is of the backends' arithmetic, which
 * a smooth photo exercises as well. A golden photo is the first render, from its seed in steps of
 * {@link GOLDEN_SEED_STEP}, whose PNG fits. (At 6 KB the three took 14.6 KB; at 4 KB, 11.2 KB.)
 */
const GOLDEN_MAX_BYTES = 4 * 1024;
const GOLDEN_SEED_STEP = 10;
const GOLDEN_SEED_TRIES = 50;

/** Renders and writes the golden photos into `dir`/golden; returns each one's case name and input. */
function writeGoldenPhotos(
  dir: string,
): { name: string; input: { kind: 'png'; path: string }; photo: LabelledPhoto }[] {
  mkdirSync(join(dir, 'golden'), { recursive: true });
  return GOLDEN_PHOTOS.map(({ name, seed, filter }) => {
    const { image: photo, png } = firstCompactPng(
      { first: seed, step: GOLDEN_SEED_STEP, tries: GOLDEN_SEED_TRIES },
      GOLDEN_MAX_BYTES,
      (s) => renderPhoto(s, filter, { render3d: { maxSide: GOLDEN_MAX_SIDE }, pitch: [10, 14], columns: 5 }),
    );
    const path = `golden/${name}.png`;
    writeFileSync(join(dir, path), png);
    return {
      name: `${name} photo (${photo.digits.length} columns, ${photo.present ? 'a whole soroban' : 'no whole soroban'})`,
      input: { kind: 'png' as const, path },
      photo,
    };
  });
}

/**
 * Writes the golden photos again and the outputs the model in `dir` — as it is, quantized or not, read through the
 * product's loader and PNG decoding — gives on them, and seals model.json: for a shipped model whose golden photos
 * change after its quantization gate ran.
 */
export async function refreshLocalizerGoldens(dir: string): Promise<void> {
  const written = writeGoldenPhotos(dir);
  const source = await fileModelSource(dir);
  const model = await loadClassifierModel(source);
  try {
    const { contract } = model;
    const cases: GoldenCase[] = [];
    for (const { name, input } of written)
      cases.push({ name, input, expected: await goldenOutputs(model, { input }, source, nodeImageDecoder) });
    await sealModel(dir, { ...contract, golden: { tolerance: contract.golden?.tolerance ?? GOLDEN_TOLERANCE, cases } });
  } finally {
    model.dispose();
  }
}

/** Writes the golden photos, builds and validates the contract, and rewrites `dir`/model.json with it. */
export async function attachLocalizerContract(
  dir: string,
  provenance: ModelContract['provenance'] = undefined,
): Promise<ModelContract> {
  const { model, json } = await loadModel(dir);
  const { shards } = readModelFiles(dir);
  const spec = localizerInputSpec(LOCALIZER_SIDE);
  const cases: GoldenCase[] = writeGoldenPhotos(dir).map(({ name, input, photo }) => {
    const outputs = tf.tidy(() => {
      const x = preprocessColumns(photoTensor(photo), goldenGeometry(input), spec);
      return (model.predict(x) as tf.Tensor[]).map((t) => Array.from(t.dataSync()));
    });
    const [corners = [], presence = [], count = []] = outputs;
    return {
      name,
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
  if (dir === undefined) throw new Error('usage: attach-contract.ts DIR [--goldens-only]');
  await tf.setBackend('wasm');
  if (process.argv.includes('--goldens-only')) {
    await refreshLocalizerGoldens(dir);
    console.log(`wrote new golden photos and their outputs into ${dir}/model.json`);
    process.exit(0);
  }
  const contract = await attachLocalizerContract(dir);
  console.log(
    `attached a localizer contract with ${contract.golden?.cases.length ?? 0} golden photos to ${dir}/model.json`,
  );
}
