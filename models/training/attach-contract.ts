/**
 * Attaches the model contract to a saved model WITHOUT retraining: re-reads
 * model.json + shard, recomputes the golden outputs from the saved weights
 * through the shared preprocessing, hashes the shard, builds the contract
 * (typed and validated by src/contract), and rewrites model.json with
 * `userDefinedMetadata.contract`. The shard is not touched, so its hash holds.
 *
 * Run alone: `npx tsx models/training/attach-contract.ts [DIR]` (default models/column-classifier).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CONTRACT_SCHEMA_VERSION,
  DECODE_RULE,
  type GoldenCase,
  type ModelContract,
} from '../../src/contract/schema.ts';
import { validateContract } from '../../src/contract/validate.ts';
import { base64ToFloat32, float32ToBase64, goldenGeometry } from '../../src/model/golden.ts';
import { preprocessColumns } from '../../src/preprocess/index.ts';
import { PREPROCESS } from './config.ts';
import { HEAVEN_THRESHOLD } from './evaluate.ts';
import { GOLDEN_DIR, goldenColumnInput, type GoldenIndex } from './golden.ts';
import { loadModel, readModelFiles, type ModelJson } from './io.ts';
import { HEADS, INPUT, RESCALING } from './model.ts';
import { readPng } from './png.ts';
import { photoTensor } from './dataset.ts';
import { RECORD_FILE, readRecord } from './record.ts';

/**
 * Largest allowed |expected − computed| of a golden output on any backend.
 * cpu and wasm agree to ~1e-6; WebGL float32 to ~1e-4; a backend beyond this
 * (e.g. half-float WebGL on a phone) is dropped by the worker's self-check.
 */
export const GOLDEN_TOLERANCE = 2e-3;

/**
 * How many golden columns the contract carries as float32 inputs: one, the model alone without a decoder, so that
 * a failing self-check tells the model's numbers from the decoding. The first costs at most 6 KB of gzip inside
 * model.json (golden.ts picks its render for that); the photo case, 9 KB, checks seven columns through the whole path.
 */
const FLOAT_CASES = 1;

/**
 * The golden cases of the model in `dir` without their expected outputs: the first golden columns as float32
 * (inside model.json, nothing more to fetch: the model alone, no decoder) and one small colour photo for the rest
 * of the path on every backend: the browser's PNG decoder, grey conversion, the homography and the resample (where
 * half-float WebGL drifted, which model-sized columns never show). `attachContract` computes their outputs with the
 * float32 model it attaches to; `reseal-golden.ts` with a shipped (e.g. quantized) model.
 */
export function goldenCaseInputs(dir: string, index: GoldenIndex): Pick<GoldenCase, 'name' | 'input'>[] {
  const floats = index.columns.slice(0, FLOAT_CASES).map((column, i) => ({
    name: `column ${i} (digit ${column.digit})`,
    input: {
      kind: 'float32-base64' as const,
      data: float32ToBase64(goldenColumnInput(readPng(join(dir, column.path)))),
    },
  }));
  const photo = index.selfCheckPhoto;
  return [
    ...floats,
    {
      name: `photo ${photo.path} (digits ${photo.digits.join('')}, cut from ${photo.from})`,
      input: { kind: 'png', path: photo.path, photo: { columns: photo.digits.length, corners: photo.corners } },
    },
  ];
}

/** The contract's integrity section for a model's shards. */
export function shardIntegrity(shards: ReadonlyMap<string, Uint8Array>): NonNullable<ModelContract['integrity']> {
  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
  return { algorithm: 'sha256', shards: Object.fromEntries([...shards].map(([path, bytes]) => [path, sha256(bytes)])) };
}

/** Validates `contract` and rewrites `dir`/model.json (`json`, as read) with it inside; returns it validated. */
export function writeContract(dir: string, json: ModelJson, contract: ModelContract): ModelContract {
  const validated = validateContract(contract, `${dir}/model.json contract`);
  const updated = { ...json, userDefinedMetadata: { ...(json.userDefinedMetadata ?? {}), contract: validated } };
  writeFileSync(join(dir, 'model.json'), `${JSON.stringify(updated)}\n`);
  return validated;
}

