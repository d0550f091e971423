/**
 * What the topology of a model says about its input and outputs, found by
 * reading model.json (and, for a graph model's constants, the weights) —
 * never by running the model. Layers and graph models give the same report.
 */
import { ColumnClassifierError, LoadError } from '../errors.ts';
import type { ModelJson } from './model-json.ts';
import { inspectGraphTopology } from './topology-graph.ts';
import { inspectLayersTopology } from './topology-layers.ts';
import type { TopologyReport, WeightReader } from './topology-report.ts';

export { formatMap, IDENTITY_MAP, mapRange, thenMap, type AffineMap } from './affine-map.ts';
export type { InputPathReport, InputPathStep, ModelOutput, TopologyReport, WeightReader } from './topology-report.ts';

/**
 * Inspects a model's topology.
 *
 * @param model - the parsed model.json
 * @param readWeight - gives constant values (graph rescaling factors, Normalization statistics)
 * @throws {LoadError} `load/unsupported-format` when the topology is not shaped as a converter writes it
 */
export function inspectTopology(model: ModelJson, readWeight: WeightReader): TopologyReport {
  try {
    return model.format === 'graph-model'
      ? inspectGraphTopology(model, readWeight)
      : inspectLayersTopology(model, readWeight);
  } catch (error) {
    if (error instanceof ColumnClassifierError) throw error;
    // The readers walk Keras and GraphDef JSON as converters write it; a hostile or hand-edited
    // topology (a layer that is `{}`, a node list of numbers) trips them, and the page must get a
    // typed error, not a TypeError (found by the model.json fuzzing).
    throw new LoadError(
      'load/unsupported-format',
      `The modelTopology of this ${model.format} cannot be read (${String(error)}): it is not the JSON tensorflowjs_converter or tf.io writes. Re-export the model.`,
      { cause: error },
    );
  }
}
