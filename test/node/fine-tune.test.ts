import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { DisposedError } from '../../src/errors.ts';
import {
  fineTune,
  MIN_HELD_OUT_LOSS_GAIN,
  readsClearlyBetter,
  scoreCrops,
  type FineTuneProgress,
} from '../../src/fine-tune/fine-tune.ts';
import { concatCrops, splitCrops, type LabelledCrops } from '../../src/fine-tune/labelled-crops.ts';
import { judgeFineTune } from '../../src/fine-tune/report.ts';
import type { ClassifierModel } from '../../src/model/classifier-model.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { registerWasmGradientKernels } from '../../src/training/kernels/register.ts';
import { testModelContract } from '../fixtures/contracts.ts';
import { rejectsWith } from '../fixtures/expect-error.ts';
import { buildTestModel, saveModel, writeModel } from '../fixtures/test-models.ts';
import { removeTempDirs } from '../fixtures/temp-dirs.ts';

after(removeTempDirs);

/** The test model's input: 16 × 8 grey, 0–255. */
const HEIGHT = 16;
const WIDTH = 8;

/**
 * Crops the test model can learn: the digit's heaven bead shows as a bright top half, its earth count as the
 * brightness of the bottom half (one step per bead), with a little noise.
 */
function learnableCrops(digits: readonly number[], seed: number): LabelledCrops {
  const per = HEIGHT * WIDTH;
  const x = new Float32Array(digits.length * per);
  let state = seed;
  const noise = (): number => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 20;
  digits.forEach((digit, i) => {
    for (let j = 0; j < per; j++) {
      const top = j < per / 2;
      const value = top ? (digit >= 5 ? 230 : 20) : 30 + 45 * (digit % 5);
      x[i * per + j] = Math.min(255, Math.max(0, value + noise()));
    }
  });
  return { count: digits.length, height: HEIGHT, width: WIDTH, x, digits: Uint8Array.from(digits) };
}

const digitsUpTo = (count: number, offset = 0): number[] => Array.from({ length: count }, (_, i) => (i + offset) % 10);

async function testModel(): Promise<ClassifierModel> {
  const { dir } = await writeModel(
    await saveModel(buildTestModel()),
    testModelContract() as unknown as Record<string, unknown>,
  );
  return loadClassifierModel(await fileModelSource(dir));
}

async function weightsOf(model: ClassifierModel): Promise<Float32Array[]> {
  const layers = model.tfModel as tf.LayersModel;
  return Promise.all(layers.getWeights().map(async (w) => (await w.data()) as Float32Array));
}

before(async () => {
  await useNodeBackend('wasm');
  registerWasmGradientKernels();
});

describe('labelled crops', () => {
  it('splits into disjoint parts, the same for the same seed, holding out the fraction asked', () => {
    const crops = learnableCrops(digitsUpTo(50), 1);
    const a = splitCrops(crops, 0.2, 3);
    const b = splitCrops(crops, 0.2, 3);
    const c = splitCrops(crops, 0.2, 4);
    assert.equal(a.heldOut.count, 10);
    assert.equal(a.train.count, 40);
    assert.deepEqual(a.heldOut.digits, b.heldOut.digits);
    assert.deepEqual(a.heldOut.x, b.heldOut.x);
    assert.notDeepEqual(a.heldOut.x, c.heldOut.x);
    // Every crop lands in exactly one part.
    const key = (x: Float32Array, i: number): string => x.subarray(i * 128, i * 128 + 4).join();
    const all = new Set(Array.from({ length: 50 }, (_, i) => key(crops.x, i)));
    const parts = [
      ...Array.from({ length: 40 }, (_, i) => key(a.train.x, i)),
      ...Array.from({ length: 10 }, (_, i) => key(a.heldOut.x, i)),
    ];
    assert.deepEqual(new Set(parts), all);
  });

  it('holds out whole frames when the crops say which frame each came from, and leaves one to learn from', () => {
    const crops = {
      ...learnableCrops(digitsUpTo(50), 1),
      groups: Uint32Array.from({ length: 50 }, (_, i) => Math.floor(i / 5)),
    };
    const { train, heldOut } = splitCrops(crops, 0.2, 3);
    const heldFrames = new Set(heldOut.groups);
    assert.equal(heldOut.count, 10);
    assert.equal(heldFrames.size, 2);
    for (const frame of train.groups ?? []) assert.equal(heldFrames.has(frame), false, `frame ${frame} on both sides`);
    const two = {
      ...learnableCrops(digitsUpTo(10), 1),
      groups: Uint32Array.from({ length: 10 }, (_, i) => (i < 5 ? 0 : 1)),
    };
    const split = splitCrops(two, 0.9, 1);
    assert.equal(split.heldOut.count, 5);
    assert.equal(split.train.count, 5);
  });

  it('refuses to join crops of different sizes', () => {
    const small = { count: 0, height: 4, width: 4, x: new Float32Array(0), digits: new Uint8Array(0) };
    assert.throws(() => concatCrops([learnableCrops([1], 1), small]), { code: 'input/bad-argument' });
  });
});

