/** Topology inspection of a TF.js layers model (Keras JSON, Keras 2 or Keras 3 style). */
import type { ModelJson } from './model-json.ts';
import { formatMap, IDENTITY_MAP, thenMap, type AffineMap } from './affine-map.ts';
import type { InputPathReport, InputPathStep, ModelOutput, TopologyReport, WeightReader } from './topology-report.ts';

interface LayerJson {
  readonly class_name: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly name?: string;
  readonly inbound_nodes?: unknown;
}

const WEIGHTED_LAYERS = new Set([
  'Conv2D',
  'Conv1D',
  'Conv3D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'Conv2DTranspose',
  'Dense',
]);
// Layers that only rearrange values: an output ending in one has its activation from before it.
const REARRANGING_LAYERS = new Set(['Reshape', 'Permute', 'Flatten']);
// Layers that are the identity at inference time, or that only move, pool or
// resample values (pooling and resizing commute with an affine map, so the
// map before them still says what range the first weighted layer sees).
const PASS_THROUGH_LAYERS = new Set([
  'Dropout',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'ActivityRegularization',
  'Reshape',
  'Permute',
  'Flatten',
  'AveragePooling2D',
  'MaxPooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'Resizing',
]);

function layerName(layer: LayerJson): string {
  return layer.name ?? String(layer.config['name'] ?? '');
}

/** Names of the layers feeding a layer, from Keras 2 (`[[name, node, tensor, kwargs]]`) or Keras 3 (`keras_history`) inbound nodes. */
function inboundNames(layer: LayerJson): string[] {
  const names: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      if (value.length >= 3 && typeof value[0] === 'string' && typeof value[1] === 'number') {
        names.push(value[0]);
        return;
      }
      value.forEach(visit);
    } else if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      const history = (record['config'] as Record<string, unknown> | undefined)?.['keras_history'];
      if (Array.isArray(history) && typeof history[0] === 'string') {
        names.push(history[0]);
        return;
      }
      Object.values(record).forEach(visit);
    }
  };
  visit(layer.inbound_nodes);
  return names;
}

function shapeFrom(config: Readonly<Record<string, unknown>>): (number | null)[] | undefined {
  const shape = config['batch_input_shape'] ?? config['batch_shape'];
  return Array.isArray(shape) ? shape.map((d: unknown) => (typeof d === 'number' ? d : null)) : undefined;
}

function dtypeFrom(config: Readonly<Record<string, unknown>>): string {
  const dtype = config['dtype'];
  if (typeof dtype === 'string') return dtype;
  const policy = (dtype as { config?: { name?: unknown } } | undefined)?.config?.name;
  return typeof policy === 'string' ? policy : 'float32';
}

function scalarOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) {
    const flat = value.flat(Infinity) as unknown[];
    const first = flat[0];
    return typeof first === 'number' && flat.every((v) => v === first) ? first : undefined;
  }
  return undefined;
}

