import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels, REGISTERED_KERNELS } from '../../src/training/kernels/register.ts';

/** Largest allowed |wasm − cpu| relative to the largest |cpu| value of a gradient (float32 sums in another order). */
const RELATIVE_EPSILON = 1e-4;

interface Case {
  readonly name: string;
  readonly x: [number, number, number, number];
  readonly filter: [number, number, number, number];
  readonly strides: number;
  readonly pad: 'same' | 'valid';
}

const CASES: Case[] = [
  {
    name: '3×3 same, 1 → 8 channels (the first layer)',
    x: [4, 16, 12, 1],
    filter: [3, 3, 1, 8],
    strides: 1,
    pad: 'same',
  },
  { name: '3×3 same, 8 → 16 channels', x: [3, 10, 9, 8], filter: [3, 3, 8, 16], strides: 1, pad: 'same' },
  { name: '3×3 valid, 5 → 4 channels', x: [2, 9, 11, 5], filter: [3, 3, 5, 4], strides: 1, pad: 'valid' },
  { name: '5×3 same, stride 2', x: [2, 13, 10, 3], filter: [5, 3, 3, 6], strides: 2, pad: 'same' },
  {
    name: '3×3 valid, stride 2 with rows the forward pass skips',
    x: [2, 10, 10, 2],
    filter: [3, 3, 2, 3],
    strides: 2,
    pad: 'valid',
  },
];

/** The gradients of Σ r · conv2d(x, w) with respect to x and w, computed on `backend`. */
async function convGradients(
  backend: string,
  c: Case,
  xs: Float32Array,
  ws: Float32Array,
  rs: Float32Array,
): Promise<{ dx: Float32Array; dw: Float32Array }> {
  await tf.setBackend(backend);
  const x = tf.tensor4d(xs, c.x);
  const w = tf.tensor4d(ws, c.filter);
  const outShape = tf.tidy(() => tf.conv2d(x, w, c.strides, c.pad).shape);
  const r = tf.tensor(
    rs.slice(
      0,
      outShape.reduce((a, b) => a * b, 1),
    ),
    outShape,
  );
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(r, tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad))),
  );
  const [dx, dw] = grads([x, w]);
  const result = { dx: (await dx!.data()) as Float32Array, dw: (await dw!.data()) as Float32Array };
  tf.dispose([x, w, r, dx!, dw!]);
  return result;
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs((actual[i] ?? NaN) - (expected[i] ?? NaN)));
  assert.ok(
    Number.isFinite(worst) && worst <= RELATIVE_EPSILON * Math.max(1, scale),
    `${what}: max |wasm − cpu| = ${worst} (scale ${scale})`,
  );
}

function randomArray(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2147483648 - 1;
  });
}

describe('wasm gradient kernels agree with the cpu backend', () => {
  before(async () => {
    await tf.setBackend('wasm');
    registerWasmGradientKernels();
  });

  it('registers every kernel it names', () => {
    for (const name of REGISTERED_KERNELS) assert.ok(tf.getKernel(name, 'wasm'), name);
  });

  for (const c of CASES) {
    it(`Conv2DBackpropFilter and Conv2DBackpropInput (ours; stock for strides) — ${c.name}`, async () => {
      const n = (s: number[]): number => s.reduce((a, b) => a * b, 1);
      const xs = randomArray(n(c.x), 1);
      const ws = randomArray(n(c.filter), 2);
      const rs = randomArray(n(c.x) * n(c.filter), 3);
      const before = tf.memory().numTensors;
      const cpu = await convGradients('cpu', c, xs, ws, rs);
      const wasm = await convGradients('wasm', c, xs, ws, rs);
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
      assertClose(wasm.dw, cpu.dw, 'filter gradient');
      assertClose(wasm.dx, cpu.dx, 'input gradient');
    });
  }

  it('MaxPoolGrad (ours) — 2×2 stride 2, odd sizes', async () => {
    const shape: [number, number, number, number] = [3, 9, 7, 4];
    const xs = randomArray(
      shape.reduce((a, b) => a * b, 1),
      5,
    );
    const results: Float32Array[] = [];
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const x = tf.tensor4d(xs, shape);
      const g = tf.grad((a: tf.Tensor) =>
        tf.sum(
          tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'same'), tf.range(1, 1 + 3 * 5 * 4 * 4).reshape([3, 5, 4, 4])),
        ),
      )(x);
      results.push((await g.data()) as Float32Array);
      tf.dispose([x, g]);
    }
    assertClose(results[1]!, results[0]!, 'max-pool gradient');
  });
});
