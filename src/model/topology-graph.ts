/** Topology inspection of a TF.js graph model (GraphDef JSON). */
import type { GraphNode, ModelJson, SignatureTensor } from './model-json.ts';
import { IDENTITY_MAP, thenMap, type AffineMap } from './affine-map.ts';
import type { InputPathReport, InputPathStep, ModelOutput, TopologyReport, WeightReader } from './topology-report.ts';

const WEIGHTED_OPS = new Set([
  'Conv2D',
  '_FusedConv2D',
  'DepthwiseConv2dNative',
  'FusedDepthwiseConv2dNative',
  'Conv3D',
  'MatMul',
  '_FusedMatMul',
  'BatchMatMulV2',
]);
// Ops that keep values or only pool/resample them: they commute with an affine map.
const PASS_THROUGH_OPS = new Set([
  'Identity',
  'Cast',
  'Reshape',
  'ExpandDims',
  'Squeeze',
  'StopGradient',
  'AvgPool',
  'MaxPool',
  'ResizeBilinear',
  'ResizeNearestNeighbor',
  'Mean',
]);

/** `name:1` and `^name` designate node `name`. */
function nodeOf(ref: string): string {
  const bare = ref.startsWith('^') ? ref.slice(1) : ref;
  const colon = bare.lastIndexOf(':');
  return colon > 0 && /^\d+$/.test(bare.slice(colon + 1)) ? bare.slice(0, colon) : bare;
}

function decodeAttrString(value: string): string {
  try {
    return atob(value);
  } catch {
    return value;
  }
}

function shapeOf(tensor: SignatureTensor | undefined): (number | null)[] {
  return (tensor?.tensorShape?.dim ?? []).map((d) => Number(d.size ?? -1));
}

function placeholderShape(node: GraphNode): (number | null)[] {
  const shape = (node.attr?.['shape'] as { shape?: { dim?: { size?: string | number }[] } } | undefined)?.shape;
  return (shape?.dim ?? []).map((d) => Number(d.size ?? -1));
}

const DT_NAMES: Readonly<Record<string, string>> = {
  DT_FLOAT: 'float32',
  DT_INT32: 'int32',
  DT_BOOL: 'bool',
  DT_HALF: 'float16',
  DT_UINT8: 'uint8',
};

function fusedActivation(node: GraphNode): string | undefined {
  const list = (node.attr?.['fused_ops'] as { list?: { s?: string[] } } | undefined)?.list?.s;
  const last = list?.[list.length - 1];
  return last === undefined ? undefined : decodeAttrString(last);
}

function activationName(op: string): string {
  const lower = op.toLowerCase();
  return lower === 'sigmoid' || lower === 'softmax' ? lower : op;
}

