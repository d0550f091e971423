// Writes test/fixtures/browser-graph-model/: the browser tests' model (test/fixtures/browser-model, written by
// make-browser-fixture.ts) as a TF.js graph model — the same weights in the graph that tensorflowjs_converter writes
// for such a Keras model (Mul/AddV2 rescaling, _FusedConv2D with BiasAdd and Relu, Mean, _FusedMatMul, Softmax and
// Sigmoid, heads bound through the signature with earth listed first) — with the layers model's golden cases, whose
// expected outputs the graph model must reproduce here (checked) and on every browser backend.
// Run: npx tsx scripts/make-browser-graph-fixture.ts
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ModelContract } from '../src/contract/schema.ts';
import { loadClassifierModel } from '../src/model/load.ts';
import { fileModelSource } from '../src/model/node-file-source.ts';
import { goldenOutputs } from '../src/model/golden.ts';
import { useNodeBackend } from '../src/reference/backend.ts';
import { nodeImageDecoder } from '../src/reference/image.ts';
import { writeModel } from '../test/fixtures/test-models.ts';

const FROM = 'test/fixtures/browser-model';
const TO = 'test/fixtures/browser-graph-model';

interface WeightSpec {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: string;
}

const float = { type: 'DT_FLOAT' };
const shapeOf = (dims: readonly number[]) => ({ dim: dims.map((size) => ({ size: String(size) })) });
const text = (s: string) => Buffer.from(s).toString('base64');
const constNode = (name: string, dims: readonly number[], dtype = 'DT_FLOAT') => ({
  name,
  op: 'Const',
  attr: { value: { tensor: { dtype, tensorShape: shapeOf(dims) } }, dtype: { type: dtype } },
});
const op = (name: string, kind: string, input: string[], attr: Record<string, unknown> = {}) => ({
  name,
  op: kind,
  input,
  attr: { T: float, ...attr },
});
const fused = (ops: string[]) => ({ list: { s: ops.map(text) } });

await useNodeBackend('cpu');
const layersJson = JSON.parse(await readFile(join(FROM, 'model.json'), 'utf8')) as {
  weightsManifest: { weights: WeightSpec[] }[];
  userDefinedMetadata: { contract: ModelContract };
};
const layersShard = new Uint8Array(await readFile(join(FROM, 'weights.bin')));
const contract = layersJson.userDefinedMetadata.contract;
const { height, width, channels } = contract.input;
const scale = contract.modelInternals?.normalization?.kind === 'affine' ? contract.modelInternals.normalization : null;
if (scale === null) throw new Error(`${FROM}: expected an affine normalization in the contract`);

// The layers shard's tensors by name, to lay them out again under graph node names.
const tensors = new Map<string, Float32Array>();
let offset = 0;
for (const spec of layersJson.weightsManifest[0]?.weights ?? []) {
  const count = spec.shape.reduce((a, d) => a * d, 1);
  tensors.set(spec.name, new Float32Array(layersShard.slice(offset, offset + 4 * count).buffer));
  offset += 4 * count;
}
const weight = (name: string): Float32Array => {
  const values = tensors.get(name);
  if (values === undefined) throw new Error(`${FROM}: no weight ${name}`);
  return values;
};
const [kh, kw, , filters] = (layersJson.weightsManifest[0]?.weights ?? []).find((w) => w.name === 'conv/kernel')
  ?.shape ?? [3, 3, 1, 4];