describe('fineTune', () => {
  it('learns the user columns, reports progress per step and epoch, and keeps the best epoch', async () => {
    const model = await testModel();
    try {
      const user = learnableCrops(digitsUpTo(80), 2);
      const heldOut = learnableCrops(digitsUpTo(30, 3), 3);
      const replay = learnableCrops(digitsUpTo(20, 5), 4);
      const progress: FineTuneProgress[] = [];
      const tensorsBefore = tf.memory().numTensors;
      const result = await fineTune(
        model,
        { user, heldOut, replay },
        { epochs: 3, batchSize: 20, learningRate: 0.02, userRepeat: 2, onProgress: (p) => progress.push(p) },
      );
      // Every tensor a fine-tune makes (batches, kept epochs' weights, the optimizer's slots) is released.
      assert.equal(tf.memory().numTensors, tensorsBefore);
      // 2 × 80 + 20 crops in batches of 20: 9 steps an epoch, then the epoch's line with its held-out accuracy.
      assert.equal(progress.length, 3 * 10);
      assert.deepEqual(
        progress.filter((p) => p.heldOutAccuracy !== undefined).map((p) => p.epoch),
        [1, 2, 3],
      );
      assert.equal(result.epochs.length, 3);
      assert.ok(result.heldOut.accuracy > result.heldOutBefore.accuracy, JSON.stringify(result));
      assert.equal(result.heldOut.accuracy, Math.max(...result.epochs.map((e) => e.heldOutAccuracy)));
      // The model holds the kept epoch's weights.
      assert.deepEqual(await scoreCrops(model, heldOut), result.heldOut);
      assert.equal(result.cropsSeen, 3 * 180);
    } finally {
      model.dispose();
    }
  });

  it('counts an epoch as progress (for stopping) when it reads more held-out columns right, or as many with a clearly lower loss', () => {
    assert.ok(readsClearlyBetter({ accuracy: 1, loss: 0.3 }, { accuracy: 0.975, loss: 0.01 }), 'more right');
    assert.ok(readsClearlyBetter({ accuracy: 1, loss: 0.05 }, { accuracy: 1, loss: 0.2 }), 'clearly lower loss');
    assert.ok(
      !readsClearlyBetter({ accuracy: 1, loss: 0.000012 }, { accuracy: 1, loss: 0.004 }),
      'a loss gain of 0.004 nats is noise',
    );
    assert.ok(!readsClearlyBetter({ accuracy: 0.975, loss: 0.001 }, { accuracy: 1, loss: 0.2 }), 'fewer right');
  });

  it('stops when every held-out column reads right and their loss only creeps down, keeping the best epoch', async () => {
    const model = await testModel();
    try {
      // Crops the tiny test model can read all right (0s and 9s), held out and learnt from alike, so that a low rate
      // lowers the held-out loss a little every epoch — the case that kept the bench's fine-tunes running all their
      // epochs once its 40 held-out columns all read right.
      const crops = learnableCrops(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 0 : 9)),
        2,
      );
      const data = { user: crops, heldOut: crops, replay: learnableCrops([], 4) };
      const steady = { batchSize: 20, learningRateDecay: 1, userRepeat: 2 };
      await fineTune(model, data, { ...steady, epochs: 12, patience: 12, learningRate: 0.02 });
      const start = await scoreCrops(model, crops);
      const result = await fineTune(model, data, { ...steady, epochs: 6, patience: 2, learningRate: 1e-3 });
      const losses = [start.loss, ...result.epochs.map((e) => e.heldOutLoss)];
      const gains = losses.slice(1).map((loss, i) => (losses[i] ?? NaN) - loss);
      assert.ok(
        start.accuracy === 1 &&
          result.epochs.every((e) => e.heldOutAccuracy === 1) &&
          gains.every((g) => g > 0 && g < MIN_HELD_OUT_LOSS_GAIN),
        JSON.stringify({ start, epochs: result.epochs }),
      );
      // No clear progress: it stops after `patience` epochs instead of running all six…
      assert.deepEqual(
        result.epochs.map((e) => e.epoch),
        [1, 2],
      );
      // …and still keeps the best epoch by any margin.
      assert.equal(result.bestEpoch, 2);
    } finally {
      model.dispose();
    }
  });

  it('keeps the weights before when no epoch reads the held-out columns better, and stops after `patience` such epochs', async () => {
    const model = await testModel();
    try {
      const weights = await weightsOf(model);
      // Labels that contradict the held-out ones: learning them can only make the held-out columns worse.
      const wrong = learnableCrops(digitsUpTo(60), 8);
      const shifted = { ...wrong, digits: wrong.digits.map((d) => (d + 5) % 10) };
      const result = await fineTune(
        model,
        { user: shifted, heldOut: learnableCrops(digitsUpTo(30), 9), replay: learnableCrops([], 1) },
        { epochs: 4, batchSize: 20, learningRate: 0.05, patience: 2 },
      );
      assert.equal(result.bestEpoch, 0, JSON.stringify(result.epochs));
      // No epoch better than the weights before: it stops after `patience` epochs rather than run all four.
      assert.deepEqual(
        result.epochs.map((e) => e.epoch),
        [1, 2],
      );
      assert.deepEqual(result.heldOut, result.heldOutBefore);
      assert.deepEqual(await weightsOf(model), weights);
    } finally {
      model.dispose();
    }
  });

  it("with train: 'dense', changes the dense layers' weights and keeps the convolutions'", async () => {
    const model = await testModel();
    try {
      const layers = model.tfModel as tf.LayersModel;
      const named = async () =>
        new Map(
          await Promise.all(
            layers.weights.map(
              async (w) => [w.originalName, Array.from((await w.read().data()) as Float32Array)] as const,
            ),
          ),
        );
      const before = await named();
      const result = await fineTune(
        model,
        {
          user: learnableCrops(digitsUpTo(80), 2),
          heldOut: learnableCrops(digitsUpTo(30, 3), 3),
          replay: learnableCrops([], 1),
        },
        { epochs: 3, batchSize: 20, learningRate: 0.02, train: 'dense' },
      );
      assert.ok(result.bestEpoch > 0, JSON.stringify(result.epochs));
      const after = await named();
      for (const [name, values] of before) {
        const changed = values.some((v, i) => v !== after.get(name)?.[i]);
        assert.equal(changed, !name.startsWith('conv'), name);
      }
    } finally {
      model.dispose();
    }
  });

  it('stops on abort with a typed error and leaves the weights as they were', async () => {
    const model = await testModel();
    try {
      const weights = await weightsOf(model);
      const abort = new AbortController();
      await rejectsWith(
        fineTune(
          model,
          {
            user: learnableCrops(digitsUpTo(40), 5),
            heldOut: learnableCrops(digitsUpTo(10), 6),
            replay: learnableCrops([], 7),
          },
          {
            epochs: 2,
            batchSize: 10,
            learningRate: 0.05,
            onProgress: (p) => {
              if (p.step === 3) abort.abort();
            },
            signal: abort.signal,
          },
        ),
        DisposedError,
        'disposed/aborted',
      );
      assert.deepEqual(await weightsOf(model), weights);
    } finally {
      model.dispose();
    }
  });

  it('refuses to start without held-out columns', async () => {
    const model = await testModel();
    try {
      await assert.rejects(
        fineTune(model, {
          user: learnableCrops([1, 2], 1),
          heldOut: learnableCrops([], 1),
          replay: learnableCrops([], 1),
        }),
        { code: 'input/bad-argument' },
      );
    } finally {
      model.dispose();
    }
  });
});

