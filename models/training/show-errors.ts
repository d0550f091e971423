/**
 * Diagnostics: re-renders the test set, runs the saved model and writes the
 * misread crops as one PNG montage (true → predicted in errors.json), to see
 * what the model gets wrong. `npx tsx models/training/show-errors.ts [DIR] [OUT.png]`
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { writeFileSync } from 'node:fs';
import { datasets, PREPROCESS } from './config.ts';
import { makeDataset } from './dataset.ts';
import { predictDataset } from './evaluate.ts';
import { loadModel } from './io.ts';
import { writePng } from './png.ts';

const dir = process.argv[2] ?? 'models/column-classifier';
const out = process.argv[3] ?? '/tmp/column-classifier-errors.png';
await tf.setBackend('wasm');
const { model } = await loadModel(dir);
const spec = datasets().test;
const data = makeDataset(spec, PREPROCESS);
const p = predictDataset(model, data);
const wrong: number[] = [];
for (let i = 0; i < data.size; i++) if (p.digits[i] !== data.digits[i]) wrong.push(i);
const shown = wrong.slice(0, 60);
const perRow = 15;
const cellW = data.width + 2;
const cellH = data.height + 2;
const width = perRow * cellW;
const height = Math.max(1, Math.ceil(shown.length / perRow)) * cellH;
const rgba = new Uint8ClampedArray(width * height * 4).fill(255);
shown.forEach((k, n) => {
  const ox = (n % perRow) * cellW;
  const oy = Math.floor(n / perRow) * cellH;
  for (let y = 0; y < data.height; y++) {
    for (let x = 0; x < data.width; x++) {
      const v = Math.round((data.x[k * data.height * data.width + y * data.width + x] ?? 0) * 255);
      const i = ((oy + y) * width + ox + x) * 4;
      rgba[i] = rgba[i + 1] = rgba[i + 2] = v;
    }
  }
});
writePng(out, { width, height, rgba });
const details = shown.map((k) => ({
  index: k,
  truth: data.digits[k],
  predicted: p.digits[k],
  heaven: Number((p.heaven[k] ?? 0).toFixed(3)),
  earth: Array.from(p.earth.subarray(k * 5, k * 5 + 5)).map((v) => Number(v.toFixed(3))),
  shape: data.beadShape[k],
  colour: data.beadColour[k],
  background: data.background[k],
}));
writeFileSync(out.replace(/\.png$/, '.json'), `${JSON.stringify(details, null, 1)}\n`);
console.log(`${wrong.length} of ${data.size} misread; ${shown.length} shown in ${out}`);
