import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspectModel } from '../../src/model/inspect.ts';
import { parseModelJson } from '../../src/model/model-json.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import { inspectTopology } from '../../src/model/topology.ts';
import { locateWeights, readWeight } from '../../src/model/weights.ts';
import { removeTempDirs, tempDir } from '../fixtures/temp-dirs.ts';
import { FIELD_DIR, seededRandom } from '../fixtures/field-graph.ts';

after(removeTempDirs);

const tensor = (name: string) => ({
  class_name: '__keras_tensor__',
  config: { shape: [null], dtype: 'float32', keras_history: [name, 0, 0] },
});
const layer = (class_name: string, name: string, config: Record<string, unknown>, inbound?: string) => ({
  module: 'keras.layers',
  class_name,
  config: { name, ...config },
  name,
  inbound_nodes: inbound === undefined ? [] : [{ args: [tensor(inbound)], kwargs: {} }],
});

describe('topology inspection', () => {
  it('follows a Keras 3 functional model (keras_history inbound nodes) with Normalization and two heads', () => {
    const model = parseModelJson(
      {
        format: 'layers-model',
        modelTopology: {
          model_config: {
            class_name: 'Functional',
            config: {
              name: 'k3',
              layers: [
                layer('InputLayer', 'image', { batch_shape: [null, 128, 64, 1], dtype: 'float32' }),
                layer('Normalization', 'norm', { mean: 127.5, variance: 127.5 * 127.5, axis: -1 }, 'image'),
                layer('Conv2D', 'conv', { filters: 8, activation: 'relu' }, 'norm'),
                layer('GlobalAveragePooling2D', 'pool', {}, 'conv'),
                layer('Dense', 'heaven', { units: 1, activation: 'sigmoid' }, 'pool'),
                layer('Dense', 'earth', { units: 5, activation: 'softmax' }, 'pool'),
              ],
              input_layers: [['image', 0, 0]],
              output_layers: [
                ['earth', 0, 0],
                ['heaven', 0, 0],
              ],
            },
          },
        },
        weightsManifest: [],
      },
      'keras3',
    );
    const report = inspectTopology(model, () => undefined);
    const [input] = report.inputs;
    assert.equal(input?.name, 'image');
    assert.ok(Math.abs((input?.map?.scale ?? 0) - 1 / 127.5) < 1e-12);
    assert.ok(Math.abs((input?.map?.offset ?? 0) + 1) < 1e-12);
    assert.equal(input?.firstWeightedOp?.name, 'conv');
    assert.deepEqual(
      report.outputs.map((o) => [o.index, o.key, o.shape, o.activation]),
      [
        [0, 'earth', [null, 5], 'softmax'],
        [1, 'heaven', [null, 1], 'sigmoid'],
      ],
    );
  });

  it('reads uint8-quantized weights of the field layers fixture as q · scale + min, from a generated shard', async () => {
    const dir = await tempDir('cc-uint8-');
    await symlink(join(FIELD_DIR, 'layers-uint8/model.json'), join(dir, 'model.json'));
    const random = seededRandom(5);
    const shard = new Uint8Array(2_192_650).map(() => Math.floor(random() * 256));
    await writeFile(join(dir, 'group1-shard1of1.bin'), shard);
    const inspection = await inspectModel(await fileModelSource(dir), { requireWeights: false, sidecar: 'none' });
    // The batch-norm statistics of this model are stored uint8 with steps larger than their smallest values (issue 9's audit).
    assert.deepEqual(
      inspection.problems.map((p) => p.code),
      ['contract/missing', 'contract/quantization-at-risk'],
    );
    assert.deepEqual(
      inspection.shards.map((s) => [s.bytes, s.status]),
      [[2_192_650, 'unverified']],
    );
    const model = parseModelJson(JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')), 'field');
    const gamma = locateWeights(model.weightsManifest).get('batch_normalization/gamma');
    assert.ok(gamma !== undefined);
    assert.equal(gamma.offset, 0);
    const values = readWeight(gamma, shard);
    assert.equal(values.length, 32);
    assert.ok(Math.abs((values[3] ?? 0) - ((shard[3] ?? 0) * 0.00039288062675326476 + 0.970035195350647)) < 1e-12);
    const dense = locateWeights(model.weightsManifest).get('dense_1/bias');
    assert.equal(dense?.offset, 2_192_650 - 10);
  });
});
