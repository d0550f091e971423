import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from '../../src/training/kernels/register.ts';
import { buildModel, HEADS, SHIPPED_ARCHITECTURE } from '../../models/training/model.ts';
import { threeHeadLoss, twoHeadLoss } from '../../src/training/loss.ts';
import {
  batchOf,
  columnDrift,
  jitterCorners,
  makeDataset,
  MAX_DRIFT_PER_JITTER,
  misplacedQuad,
} from '../../models/training/dataset.ts';
import { createRandom } from '../../src/render/index.ts';
import { trainModel } from '../../models/training/train-loop.ts';
import { RenderPool } from '../../models/training/render-threads/render-pool.ts';
import { RollingTrainingSet } from '../../models/training/rolling-training-set.ts';
import { ChunkStream } from '../../models/training/chunk-stream.ts';
import { decodeDigit } from '../../models/training/evaluate.ts';
import { loadModel, saveModel, SHARD_NAME } from '../../models/training/io.ts';
import { makeGoldenFiles } from '../../models/training/golden.ts';
import { attachContract } from '../../models/training/attach-contract.ts';
import { validateContract } from '../../src/contract/validate.ts';
import { goldenHeadValues } from '../../src/model/golden.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import { nodeImageDecoder } from '../../src/reference/image.ts';
import type { PreprocessSpec } from '../../src/preprocess/index.ts';

const TINY_SPEC: PreprocessSpec = {
  height: 32,
  width: 16,
  channels: 1,
  grey: 'bt601',
  resize: 'bilinear',
  inputRange: { min: 0, max: 1 },
};
/** The shipped model (CC_MODEL_DIR points the test at another one, e.g. a quick run's). */
const SHIPPED_DIR = process.env['CC_MODEL_DIR'] ?? 'models/column-classifier';

function leakCheck(): () => void {
  const before = tf.memory().numTensors;
  return () => assert.equal(tf.memory().numTensors, before, 'tensors leaked');
}

