/**
 * The shape of a topology report: what layers and graph models alike say
 * about their input path and outputs. Its own module so that the two readers
 * (`topology-layers.ts`, `topology-graph.ts`) and `topology.ts`, which picks
 * one, do not import each other in a circle.
 */
import type { AffineMap } from './affine-map.ts';

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
