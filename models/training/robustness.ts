/**
 * How models hold up on looks the renderer never draws: the test set's crops under tone curves, contrast,
 * noise and blur beyond what training saw, a proxy for cameras and renderers unlike ours.
 * `npx tsx models/training/robustness.ts DIR [DIR …]` prints one markdown row per condition.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { datasets, PREPROCESS } from './config.ts';
import { boxBlur, makeDataset, type Dataset } from './dataset.ts';
import { predictDataset } from './evaluate.ts';
import { loadModel } from './io.ts';
import { createRandom } from '../../src/render/index.ts';

/** One crop (height × width values in [0, 1]) changed in place. */
type Perturb = (crop: Float32Array, height: number, width: number, index: number) => void;

function mapValues(crop: Float32Array, f: (v: number) => number): void {
  for (let j = 0; j < crop.length; j++) crop[j] = Math.min(1, Math.max(0, f(crop[j] ?? 0)));
}

const eachValue =
  (f: (v: number) => number): Perturb =>
  (crop) =>
    mapValues(crop, f);

const blurred =
  (rx: number, ry: number): Perturb =>
  (crop, height, width) =>
    boxBlur(crop, height, width, rx, ry);

const CONDITIONS: readonly { name: string; perturb: Perturb | null }[] = [
  { name: 'as rendered', perturb: null },
  { name: 'dark tone curve x^2.2', perturb: eachValue((v) => v ** 2.2) },
  { name: 'bright tone curve x^0.45', perturb: eachValue((v) => v ** 0.45) },
  {
    name: 'contrast × 0.4 about the crop mean',
    perturb: (crop) => {
      const mean = crop.reduce((s, v) => s + v, 0) / crop.length;
      mapValues(crop, (v) => mean + (v - mean) * 0.4);
    },
  },
  {
    name: 'noise σ 0.08',
    perturb: (crop, _h, _w, index) => {
      const random = createRandom(0x7e57 + index);
      mapValues(crop, (v) => v + 0.08 * random.roughNormal());
    },
  },
  { name: 'motion blur 7 px sideways', perturb: blurred(3, 0) },
  { name: 'defocus 5 × 5', perturb: blurred(2, 2) },
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
console.log(
  `| **mean of the ${stressed} changed looks** | ${sums.map((s) => `**${(s / stressed).toFixed(2)} %**`).join(' | ')} |`,
);
