/**
 * Issue 19's simulated user ({@link SIMULATED_USER}): a soroban in a look the shipped model never trained on — the 3D
 * renderer's held-out bead profile and colour, one frame colour and table, seen from 60–90° under a raking light (how much worse the
 * model reads it than its own looks: models/column-classifier/FINE-TUNING.md). 200 of its columns are "self-labelled" (13-column photos, as a user labels readings), fine-tuned
 * on through `src/fine-tune` (the CLI's and the worker's code), and the model is measured on 1 300 columns of 100
 * other photos of the same soroban and on the flat test set.
 *
 *   npx tsx models/training/fine-tune-simulation.ts [--epochs N] [--learning-rate R] [--repeat N] [--replay N]
 *     [--batch N] [--test2d N] [--train all|dense] [--replay-from flat|training] [--labelled N]
 *     [--profile lens|…] [--colour green|…] [--lighting raking|varied] [--model DIR]
 *
 * `--replay-from training` mixes in the current training recipe's columns (both renderers) instead of flat ones.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { parseArgs } from 'node:util';
import { fineTune, scoreCrops } from '../../src/fine-tune/fine-tune.ts';
import { splitCrops, type LabelledCrops } from '../../src/fine-tune/labelled-crops.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import { registerWasmGradientKernels } from '../../src/training/kernels/register.ts';
import { BEAD_COLOURS } from '../../src/render/styles.ts';
import { BEAD_PROFILES, LIGHTINGS } from '../../src/render3d/index.ts';
import { datasets, FLAT_TRAINING_STYLES, PREPROCESS, SIMULATED_USER } from './config.ts';
import { makeDataset, type StyleFilter } from './dataset.ts';
import { readableCrops, userColumns } from './user-columns.ts';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '6' },
    'learning-rate': { type: 'string', default: '2e-4' },
    repeat: { type: 'string', default: '3' },
    replay: { type: 'string', default: '1500' },
    batch: { type: 'string', default: '64' },
    test2d: { type: 'string', default: '3000' },
    train: { type: 'string', default: 'all' },
    'replay-from': { type: 'string', default: 'flat' },
    labelled: { type: 'string', default: '200' },
    profile: { type: 'string', default: SIMULATED_USER.profiles[0] },
    colour: { type: 'string', default: SIMULATED_USER.beadColours[0] },
    model: { type: 'string', default: 'models/column-classifier' },
    lighting: { type: 'string', default: SIMULATED_USER.lighting },
  },
});

// Another bead profile (`--profile`), e.g. one the model trained on, for a user nearer its look.
const profile = BEAD_PROFILES.find((p) => p === values.profile);
if (profile === undefined) throw new Error(`--profile must be one of ${BEAD_PROFILES.join(', ')}.`);
// Another bead colour (`--colour`).
const colour = BEAD_COLOURS.find((c) => c === values.colour);
if (colour === undefined) throw new Error(`--colour must be one of ${BEAD_COLOURS.join(', ')}.`);
// Another light (`--lighting varied`: the same soroban in the light training draws).
const lighting = LIGHTINGS.find((l) => l === values.lighting);
if (lighting === undefined) throw new Error(`--lighting must be one of ${LIGHTINGS.join(', ')}.`);
const user: StyleFilter = { ...SIMULATED_USER, profiles: [profile], beadColours: [colour], lighting };

const percent = (v: number): string => `${(100 * v).toFixed(2)} %`;
await tf.setBackend('wasm');
registerWasmGradientKernels();
const model = await loadClassifierModel(await fileModelSource(values.model));
const labelled = userColumns(user, 'labelled', 6200, Number(values.labelled));
const heldOutPhotos = userColumns(user, 'held-out photos', 6300, 1300);
const replay = readableCrops(
  makeDataset(
    {
      ...datasets().train,
      name: 'replay',
      seed: 6400,
      crops: Number(values.replay),
      ...(values['replay-from'] === 'training' ? {} : { filters: [FLAT_TRAINING_STYLES], negatives: 0 }),
    },
    PREPROCESS,
  ),
);
const test2d = readableCrops(makeDataset({ ...datasets().test, crops: Number(values.test2d) }, PREPROCESS));
const before = { user: await scoreCrops(model, heldOutPhotos), flat: await scoreCrops(model, test2d) };
console.log(
  `before: held-out photos of the user's soroban ${percent(before.user.accuracy)}, flat test ${percent(before.flat.accuracy)}`,
);
const { train, heldOut } = splitCrops(labelled, 0.2, 7);
const result = await fineTune(
  model,
  { user: train, replay, heldOut },
  {
    epochs: Number(values.epochs),
    batchSize: Number(values.batch),
    learningRate: Number(values['learning-rate']),
    userRepeat: Number(values.repeat),
    train: values.train === 'dense' ? 'dense' : 'all',
    onProgress: (p) => {
      if (p.heldOutAccuracy !== undefined)
        console.log(`epoch ${p.epoch}: loss ${p.loss.toFixed(4)}, held-out labelled ${percent(p.heldOutAccuracy)}`);
    },
  },
);
const after = { user: await scoreCrops(model, heldOutPhotos), flat: await scoreCrops(model, test2d) };
console.log(
  `fine-tune ${result.seconds.toFixed(1)} s (${result.cropsSeen} crops seen), kept epoch ${result.bestEpoch}; held-out labelled ${percent(result.heldOutBefore.accuracy)} → ${percent(result.heldOut.accuracy)}`,
);
console.log(
  `after: held-out photos of the user's soroban ${percent(before.user.accuracy)} → ${percent(after.user.accuracy)}, flat test ${percent(before.flat.accuracy)} → ${percent(after.flat.accuracy)} (${(100 * (before.flat.accuracy - after.flat.accuracy)).toFixed(2)} points)`,
);
