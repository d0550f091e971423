import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ContractError, LoadError } from '../../src/errors.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { inspectModel } from '../../src/model/inspect.ts';
import { sha256Hex } from '../../src/model/integrity.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { removeTempDirs, tempDir } from '../fixtures/temp-dirs.ts';
import { fieldGraphContract } from '../fixtures/contracts.ts';
import { rejectsWith } from '../fixtures/expect-error.ts';
import { FIELD_DIR, writeFieldGraphModel, type FieldGraphOptions } from '../fixtures/field-graph.ts';

after(removeTempDirs);

async function fieldModel(options: FieldGraphOptions): Promise<string> {
  const dir = await tempDir('cc-field-');
  await writeFieldGraphModel(dir, options);
  return dir;
}

describe('the field MobileNetV2 graph model', () => {
  before(async () => {
    await useNodeBackend('wasm');
  });

  it('finds the ConcatV2 → Mul → AddV2 rescaling with the constants read from the shard', async () => {
    const dir = await fieldModel({ sidecar: fieldGraphContract() });
    const inspection = await inspectModel(await fileModelSource(dir));
    const [input] = inspection.topology.inputs;
    assert.equal(input?.channelRepeat, 3);
    assert.deepEqual(
      input?.steps.map((s) => s.op),
      ['ConcatV2', 'Mul', 'AddV2'],
    );
    assert.ok(Math.abs((input?.map?.scale ?? 0) - 1 / 127.5) < 1e-7);
    assert.ok(Math.abs((input?.map?.offset ?? 0) + 1) < 1e-7);
    assert.equal(input?.firstWeightedOp?.op, '_FusedConv2D');
    assert.deepEqual(
      inspection.problems.filter((p) => p.severity === 'error'),
      [],
    );
  });

  it('binds heaven and earth by signature key whatever their order in the JSON', async () => {
    const results: Record<string, number[]>[] = [];
    for (const outputOrder of [
      ['output_1', 'output_0'],
      ['output_0', 'output_1'],
    ]) {
      const dir = await fieldModel({ sidecar: fieldGraphContract(), outputOrder });
      const model = await loadClassifierModel(await fileModelSource(dir));
      assert.deepEqual(
        model.heads.map((b) => [b.head.name, b.output.key]),
        [
          ['heaven', 'output_0'],
          ['earth', 'output_1'],
        ],
      );
      const start = tf.memory().numTensors;
      const batch = tf.tidy(() => tf.mul(tf.randomUniform([2, 128, 64, 1], 0, 1, 'float32', 3), 255)) as tf.Tensor4D;
      const outputs = model.predict(batch);
      assert.deepEqual(outputs['heaven']?.shape, [2, 1]);
      assert.deepEqual(outputs['earth']?.shape, [2, 5]);
      const values = {
        heaven: Array.from(await outputs['heaven']!.data()),
        earth: Array.from(await outputs['earth']!.data()),
      };
      assert.ok(
        Math.abs(values.earth.slice(0, 5).reduce((a, b) => a + b, 0) - 1) < 1e-4,
        'earth sums to 1: it is the softmax',
      );
      results.push(values);
      Object.values(outputs).forEach((t) => t.dispose());
      batch.dispose();
      assert.equal(tf.memory().numTensors, start);
      model.dispose();
    }
    assert.deepEqual(results[0], results[1]);
  });

  it('binds heads by output node name when model.json has no signature (older converters)', async () => {
    const contract = fieldGraphContract();
    contract.heads[0]!.output = 'Identity';
    contract.heads[1]!.output = 'Identity_1';
    const dir = await fieldModel({
      sidecar: contract,
      edit: (json) => {
        delete json['signature'];
      },
    });
    const inspection = await inspectModel(await fileModelSource(dir));
    assert.deepEqual(
      inspection.topology.outputs.map((o) => [o.key, o.activation]),
      [
        ['Identity_1', 'softmax'],
        ['Identity', 'sigmoid'],
      ],
    );
    assert.deepEqual(
      inspection.problems.filter((p) => p.severity === 'error'),
      [],
    );
    const model = await loadClassifierModel(await fileModelSource(dir));
    const batch = tf.zeros([1, 128, 64, 1]) as tf.Tensor4D;
    const outputs = model.predict(batch);
    assert.deepEqual(outputs['heaven']?.shape, [1, 1]);
    assert.deepEqual(outputs['earth']?.shape, [1, 5]);
    Object.values(outputs).forEach((t) => t.dispose());
    batch.dispose();
    model.dispose();
  });

  it('refuses a sidecar that binds heaven to the earth output', async () => {
    const contract = fieldGraphContract();
    contract.heads[0]!.output = 'output_1';
    contract.heads[1]!.output = 'output_0';
    const dir = await fieldModel({ sidecar: contract });
    await rejectsWith(loadClassifierModel(await fileModelSource(dir)), ContractError, 'contract/head-shape-mismatch');
  });

  it('refuses a head name that designates two outputs', async () => {
    // A converter that names a signature key after another output's node makes "Identity" ambiguous.
    const contract = fieldGraphContract();
    contract.heads[1]!.output = 'Identity';
    const dir = await fieldModel({
      sidecar: contract,
      edit: (json) => {
        const outputs = (json['signature'] as { outputs: Record<string, unknown> }).outputs;
        outputs['Identity'] = outputs['output_1'];
        delete outputs['output_1'];
      },
    });
    const error = await rejectsWith(
      loadClassifierModel(await fileModelSource(dir)),
      ContractError,
      'contract/head-ambiguous',
    );
    assert.match(error.message, /designates 2 different model outputs/);
  });

  it('refuses a sidecar that feeds [-1, 1] to a model that rescales itself (double normalization)', async () => {
    const contract = fieldGraphContract();
    contract.input.inputRange = { min: -1, max: 1 };
    contract.modelInternals.normalization = { kind: 'none' };
    const dir = await fieldModel({ sidecar: contract });
    const error = await rejectsWith(
      loadClassifierModel(await fileModelSource(dir)),
      ContractError,
      'contract/double-normalization',
    );
    assert.match(error.message, /\[-1, 1\]/);
    assert.match(error.message, /x · 0\.00784314 − 1/);
    assert.match(error.message, /sees \[-1\.0078, -0\.99216\]/);
    assert.match(error.message, /rescaling_1\/mul \(Mul\)/);
    assert.deepEqual(error.details?.['suggestedInputRange'], { min: 0, max: 255 });
  });

  it('refuses double normalization even when the contract declares the internal rescaling', async () => {
    const contract = fieldGraphContract();
    contract.input.inputRange = { min: -1, max: 1 };
    const dir = await fieldModel({ sidecar: contract });
    await rejectsWith(loadClassifierModel(await fileModelSource(dir)), ContractError, 'contract/double-normalization');
  });

  it('refuses an input path it cannot follow', async () => {
    const dir = await fieldModel({
      sidecar: fieldGraphContract(),
      edit: (json) => {
        const nodes = (json['modelTopology'] as { node: { name: string; op: string }[] }).node;
        const add = nodes.find((n) => n.name.endsWith('rescaling_1/add'));
        if (add !== undefined) add.op = 'Maximum';
      },
    });
    const error = await rejectsWith(
      loadClassifierModel(await fileModelSource(dir)),
      ContractError,
      'contract/uninspectable-input',
    );
    assert.match(error.message, /op Maximum/);
  });

  it('checks the shard sha256 from the sidecar before use', async () => {
    const contract = fieldGraphContract();
    const { shard } = await writeFieldGraphModel(await tempDir('cc-hash-'), { noShard: true });
    contract.integrity = { algorithm: 'sha256', shards: { 'group1-shard1of1.bin': await sha256Hex(shard) } };
    const good = await fieldModel({ sidecar: contract });
    const model = await loadClassifierModel(await fileModelSource(good));
    assert.equal(model.inspection.shards[0]?.status, 'ok');
    model.dispose();
    const bad = await fieldModel({ sidecar: contract, rescaling: { scale: 1 / 255, offset: 0 } });
    await rejectsWith(loadClassifierModel(await fileModelSource(bad)), LoadError, 'load/integrity');
  });

  it('refuses a truncated shard', async () => {
    const dir = await fieldModel({ sidecar: fieldGraphContract(), truncateShardTo: 1_000_000 });
    const error = await rejectsWith(loadClassifierModel(await fileModelSource(dir)), LoadError, 'load/truncated');
    assert.match(error.message, /2224364 bytes/);
  });

  it('inspects the bare field fixture (no shard, no contract) without throwing', async () => {
    const inspection = await inspectModel(await fileModelSource(join(FIELD_DIR, 'graph')), {
      requireWeights: false,
      sidecar: 'none',
    });
    const codes = inspection.problems.map((p) => `${p.severity}:${p.code}`);
    assert.deepEqual(codes, ['warning:load/http', 'error:contract/missing']);
    assert.equal(inspection.topology.inputs[0]?.map, undefined);
    assert.deepEqual(
      inspection.topology.outputs.map((o) => [o.key, o.activation]),
      [
        ['output_1', 'softmax'],
        ['output_0', 'sigmoid'],
      ],
    );
  });

  it('shows the uint8 quantization of every weight of the field layers fixture', async () => {
    const inspection = await inspectModel(await fileModelSource(join(FIELD_DIR, 'layers-uint8')), {
      requireWeights: false,
      sidecar: 'none',
    });
    assert.equal(inspection.weights.length, 26);
    assert.ok(inspection.weights.every((w) => w.stored === 'uint8' && w.dtype === 'float32'));
    assert.equal(inspection.weights.find((w) => w.name === 'dense/kernel')?.bytes, 16384 * 128);
    assert.deepEqual(
      inspection.topology.outputs.map((o) => [o.key, o.shape, o.activation]),
      [['dense_1', [null, 10], 'softmax']],
    );
  });
});