/** Inspects a layers model: the input's path to the first convolution and the output layers. */
export function inspectLayersTopology(model: ModelJson, readWeight: WeightReader): TopologyReport {
  const topology = model.modelTopology;
  const modelConfig = (topology['model_config'] ?? topology) as {
    class_name?: string;
    config?: Record<string, unknown>;
  };
  const config = modelConfig.config ?? {};
  const layers = ((config['layers'] as LayerJson[] | undefined) ?? []).filter(
    (l) => typeof l === 'object' && l !== null,
  );
  const sequential = modelConfig.class_name === 'Sequential';
  const byName = new Map(layers.map((l) => [layerName(l), l]));

  const consumersOf = (name: string): LayerJson[] => {
    if (sequential) {
      const at = layers.findIndex((l) => layerName(l) === name);
      const next = layers[at + 1];
      return next === undefined ? [] : [next];
    }
    return layers.filter((l) => inboundNames(l).includes(name));
  };

  // The input: an InputLayer, or (TF.js Sequential) the first layer's batch_input_shape.
  const inputLayerRefs = sequential
    ? []
    : ((config['input_layers'] as unknown[][] | undefined) ?? []).map((ref) => String(ref[0]));
  let inputStarts: {
    name: string;
    startAfter: string | undefined;
    firstLayer: LayerJson | undefined;
    shape: (number | null)[];
    dtype: string;
    aliases: string[];
  }[];
  const first = layers[0];
  if (sequential && first !== undefined && first.class_name !== 'InputLayer') {
    // TF.js names a Sequential's implicit input `<first layer>_input`.
    inputStarts = [
      {
        name: `${layerName(first)}_input`,
        startAfter: undefined,
        firstLayer: first,
        shape: shapeFrom(first.config) ?? [],
        dtype: dtypeFrom(first.config),
        aliases: [],
      },
    ];
  } else {
    const inputLayers = sequential
      ? layers.slice(0, 1)
      : inputLayerRefs.map((n) => byName.get(n)).filter((l): l is LayerJson => l !== undefined);
    inputStarts = inputLayers.map((l) => ({
      name: layerName(l),
      startAfter: layerName(l),
      firstLayer: undefined,
      shape: shapeFrom(l.config) ?? [],
      dtype: dtypeFrom(l.config),
      aliases: [],
    }));
  }

  const inputs: InputPathReport[] = inputStarts.map((start) => {
    const steps: InputPathStep[] = [];
    let map: AffineMap | undefined = IDENTITY_MAP;
    let repeat = 1;
    let problem: string | undefined;
    let firstWeightedOp: InputPathReport['firstWeightedOp'];
    let current = start.startAfter;
    let pending: LayerJson | undefined = start.firstLayer;
    for (let guard = 0; guard <= layers.length; guard++) {
      let layer: LayerJson;
      if (pending !== undefined) {
        layer = pending;
        pending = undefined;
      } else {
        const next = consumersOf(current ?? '');
        const [firstNext] = next;
        if (next.length > 1 && firstNext !== undefined && next.every((l) => WEIGHTED_LAYERS.has(l.class_name))) {
          firstWeightedOp = { name: next.map(layerName).join(', '), op: firstNext.class_name };
          break;
        }
        if (next.length !== 1) {
          problem =
            next.length === 0
              ? `layer ${current ?? '?'} feeds no layer`
              : `layer ${current ?? '?'} feeds ${next.length} layers; the input path branches before any convolution`;
          map = undefined;
          break;
        }
        layer = next[0] as LayerJson;
      }
      const name = layerName(layer);
      const step = (stepMap: AffineMap | undefined, note: string): void => {
        steps.push({ name, op: layer.class_name, map: stepMap, note });
        map = map === undefined || stepMap === undefined ? undefined : thenMap(map, stepMap);
      };
      if (WEIGHTED_LAYERS.has(layer.class_name)) {
        firstWeightedOp = { name, op: layer.class_name };
        break;
      }
      if (layer.class_name === 'Rescaling') {
        const scale = scalarOf(layer.config['scale']);
        const offset = scalarOf(layer.config['offset'] ?? 0);
        if (scale === undefined || offset === undefined) {
          problem = `Rescaling ${name} has per-channel scale/offset, which this inspection does not compose`;
          map = undefined;
          break;
        }
        step({ scale, offset }, `Rescaling: x ↦ ${formatMap({ scale, offset })}`);
      } else if (layer.class_name === 'Normalization') {
        // Keras stores adapted statistics as weights; explicit ones sit in the config.
        const mean = scalarOf(layer.config['mean']) ?? scalarOf(Array.from(readWeight(`${name}/mean`) ?? []));
        const variance =
          scalarOf(layer.config['variance']) ?? scalarOf(Array.from(readWeight(`${name}/variance`) ?? []));
        if (mean === undefined || variance === undefined) {
          problem = `Normalization ${name}: its mean/variance are per-channel or not readable`;
          map = undefined;
          break;
        }
        const invert = layer.config['invert'] === true;
        const std = Math.max(Math.sqrt(variance), 1e-7);
        step(
          invert ? { scale: std, offset: mean } : { scale: 1 / std, offset: -mean / std },
          `Normalization: ${invert ? 'x · std + mean' : '(x − mean) / std'}, mean ${mean}, variance ${variance}`,
        );
      } else if (layer.class_name === 'Concatenate') {
        const sources = inboundNames(layer);
        if (sources.some((s) => s !== current)) {
          problem = `Concatenate ${name} joins the input with other tensors`;
          map = undefined;
          break;
        }
        repeat *= sources.length;
        step(IDENTITY_MAP, `repeats the input ${sources.length}× along channels`);
      } else if (
        PASS_THROUGH_LAYERS.has(layer.class_name) ||
        (layer.class_name === 'Activation' && layer.config['activation'] === 'linear')
      ) {
        step(IDENTITY_MAP, 'keeps the value range');
      } else {
        problem = `layer ${name} (${layer.class_name}) between the input and the first convolution is not one this inspection understands`;
        map = undefined;
        break;
      }
      current = name;
    }
    return {
      name: start.name,
      aliases: start.aliases,
      feedName: start.name,
      shape: start.shape,
      dtype: start.dtype,
      steps,
      map,
      channelRepeat: repeat,
      firstWeightedOp,
      problem,
    };
  });

  const outputRefs = sequential
    ? layers.length > 0
      ? [layerName(layers[layers.length - 1] as LayerJson)]
      : []
    : ((config['output_layers'] as unknown[][] | undefined) ?? []).map((ref) => String(ref[0]));
  const outputs: ModelOutput[] = outputRefs.map((key, index) => {
    const chain: string[] = [];
    let layer = byName.get(key);
    let activation: string | undefined;
    let units: number | undefined;
    // A layer that only rearranges values (Flatten, Reshape, Permute) keeps the activation before it but not the
    // Dense layer's units as the output's shape (a localizer's [B, 4, 2] expectation flattened to [B, 8]).
    let rearranged = false;
    for (let guard = 0; layer !== undefined && guard < layers.length; guard++) {
      chain.push(`${layerName(layer)} (${layer.class_name})`);
      if (activation === undefined) {
        if (layer.class_name === 'Softmax') activation = 'softmax';
        else if (typeof layer.config['activation'] === 'string' && layer.config['activation'] !== 'linear')
          activation = layer.config['activation'];
        else if (layer.class_name !== 'Activation' && WEIGHTED_LAYERS.has(layer.class_name)) activation = 'linear';
      }
      if (layer.class_name === 'Dense') {
        if (!rearranged) units = Number(layer.config['units']);
        break;
      }
      if (REARRANGING_LAYERS.has(layer.class_name)) rearranged = true;
      else if (!['Activation', 'Softmax', 'Dropout'].includes(layer.class_name)) break;
      const previous: string | undefined = sequential
        ? layerName(layers[layers.indexOf(layer) - 1] ?? layer)
        : inboundNames(layer)[0];
      layer = previous === undefined || previous === layerName(layer) ? undefined : byName.get(previous);
    }
    return {
      index,
      key,
      aliases: [],
      fetchName: key,
      shape: units === undefined ? [] : [null, units],
      activation: activation ?? 'unknown',
      producer: chain.join(' ← '),
    };
  });
  return { inputs, outputs };
}
