/**
 * Issue 19's survey: how well a model reads candidate simulated users (one look each), on columns drawn from their
 * own seed (5100) — never the fine-tune's labelled (6200) or judged (6300) photos — so the user is chosen without
 * looking at the photos it is judged on.
 *
 *   npx tsx models/training/survey-users.ts [--model DIR] [--crops N]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { parseArgs } from 'node:util';
import { scoreCrops } from '../../src/fine-tune/fine-tune.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import { BEAD_PROFILES } from '../../src/render3d/index.ts';
import { HELD_OUT_COLOUR, HELD_OUT_PROFILE, SIMULATED_USER, TRAIN_ELEVATIONS } from './config.ts';
import type { StyleFilter } from './dataset.ts';
import { userColumns } from './user-columns.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/column-classifier' },
    crops: { type: 'string', default: '520' },
  },
});

const seenProfiles = BEAD_PROFILES.filter((p) => p !== HELD_OUT_PROFILE);
const oneSoroban = { frameColours: SIMULATED_USER.frameColours, backgrounds: SIMULATED_USER.backgrounds };
const high: StyleFilter['elevation'] = [[60, 90]];
const candidates: readonly { name: string; user: StyleFilter }[] = [
  {
    name: 'looks training saw, 60–90° (the reference)',
    user: { renderer: '3d', profiles: seenProfiles, elevation: high },
  },
  {
    name: 'looks training saw, all its elevations',
    user: { renderer: '3d', profiles: seenProfiles, elevation: TRAIN_ELEVATIONS },
  },
  {
    name: `${HELD_OUT_PROFILE} ${HELD_OUT_COLOUR}, black frame, wood, 60–90°`,
    user: { ...SIMULATED_USER, lighting: 'varied' },
  },
  {
    name: 'looks training saw, 60–90°, raking light',
    user: { renderer: '3d', profiles: seenProfiles, elevation: high, lighting: 'raking' },
  },
  {
    name: `${HELD_OUT_PROFILE} ${HELD_OUT_COLOUR}, black frame, wood, 60–90°, raking light`,
    user: { ...SIMULATED_USER, lighting: 'raking' },
  },
  {
    name: 'rounded red, black frame, wood, 60–90°, raking light',
    user: {
      renderer: '3d',
      profiles: ['rounded'],
      beadColours: ['red'],
      ...oneSoroban,
      elevation: high,
      lighting: 'raking',
    },
  },
];

await tf.setBackend('wasm');
const model = await loadClassifierModel(await fileModelSource(values.model));
console.log(`| candidate user | columns | read right | 95 % interval |\n| --- | ---: | ---: | ---: |`);
for (const { name, user } of candidates) {
  const crops = userColumns(user, name, 5100, Number(values.crops));
  const { accuracy } = await scoreCrops(model, crops);
  const half = 1.96 * Math.sqrt((accuracy * (1 - accuracy)) / crops.count);
  const pct = (v: number): string => `${(100 * v).toFixed(2)} %`;
  console.log(
    `| ${name} | ${crops.count} | ${pct(accuracy)} | ${pct(Math.max(0, accuracy - half))}–${pct(Math.min(1, accuracy + half))} |`,
  );
}
