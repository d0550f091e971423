import { classifierDecode } from '../../src/contract/model-kind.ts';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ColumnClassifierError, ContractError, InferenceError, LoadError } from '../../src/errors.ts';
import { decodeColumns } from '../../src/model/decode.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { predictHeads } from '../../src/model/read-heads.ts';
import { inspectModel } from '../../src/model/inspect.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { removeTempDirs, tempDir } from '../fixtures/temp-dirs.ts';
import { testLocalizerContract, testModelContract, type Mutable } from '../fixtures/contracts.ts';
import { buildLocalizer } from '../../models/training/localizer/model.ts';
import { rejectsWith } from '../fixtures/expect-error.ts';
import { buildTestModel, saveModel, writeModel, type SavedModel } from '../fixtures/test-models.ts';
import type { ModelContract } from '../../src/contract/schema.ts';

after(removeTempDirs);

let saved: SavedModel;

function contract(edit?: (c: Mutable<ModelContract>) => void): Record<string, unknown> {
  const c = testModelContract();
  edit?.(c);
  return c as unknown as Record<string, unknown>;
}

async function load(dir: string): Promise<ReturnType<typeof loadClassifierModel>> {
  return loadClassifierModel(await fileModelSource(dir));
}

describe('loading a layers model with its contract', () => {
  before(async () => {
    await useNodeBackend('wasm');
    saved = await saveModel(buildTestModel());
  });

  it('binds heads by output layer name although the model lists earth first', async () => {
    const { dir } = await writeModel(saved, contract());
    const model = await load(dir);
    const start = tf.memory().numTensors;
    const batch = tf.fill([3, 16, 8, 1], 200) as tf.Tensor4D;
    const outputs = model.predict(batch);
    assert.deepEqual(outputs['heaven']?.shape, [3, 1]);
    assert.deepEqual(outputs['earth']?.shape, [3, 5]);
    const earth = Array.from(await outputs['earth']!.data());
    assert.ok(Math.abs(earth.slice(0, 5).reduce((a, b) => a + b, 0) - 1) < 1e-5, 'earth is the softmax head');
    Object.values(outputs).forEach((t) => t.dispose());
    const readings = decodeColumns(await predictHeads(model, batch), classifierDecode(model.contract), 3);
    assert.equal(readings.length, 3);
    assert.ok(readings.every((r) => r.digit >= 0 && r.digit <= 9));
    batch.dispose();
    assert.equal(tf.memory().numTensors, start);
    model.dispose();
    model.dispose();
  });

  it('names the missing kernel and how to add it when the backend lacks one the model runs', async () => {
    const { dir } = await writeModel(saved, contract());
    const model = await load(dir);
    const batch = tf.fill([2, 16, 8, 1], 100) as tf.Tensor4D;
    // As in a worker bundle without Sigmoid: the heaven head's activation.
    const sigmoid = tf.getKernel('Sigmoid', 'wasm');
    assert.ok(sigmoid !== undefined);
    const start = tf.memory().numTensors;
    tf.unregisterKernel('Sigmoid', 'wasm');
    try {
      const error = await rejectsWith(predictHeads(model, batch), InferenceError, 'inference/failed');
      assert.match(error.message, /"Sigmoid".*scripts\/worker-kernels\.ts/);
      assert.deepEqual(error.details, { kernel: 'Sigmoid', backend: 'wasm' });
    } finally {
      tf.registerKernel(sigmoid);
    }
    assert.equal(tf.memory().numTensors, start);
    assert.equal((await predictHeads(model, batch))['heaven']?.length, 2);
    batch.dispose();
    model.dispose();
  });

  it('refuses a Keras Lambda layer without running the code it carries', async () => {
    const json = structuredClone(saved.modelJson) as {
      modelTopology: { config: { layers: Record<string, unknown>[] } };
    };
    const layer = json.modelTopology.config.layers[1];
    assert.ok(layer !== undefined);
    layer['class_name'] = 'Lambda';
    layer['config'] = { ...(layer['config'] as object), function: 'globalThis.lambdaRan = true; return x;' };
    const { dir } = await writeModel({ ...saved, modelJson: json }, contract());
    await assert.rejects(load(dir), (error) => error instanceof ColumnClassifierError);
    assert.equal((globalThis as { lambdaRan?: boolean }).lambdaRan, undefined);
  });

  it('leaves no tensor behind after load and dispose, nor after a refused load', async () => {
    const { dir } = await writeModel(saved, contract());
    const start = tf.memory().numTensors;
    (await load(dir)).dispose();
    assert.equal(tf.memory().numTensors, start);
    const refused = await writeModel(
      saved,
      contract((c) => {
        c.heads[0]!.output = 'earth';
        c.heads[1]!.output = 'heaven';
      }),
    );
    await rejectsWith(load(refused.dir), ContractError, 'contract/head-shape-mismatch');
    assert.equal(tf.memory().numTensors, start);
  });

  it('reads the contract from a sidecar when model.json has none', async () => {
    const { dir } = await writeModel(saved, contract(), 'sidecar');
    const model = await load(dir);
    assert.equal(model.inspection.contractOrigin, 'sidecar');
    model.dispose();
  });

  it('accepts an embedded contract and an identical sidecar', async () => {
    const { dir } = await writeModel(saved, contract(), 'both');
    const model = await load(dir);
    assert.equal(model.inspection.contractOrigin, 'embedded');
    model.dispose();
  });

  it('reads only the embedded contract when model.json has one, even beside a sidecar that differs', async () => {
    const { dir } = await writeModel(saved, contract(), 'both', {
      sidecarContract: contract((c) => {
        Object.assign(c.decode, { heavenThreshold: 0.6 });
      }),
    });
    const model = await load(dir);
    assert.equal(model.inspection.contractOrigin, 'embedded');
    assert.notEqual(classifierDecode(model.contract).heavenThreshold, 0.6);
    model.dispose();
  });

  it('refuses an embedded contract and a sidecar given explicitly that differ', async () => {
    const sidecarContract = contract((c) => {
      Object.assign(c.decode, { heavenThreshold: 0.6 });
    });
    const { dir } = await writeModel(saved, contract(), 'both', { sidecarContract });
    const source = await fileModelSource(dir);
    const error = await rejectsWith(
      loadClassifierModel(source, { sidecar: { json: sidecarContract, description: 'model.contract.json' } }),
      ContractError,
      'contract/sidecar-conflict',
    );
    assert.match(error.message, /decode\.heavenThreshold/);
  });

  it('refuses a model without a contract', async () => {
    const { dir } = await writeModel(saved, undefined, 'none');
    await rejectsWith(load(dir), ContractError, 'contract/missing');
  });

  it('refuses an invalid contract with the validator code', async () => {
    const { dir } = await writeModel(
      saved,
      contract((c) => {
        (c.input as { grey: string }).grey = 'luma';
      }),
    );
    await rejectsWith(load(dir), ContractError, 'contract/invalid-value');
  });

  it('refuses a sidecar that is not JSON', async () => {
    const { dir } = await writeModel(saved, undefined, 'none');
    await writeFile(join(dir, 'model.contract.json'), '{ not json');
    await rejectsWith(load(dir), LoadError, 'load/bad-json');
  });

  it('refuses a shard whose sha256 differs from the contract', async () => {
    const { dir } = await writeModel(saved, contract());
    const bytes = await readFile(join(dir, 'weights.bin'));
    bytes[10] = (bytes[10] ?? 0) ^ 0xff;
    await writeFile(join(dir, 'weights.bin'), bytes);
    await rejectsWith(load(dir), LoadError, 'load/integrity');
  });

  it('refuses a truncated shard with a typed error, not a TF.js shape exception', async () => {
    const { dir } = await writeModel(saved, contract(), 'embedded', { withIntegrity: false });
    await writeFile(join(dir, 'weights.bin'), saved.shard.subarray(0, saved.shard.byteLength - 8));
    await rejectsWith(load(dir), LoadError, 'load/truncated');
  });

  it('refuses a missing shard', async () => {
    const { dir } = await writeModel(saved, contract());
    await writeFile(
      join(dir, 'model.json'),
      (await readFile(join(dir, 'model.json'), 'utf8')).replace('weights.bin', 'elsewhere.bin'),
    );
    await rejectsWith(load(dir), LoadError, 'load/http');
  });

  it('refuses integrity hashes that miss a shard', async () => {
    const { dir } = await writeModel(
      saved,
      contract((c) => {
        c.integrity = { algorithm: 'sha256', shards: {} };
      }),
      'embedded',
      { withIntegrity: false },
    );
    await rejectsWith(load(dir), ContractError, 'contract/integrity-incomplete');
  });

  it('refuses integrity hashes for a shard the manifest does not list', async () => {
    const { dir } = await writeModel(
      saved,
      contract((c) => {
        c.integrity = { algorithm: 'sha256', shards: { 'weights.bin': '0'.repeat(64), 'other.bin': '1'.repeat(64) } };
      }),
      'embedded',
      { withIntegrity: false },
    );
    const inspection = await inspectModel(await fileModelSource(dir));
    assert.ok(inspection.problems.some((p) => p.code === 'contract/integrity-unknown-shard'));
    await rejectsWith(load(dir), LoadError, 'load/integrity');
  });

  it('refuses a contract that normalizes what the model already rescales, showing both maps and the range', async () => {
    const { dir } = await writeModel(
      saved,
      contract((c) => {
        c.input.inputRange = { min: 0, max: 1 };
        c.modelInternals.normalization = { kind: 'none' };
      }),
    );
    const error = await rejectsWith(load(dir), ContractError, 'contract/double-normalization');
    assert.match(error.message, /\[0, 1\]/);
    assert.match(error.message, /x · 0\.00392157/);
    assert.match(error.message, /sees \[0, 0\.0039216\]/);
    assert.match(error.message, /"min": 0, "max": 255/);
  });

  it('refuses a contract whose declared internals differ from the topology', async () => {
    const { dir } = await writeModel(
      saved,
      contract((c) => {
        c.modelInternals.normalization = { kind: 'none' };
      }),
    );
    const error = await rejectsWith(load(dir), ContractError, 'contract/internals-mismatch');
    assert.match(error.message, /rescale \(Rescaling\)/);
  });

  it('refuses a float model whose contract gives no input range', async () => {
    const { dir } = await writeModel(
      saved,
      contract((c) => {
        delete c.input.inputRange;
      }),
    );
    await rejectsWith(load(dir), ContractError, 'contract/missing-input-range');
  });

  it('accepts a model without rescaling fed [0, 1]', async () => {
    const plain = await saveModel(buildTestModel({ rescaling: null }));
    const { dir } = await writeModel(
      plain,
      contract((c) => {
        c.input.inputRange = { min: 0, max: 1 };
        c.modelInternals.normalization = { kind: 'none' };
      }),
    );
    (await load(dir)).dispose();
  });

  it('refuses an input name the model does not have', async () => {
    const { dir } = await writeModel(
      saved,
      contract((c) => {
        c.input.name = 'image';
      }),
    );
    const error = await rejectsWith(load(dir), ContractError, 'contract/input-not-found');
    assert.match(error.message, /"pixels"/);
  });

  it('refuses an input size that differs from the model', async () => {
    const { dir } = await writeModel(
      saved,
      contract((c) => {
        c.input.height = 32;
      }),
    );
    await rejectsWith(load(dir), ContractError, 'contract/input-mismatch');
  });

  it('refuses an input dtype that differs from the model', async () => {
    const { dir } = await writeModel(
      saved,
      contract((c) => {
        c.input.dtype = 'int32';
      }),
    );
    await rejectsWith(load(dir), ContractError, 'contract/input-dtype-mismatch');
  });

  it('refuses a head bound to an output the model does not have', async () => {
    const { dir } = await writeModel(
      saved,
      contract((c) => {
        c.heads[0]!.output = 'sky';
      }),
    );
    const error = await rejectsWith(load(dir), ContractError, 'contract/head-not-found');
    assert.match(error.message, /"earth" \[null,5\] softmax/);
  });

  it("refuses heads bound to each other's outputs (caught by shape)", async () => {
    const { dir } = await writeModel(
      saved,
      contract((c) => {
        c.heads[0]!.output = 'earth';
        c.heads[1]!.output = 'heaven';
      }),
    );
    await rejectsWith(load(dir), ContractError, 'contract/head-shape-mismatch');
  });

  it('refuses a head whose activation differs from the model', async () => {
    const wrong = await saveModel(buildTestModel());
    const json = JSON.stringify(wrong.modelJson).replace('"activation":"sigmoid"', '"activation":"linear"');
    const { dir } = await writeModel(
      { modelJson: JSON.parse(json) as Record<string, unknown>, shard: wrong.shard },
      contract(),
    );
    await rejectsWith(load(dir), ContractError, 'contract/head-activation-mismatch');
  });

  it('refuses a quantization entry that disagrees with the manifest', async () => {
    const { dir } = await writeModel(
      saved,
      contract((c) => {
        c.quantization = { 'conv/kernel': { dtype: 'uint8' } };
      }),
    );
    await rejectsWith(load(dir), ContractError, 'contract/quantization-mismatch');
  });

  it('refuses a quantization entry for a weight the model does not have', async () => {
    const { dir } = await writeModel(
      saved,
      contract((c) => {
        c.quantization = { 'conv/kernel': { dtype: 'float32' }, 'nope/kernel': { dtype: 'float32' } };
      }),
    );
    await rejectsWith(load(dir), ContractError, 'contract/quantization-unknown-weight');
  });

  it('joins and verifies a model split over two shards', async () => {
    const { dir } = await writeModel(saved, undefined, 'none');
    const half = Math.floor(saved.shard.byteLength / 2);
    await writeFile(join(dir, 'part1.bin'), saved.shard.subarray(0, half));
    await writeFile(join(dir, 'part2.bin'), saved.shard.subarray(half));
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as {
      weightsManifest: { paths: string[] }[];
    };
    json.weightsManifest[0]!.paths = ['part1.bin', 'part2.bin'];
    const c = contract();
    const { sha256Hex } = await import('../../src/model/integrity.ts');
    c['integrity'] = {
      algorithm: 'sha256',
      shards: {
        'part1.bin': await sha256Hex(saved.shard.subarray(0, half)),
        'part2.bin': await sha256Hex(saved.shard.subarray(half)),
      },
    };
    await writeFile(join(dir, 'model.json'), JSON.stringify({ ...json, userDefinedMetadata: { contract: c } }));
    const model = await load(dir);
    assert.deepEqual(
      model.inspection.shards.map((s) => s.status),
      ['ok', 'ok'],
    );
    const out = model.predict(tf.zeros([1, 16, 8, 1]) as tf.Tensor4D);
    assert.deepEqual(out['earth']?.shape, [1, 5]);
    Object.values(out).forEach((t) => t.dispose());
    model.dispose();
  });

  it('reports load progress up to the total weight bytes', async () => {
    const { dir } = await writeModel(saved, contract());
    const seen: { phase: string; loaded: number; total: number }[] = [];
    const model = await loadClassifierModel(await fileModelSource(dir), { onProgress: (p) => seen.push(p) });
    const weights = seen.filter((p) => p.phase === 'weights');
    assert.equal(weights.at(-1)?.loaded, saved.shard.byteLength);
    assert.equal(weights.at(-1)?.total, saved.shard.byteLength);
    assert.deepEqual([...new Set(seen.map((p) => p.phase))], ['model-json', 'weights', 'verifying', 'building']);
    model.dispose();
  });
});

