/**
 * The training loop: Adam on the two-head loss, shuffled mini-batches,
 * validation after each epoch, a learning rate decayed per epoch (or halved
 * on a plateau), early stopping with the best weights restored, a time
 * budget, and a hook between epochs (fresh crops).
 */
import * as tf from '@tensorflow/tfjs';
import { batchOf, type Dataset } from './dataset.ts';
import { evaluate, predictDataset } from './evaluate.ts';
import { threeHeadLoss, twoHeadLoss } from '../../src/training/loss.ts';
import { ProgressBar } from './progress.ts';
import { createRandom, shuffledIndices } from '../../src/render/random.ts';
import { ScheduledAdam } from '../../src/training/scheduled-adam.ts';

export { ScheduledAdam };

/** Training settings. */
export interface TrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Epochs without a better validation result before stopping. */
  readonly patience: number;
  /**
   * With it, the learning rate is `learningRate · lrDecay^(epoch − 1)`, whatever validation does;
   * without it, the rate is halved after each epoch without a better validation result. (A
   * 2 000-crop validation set moves by a few crops between epochs: halving on that noise cut the
   * rate 8× in four epochs of run 4.)
   */
  readonly lrDecay?: number;
  /** Stop starting new epochs after this many seconds. */
  readonly budgetSeconds: number;
  readonly seed: number;
  /** Vary contrast and brightness of training crops (see batchOf). */
  readonly augment?: boolean;
  readonly progress?: ProgressBar;
  /**
   * Awaited after each epoch's validation, before the next epoch (e.g. to swap in freshly
   * rendered crops); its time counts against the budget.
   */
  readonly betweenEpochs?: (epoch: number) => Promise<void>;
}

/** One epoch of the learning curve. */
export interface EpochRecord {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainHeavenAccuracy: number;
  readonly trainEarthAccuracy: number;
  readonly valLoss: number;
  readonly valDigitAccuracy: number;
  readonly valHeavenAccuracy: number;
  readonly valEarthAccuracy: number;
  /** How often the readable head is right on validation (1 for a model without it). */
  readonly valReadableAccuracy: number;
  readonly learningRate: number;
  readonly imagesPerSecond: number;
  readonly seconds: number;
}

/** What training did. */
export interface TrainResult {
  readonly history: EpochRecord[];
  readonly bestEpoch: number;
  readonly stoppedBecause: 'epochs' | 'early-stopping' | 'time-budget';
  readonly seconds: number;
  readonly imagesSeen: number;
  readonly imagesPerSecond: number;
  /** Seconds spent waiting in `betweenEpochs` (fresh crops not yet rendered). */
  readonly waitSeconds: number;
}

