/**
 * A loaded, verified column-classifier model: predicts by head name (reading
 * and decoding the outputs is `read-heads.ts` and `read-columns.ts`). Holds
 * the TF.js model; `dispose()` releases it.
 */
import * as tf from '@tensorflow/tfjs';
import { toPreprocessSpec } from '../contract/preprocess-spec.ts';
import type { ModelContract } from '../contract/schema.ts';
import { DisposedError, InferenceError, InputError } from '../errors.ts';
import type { PreprocessSpec } from '../preprocess/types.ts';
import type { BoundHead } from './bind-heads.ts';
import { isGraphModel } from './graph-model.ts';
import type { ModelInspection } from './inspect.ts';
import type { Problem } from './problems.ts';

/** The TF.js model behind a {@link ClassifierModel}. */
export type TfModel = tf.LayersModel | tf.GraphModel;

/**
 * The output layer names of a layers model, in its output order. A
 * `Sequential` leaves `outputNames` empty, so they are read from the outputs' source layers.
 */
export function layersOutputNames(model: tf.LayersModel): string[] {
  return model.outputNames.length === model.outputs.length
    ? model.outputNames
    : model.outputs.map((o) => o.sourceLayer.name);
}

/** A model bound to its contract. Create it with `loadClassifierModel`. */
export class ClassifierModel {
  /** The validated contract. */
  readonly contract: ModelContract;
  /** What the preprocessing must produce for this model. */
  readonly spec: PreprocessSpec;
  /** Heads bound to outputs by name. */
  readonly heads: readonly BoundHead[];
  /** The inspection the model passed (topology, shards, warnings). */
  readonly inspection: ModelInspection;
  private model: TfModel | undefined;
  private readonly feedName: string;

  /** Wraps an already verified TF.js model; use `loadClassifierModel` instead. */
  constructor(
    model: TfModel,
    contract: ModelContract,
    heads: readonly BoundHead[],
    inspection: ModelInspection,
    feedName: string,
  ) {
    this.model = model;
    this.contract = contract;
    this.spec = toPreprocessSpec(contract);
    this.heads = heads;
    this.inspection = inspection;
    this.feedName = feedName;
  }

  /** What the loader found worth saying but not worth refusing (e.g. `contract/no-integrity`, `contract/unbound-output`). */
  get warnings(): readonly Problem[] {
    return this.inspection.problems.filter((p) => p.severity === 'warning');
  }

  /** The TF.js model (e.g. to pick a backend-specific warm-up). */
  get tfModel(): TfModel {
    if (this.model === undefined)
      throw new DisposedError(
        'disposed/used-after-dispose',
        'This ClassifierModel was disposed; load the model again.',
      );
    return this.model;
  }

  /**
   * Runs one batched predict.
   *
   * @param batch - [columns, height, width, channels] as {@link spec} says; not disposed
   * @returns one tensor per head name, [columns, …head shape]; the caller disposes them
   * @throws {InputError} `input/bad-argument` for a batch of the wrong shape
   * @throws {InferenceError} `inference/bad-output` when an output has the wrong shape
   */
  predict(batch: tf.Tensor4D): Record<string, tf.Tensor> {
    const model = this.tfModel;
    const { height, width, channels } = this.spec;
    const [columns, h, w, c] = batch.shape;
    if (h !== height || w !== width || c !== channels) {
      throw new InputError(
        'input/bad-argument',
        `predict: the batch is [${batch.shape.join(', ')}], but the contract's input is [columns, ${height}, ${width}, ${channels}].`,
      );
    }
    let tensors: tf.Tensor[];
    if (isGraphModel(model)) {
      const out = model.execute(
        { [this.feedName]: batch },
        this.heads.map((b) => b.output.fetchName),
      );
      tensors = Array.isArray(out) ? out : [out];
    } else {
      const out = model.predict(batch);
      const all = Array.isArray(out) ? out : [out];
      const byName = new Map(layersOutputNames(model).map((name, i) => [name, all[i]]));
      tensors = this.heads.map((b) => byName.get(b.output.fetchName) as tf.Tensor);
      for (const t of all) if (!tensors.includes(t)) t.dispose();
      if (tensors.some((t) => t === undefined)) {
        for (const t of all) t.dispose();
        throw new InferenceError(
          'inference/bad-output',
          `The model's outputs (${layersOutputNames(model).join(', ')}) do not include every head output (${this.heads.map((b) => b.output.fetchName).join(', ')}).`,
        );
      }
    }
    const result: Record<string, tf.Tensor> = {};
    for (const [i, bound] of this.heads.entries()) {
      const tensor = tensors[i] as tf.Tensor;
      const expected = [columns, ...bound.head.shape.slice(1)];
      if (tensor.shape.length !== expected.length || tensor.shape.some((d, k) => d !== expected[k])) {
        for (const t of tensors) t.dispose();
        throw new InferenceError(
          'inference/bad-output',
          `Head "${bound.head.name}" (output "${bound.output.key}") came out as [${tensor.shape.join(', ')}], expected [${expected.join(', ')}].`,
        );
      }
      result[bound.head.name] = tensor;
    }
    return result;
  }

  /** Releases the TF.js model; idempotent. */
  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
  }
}