describe('loading a tf.sequential model', () => {
  it('inspects its implicit input, its Rescaling and its output layer', async () => {
    await useNodeBackend('wasm');
    const sequential = tf.sequential({
      layers: [
        tf.layers.rescaling({ scale: 2 / 255, offset: -1, inputShape: [16, 8, 1], name: 'to_unit' }),
        tf.layers.conv2d({
          filters: 2,
          kernelSize: 3,
          name: 'conv',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.flatten({ name: 'flat' }),
        tf.layers.dense({
          units: 5,
          activation: 'softmax',
          name: 'digits5',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        }),
      ],
    });
    const saved = await saveModel(sequential);
    sequential.dispose();
    const c = testModelContract();
    c.input.name = 'to_unit_input';
    c.modelInternals.normalization = { kind: 'affine', scale: 2 / 255, offset: -1 };
    // A one-head model cannot satisfy the two-head decode rule, so only inspection applies.
    c.heads = [{ name: 'earth', output: 'digits5', shape: [null, 5], activation: 'softmax', meaning: 'earth' }];
    const { dir } = await writeModel(saved, undefined, 'none');
    const { inspectModel } = await import('../../src/model/inspect.ts');
    const inspection = await inspectModel(await fileModelSource(dir), { sidecar: { json: c, description: 'test' } });
    assert.deepEqual(
      inspection.problems.map((p) => p.code),
      ['contract/decode-unknown-head'],
    );
    const [input] = inspection.topology.inputs;
    assert.equal(input?.name, 'to_unit_input');
    assert.deepEqual(input?.map, { scale: 2 / 255, offset: -1 });
    assert.deepEqual(
      inspection.topology.outputs.map((o) => [o.key, o.shape, o.activation]),
      [['digits5', [null, 5], 'softmax']],
    );
  });
});

describe('loading a localizer', () => {
  before(async () => {
    await useNodeBackend('wasm');
  });

  it('binds its corners, presence and count heads, and is refused where a column classifier belongs', async () => {
    const localizer = await saveModel(buildLocalizer({ filters: [2, 2, 2, 2], dense: 4, heatmapFilters: 2, side: 16 }));
    const { dir } = await writeModel(localizer, testLocalizerContract() as unknown as Record<string, unknown>);
    const model = await loadClassifierModel(await fileModelSource(dir), { kind: 'localizer' });
    const heads = await predictHeads(model, tf.zeros([1, 16, 16, 1]));
    assert.equal(heads['corners']?.length, 8);
    assert.equal(heads['presence']?.length, 1);
    assert.equal(heads['count']?.length, 21);
    model.dispose();
    await rejectsWith(
      loadClassifierModel(await fileModelSource(dir), { kind: 'column-classifier' }),
      ContractError,
      'contract/wrong-model-kind',
    );
  });
});