describe('judgeFineTune', () => {
  const result = (bestEpoch: number, before: number, after: number) => ({
    epochs: [{ epoch: 1, loss: 0.1, heldOutAccuracy: after, heldOutLoss: 0.2, learningRate: 1e-3, seconds: 1 }],
    bestEpoch,
    heldOutBefore: { accuracy: before, loss: 0.3 },
    heldOut: { accuracy: after, loss: 0.2 },
    cropsSeen: 100,
    seconds: 1,
  });

  it('accepts a model that learnt and kept the rendered test within the allowed drop', () => {
    const verdict = judgeFineTune(result(1, 0.8, 0.95), { before: 0.998, after: 0.996, count: 3000 }, 0.3);
    assert.equal(verdict.accepted, true, verdict.summary);
    assert.deepEqual(verdict.failures, []);
  });

  it('refuses a model that forgot more than the allowed drop', () => {
    const verdict = judgeFineTune(result(1, 0.8, 0.95), { before: 0.998, after: 0.994, count: 3000 }, 0.3);
    assert.equal(verdict.accepted, false);
    assert.match(verdict.failures.join(), /fell from 99\.80 % to 99\.40 %/);
  });

  it('refuses a fine-tune whose best epoch is the weights before', () => {
    const verdict = judgeFineTune(result(0, 0.9, 0.9), { before: 0.998, after: 0.998, count: 3000 }, 0.3);
    assert.equal(verdict.accepted, false);
    assert.match(verdict.failures.join(), /no epoch read the held-out columns better/);
  });
});