describe('training', () => {
  before(async () => {
    await tf.setBackend('wasm');
    registerWasmGradientKernels();
  });

  it('lowers the loss of a tiny model in a few steps on rendered crops', () => {
    const done = leakCheck();
    const data = makeDataset({ name: 'tiny', seed: 11, crops: 48, jitter: 0.1 }, TINY_SPEC);
    const model = buildModel({ filters: [4, 8], dense: 8, input: { height: 32, width: 16 } });
    const optimizer = tf.train.adam(0.01);
    const x = tf.tensor4d(data.x, [data.size, 32, 16, 1]);
    const heaven = tf.tensor2d(data.heaven, [data.size, 1]);
    const earth = tf.tensor1d(data.earth, 'int32');
    const lossNow = (): number =>
      tf.tidy(() => {
        const [h, e] = model.predict(x) as tf.Tensor[];
        return twoHeadLoss(h!, e!, heaven, earth).total.dataSync()[0] ?? NaN;
      });
    const first = lossNow();
    for (let step = 0; step < 15; step++) {
      const cost = optimizer.minimize(() => {
        const [h, e] = model.apply(x, { training: true }) as tf.Tensor[];
        return twoHeadLoss(h!, e!, heaven, earth).total;
      }, true);
      cost?.dispose();
    }
    const last = lossNow();
    assert.ok(last < first * 0.9, `loss went from ${first} to ${last}`);
    tf.dispose([x, heaven, earth]);
    optimizer.dispose();
    model.dispose();
    done();
  });

  it('runs the training loop: records each epoch and restores the best weights', async () => {
    const done = leakCheck();
    const train = makeDataset({ name: 'tiny-train', seed: 12, crops: 64, jitter: 0.1 }, TINY_SPEC);
    const val = makeDataset({ name: 'tiny-val', seed: 13, crops: 32, jitter: 0.1 }, TINY_SPEC);
    const model = buildModel({ filters: [4], dense: 8, input: { height: 32, width: 16 } });
    const result = await trainModel(model, train, val, {
      epochs: 2,
      batchSize: 16,
      learningRate: 0.01,
      patience: 5,
      budgetSeconds: 60,
      seed: 1,
    });
    assert.equal(result.history.length, 2);
    assert.ok(result.bestEpoch === 1 || result.bestEpoch === 2);
    assert.ok(result.imagesPerSecond > 0 && result.imagesSeen === 128);
    for (const h of result.history) assert.ok(Number.isFinite(h.trainLoss) && Number.isFinite(h.valLoss));
    model.dispose();
    done();
  });

  it('renders the same crops in a render thread as on the main thread', async () => {
    const spec = { name: 'tiny-thread', seed: 14, crops: 24, jitter: 0.1 };
    const here = makeDataset(spec, TINY_SPEC);
    const pool = new RenderPool(1);
    try {
      const there = await pool.render(spec, TINY_SPEC);
      assert.equal(there.data.size, here.size);
      assert.deepEqual(Array.from(there.data.digits), Array.from(here.digits));
      assert.deepEqual(there.data.beadShape, here.beadShape);
      let worst = 0;
      for (let i = 0; i < here.x.length; i++)
        worst = Math.max(worst, Math.abs((here.x[i] ?? 0) - (there.data.x[i] ?? 0)));
      assert.equal(worst, 0, 'the same wasm kernels on the same photo give the same bytes');
    } finally {
      await pool.dispose();
    }
    await assert.rejects(pool.render(spec, TINY_SPEC), /after dispose/);
  });

  it('hands a training loop that never yields between epochs the chunk a render thread finished meanwhile', async () => {
    const pool = new RenderPool(1);
    const started: number[] = [];
    try {
      const stream = new ChunkStream((k) => {
        started.push(k);
        return pool.render({ name: `chunk ${k}`, seed: 30 + k, crops: 8, jitter: 0.1 }, TINY_SPEC);
      }, 2);
      // A synchronous "epoch" of busy work, then the loop's between-epochs call, as train.ts does.
      const epoch = (ms: number): void => {
        const end = performance.now() + ms;
        while (performance.now() < end) {
          // training
        }
      };
      let chunk: Awaited<ReturnType<ChunkStream['take']>>;
      const deadline = performance.now() + 30_000;
      do {
        epoch(300);
        chunk = await stream.take();
      } while (chunk === undefined && performance.now() < deadline);
      assert.ok(chunk !== undefined, 'the finished chunk reached the loop');
      assert.equal(chunk.data.name, 'chunk 2');
      assert.equal(stream.chunksTaken, 1);
      assert.deepEqual(started, [2, 3], 'taking a chunk starts the next one');
    } finally {
      await pool.dispose();
    }
  });

  it('replaces the oldest chunk of a rolling training set in place, and refuses a chunk of another size', () => {
    const chunk = (seed: number) => makeDataset({ name: `chunk ${seed}`, seed, crops: 8, jitter: 0.1 }, TINY_SPEC);
    const [a, b, c, d] = [chunk(21), chunk(22), chunk(23), chunk(24)];
    const set = new RollingTrainingSet([a, b]);
    const x = set.data.x;
    const per = TINY_SPEC.height * TINY_SPEC.width;
    const slot = (k: number) => Array.from(set.data.x.subarray(k * 8 * per, (k + 1) * 8 * per));
    assert.deepEqual(slot(0), Array.from(a.x));
    set.replaceOldest(c);
    assert.deepEqual(slot(0), Array.from(c.x), 'the first chunk in was the first out');
    assert.deepEqual(slot(1), Array.from(b.x));
    set.replaceOldest(d);
    assert.deepEqual(slot(1), Array.from(d.x));
    assert.deepEqual(Array.from(set.data.digits), [...c.digits, ...d.digits]);
    assert.equal(set.data.x, x, 'the training loop keeps reading the same arrays');
    assert.deepEqual(set.seen, { photos: a.photos + b.photos + c.photos + d.photos, chunks: 4, crops: 32 });
    const small = makeDataset({ name: 'small', seed: 25, crops: 4, jitter: 0.1 }, TINY_SPEC);
    assert.throws(() => set.replaceOldest(small), /4 crops/);
  });

  it('jitters corners like a person marking them, without moving any column by more than the bound', () => {
    // A 21-column bead area seen in strong perspective (top edge 13 % shorter), as the renderer poses them.
    const truth = {
      topLeft: { x: 0.2, y: 0.3 },
      topRight: { x: 0.8, y: 0.31 },
      bottomRight: { x: 0.84, y: 0.7 },
      bottomLeft: { x: 0.16, y: 0.7 },
    };
    const random = createRandom(5);
    let largest = 0;
    let unbounded = 0;
    for (let i = 0; i < 400; i++) {
      const quad = jitterCorners(random, truth, 21, 0.1);
      const drift = columnDrift(truth, quad, 21);
      largest = Math.max(largest, drift);
      // The same corner moves without the bound, for comparison: what run 5 trained and was tested on.
      const s = () => (random.next() * 2 - 1) * 0.1 * (0.6 / 21);
      const t = () => (random.next() * 2 - 1) * 0.04 * 0.4;
      const free = {
        topLeft: { x: 0.2 + s(), y: 0.3 + t() },
        topRight: { x: 0.8 + s(), y: 0.31 + t() },
        bottomRight: { x: 0.84 + s(), y: 0.7 + t() },
        bottomLeft: { x: 0.16 + s(), y: 0.7 + t() },
      };
      unbounded = Math.max(unbounded, columnDrift(truth, free, 21));
    }
    assert.ok(largest <= MAX_DRIFT_PER_JITTER * 0.1 + 1e-9, `a column drifted ${largest.toFixed(3)} pitches`);
    assert.ok(largest > 0.05, `the corners still move (largest drift ${largest.toFixed(3)} pitches)`);
    assert.ok(
      unbounded > 0.3,
      `independent corner moves alone drift the middle columns (${unbounded.toFixed(3)} pitches)`,
    );
    assert.ok(columnDrift(truth, truth, 21) < 1e-9);
  });

  it('augments training crops within [0, 1], reproducibly from the seed, leaving labels and the unaugmented path alone', () => {
    const data = makeDataset({ name: 'augment', seed: 31, crops: 16, jitter: 0.1 }, TINY_SPEC);
    const indices = Array.from({ length: 16 }, (_, i) => i);
    const plain = batchOf(data, indices);
    const a = batchOf(data, indices, createRandom(9));
    const b = batchOf(data, indices, createRandom(9));
    try {
      assert.deepEqual(Array.from(plain.x.dataSync()), Array.from(data.x), 'no augmentation: the crops as rendered');
      const values = Array.from(a.x.dataSync());
      assert.deepEqual(values, Array.from(b.x.dataSync()), 'same seed, same batch');
      assert.ok(
        values.every((v) => v >= 0 && v <= 1),
        'values stay in the input range',
      );
      const changed = values.filter((v, i) => Math.abs(v - (data.x[i] ?? 0)) > 1e-3).length;
      assert.ok(changed > values.length / 2, `most values change (${changed} of ${values.length})`);
      assert.deepEqual(Array.from(a.heaven.dataSync()), Array.from(data.heaven));
      assert.deepEqual(Array.from(a.earth.dataSync()), Array.from(data.earth));
    } finally {
      tf.dispose([plain.x, plain.heaven, plain.earth, a.x, a.heaven, a.earth, b.x, b.heaven, b.earth]);
    }
  });

  it('teaches the digit heads only from readable crops, and the readable head from all', () => {
    const done = leakCheck();
    const heaven = tf.tensor2d([[0.99], [0.01]]);
    const earth = tf.tensor2d([
      [0.96, 0.01, 0.01, 0.01, 0.01],
      [0.01, 0.01, 0.01, 0.01, 0.96],
    ]);
    const readable = tf.tensor2d([[0.9], [0.2]]);
    // The second crop's digit labels disagree wildly with its heads, but it is not a column: no digit loss from it.
    const labels = {
      heaven: tf.tensor2d([[1], [1]]),
      earth: tf.tensor1d([0, 0], 'int32'),
      readable: tf.tensor2d([[1], [0]]),
    };
    const [h, e, r] = tf.tidy(() => {
      const loss = threeHeadLoss(heaven, earth, readable, labels);
      return [loss.heaven, loss.earth, loss.readable].map((t) => t.dataSync()[0] ?? NaN);
    });
    assert.ok(Math.abs((h ?? NaN) + Math.log(0.99)) < 1e-5);
    assert.ok(Math.abs((e ?? NaN) + Math.log(0.96)) < 1e-5);
    assert.ok(Math.abs((r ?? NaN) + (Math.log(0.9) + Math.log(0.8)) / 2) < 1e-5);
    tf.dispose([heaven, earth, readable, labels.heaven, labels.earth, labels.readable]);
    done();
  });

  it('moves a misplaced quad by half a pitch sideways or a third of the height along the rods, never by a whole column', () => {
    const random = createRandom(5);
    const quad = {
      topLeft: { x: 0.1, y: 0.2 },
      topRight: { x: 0.9, y: 0.2 },
      bottomRight: { x: 0.9, y: 0.8 },
      bottomLeft: { x: 0.1, y: 0.8 },
    };
    let sideways = 0;
    let along = 0;
    for (let i = 0; i < 200; i++) {
      const m = misplacedQuad(random, quad, 8);
      const dx = m.topLeft.x - quad.topLeft.x;
      const dy = m.topLeft.y - quad.topLeft.y;
      if (dy === 0) {
        sideways++;
        const pitches = Math.abs(dx) / (0.8 / 8);
        assert.ok(pitches >= 0.35 && pitches <= 0.65, `sideways by ${pitches} pitch`);
      } else {
        along++;
        assert.equal(dx, 0);
        const share = Math.abs(dy) / 0.6;
        assert.ok(share >= 0.25 && share <= 0.38, `along the rods by ${share} of the height`);
      }
    }
    assert.ok(sideways > 100 && along > 30, `${sideways} sideways, ${along} along`);
  });

  it('labels crops of hidden columns, misplaced quads and empty tables as not readable, and keeps every flat column readable', () => {
    const mixed = makeDataset(
      {
        name: 'mixed',
        seed: 21,
        crops: 160,
        jitter: 0.1,
        negatives: 1,
        filters: [
          { renderer: '3d', hand: 1 },
          { renderer: '3d', scene: 'empty' },
        ],
        render3d: { maxSide: 200, beadAreaOnly: true },
      },
      TINY_SPEC,
    );
    const unreadable = mixed.readable.filter((r) => r === 0).length;
    assert.ok(unreadable >= 20 && unreadable < 160, `${unreadable} of 160 crops not readable`);
    assert.ok(mixed.renderer.every((r) => r === '3d'));
    assert.ok(Array.from(mixed.elevation).every((e) => e >= 35 && e <= 90));
    const flat = makeDataset({ name: 'flat', seed: 22, crops: 40, jitter: 0.1 }, TINY_SPEC);
    assert.ok(flat.readable.every((r) => r === 1));
    assert.ok(flat.renderer.every((r) => r === '2d') && Array.from(flat.elevation).every((e) => Number.isNaN(e)));
  });

  it('decodes digit = 5 · heaven + earth with the 0.5 threshold', () => {
    assert.equal(decodeDigit(0.49, [0, 0, 0.9, 0.1, 0]), 2);
    assert.equal(decodeDigit(0.5, [0, 0, 0, 0, 1]), 9);
    assert.equal(decodeDigit(0.99, [0.8, 0.1, 0.1, 0, 0]), 5);
  });

  it('saves, reloads and attaches a valid contract to an (untrained) shipped-size model without retraining', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-model-'));
    try {
      const model = buildModel(SHIPPED_ARCHITECTURE);
      await saveModel(model, dir);
      const probe = tf.randomUniform([2, 128, 64, 1], 0, 1, 'float32', 3);
      const [h0] = model.predict(probe) as tf.Tensor[];
      makeGoldenFiles(dir);
      const shardBefore = readFileSync(join(dir, SHARD_NAME));
      const contract = await attachContract(dir);
      assert.ok(readFileSync(join(dir, SHARD_NAME)).equals(shardBefore), 'attaching must not touch the weights');
      assert.equal(contract.integrity?.shards[SHARD_NAME], createHash('sha256').update(shardBefore).digest('hex'));
      assert.equal(contract.golden?.cases.length, 2, 'one float32 column and one small photo');
      const photo = contract.golden?.cases.find((c) => c.input.kind === 'png' && c.input.photo !== undefined);
      assert.ok(
        photo !== undefined && photo.input.kind === 'png' && photo.input.photo !== undefined,
        'a whole-photo golden case',
      );
      assert.equal(photo.expected['earth']?.length, 5 * photo.input.photo.columns, 'five earth values per column');
      const { model: loaded, json } = await loadModel(dir);
      validateContract(json.userDefinedMetadata?.['contract']);
      const [h1] = loaded.predict(probe) as tf.Tensor[];
      assert.deepEqual(Array.from(h1!.dataSync()), Array.from(h0!.dataSync()));
      tf.dispose([probe, h0!, h1!]);
      model.dispose();
      loaded.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(
    'ships a model that loads from memory, whose contract validates and whose golden inputs reproduce the expected outputs',
    { skip: !existsSync(join(SHIPPED_DIR, 'model.json')) && 'no shipped model yet' },
    async () => {
      const { model, json } = await loadModel(SHIPPED_DIR);
      const contract = validateContract(json.userDefinedMetadata?.['contract'], 'the shipped model');
      const shard = readFileSync(join(SHIPPED_DIR, SHARD_NAME));
      assert.equal(
        contract.integrity?.shards[SHARD_NAME],
        createHash('sha256').update(shard).digest('hex'),
        'shard hash',
      );
      assert.ok(shard.byteLength <= 400 * 1024, `weights are ${shard.byteLength} bytes`);
      // Trained on both renderers (run 12 on), it says whether a crop shows a column at all.
      assert.deepEqual(model.outputNames.slice().sort(), [HEADS.earth, HEADS.heaven, HEADS.readable]);
      const golden = contract.golden;
      assert.ok(golden !== undefined && golden.cases.length > 0);
      const index = JSON.parse(readFileSync(join(SHIPPED_DIR, 'golden', 'index.json'), 'utf8')) as {
        columns: { digit: number }[];
        selfCheckPhoto: { digits: number[] };
      };
      const source = await fileModelSource(SHIPPED_DIR);
      const classifier = await loadClassifierModel(source);
      let correctDigits = 0;
      for (const [i, c] of golden.cases.entries()) {
        const done = leakCheck();
        const values = await goldenHeadValues(classifier, c, source, nodeImageDecoder);
        done();
        const heaven = values[HEADS.heaven] ?? new Float32Array();
        const earth = values[HEADS.earth] ?? new Float32Array();
        for (const [name, got] of [
          [HEADS.heaven, heaven],
          [HEADS.earth, earth],
          [HEADS.readable, values[HEADS.readable] ?? new Float32Array()],
        ] as const) {
          const want = c.expected[name] ?? [];
          assert.equal(got.length, want.length);
          got.forEach((v, k) =>
            assert.ok(
              Math.abs(v - (want[k] ?? NaN)) <= golden.tolerance,
              `case ${i} ${name}[${k}]: ${v} vs ${want[k]}`,
            ),
          );
        }
        const digits =
          c.input.kind === 'png' && c.input.photo !== undefined
            ? index.selfCheckPhoto.digits
            : [index.columns[i]?.digit ?? NaN];
        digits.forEach((digit, k) => {
          if (decodeDigit(heaven[k] ?? 0, earth.subarray(5 * k, 5 * k + 5)) === digit) correctDigits++;
        });
      }
      classifier.dispose();
      // A column of one rendered soroban and the self-check photo's seven: a trained model reads them.
      assert.ok(correctDigits >= 7, `the shipped model reads only ${correctDigits} of 8 golden columns`);
      model.dispose();
    },
  );
});
