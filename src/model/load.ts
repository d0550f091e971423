/**
 * Loading a column-classifier model: read and verify everything
 * ({@link inspectModel}), refuse on the first error, then build the TF.js
 * model from the verified bytes and bind its heads.
 */
import { classifierDecode, locateDecode, type ModelKind } from '../contract/model-kind.ts';
import * as tf from '@tensorflow/tfjs';
import { ContractError, LoadError } from '../errors.ts';
import { bindHeads } from './bind-heads.ts';
import { findInput } from './check-input.ts';
import { ClassifierModel, layersOutputNames, type TfModel } from './classifier-model.ts';
import { isGraphModel, loadGraphModel } from './graph-model.ts';
import { checkLayersNodeOrder } from './layers-node-order.ts';
import { inspectModel, type InspectOptions, type ModelInspection } from './inspect.ts';
import { toError } from './problems.ts';
import type { ModelSource } from './source.ts';
import type { ModelOutput } from './topology.ts';

/** Options of {@link loadClassifierModel}. */
export type LoadOptions = Omit<InspectOptions, 'requireWeights'> & {
  /**
   * The kind of model the caller will use it as: a model of the other kind (a localizer where a column classifier
   * belongs) is refused with `contract/wrong-model-kind` before it is built. Default: either kind.
   */
  readonly kind?: ModelKind;
};

function artifactsOf(inspection: ModelInspection): tf.io.ModelArtifacts {
  const { model } = inspection;
  const groups = inspection.groupBytes;
  const total = groups.reduce((n, g) => n + (g?.byteLength ?? 0), 0);
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const bytes of groups) {
    if (bytes === undefined)
      throw new LoadError(
        'load/truncated',
        'A weight group is missing after verification; this is a bug in the loader.',
      );
    weightData.set(bytes, at);
    at += bytes.byteLength;
  }
  const raw = model.raw;
  return {
    modelTopology: model.modelTopology as tf.io.ModelArtifacts['modelTopology'] & object,
    format: model.format,
    ...(model.generatedBy === undefined ? {} : { generatedBy: model.generatedBy }),
    ...(model.convertedBy === undefined ? {} : { convertedBy: model.convertedBy }),
    weightSpecs: model.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
    weightData: weightData.buffer,
    ...(raw['signature'] === undefined ? {} : { signature: raw['signature'] as object }),
    ...(raw['modelInitializer'] === undefined ? {} : { modelInitializer: raw['modelInitializer'] as object }),
    ...(model.userDefinedMetadata === undefined
      ? {}
      : { userDefinedMetadata: model.userDefinedMetadata as Record<string, object> }),
  };
}

/**
 * Builds the TF.js model, leaving no tensor behind when TF.js fails half-way: a hostile or
 * hand-edited topology made it keep the initial values and weight variables of the layers it had
 * built (found by the model.json fuzzing). The build runs in an engine scope, so everything it
 * made and the model does not hold is disposed at the end; only one model is built at a time, so
 * the scope holds no other work's tensors.
 */
async function buildTfModel(inspection: ModelInspection): Promise<TfModel> {
  checkLayersNodeOrder(inspection.model);
  const handler = tf.io.fromMemory(artifactsOf(inspection));
  const variablesBefore = new Set(Object.keys(tf.engine().registeredVariables));
  let built: TfModel | undefined;
  tf.engine().startScope();
  try {
    built =
      inspection.model.format === 'graph-model' ? await loadGraphModel(handler) : await tf.loadLayersModel(handler);
    return built;
  } catch (error) {
    // Scopes never dispose variables.
    for (const [name, variable] of Object.entries(tf.engine().registeredVariables))
      if (!variablesBefore.has(name)) variable.dispose();
    throw new LoadError(
      'load/unsupported-format',
      `TF.js could not build the verified model from ${inspection.source}: ${String(error)}. The files passed every check, so the topology uses something TF.js ${tf.version.tfjs} does not support.`,
      { cause: error },
    );
  } finally {
    // A graph model's weights are plain tensors, which the scope would dispose with the rest.
    if (built !== undefined && isGraphModel(built))
      for (const tensors of Object.values(built.weights)) tensors.forEach(tf.keep);
    tf.engine().endScope();
  }
}

/** A layers model's real output shapes, which its JSON does not always give. */
function refineOutputs(outputs: readonly ModelOutput[], model: TfModel): ModelOutput[] {
  if (isGraphModel(model)) return [...outputs];
  return outputs.map((output) => {
    const i = layersOutputNames(model).indexOf(output.key);
    const shape = i < 0 ? undefined : model.outputs[i]?.shape;
    return shape === undefined ? output : { ...output, shape };
  });
}

/**
 * Loads a model with its contract, verifying everything first.
 *
 * ```ts
 * const model = await loadClassifierModel(fetchModelSource('/models/column-classifier/model.json'), {
 *   onProgress: ({ loaded, total }) => bar.value = loaded / total,
 * });
 * const { columns } = await readColumns(model, frame, geometry);
 * ```
 *
 * @param source - where model.json, its shards and its sidecar are read from
 * @throws {LoadError} `load/*`: unreadable files, truncated shard, sha256 mismatch
 * @throws {ContractError} `contract/*`: missing or invalid contract, one that contradicts the model, or a model of
 *   another kind than `options.kind`
 *   (double normalization, heads not found by name or of the wrong shape, …)
 */
export async function loadClassifierModel(source: ModelSource, options: LoadOptions = {}): Promise<ClassifierModel> {
  const inspection = await inspectModel(source, { ...options, requireWeights: true });
  const firstError = inspection.problems.find((p) => p.severity === 'error');
  if (firstError !== undefined) throw toError(firstError);
  const contract = inspection.contract;
  const input = contract === undefined ? undefined : findInput(contract, inspection.topology.inputs);
  if (contract === undefined || input === undefined) {
    throw new ContractError(
      'contract/missing',
      `${inspection.source} passed inspection without a usable contract; this is a bug.`,
    );
  }
  if (options.kind === 'column-classifier') classifierDecode(contract, inspection.source);
  if (options.kind === 'localizer') locateDecode(contract, inspection.source);
  options.onProgress?.({ phase: 'building', loaded: 0, total: 0 });
  const model = await buildTfModel(inspection);
  const binding = bindHeads(contract, refineOutputs(inspection.topology.outputs, model));
  const bindError = binding.problems.find((p) => p.severity === 'error');
  if (bindError !== undefined) {
    model.dispose();
    throw toError(bindError);
  }
  return new ClassifierModel(model, contract, binding.bound, inspection, input.feedName);
}
