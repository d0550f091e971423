/**
 * A model run without any contract: built from the verified bytes of an
 * inspection, fed whatever input a diagnosis hypothesis makes, and read by
 * output key. The loader refuses a model without a valid contract; diagnosing
 * such a model is the point here.
 */
import * as tf from '@tensorflow/tfjs';
import { LoadError } from '../errors.ts';
import { layersOutputNames } from '../model/classifier-model.ts';
import type { ModelInspection } from '../model/inspect.ts';
import { readHeads } from '../model/read-heads.ts';
import type { InputPathReport, ModelOutput } from '../model/topology.ts';

/** A TF.js model with its single input and its outputs by key. */
export interface RawModel {
  readonly input: InputPathReport;
  readonly outputs: readonly ModelOutput[];
  /** Output values per output key, [columns × units] flattened, and units per column. */
  run(batch: tf.Tensor4D): Promise<Record<string, { values: Float32Array; units: number }>>;
  dispose(): void;
}

/**
 * Builds the TF.js model of an inspected model, whatever its contract says.
 *
 * @throws {LoadError} when the weights are not all verified, or TF.js cannot build the model
 */
export async function buildRawModel(inspection: ModelInspection): Promise<RawModel> {
  const loadError = inspection.problems.find((p) => p.severity === 'error' && p.code.startsWith('load/'));
  if (loadError !== undefined) throw new LoadError(loadError.code, loadError.message);
  const input = inspection.topology.inputs[0];
  if (input === undefined || inspection.topology.inputs.length !== 1) {
    throw new LoadError(
      'load/unsupported-format',
      `${inspection.source} has ${inspection.topology.inputs.length} inputs; doctor --diagnose handles single-input image models.`,
    );
  }
  const groups = inspection.groupBytes;
  const weightData = new Uint8Array(groups.reduce((n, g) => n + (g?.byteLength ?? 0), 0));
  let at = 0;
  for (const bytes of groups) {
    if (bytes === undefined)
      throw new LoadError(
        'load/truncated',
        `${inspection.source}: a weight group is missing; give the model with all its shards.`,
      );
    weightData.set(bytes, at);
    at += bytes.byteLength;
  }
  const { model } = inspection;
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: model.modelTopology as tf.io.ModelArtifacts['modelTopology'] & object,
    format: model.format,
    weightSpecs: model.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
    weightData: weightData.buffer,
    ...(model.raw['signature'] === undefined ? {} : { signature: model.raw['signature'] as object }),
  };
  let tfModel: tf.GraphModel | tf.LayersModel;
  try {
    tfModel =
      model.format === 'graph-model'
        ? await tf.loadGraphModel(tf.io.fromMemory(artifacts))
        : await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw new LoadError('load/unsupported-format', `TF.js could not build ${inspection.source}: ${String(error)}.`, {
      cause: error,
    });
  }
  const outputs = inspection.topology.outputs;
  return {
    input,
    outputs,
    async run(batch) {
      let tensors: tf.Tensor[];
      let keys: string[];
      if (tfModel instanceof tf.GraphModel) {
        const out = tfModel.execute(
          { [input.feedName]: batch },
          outputs.map((o) => o.fetchName),
        );
        tensors = Array.isArray(out) ? out : [out];
        keys = outputs.map((o) => o.key);
      } else {
        const out = tfModel.predict(batch);
        tensors = Array.isArray(out) ? out : [out];
        keys = layersOutputNames(tfModel);
      }
      const values = await readHeads(Object.fromEntries(tensors.map((tensor, i) => [keys[i] ?? `#${i}`, tensor])));
      const rows = batch.shape[0] || 1;
      return Object.fromEntries(Object.entries(values).map(([key, v]) => [key, { values: v, units: v.length / rows }]));
    },
    dispose: () => tfModel.dispose(),
  };
}
