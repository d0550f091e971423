/**
 * What the topology of a model says about its input and outputs, found by
 * reading model.json (and, for a graph model's constants, the weights) —
 * never by running the model. Layers and graph models give the same report.
 */
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
 */
export function inspectTopology(model: ModelJson, readWeight: WeightReader): TopologyReport {
  return model.format === 'graph-model'
    ? inspectGraphTopology(model, readWeight)
    : inspectLayersTopology(model, readWeight);
}
