/**
 * Diagnostics: how well a saved column classifier reads photos of the 3D
 * renderer, given the true bead-area corners, by camera elevation band and by
 * bead profile. `npx tsx models/training/score-3d.ts [MODEL_DIR] [CROPS] [SEED]`
 * (default: the shipped model, 1500 crops, seed 909 — a seed no training set uses),
 * or `… score-3d.ts MODEL_DIR --test3d` for the training recipe's 3D test set (to compare a model trained
 * before that set existed on the same crops).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { datasets, PREPROCESS } from './config.ts';
import { makeDataset, type Dataset, type DatasetSpec } from './dataset.ts';
import { atThreshold, evaluate, predictDataset, type Predictions } from './evaluate.ts';
import { loadModel } from './io.ts';

/** The elevation bands the report uses, in degrees. */
export const ELEVATION_BANDS: readonly (readonly [number, number])[] = [
  [35, 45],
  [45, 50],
  [50, 60],
  [60, 75],
  [75, 90],
];

/** Accuracy per elevation band and per bead profile of the readable crops of 3D photos (2D and "not a column" crops are left out). */
export function scoreByElevation(
  data: Dataset,
  p: Predictions,
): {
  bands: { band: string; count: number; accuracy: number }[];
  profiles: { profile: string; count: number; accuracy: number }[];
  overall: number;
} {
  const bands = ELEVATION_BANDS.map(([lo, hi]) => ({ band: `${lo}–${hi}°`, lo, hi, count: 0, correct: 0 }));
  const profiles = new Map<string, { count: number; correct: number }>();
  let count = 0;
  let correct = 0;
  for (let i = 0; i < data.size; i++) {
    if (data.renderer[i] !== '3d' || data.readable[i] !== 1) continue;
    const ok = p.digits[i] === data.digits[i] ? 1 : 0;
    const e = data.elevation[i] ?? NaN;
    const band = bands.find((b) => e >= b.lo && (e < b.hi || (b.hi === 90 && e <= 90)));
    if (band !== undefined) {
      band.count++;
      band.correct += ok;
    }
    const key = data.beadShape[i] ?? '';
    const g = profiles.get(key) ?? { count: 0, correct: 0 };
    g.count++;
    g.correct += ok;
    profiles.set(key, g);
    count++;
    correct += ok;
  }
  return {
    bands: bands.map((b) => ({ band: b.band, count: b.count, accuracy: b.correct / Math.max(1, b.count) })),
    profiles: [...profiles]
      .sort()
      .map(([profile, g]) => ({ profile, count: g.count, accuracy: g.correct / Math.max(1, g.count) })),
    overall: correct / Math.max(1, count),
  };
}

async function main(): Promise<void> {
  const dir = process.argv[2] ?? 'models/column-classifier';
  const test3d = process.argv[3] === '--test3d';
  const spec: DatasetSpec = test3d
    ? datasets().test3d
    : {
        name: '3d score',
        seed: Number(process.argv[4] ?? 909),
        crops: Number(process.argv[3] ?? 1500),
        jitter: 0,
        filters: [{ renderer: '3d' }],
      };
  await tf.setBackend('wasm');
  const { model } = await loadModel(dir);
  const started = performance.now();
  const data = makeDataset(spec, PREPROCESS);
  const renderSeconds = (performance.now() - started) / 1000;
  const predictions = predictDataset(model, data);
  const score = scoreByElevation(data, predictions);
  console.log(
    `${dir}: ${spec.crops} crops of ${data.photos} 3D photos (${spec.name}, seed ${spec.seed}), rendered in ${renderSeconds.toFixed(0)} s`,
  );
  console.log(
    `overall ${(100 * score.overall).toFixed(2)} % of readable crops; readable head right on ${(100 * evaluate(data, predictions).readableAccuracy).toFixed(2)} % of all`,
  );
  for (const t of [0.3, 0.5, 0.7, 0.9]) {
    const o = atThreshold(data, predictions, t);
    console.log(
      `  confidence ≥ ${t}: ${o.reported} reported, ${o.wrong} wrong (${(100 * o.wrongRate).toFixed(2)} %), readable columns reported right ${(100 * o.coverage).toFixed(2)} %`,
    );
  }
  for (const b of score.bands) console.log(`  elevation ${b.band}: ${(100 * b.accuracy).toFixed(2)} % of ${b.count}`);
  for (const g of score.profiles)
    console.log(`  profile ${g.profile}: ${(100 * g.accuracy).toFixed(2)} % of ${g.count}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