/** Builds, validates and writes the contract of the model in `dir`. Returns it. */
export async function attachContract(dir: string): Promise<ModelContract> {
  const { model, json } = await loadModel(dir);
  const { shards } = readModelFiles(dir);
  const index = JSON.parse(readFileSync(join(dir, GOLDEN_DIR, 'index.json'), 'utf8')) as GoldenIndex;
  const record = existsSync(join(dir, RECORD_FILE)) ? readRecord(dir) : undefined;

  const hasReadable = model.outputNames.includes(HEADS.readable);
  const cases: GoldenCase[] = goldenCaseInputs(dir, index).map((goldenCase) => {
    const { input } = goldenCase;
    const x = tf.tidy(() =>
      input.kind === 'float32-base64'
        ? tf.tensor4d(base64ToFloat32(input.data), [1, INPUT.height, INPUT.width, INPUT.channels])
        : preprocessColumns(photoTensor(readPng(join(dir, input.path))), goldenGeometry(input), PREPROCESS),
    );
    const outputs = model.predict(x) as tf.Tensor[];
    const [heaven = [], earth = [], readable] = outputs.map((t) => t.dataSync());
    tf.dispose([x, ...outputs]);
    return {
      ...goldenCase,
      expected: {
        [HEADS.heaven]: Array.from(heaven),
        [HEADS.earth]: Array.from(earth),
        ...(readable === undefined ? {} : { [HEADS.readable]: Array.from(readable) }),
      },
    };
  });
  model.dispose();

  const quantization = Object.fromEntries(
    json.weightsManifest.flatMap((g) => g.weights).map((w) => [w.name, { dtype: 'float32' as const }]),
  );
  const test = record?.test;
  const contract: ModelContract = {
    schemaVersion: CONTRACT_SCHEMA_VERSION,
    input: {
      name: 'image',
      height: INPUT.height,
      width: INPUT.width,
      channels: INPUT.channels,
      shape: [null, INPUT.height, INPUT.width, INPUT.channels],
      dtype: 'float32',
      grey: PREPROCESS.grey,
      resize: { method: PREPROCESS.resize, prefilter: PREPROCESS.prefilter ?? 'box' },
      inputRange: { min: PREPROCESS.inputRange.min, max: PREPROCESS.inputRange.max },
    },
    modelInternals: { normalization: { kind: 'affine', scale: RESCALING.scale, offset: RESCALING.offset } },
    heads: [
      {
        name: HEADS.heaven,
        output: HEADS.heaven,
        shape: [null, 1],
        activation: 'sigmoid',
        meaning: 'Probability that the heaven bead (worth 5) is pushed to the reckoning bar.',
      },
      {
        name: HEADS.earth,
        output: HEADS.earth,
        shape: [null, 5],
        activation: 'softmax',
        meaning: 'Probabilities of 0, 1, 2, 3 or 4 earth beads (worth 1 each) pushed to the reckoning bar.',
      },
      ...(hasReadable
        ? [
            {
              name: HEADS.readable,
              output: HEADS.readable,
              shape: [null, 1],
              activation: 'sigmoid' as const,
              meaning:
                'Probability that the crop shows one whole column that can be seen (not a hand, not the picture edge, not half of two columns, not the table).',
            },
          ]
        : []),
    ],
    decode: {
      rule: DECODE_RULE,
      heaven: HEADS.heaven,
      earth: HEADS.earth,
      ...(hasReadable ? { readable: HEADS.readable } : {}),
      heavenThreshold: HEAVEN_THRESHOLD,
    },
    golden: { tolerance: GOLDEN_TOLERANCE, cases },
    integrity: shardIntegrity(shards),
    quantization,
    provenance: {
      trainedBy:
        'models/training/train.ts (npm run train), TF.js 4.22 wasm backend in Node with registered gradient kernels',
      ...(record === undefined ? {} : { trainedAt: record.finishedAt, commit: record.commit }),
      dataset:
        'Synthetic soroban photos from src/render (seeded), cut into columns by src/preprocess preprocessColumns with jittered ground-truth corners.' +
        (record === undefined
          ? ''
          : ` train ${record.datasets.train.crops} crops (seed ${record.datasets.train.seed}), validation ${record.datasets.val.crops} (seed ${record.datasets.val.seed}), test ${record.datasets.test.crops} (seed ${record.datasets.test.seed}); held out of training: bead shape "${record.heldOut.beadShape}", bead colour "${record.heldOut.beadColour}".`),
      ...(test === undefined
        ? {}
        : {
            notes: `Test accuracy: digit ${(100 * test.digitAccuracy).toFixed(2)} %, heaven ${(100 * test.heavenAccuracy).toFixed(2)} %, earth ${(100 * test.earthAccuracy).toFixed(2)} % (see REPORT.md).`,
          }),
    },
  };
  return writeContract(dir, json, contract);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? 'models/column-classifier';
  await tf.setBackend('wasm');
  const contract = await attachContract(dir);
  console.log(`attached a contract with ${contract.golden?.cases.length ?? 0} golden cases to ${dir}/model.json`);
}
