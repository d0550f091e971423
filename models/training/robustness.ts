/**
 * How models hold up on looks the renderer never draws: the test set's crops under tone curves, contrast,
 * noise and blur beyond what training saw, a proxy for cameras and renderers unlike ours.
 * `npx tsx models/training/robustness.ts DIR [DIR …]` prints one markdown row per condition.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { datasets, PREPROCESS } from './config.ts';
import { makeDataset, type Dataset } from './dataset.ts';
import { predictDataset } from './evaluate.ts';
import { loadModel } from './io.ts';
import { createRandom } from '../../src/render/index.ts';

/** One crop (height × width values in [0, 1]) changed in place. */
type Perturb = (crop: Float32Array, height: number, width: number, index: number) => void;

function eachValue(f: (v: number) => number): Perturb {
  return (crop) => {
    for (let j = 0; j < crop.length; j++) crop[j] = Math.min(1, Math.max(0, f(crop[j] ?? 0)));
  };
}

/** Mean over a window of `rx` pixels left/right and `ry` up/down (edges average what is inside). */
function boxBlur(rx: number, ry: number): Perturb {
  return (crop, height, width) => {
    const src = Float32Array.from(crop);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        let n = 0;
        for (let yy = Math.max(0, y - ry); yy <= Math.min(height - 1, y + ry); yy++) {
          for (let xx = Math.max(0, x - rx); xx <= Math.min(width - 1, x + rx); xx++) {
            sum += src[yy * width + xx] ?? 0;
            n++;
          }
        }
        crop[y * width + x] = sum / n;
      }
    }
  };
}

const CONDITIONS: readonly { name: string; perturb: Perturb | null }[] = [
  { name: 'as rendered', perturb: null },
  { name: 'dark tone curve x^2.2', perturb: eachValue((v) => v ** 2.2) },
  { name: 'bright tone curve x^0.45', perturb: eachValue((v) => v ** 0.45) },
  {
    name: 'contrast × 0.4 about the crop mean',
    perturb: (crop) => {
      const mean = crop.reduce((s, v) => s + v, 0) / crop.length;
      eachValue((v) => mean + (v - mean) * 0.4)(crop, 0, 0, 0);
    },
  },
  {
    name: 'noise σ 0.08',
    perturb: (crop, _h, _w, index) => {
      const random = createRandom(0x7e57 + index);
      eachValue((v) => v + 0.08 * random.roughNormal())(crop, 0, 0, 0);
    },
  },
  { name: 'motion blur 7 px sideways', perturb: boxBlur(3, 0) },
  { name: 'defocus 5 × 5', perturb: boxBlur(2, 2) },
];

function perturbed(data: Dataset, perturb: Perturb): Dataset {
  const per = data.height * data.width;
  const x = Float32Array.from(data.x);
  for (let i = 0; i < data.size; i++) perturb(x.subarray(i * per, (i + 1) * per), data.height, data.width, i);
  return { ...data, x };
}

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: npx tsx models/training/robustness.ts DIR [DIR …]');
  process.exit(2);
}
await tf.setBackend('wasm');
const test = makeDataset(datasets().test, PREPROCESS);
const models = await Promise.all(dirs.map(async (dir) => (await loadModel(dir)).model));
console.log(`| condition (${test.size} test crops) | ${dirs.join(' | ')} |`);
console.log(`| --- |${dirs.map(() => ' ---: |').join('')}`);
const sums = dirs.map(() => 0);
for (const { name, perturb } of CONDITIONS) {
  const data = perturb === null ? test : perturbed(test, perturb);
  const cells = models.map((model, m) => {
    const p = predictDataset(model, data);
    const right = p.digits.reduce((n, d, i) => n + (d === data.digits[i] ? 1 : 0), 0);
    const accuracy = (100 * right) / data.size;
    if (perturb !== null) sums[m] = (sums[m] ?? 0) + accuracy;
    return `${accuracy.toFixed(2)} %`;
  });
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
const stressed = CONDITIONS.length - 1;
console.log(`| **mean of the ${stressed} changed looks** | ${sums.map((s) => `**${(s / stressed).toFixed(2)} %**`).join(' | ')} |`);