/** Inspects a graph model: the input's path to the first convolution and the signature outputs. */
export function inspectGraphTopology(model: ModelJson, readWeight: WeightReader): TopologyReport {
  const nodes = (model.modelTopology['node'] as GraphNode[] | undefined) ?? [];
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const consumers = new Map<string, GraphNode[]>();
  for (const node of nodes) {
    for (const ref of node.input ?? []) {
      if (ref.startsWith('^')) continue;
      const source = nodeOf(ref);
      const list = consumers.get(source) ?? [];
      if (!list.includes(node)) list.push(node);
      consumers.set(source, list);
    }
  }

  const signatureInputs = Object.entries(model.signature?.inputs ?? {});
  const placeholders = nodes.filter((n) => n.op === 'Placeholder');
  const inputs: InputPathReport[] =
    signatureInputs.length > 0
      ? signatureInputs.map(([key, tensor]) => {
          const node = byName.get(nodeOf(tensor.name));
          return walkInput(key, node, shapeOf(tensor), DT_NAMES[tensor.dtype ?? ''] ?? tensor.dtype ?? 'unknown');
        })
      : placeholders.map((node) => {
          const dtype = (node.attr?.['dtype'] as { type?: string } | undefined)?.type ?? '';
          return walkInput(node.name, node, placeholderShape(node), DT_NAMES[dtype] ?? dtype);
        });

  function constScalar(ref: string): { value: number | undefined; why: string } {
    const node = byName.get(nodeOf(ref));
    if (node === undefined || node.op !== 'Const') return { value: undefined, why: `operand ${ref} is not a constant` };
    const values = readWeight(node.name);
    if (values === undefined)
      return {
        value: undefined,
        why: `the value of constant ${node.name} is in a weight shard that was not available`,
      };
    const first = values[0];
    if (first === undefined || values.some((v) => v !== first)) {
      return {
        value: undefined,
        why: `constant ${node.name} holds ${values.length} different values (per-channel normalization), not one scalar`,
      };
    }
    return { value: first, why: '' };
  }

  function walkInput(
    key: string,
    start: GraphNode | undefined,
    shape: (number | null)[],
    dtype: string,
  ): InputPathReport {
    const steps: InputPathStep[] = [];
    let map: AffineMap | undefined = IDENTITY_MAP;
    let repeat = 1;
    let problem: string | undefined;
    let missing: string | undefined;
    let firstWeightedOp: InputPathReport['firstWeightedOp'];
    const feedName = start?.name ?? nodeOf(key);
    let current = feedName;
    const fail = (why: string): void => {
      problem = why;
      map = undefined;
    };
    for (let guard = 0; guard < nodes.length && problem === undefined && firstWeightedOp === undefined; guard++) {
      const next = consumers.get(current) ?? [];
      const [firstNext] = next;
      if (next.length > 1 && firstNext !== undefined && next.every((n) => WEIGHTED_OPS.has(n.op))) {
        firstWeightedOp = { name: next.map((n) => n.name).join(', '), op: firstNext.op };
        break;
      }
      if (next.length !== 1) {
        fail(
          next.length === 0
            ? `${current} feeds no node`
            : `${current} feeds ${next.length} nodes (${next.map((n) => n.name).join(', ')}); the input path branches before any convolution`,
        );
        break;
      }
      const node = next[0] as GraphNode;
      const others = (node.input ?? []).filter((ref) => !ref.startsWith('^') && nodeOf(ref) !== current);
      const step = (stepMap: AffineMap | undefined, note: string): void => {
        steps.push({ name: node.name, op: node.op, map: stepMap, note });
        map = map === undefined || stepMap === undefined ? undefined : thenMap(map, stepMap);
      };
      if (WEIGHTED_OPS.has(node.op)) {
        firstWeightedOp = { name: node.name, op: node.op };
        break;
      }
      if (PASS_THROUGH_OPS.has(node.op)) {
        step(IDENTITY_MAP, 'keeps the value range');
      } else if (node.op === 'ConcatV2' || node.op === 'Concat') {
        const copies = (node.input ?? []).filter((ref) => nodeOf(ref) === current).length;
        const nonAxis = others.filter((ref) => byName.get(nodeOf(ref))?.op !== 'Const');
        if (nonAxis.length > 0) {
          fail(`${node.op} ${node.name} joins the input with other tensors (${nonAxis.join(', ')})`);
        } else {
          repeat *= copies;
          step(IDENTITY_MAP, `repeats the input ${copies}× along channels`);
        }
      } else if (['Mul', 'AddV2', 'Add', 'BiasAdd', 'Sub', 'RealDiv', 'Div'].includes(node.op)) {
        const [other] = others;
        const operandFirst = nodeOf(node.input?.[0] ?? '') !== current;
        const constant =
          other === undefined
            ? { value: undefined, why: `${node.op} ${node.name} uses the input twice` }
            : constScalar(other);
        if (constant.value === undefined) {
          if (
            other !== undefined &&
            byName.get(nodeOf(other))?.op === 'Const' &&
            constant.why.includes('not available')
          ) {
            step(undefined, `${node.op} by constant ${nodeOf(other)} (value unknown: shard not available)`);
            missing ??= constant.why;
          } else {
            fail(`${node.op} ${node.name}: ${constant.why}`);
          }
        } else {
          const c = constant.value;
          const label = `constant ${nodeOf(other ?? '')} = ${c}`;
          if (node.op === 'Mul') step({ scale: c, offset: 0 }, `× ${label}`);
          else if (node.op === 'Sub')
            step(
              operandFirst ? { scale: -1, offset: c } : { scale: 1, offset: -c },
              operandFirst ? `${c} − x` : `− ${label}`,
            );
          else if (node.op === 'RealDiv' || node.op === 'Div') {
            if (operandFirst) fail(`${node.op} ${node.name} divides a constant by the input, which is not affine`);
            else step({ scale: 1 / c, offset: 0 }, `÷ ${label}`);
          } else step({ scale: 1, offset: c }, `+ ${label}`);
        }
      } else {
        fail(
          `op ${node.op} (${node.name}) between the input and the first convolution is not one this inspection understands`,
        );
        break;
      }
      current = node.name;
    }
    return {
      name: key,
      aliases: [feedName, `${feedName}:0`].filter((a) => a !== key),
      feedName,
      shape,
      dtype,
      steps,
      map,
      channelRepeat: repeat,
      firstWeightedOp,
      problem:
        problem ??
        missing ??
        (firstWeightedOp === undefined && map !== undefined ? 'no convolution or matmul follows the input' : undefined),
    };
  }

  const traceOutput = (tensorName: string): { activation: string; producer: string; nodeName: string } => {
    const chain: string[] = [];
    let node = byName.get(nodeOf(tensorName));
    while (node !== undefined && (node.op === 'Identity' || node.op === 'IdentityN')) {
      chain.push(`${node.name} (${node.op})`);
      node = byName.get(nodeOf(node.input?.[0] ?? ''));
    }
    if (node === undefined)
      return { activation: 'unknown', producer: `${chain.join(' ← ')} ← (missing node)`, nodeName: nodeOf(tensorName) };
    chain.push(`${node.name} (${node.op})`);
    const fused = node.op.startsWith('_Fused') ? fusedActivation(node) : undefined;
    const activation = activationName(fused ?? node.op);
    return {
      activation: fused !== undefined && fused === 'BiasAdd' ? 'linear' : activation,
      producer: chain.join(' ← '),
      nodeName: node.name,
    };
  };

  let outputs: ModelOutput[];
  const signatureOutputs = Object.entries(model.signature?.outputs ?? {});
  if (signatureOutputs.length > 0) {
    outputs = signatureOutputs.map(([key, tensor], index) => {
      const traced = traceOutput(tensor.name);
      const aliases = [tensor.name, nodeOf(tensor.name), traced.nodeName].filter(
        (a, i, all) => a !== key && all.indexOf(a) === i,
      );
      return {
        index,
        key,
        aliases,
        fetchName: tensor.name,
        shape: shapeOf(tensor),
        activation: traced.activation,
        producer: traced.producer,
      };
    });
  } else {
    // Without a signature, the outputs are the nodes nothing consumes.
    outputs = nodes
      .filter((n) => n.op !== 'Const' && n.op !== 'NoOp' && !consumers.has(n.name))
      .map((node, index) => {
        const traced = traceOutput(node.name);
        return {
          index,
          key: node.name,
          aliases: [traced.nodeName].filter((a) => a !== node.name),
          fetchName: node.name,
          shape: [],
          activation: traced.activation,
          producer: traced.producer,
        };
      });
  }
  return { inputs, outputs };
}
