import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError, LoadError } from '../../src/errors.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { DEFAULT_MAX_MODEL_BYTES } from '../../src/model/model-budget.ts';
import { fetchModelSource } from '../../src/model/source.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { rejectsWith } from '../fixtures/expect-error.ts';
import { countingStream, FAKE_BASE, fakeFetch, type FakeFile } from '../fixtures/fake-fetch.ts';
import { removeTempDirs } from '../fixtures/temp-dirs.ts';
import { testModelFiles } from '../fixtures/test-models.ts';

after(removeTempDirs);

const KIB = 1024;
const MIB = 1024 * KIB;

describe('downloads are bounded', () => {
  let files: Record<string, FakeFile>;
  let modelJson: string;
  let shardBytes: number;
  before(async () => {
    await useNodeBackend('wasm');
    const model = await testModelFiles();
    modelJson = model.modelJson;
    const shard = model.shard;
    shardBytes = shard.byteLength;
    files = { 'model.json': modelJson, 'weights.bin': shard };
  });

  const load = (served: Record<string, FakeFile>, options: { requests?: string[]; maxModelBytes?: number } = {}) =>
    loadClassifierModel(
      fetchModelSource(`${FAKE_BASE}model.json`, {
        fetch: fakeFetch(served, options.requests === undefined ? {} : { requests: options.requests }),
      }),
      options.maxModelBytes === undefined ? {} : { maxModelBytes: options.maxModelBytes },
    );

  it('stops a 300 MB shard as soon as it passes the size its manifest lists, not after downloading it', async () => {
    const chunk = 64 * KIB;
    const body = countingStream(chunk, (300 * MIB) / chunk);
    const error = await rejectsWith(load({ ...files, 'weights.bin': body.stream }), LoadError, 'load/integrity');
    assert.match(error.message, /larger than its manifest/);
    // The reader takes the chunk that crosses the limit and cancels; the stream makes no more.
    assert.ok(body.pulled() <= shardBytes + 2 * chunk, `pulled ${body.pulled()} bytes`);
  });

  it('refuses a model larger than maxModelBytes before requesting its weights, naming the limit and the option', async () => {
    const requests: string[] = [];
    const maxModelBytes = new TextEncoder().encode(modelJson).byteLength + shardBytes - 1;
    const error = await rejectsWith(load(files, { requests, maxModelBytes }), LoadError, 'load/too-large');
    assert.match(error.message, new RegExp(`limit of ${maxModelBytes} bytes`));
    assert.match(error.message, /maxModelBytes/);
    assert.deepEqual(requests, [`${FAKE_BASE}model.json`]);
    // One byte more and it loads.
    (await load(files, { maxModelBytes: maxModelBytes + 1 })).dispose();
  });

  it('refuses by default a model whose manifest lists more than 64 MiB of weights, before requesting them', async () => {
    const json = JSON.parse(modelJson) as { weightsManifest: { weights: { shape: number[] }[] }[] };
    const first = json.weightsManifest[0]?.weights[0];
    assert.ok(first !== undefined);
    first.shape = [DEFAULT_MAX_MODEL_BYTES / 4 + 1];
    const requests: string[] = [];
    const error = await rejectsWith(
      load({ ...files, 'model.json': JSON.stringify(json) }, { requests }),
      LoadError,
      'load/too-large',
    );
    assert.match(error.message, /64\.0 MiB/);
    assert.deepEqual(requests, [`${FAKE_BASE}model.json`]);
  });

  it('stops a 256 MB model.json at maxModelBytes', async () => {
    const chunk = 64 * KIB;
    const body = countingStream(chunk, (256 * MIB) / chunk);
    await rejectsWith(load({ 'model.json': body.stream }, { maxModelBytes: MIB }), LoadError, 'load/too-large');
    assert.ok(body.pulled() <= MIB + 2 * chunk, `pulled ${body.pulled()} bytes`);
  });

  it('turns a download cut off mid-body into load/network, never a raw TypeError', async () => {
    // A shard that breaks after its first 100 bytes, and a model.json that breaks after 1 KiB.
    const shard = countingStream(100, 3, 1);
    const shardError = await rejectsWith(load({ ...files, 'weights.bin': shard.stream }), LoadError, 'load/network');
    assert.match(shardError.message, /broke off after 100 bytes/);
    const json = countingStream(KIB, 10, 1);
    await rejectsWith(load({ 'model.json': json.stream }), LoadError, 'load/network');
  });

  it('rejects a maxModelBytes that is no positive whole number', async () => {
    for (const maxModelBytes of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      await rejectsWith(load(files, { maxModelBytes }), InputError, 'input/bad-argument');
  });
});
