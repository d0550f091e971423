/**
 * A dry run of the order in which TF.js connects a functional layers model's
 * nodes, before TF.js does it for real: `Container.fromConfig` (tfjs-layers
 * 4.22, `engine/container.js`) re-queues a node whose inbound layer or node
 * does not exist yet and loops until every node is connected, so one inbound
 * reference to a layer that never comes (a misspelt name, `true`, a node index
 * past the last, a cycle) hangs the worker forever (found by the model.json
 * fuzzing).
 */
import { LoadError } from '../errors.ts';
import type { ModelJson } from './model-json.ts';

const FUNCTIONAL = new Set(['Model', 'Functional']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// TF.js turns snake_case keys into camelCase before it reads them, so a model.json may spell either.
function classOf(layer: Record<string, unknown>): string {
  return String(layer['class_name'] ?? layer['className']);
}

function inboundNodesOf(layer: Record<string, unknown>): unknown[] {
  return ['inbound_nodes', 'inboundNodes'].flatMap((key) => {
    const nodes = layer[key];
    return Array.isArray(nodes) ? nodes : [];
  });
}

/** One inbound reference of a node: `[layer name, node index, tensor index, kwargs]`. */
function referenceOf(entry: unknown): { layer: unknown; node: unknown } {
  return Array.isArray(entry) ? { layer: entry[0], node: entry[1] } : { layer: undefined, node: undefined };
}

/**
 * Checks that every node of a functional model (and of the functional models nested in it) can be
 * connected in the order TF.js connects them.
 *
 * @param config - a model's `{ class_name, config: { layers } }`
 * @param at - the field path of `config`, for messages
 * @throws {LoadError} `load/unsupported-format` naming the first node that can never be connected
 */
function checkFunctional(config: Record<string, unknown>, at: string): void {
  const inner = config['config'];
  if (!isRecord(inner) || !Array.isArray(inner['layers'])) return;
  const layers = inner['layers'].filter(isRecord);
  layers.forEach((layer, i) => {
    if (FUNCTIONAL.has(classOf(layer))) checkFunctional(layer, `${at}.config.layers[${i}]`);
  });
  if (!FUNCTIONAL.has(classOf(config))) return;
  // Nodes each layer has once connected; an InputLayer has its one node from the start.
  const nodes = new Map<unknown, number>(layers.map((l) => [l['name'], classOf(l) === 'InputLayer' ? 1 : 0]));
  let waiting = layers.flatMap((layer, i) =>
    inboundNodesOf(layer)
      .map((node: unknown, n) => ({ layer, node, field: `${at}.config.layers[${i}].inbound_nodes[${n}]` }))
      // TF.js refuses a node that is not a list (Keras 3 writes objects) at once, without looping.
      .filter((entry) => Array.isArray(entry.node)),
  );
  while (waiting.length > 0) {
    const ready = (node: unknown[]): boolean =>
      node.every((entry) => {
        const { layer, node: index } = referenceOf(entry);
        return typeof index === 'number' && (nodes.get(layer) ?? 0) > index;
      });
    const next = waiting.filter(({ node }) => !ready(node as unknown[]));
    if (next.length === waiting.length) {
      const first = waiting[0] as (typeof waiting)[number];
      throw new LoadError(
        'load/unsupported-format',
        `${first.field} of layer "${String(first.layer['name'])}" takes ${JSON.stringify(first.node)}, a layer or node that never exists in this model (or a cycle). TF.js would wait for it forever; fix or re-export the model.`,
        { details: { field: first.field } },
      );
    }
    for (const { layer, node } of waiting)
      if (!next.some((n) => n.node === node) && (node as unknown[]).length > 0)
        nodes.set(layer['name'], (nodes.get(layer['name']) ?? 0) + 1);
    waiting = next;
  }
}

/**
 * Refuses a layers model whose nodes TF.js could never connect, before TF.js tries.
 *
 * @throws {LoadError} `load/unsupported-format` naming the node
 */
export function checkLayersNodeOrder(model: ModelJson): void {
  if (model.format !== 'layers-model') return;
  const topology = model.modelTopology;
  const config = topology['model_config'] ?? topology;
  if (isRecord(config))
    checkFunctional(config, isRecord(topology['model_config']) ? 'modelTopology.model_config' : 'modelTopology');
}
