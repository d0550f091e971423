/**
 * Fine-tuning a column classifier on a user's own labelled columns, mixed with rendered columns so that it does not
 * forget what it read before. One path for the CLI (Node) and the worker: plain crops in, the model's weights
 * changed in place, progress out, abortable between steps.
 */
import * as tf from '@tensorflow/tfjs';
import { classifierDecode } from '../contract/model-kind.ts';
import { ContractError, DisposedError, InputError } from '../errors.ts';
import { layersOutputNames, type ClassifierModel } from '../model/classifier-model.ts';
import { decodeColumns } from '../model/decode.ts';
import { predictHeads } from '../model/read-heads.ts';
import { createRandom, shuffledIndices } from '../render/random.ts';
import { augmentCrop } from '../training/augment.ts';
import { threeHeadLoss, twoHeadLoss } from '../training/loss.ts';
import { ScheduledAdam } from '../training/scheduled-adam.ts';
import type { FineTuneProgress } from '../worker-api/fine-tune-worker-api.ts';
import { concatCrops, type LabelledCrops } from './labelled-crops.ts';

export type { FineTuneProgress };

/** How a fine-tune runs; every field has a default measured on this project's simulated users (FINE-TUNING.md). */
export interface FineTuneOptions {
  /** Most passes over the mix (default 6). */
  readonly epochs?: number;
  /**
   * Stops after this many epochs in a row that are no clear progress on the held-out columns (default 2; see
   * {@link MIN_HELD_OUT_LOSS_GAIN}): later epochs rarely come back, and each costs seconds on a phone.
   */
  readonly patience?: number;
  readonly batchSize?: number;
  /** Adam's rate in the first epoch (default 5e-4: a tenth of training's, the weights are close already). */
  readonly learningRate?: number;
  /** The rate is multiplied by this after each epoch (default 0.8). */
  readonly learningRateDecay?: number;
  /** Each user crop appears this many times an epoch (default 4), so a few hundred weigh against the rendered ones. */
  readonly userRepeat?: number;
  /**
   * Which weights learn: `all` (default), or `dense` — the dense layers only, the convolutions kept as they are (less
   * to forget, less to learn).
   */
  readonly train?: 'all' | 'dense';
  readonly seed?: number;
  /** Stops between two steps with a `disposed/aborted` error; the model keeps the weights it had before. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: FineTuneProgress) => void;
}

/** One epoch of a fine-tune. */
export interface FineTuneEpoch {
  readonly epoch: number;
  readonly loss: number;
  readonly heldOutAccuracy: number;
  readonly heldOutLoss: number;
  readonly learningRate: number;
  readonly seconds: number;
}

/** What a fine-tune did. The model holds the best epoch's weights (by held-out accuracy, then held-out loss). */
export interface FineTuneResult {
  readonly epochs: readonly FineTuneEpoch[];
  readonly bestEpoch: number;
  /** The weights before on the held-out crops. */
  readonly heldOutBefore: CropScore;
  /** The kept epoch on the held-out crops. */
  readonly heldOut: CropScore;
  readonly cropsSeen: number;
  readonly seconds: number;
}

/** What a fine-tune learns from and is judged on. */
export interface FineTuneData {
  /** The user's labelled crops to learn from. */
  readonly user: LabelledCrops;
  /** Rendered crops mixed in so that what the model read before is not forgotten. */
  readonly replay: LabelledCrops;
  /** The user's crops kept out of training: the best epoch is chosen on them. */
  readonly heldOut: LabelledCrops;
}

const DEFAULTS = {
  epochs: 6,
  batchSize: 32,
  learningRate: 5e-4,
  learningRateDecay: 0.8,
  userRepeat: 4,
  patience: 2,
  seed: 1,
  train: 'all',
} as const;

/** How well a model reads labelled crops. */
export interface CropScore {
  /** Digits read right (the product's decode: 5 · [heaven ≥ threshold] + the most probable earth count); NaN for none. */
  readonly accuracy: number;
  /**
   * Mean cross-entropy of the right heaven decision and earth count: it still tells two models apart when both read
   * every crop right (a few dozen held-out crops often are).
   */
  readonly loss: number;
}

/** Scores `model` on `crops`. */
export async function scoreCrops(model: ClassifierModel, crops: LabelledCrops, batchSize = 128): Promise<CropScore> {
  const decode = classifierDecode(model.contract);
  const per = crops.height * crops.width;
  let right = 0;
  let loss = 0;
  for (let start = 0; start < crops.count; start += batchSize) {
    const rows = Math.min(batchSize, crops.count - start);
    const batch = tf.tensor4d(crops.x.subarray(start * per, (start + rows) * per), [
      rows,
      crops.height,
      crops.width,
      1,
    ]);
    try {
      const readings = decodeColumns(await predictHeads(model, batch), decode, rows);
      readings.forEach((reading, i) => {
        const digit = crops.digits[start + i] ?? 0;
        if (reading.digit === digit) right++;
        const heaven = digit >= 5 ? reading.heaven : 1 - reading.heaven;
        loss -= Math.log(Math.max(heaven, 1e-7)) + Math.log(Math.max(reading.earth[digit % 5] ?? 0, 1e-7));
      });
    } finally {
      batch.dispose();
    }
  }
  return crops.count === 0 ? { accuracy: NaN, loss: NaN } : { accuracy: right / crops.count, loss: loss / crops.count };
}

/** Whether `a` reads the held-out crops better than `b`: more right, or as many with a lower loss. */
function better(a: CropScore, b: CropScore): boolean {
  return a.accuracy > b.accuracy || (a.accuracy === b.accuracy && a.loss < b.loss);
}

/**
 * How much lower (nats a crop) the held-out loss must be, at equal accuracy, for an epoch to count as progress when
 * deciding whether to stop. A few dozen held-out crops all read right keep losing loss (0.01 to 0.00001) epoch after
 * epoch, which says nothing about the user's other photos; counted as progress, it kept a fine-tune running all its
 * epochs (64 s on the bench's simulated user). The kept epoch is still the best by {@link better}.
 */
export const MIN_HELD_OUT_LOSS_GAIN = 0.01;

/** Whether `a` is progress over `b` for early stopping: more right, or as many with a loss lower by a margin. */
export function readsClearlyBetter(a: CropScore, b: CropScore): boolean {
  return a.accuracy > b.accuracy || (a.accuracy === b.accuracy && a.loss < b.loss - MIN_HELD_OUT_LOSS_GAIN);
}

/** The layers model to train, and where each head sits among its outputs. */
function trainable(model: ClassifierModel): {
  layers: tf.LayersModel;
  heaven: number;
  earth: number;
  readable: number;
} {
  const layers = model.tfModel;
  if (!(layers instanceof tf.LayersModel))
    throw new ContractError(
      'contract/wrong-model-kind',
      'Only a layers model (Keras format) can be fine-tuned; this one is a graph model, which TF.js cannot train.',
    );
  const decode = classifierDecode(model.contract);
  const outputs = layersOutputNames(layers);
  const at = (head: string | undefined): number => {
    if (head === undefined) return -1;
    const fetchName = model.heads.find((b) => b.head.name === head)?.output.fetchName;
    return fetchName === undefined ? -1 : outputs.indexOf(fetchName);
  };
  const heads = { heaven: at(decode.heaven), earth: at(decode.earth), readable: at(decode.readable) };
  if (heads.heaven < 0 || heads.earth < 0)
    throw new ContractError(
      'contract/head-not-found',
      `The model's outputs (${outputs.join(', ')}) do not include the heads "${decode.heaven}" and "${decode.earth}" its contract decodes.`,
    );
  return { layers, ...heads };
}

/**
 * Lets queued tasks run. A message, not `setTimeout(0)`: nested timers are held back to 4 ms each (most of a second
 * over a fine-tune's steps).
 */
function yieldToEventLoop(): Promise<void> {
  const channel = new MessageChannel();
  return new Promise((resolve) => {
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(undefined);
  });
}

function abortedError(): DisposedError {
  return new DisposedError('disposed/aborted', 'The fine-tune was stopped; the model keeps the weights it had.');
}

/**
 * Fine-tunes `model` in place on the user's crops mixed with the replay crops, keeping the epoch that reads the
 * held-out crops best — most right, then lowest loss (the weights before count as epoch 0: a fine-tune never makes
 * them worse there).
 *
 * @throws {InputError} `input/bad-argument` without user or held-out crops, or with crops not of the model's size
 * @throws {ContractError} `contract/wrong-model-kind` for a graph model (TF.js trains layers models only)
 * @throws {DisposedError} `disposed/aborted` when `options.signal` aborts (the weights are restored)
 */
export async function fineTune(
  model: ClassifierModel,
  data: FineTuneData,
  options: FineTuneOptions = {},
): Promise<FineTuneResult> {
  const settings = { ...DEFAULTS, ...options };
  const { height, width, channels } = model.spec;
  for (const [name, crops] of Object.entries(data))
    if (crops.count > 0 && (crops.height !== height || crops.width !== width || channels !== 1))
      throw new InputError(
        'input/bad-argument',
        `The ${name} crops are ${crops.height}×${crops.width}; the model reads ${height}×${width}×${channels}.`,
      );
  for (const [name, value] of [
    ['epochs', settings.epochs],
    ['patience', settings.patience],
  ] as const)
    if (!Number.isInteger(value) || value < 1)
      throw new InputError('input/bad-argument', `fineTune: ${name} must be a whole number ≥ 1, got ${value}.`);
  if (data.user.count === 0 || data.heldOut.count === 0)
    throw new InputError(
      'input/bad-argument',
      `Fine-tuning needs labelled columns to learn from and held-out ones to judge by (got ${data.user.count} and ${data.heldOut.count}).`,
    );
  const { layers, heaven, earth, readable } = trainable(model);
  const started = performance.now();
  const mix = concatCrops([...Array.from({ length: settings.userRepeat }, () => data.user), data.replay]);
  const random = createRandom(settings.seed);
  const augmentRandom = createRandom(settings.seed + 1);
  const steps = Math.ceil(mix.count / settings.batchSize);
  const per = height * width;
  const { min, max } = model.spec.inputRange;
  const span = max - min;
  const before = layers.getWeights().map((w) => w.clone());
  const scoreBefore = await scoreCrops(model, data.heldOut);
  let best = { epoch: 0, score: scoreBefore, weights: before };
  // The last epoch that was clear progress: `patience` epochs without any, and the fine-tune stops.
  let progress = { epoch: 0, score: scoreBefore };
  // undefined: every trainable variable (all of the model's weights).
  const variables =
    settings.train === 'dense'
      ? layers.layers
          .filter((layer) => layer.getClassName() === 'Dense')
          .flatMap((layer) => layer.trainableWeights.map((weight) => weight.read() as tf.Variable))
      : undefined;
  const optimizer = new ScheduledAdam(settings.learningRate, 0.9, 0.999, 1e-7);
  const epochs: FineTuneEpoch[] = [];
  let cropsSeen = 0;
  try {
    for (let epoch = 1; epoch <= settings.epochs; epoch++) {
      optimizer.setLearningRate(settings.learningRate * settings.learningRateDecay ** (epoch - 1));
      const order = shuffledIndices(random, mix.count);
      let lossSum = 0;
      let seen = 0;
      for (let step = 0; step < steps; step++) {
        if (settings.signal?.aborted === true) throw abortedError();
        const indices = order.slice(step * settings.batchSize, (step + 1) * settings.batchSize);
        const xs = new Float32Array(indices.length * per);
        const heavenLabels = new Float32Array(indices.length);
        const earthLabels = new Int32Array(indices.length);
        indices.forEach((k, i) => {
          const crop = xs.subarray(i * per, (i + 1) * per);
          crop.set(mix.x.subarray(k * per, (k + 1) * per));
          // The augmentation works on [0, 1]; the contract's input range may be another.
          for (let j = 0; j < per; j++) crop[j] = ((crop[j] ?? 0) - min) / span;
          augmentCrop(crop, height, width, augmentRandom);
          for (let j = 0; j < per; j++) crop[j] = min + (crop[j] ?? 0) * span;
          const digit = mix.digits[k] ?? 0;
          heavenLabels[i] = digit >= 5 ? 1 : 0;
          earthLabels[i] = digit % 5;
        });
        const x = tf.tensor4d(xs, [indices.length, height, width, 1]);
        const labels = {
          heaven: tf.tensor2d(heavenLabels, [indices.length, 1]),
          earth: tf.tensor1d(earthLabels, 'int32'),
          readable: tf.ones([indices.length, 1]),
        };
        const loss = optimizer.minimize(
          () => {
            const outputs = layers.apply(x, { training: true }) as tf.Tensor[];
            const h = outputs[heaven] as tf.Tensor;
            const e = outputs[earth] as tf.Tensor;
            const r = readable < 0 ? undefined : outputs[readable];
            return r === undefined
              ? twoHeadLoss(h, e, labels.heaven, labels.earth).total
              : threeHeadLoss(h, e, r, labels).total;
          },
          true,
          variables,
        );
        tf.dispose([x, labels.heaven, labels.earth, labels.readable]);
        lossSum += ((await loss?.data())?.[0] ?? NaN) * indices.length;
        loss?.dispose();
        seen += indices.length;
        settings.onProgress?.({ epoch, epochs: settings.epochs, step: step + 1, steps, loss: lossSum / seen });
        // A worker's message loop (an abort, a progress reply) runs between steps.
        await yieldToEventLoop();
      }
      cropsSeen += seen;
      const score = await scoreCrops(model, data.heldOut);
      const loss = lossSum / seen;
      epochs.push({
        epoch,
        loss,
        heldOutAccuracy: score.accuracy,
        heldOutLoss: score.loss,
        learningRate: optimizer.rate,
        seconds: (performance.now() - started) / 1000,
      });
      settings.onProgress?.({
        epoch,
        epochs: settings.epochs,
        step: steps,
        steps,
        loss,
        heldOutAccuracy: score.accuracy,
      });
      if (better(score, best.score)) {
        if (best.weights !== before) tf.dispose(best.weights);
        best = { epoch, score, weights: layers.getWeights().map((w) => w.clone()) };
      }
      if (readsClearlyBetter(score, progress.score)) progress = { epoch, score };
      else if (epoch - progress.epoch >= settings.patience) break;
    }
    layers.setWeights(best.weights);
  } catch (error) {
    layers.setWeights(before);
    throw error;
  } finally {
    if (best.weights !== before) tf.dispose(best.weights);
    tf.dispose(before);
    optimizer.dispose();
  }
  return {
    epochs,
    bestEpoch: best.epoch,
    heldOutBefore: scoreBefore,
    heldOut: best.score,
    cropsSeen,
    seconds: (performance.now() - started) / 1000,
  };
}
