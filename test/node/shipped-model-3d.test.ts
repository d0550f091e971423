// The shipped model on 3D photos it never saw (seed 606: no training, validation or test set uses it;
// fixed before run 9's model existed), through the same dataset code training uses: sorobans in
// perspective at 35–90°, hands over columns, sorobans cut off by the picture edge, empty tables.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { PREPROCESS } from '../../models/training/config.ts';
import { makeDataset, type Dataset } from '../../models/training/dataset.ts';
import { atThreshold, evaluate, predictDataset, type Predictions } from '../../models/training/evaluate.ts';
import { loadModel } from '../../models/training/io.ts';

const SHIPPED_DIR = new URL('../../models/column-classifier/', import.meta.url).pathname;
/** The element's default min-confidence. */
const MIN_CONFIDENCE = 0.5;

describe('the shipped model on unseen 3D photos', () => {
  let model: tf.LayersModel;
  let data: Dataset;
  let predictions: Predictions;

  before(async () => {
    await tf.setBackend('wasm');
    ({ model } = await loadModel(SHIPPED_DIR));
    data = makeDataset(
      {
        name: '3D confidence check',
        seed: 606,
        crops: 480,
        jitter: 0.1,
        negatives: 0.25,
        filters: [{ renderer: '3d' }, { renderer: '3d', hand: 1 }, { renderer: '3d', scene: 'cut-off' }, { renderer: '3d' }, { renderer: '3d', scene: 'empty' }],
        render3d: { fill: [0.55, 0.95], maxSide: 640, beadAreaOnly: true },
      },
      PREPROCESS,
    );
    predictions = predictDataset(model, data);
  });

  after(() => model.dispose());

  it('has a readable head that tells hidden, cut-off and misplaced columns from readable ones', () => {
    const unreadable = data.readable.filter((r) => r === 0).length;
    assert.ok(unreadable >= 40, `the set holds ${unreadable} "not a column" crops`);
    const e = evaluate(data, predictions);
    assert.ok(e.readableAccuracy >= 0.95, `readable head right on ${(100 * e.readableAccuracy).toFixed(1)} % of crops`);
  });

  it(`is wrong on at most 0.5 % (rounded up to whole crops) of the columns it reports with confidence ≥ ${MIN_CONFIDENCE}`, () => {
    const outcome = atThreshold(data, predictions, MIN_CONFIDENCE);
    const allowed = Math.ceil(0.005 * outcome.reported);
    assert.ok(outcome.reported >= 200, `${outcome.reported} crops reported`);
    assert.ok(outcome.wrong <= allowed, `${outcome.wrong} of ${outcome.reported} reported crops wrong (allowed ${allowed})`);
  });
});