/** Trains `model` in place on `train`, validating on `val`. */
export async function trainModel(
  model: tf.LayersModel,
  train: Dataset,
  val: Dataset,
  options: TrainOptions,
): Promise<TrainResult> {
  const optimizer = new ScheduledAdam(options.learningRate, 0.9, 0.999, 1e-7);
  const random = createRandom(options.seed);
  const augmentRandom = createRandom(options.seed + 1);
  const steps = Math.ceil(train.size / options.batchSize);
  const history: EpochRecord[] = [];
  const started = performance.now();
  let trainingMs = 0;
  let waitMs = 0;
  let imagesSeen = 0;
  let best = { score: -Infinity, epoch: 0, weights: [] as tf.Tensor[] };
  let sinceBest = 0;
  let stoppedBecause: TrainResult['stoppedBecause'] = 'epochs';

  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const order = shuffledIndices(random, train.size);
    let lossSum = 0;
    let heavenOk = 0;
    let earthOk = 0;
    let seen = 0;
    let digitSeen = 0;
    if (options.lrDecay !== undefined) optimizer.setLearningRate(options.learningRate * options.lrDecay ** (epoch - 1));
    const epochStart = performance.now();
    for (let step = 0; step < steps; step++) {
      const indices = order.slice(step * options.batchSize, (step + 1) * options.batchSize);
      const batch = batchOf(train, indices, options.augment === true ? augmentRandom : undefined);
      let heavenHits: tf.Tensor | undefined;
      let earthHits: tf.Tensor | undefined;
      let readableSeen: tf.Tensor | undefined;
      const loss = optimizer.minimize(() => {
        const [h, e, r] = model.apply(batch.x, { training: true }) as tf.Tensor[];
        if (h === undefined || e === undefined)
          throw new RangeError('trainModel: the model must output heaven and earth.');
        // Digit hits count readable crops only (others have no digit).
        const mask = tf.reshape(batch.readable, [-1]);
        heavenHits = tf.keep(
          tf.sum(
            tf.mul(
              tf.reshape(tf.cast(tf.equal(tf.greaterEqual(h, 0.5), tf.cast(batch.heaven, 'bool')), 'float32'), [-1]),
              mask,
            ),
          ),
        );
        earthHits = tf.keep(tf.sum(tf.mul(tf.cast(tf.equal(tf.argMax(e, 1), batch.earth), 'float32'), mask)));
        readableSeen = tf.keep(tf.sum(mask));
        return r === undefined
          ? twoHeadLoss(h, e, batch.heaven, batch.earth).total
          : threeHeadLoss(h, e, r, batch).total;
      }, true);
      lossSum += (loss?.dataSync()[0] ?? NaN) * indices.length;
      heavenOk += heavenHits?.dataSync()[0] ?? 0;
      earthOk += earthHits?.dataSync()[0] ?? 0;
      digitSeen += readableSeen?.dataSync()[0] ?? 0;
      seen += indices.length;
      tf.dispose(
        [loss, heavenHits, earthHits, readableSeen, batch.x, batch.heaven, batch.earth, batch.readable].filter(
          (t): t is tf.Tensor => t !== undefined,
        ),
      );
      const elapsed = (performance.now() - epochStart) / 1000;
      const rate = seen / elapsed;
      options.progress?.update({
        epoch,
        epochs: options.epochs,
        step: step + 1,
        steps,
        loss: lossSum / seen,
        heavenAccuracy: heavenOk / Math.max(1, digitSeen),
        earthAccuracy: earthOk / Math.max(1, digitSeen),
        imagesPerSecond: rate,
        eta: (train.size - seen) / rate + (options.epochs - epoch) * (train.size / rate),
      });
    }
    const epochMs = performance.now() - epochStart;
    trainingMs += epochMs;
    imagesSeen += seen;
    const v = evaluate(val, predictDataset(model, val));
    const record: EpochRecord = {
      epoch,
      trainLoss: lossSum / seen,
      trainHeavenAccuracy: heavenOk / Math.max(1, digitSeen),
      trainEarthAccuracy: earthOk / Math.max(1, digitSeen),
      valLoss: v.loss,
      valDigitAccuracy: v.digitAccuracy,
      valHeavenAccuracy: v.heavenAccuracy,
      valEarthAccuracy: v.earthAccuracy,
      valReadableAccuracy: v.readableAccuracy,
      learningRate: optimizer.rate,
      imagesPerSecond: seen / (epochMs / 1000),
      seconds: (performance.now() - started) / 1000,
    };
    history.push(record);
    // Score: digit accuracy (readable crops) and readable accuracy alike; validation loss breaks ties (accuracy saturates near 100 %).
    const score = v.digitAccuracy + v.readableAccuracy - 1e-3 * v.loss;
    options.progress?.log(
      `epoch ${epoch}: val digit ${(100 * v.digitAccuracy).toFixed(2)}% heaven ${(100 * v.heavenAccuracy).toFixed(2)}% earth ${(100 * v.earthAccuracy).toFixed(2)}% readable ${(100 * v.readableAccuracy).toFixed(2)}% loss ${v.loss.toFixed(4)} lr ${optimizer.rate.toExponential(1)}${score > best.score ? ' (best)' : ''}`,
    );
    if (score > best.score) {
      tf.dispose(best.weights);
      best = { score, epoch, weights: model.getWeights().map((w) => w.clone()) };
      sinceBest = 0;
    } else {
      sinceBest++;
      if (options.lrDecay === undefined) optimizer.setLearningRate(optimizer.rate / 2);
      if (sinceBest >= options.patience) {
        stoppedBecause = 'early-stopping';
        break;
      }
    }
    const perEpoch = (performance.now() - started) / 1000 / epoch;
    if (epoch < options.epochs && (performance.now() - started) / 1000 + perEpoch > options.budgetSeconds) {
      stoppedBecause = 'time-budget';
      break;
    }
    if (epoch < options.epochs && options.betweenEpochs !== undefined) {
      const waitStart = performance.now();
      await options.betweenEpochs(epoch);
      waitMs += performance.now() - waitStart;
    }
  }
  if (best.weights.length > 0) {
    model.setWeights(best.weights);
    tf.dispose(best.weights);
  }
  optimizer.dispose();
  return {
    history,
    bestEpoch: best.epoch,
    stoppedBecause,
    seconds: (performance.now() - started) / 1000,
    imagesSeen,
    imagesPerSecond: imagesSeen / (trainingMs / 1000),
    waitSeconds: waitMs / 1000,
  };
}
