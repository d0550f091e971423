/**
 * What the topology of a model says about its input and outputs, found by
 * reading model.json (and, for a graph model's constants, the weights) —
 * never by running the model. Layers and graph models give the same report.
 */
import { inspectGraphTopology } from './topology-graph.ts';
import { inspectLayersTopology } from './topology-layers.ts';
import type { ModelJson } from './model-json.ts';

/** x ↦ x · scale + offset. */
export interface AffineMap {
  readonly scale: number;
  readonly offset: number;
}

/** The identity map. */
export const IDENTITY_MAP: AffineMap = { scale: 1, offset: 0 };

/** One step on the way from the input to the first convolution. */
export interface InputPathStep {
  /** Node or layer name. */
  readonly name: string;
  /** Graph op or layer class. */
  readonly op: string;
  /** The affine map this step applies (identity for pass-through steps), undefined when its constants could not be read. */
  readonly map: AffineMap | undefined;
  /** What the step does, in words (e.g. "× 0.00784 (scalar const …/Cast/x)"). */
  readonly note: string;
}

/** The model's input and everything it does to it before the first convolution. */
export interface InputPathReport {
  /** The key a contract names: the signature input key (graph) or the input layer name (layers). */
  readonly name: string;
  /** Other names that designate the same input (e.g. the placeholder node name). */
  readonly aliases: readonly string[];
  /** The node or tensor name to feed when executing (graph: placeholder node name). */
  readonly feedName: string;
  /** Declared shape, batch first; null or -1 for unknown dimensions. */
  readonly shape: readonly (number | null)[];
  /** Declared dtype, e.g. float32. */
  readonly dtype: string;
  readonly steps: readonly InputPathStep[];
  /** The composed map from the input tensor to the first convolution's input; undefined when it could not be established. */
  readonly map: AffineMap | undefined;
  /** How many times the input is repeated along channels before the first convolution (the field's ConcatV2: 3). */
  readonly channelRepeat: number;
  /** The first convolution (or dense) reached, when reached. */
  readonly firstWeightedOp: { readonly name: string; readonly op: string } | undefined;
  /** Why the map could not be established, when it could not. */
  readonly problem: string | undefined;
}

/** One output of the model, as the topology declares it. */
export interface ModelOutput {
  /** Position in the model's own output list (JSON order); reported, never used for binding. */
  readonly index: number;
  /** The key a contract head names: output layer name (layers) or signature output key (graph). */
  readonly key: string;
  /** Other names designating this output (graph: the tensor name and the producing node). */
  readonly aliases: readonly string[];
  /** Graph: the tensor to fetch when executing (e.g. `Identity_1:0`); layers: the layer name. */
  readonly fetchName: string;
  /** Declared shape, batch first; empty when the topology does not say. */
  readonly shape: readonly (number | null)[];
  /** Last activation: sigmoid, softmax, or whatever else was found (e.g. linear, Relu). */
  readonly activation: string;
  /** The chain from the output back to the producing op, for the report. */
  readonly producer: string;
}

/** Reads a weight's values by name, or undefined when its shard is not available. */
export type WeightReader = (name: string) => Float64Array | undefined;

/** The topology's account of a model's input path and outputs. */
export interface TopologyReport {
  readonly inputs: readonly InputPathReport[];
  readonly outputs: readonly ModelOutput[];
}

/**
 * Inspects a model's topology.
 *
 * @param model - the parsed model.json
 * @param readWeight - gives constant values (graph rescaling factors, Normalization statistics)
 */
export function inspectTopology(model: ModelJson, readWeight: WeightReader): TopologyReport {
  return model.format === 'graph-model' ? inspectGraphTopology(model, readWeight) : inspectLayersTopology(model, readWeight);
}

/** Composes two maps: first `a`, then `b`. */
export function thenMap(a: AffineMap, b: AffineMap): AffineMap {
  return { scale: a.scale * b.scale, offset: a.offset * b.scale + b.offset };
}

/** Renders a map as `x · 0.00784 − 1`. */
export function formatMap(map: AffineMap): string {
  const fmt = (v: number): string => String(Number(v.toPrecision(6)));
  const scale = map.scale === 1 ? 'x' : `x · ${fmt(map.scale)}`;
  if (map.offset === 0) return scale;
  return `${scale} ${map.offset < 0 ? '−' : '+'} ${fmt(Math.abs(map.offset))}`;
}

/** Applies a map to a range (the result sorted low to high). */
export function mapRange(map: AffineMap, range: { readonly min: number; readonly max: number }): { min: number; max: number } {
  const a = range.min * map.scale + map.offset;
  const b = range.max * map.scale + map.offset;
  return { min: Math.min(a, b), max: Math.max(a, b) };
}