const graphWeights: { spec: WeightSpec; values: Float32Array | Int32Array }[] = [
  { spec: { name: 'rescale/Cast/x', shape: [], dtype: 'float32' }, values: Float32Array.of(scale.scale) },
  { spec: { name: 'rescale/Cast_1/x', shape: [], dtype: 'float32' }, values: Float32Array.of(scale.offset) },
  {
    spec: { name: 'conv/kernel', shape: [kh!, kw!, channels, filters!], dtype: 'float32' },
    values: weight('conv/kernel'),
  },
  { spec: { name: 'conv/bias', shape: [filters!], dtype: 'float32' }, values: weight('conv/bias') },
  { spec: { name: 'pool/Mean/reduction_indices', shape: [2], dtype: 'int32' }, values: Int32Array.of(1, 2) },
  { spec: { name: 'earth/kernel', shape: [filters!, 5], dtype: 'float32' }, values: weight('earth/kernel') },
  { spec: { name: 'earth/bias', shape: [5], dtype: 'float32' }, values: weight('earth/bias') },
  { spec: { name: 'heaven/kernel', shape: [filters!, 1], dtype: 'float32' }, values: weight('heaven/kernel') },
  { spec: { name: 'heaven/bias', shape: [1], dtype: 'float32' }, values: weight('heaven/bias') },
];
const shard = new Uint8Array(
  Buffer.concat(graphWeights.map(({ values }) => Buffer.from(values.buffer, values.byteOffset, values.byteLength))),
);
const node = [
  {
    name: contract.input.name,
    op: 'Placeholder',
    attr: { shape: { shape: shapeOf([-1, height, width, channels]) }, dtype: float },
  },
  ...graphWeights.map(({ spec }) => constNode(spec.name, spec.shape, spec.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT')),
  op('rescale/mul', 'Mul', [contract.input.name, 'rescale/Cast/x']),
  op('rescale/add', 'AddV2', ['rescale/mul', 'rescale/Cast_1/x']),
  op('conv/Relu', '_FusedConv2D', ['rescale/add', 'conv/kernel', 'conv/bias'], {
    data_format: { s: text('NHWC') },
    filter_format: { s: text('HWIO') },
    fused_ops: fused(['BiasAdd', 'Relu']),
    num_args: { i: '1' },
    strides: { list: { i: ['1', '1', '1', '1'] } },
    padding: { s: text('VALID') },
    dilations: { list: { i: ['1', '1', '1', '1'] } },
    explicit_paddings: { list: {} },
    epsilon: { f: 0 },
    leakyrelu_alpha: { f: 0.2 },
  }),
  op('pool/Mean', 'Mean', ['conv/Relu', 'pool/Mean/reduction_indices'], {
    Tidx: { type: 'DT_INT32' },
    keep_dims: { b: false },
  }),
  ...(['earth', 'heaven'] as const).map((head) =>
    op(`${head}/BiasAdd`, '_FusedMatMul', ['pool/Mean', `${head}/kernel`, `${head}/bias`], {
      transpose_a: { b: false },
      transpose_b: { b: false },
      fused_ops: fused(['BiasAdd']),
      num_args: { i: '1' },
      epsilon: { f: 0 },
      leakyrelu_alpha: { f: 0.2 },
    }),
  ),
  op('earth/Softmax', 'Softmax', ['earth/BiasAdd']),
  op('heaven/Sigmoid', 'Sigmoid', ['heaven/BiasAdd']),
  op('Identity', 'Identity', ['earth/Softmax']),
  op('Identity_1', 'Identity', ['heaven/Sigmoid']),
];
const modelJson = {
  format: 'graph-model',
  generatedBy: '2.19.0',
  convertedBy: 'TensorFlow.js Converter v4.22.0',
  signature: {
    inputs: {
      [contract.input.name]: {
        name: `${contract.input.name}:0`,
        dtype: 'DT_FLOAT',
        tensorShape: shapeOf([-1, height, width, channels]),
      },
    },
    outputs: {
      output_0: { name: 'Identity:0', dtype: 'DT_FLOAT', tensorShape: shapeOf([-1, 5]) },
      output_1: { name: 'Identity_1:0', dtype: 'DT_FLOAT', tensorShape: shapeOf([-1, 1]) },
    },
  },
  modelTopology: { node, library: {}, versions: { producer: 2129 } },
  weightsManifest: [{ paths: ['weights.bin'], weights: graphWeights.map(({ spec }) => spec) }],
};
const graphContract: ModelContract = {
  ...contract,
  input: { ...contract.input, shape: [-1, height, width, channels] },
  heads: contract.heads.map((head) => ({
    ...head,
    output: head.name === 'earth' ? 'output_0' : 'output_1',
    shape: [-1, head.name === 'earth' ? 5 : 1],
  })),
};
await rm(TO, { recursive: true, force: true });
await mkdir(TO, { recursive: true });
await writeModel({ modelJson, shard }, graphContract as unknown as Record<string, unknown>, 'embedded', { dir: TO });

// The graph model must give the layers model's golden outputs, here as in every browser.
const source = await fileModelSource(join(TO, 'model.json'));
const model = await loadClassifierModel(source);
let worst = 0;
for (const goldenCase of contract.golden?.cases ?? []) {
  const outputs = await goldenOutputs(model, goldenCase, source, nodeImageDecoder);
  for (const [head, values] of Object.entries(goldenCase.expected))
    values.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (outputs[head]?.[i] ?? NaN)))));
}
model.dispose();
const tolerance = contract.golden?.tolerance ?? 0;
if (!(worst <= tolerance))
  throw new Error(`the graph model is ${worst} from the layers model's goldens (tolerance ${tolerance})`);
console.log(
  `wrote ${TO}: ${node.length} nodes, ${tf.getBackend()} outputs within ${worst.toExponential(2)} of the layers model's goldens`,
);
