import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContractError, LoadError } from '../../src/errors.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { inspectModel } from '../../src/model/inspect.ts';
import { fetchModelSource } from '../../src/model/source.ts';
import { bindHeads } from '../../src/model/bind-heads.ts';
import { validateContract } from '../../src/contract/validate.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { removeTempDirs, tempDir } from '../fixtures/temp-dirs.ts';
import { testModelContract } from '../fixtures/contracts.ts';
import { rejectsWith } from '../fixtures/expect-error.ts';
import { FAKE_BASE, fakeFetch } from '../fixtures/fake-fetch.ts';
import { testModelFiles } from '../fixtures/test-models.ts';

after(removeTempDirs);

const BASE = FAKE_BASE;

describe('loading over fetch (the worker path)', () => {
  let files: Record<string, Uint8Array | string>;
  before(async () => {
    await useNodeBackend('wasm');
    const { modelJson, shard } = await testModelFiles();
    files = { 'model.json': modelJson, 'weights.bin': shard };
  });

  it('loads with streamed progress and asks for no sidecar when model.json carries its contract', async () => {
    // A request for a sidecar that does not exist shows as a 404 in every page's console.
    const requests: string[] = [];
    const progress: number[] = [];
    const model = await loadClassifierModel(
      fetchModelSource(`${BASE}model.json`, { fetch: fakeFetch(files, { requests }) }),
      {
        onProgress: (p) => {
          if (p.phase === 'weights') progress.push(p.loaded / p.total);
        },
      },
    );
    assert.deepEqual(requests, [`${BASE}model.json`, `${BASE}weights.bin`]);
    assert.equal(progress.at(-1), 1);
    assert.deepEqual(
      model.heads.map((h) => h.head.name),
      ['heaven', 'earth'],
    );
    model.dispose();
  });

  it('looks for model.contract.json beside model.json when model.json has no contract', async () => {
    const json = JSON.parse(files['model.json'] as string) as { userDefinedMetadata?: { contract?: unknown } };
    const contract = json.userDefinedMetadata?.contract;
    assert.ok(contract !== undefined, 'the fixture embeds its contract');
    delete json.userDefinedMetadata;
    const requests: string[] = [];
    const bare = { ...files, 'model.json': JSON.stringify(json), 'model.contract.json': JSON.stringify(contract) };
    const model = await loadClassifierModel(
      fetchModelSource(`${BASE}model.json`, { fetch: fakeFetch(bare, { requests }) }),
    );
    assert.deepEqual(requests, [`${BASE}model.json`, `${BASE}model.contract.json`, `${BASE}weights.bin`]);
    assert.equal(model.inspection.contractOrigin, 'sidecar');
    model.dispose();
  });

  it('reports a missing model.json as load/http', async () => {
    await rejectsWith(
      loadClassifierModel(fetchModelSource(`${BASE}nope.json`, { fetch: fakeFetch(files) })),
      LoadError,
      'load/http',
    );
  });

  it('reports an HTML error page served as model.json as load/bad-json', async () => {
    await rejectsWith(
      loadClassifierModel(
        fetchModelSource(`${BASE}model.json`, { fetch: fakeFetch({ ...files, 'model.json': '<html>' }) }),
      ),
      LoadError,
      'load/bad-json',
    );
  });

  it('reports a JSON file that is no TF.js model as load/unsupported-format', async () => {
    await rejectsWith(
      loadClassifierModel(
        fetchModelSource(`${BASE}model.json`, {
          fetch: fakeFetch({ ...files, 'model.json': '{"format":"onnx","modelTopology":{}}' }),
        }),
      ),
      LoadError,
      'load/unsupported-format',
    );
  });

  it('reports a download cut short as load/truncated', async () => {
    await rejectsWith(
      loadClassifierModel(fetchModelSource(`${BASE}model.json`, { fetch: fakeFetch(files, { lie: true }) })),
      LoadError,
      'load/truncated',
    );
  });

  it('reports a network failure as load/network and an abort as load/aborted', async () => {
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    await rejectsWith(
      loadClassifierModel(fetchModelSource(`${BASE}model.json`, { fetch: failing })),
      LoadError,
      'load/network',
    );
    const controller = new AbortController();
    controller.abort();
    await rejectsWith(
      loadClassifierModel(fetchModelSource(`${BASE}model.json`, { fetch: fakeFetch(files) }), {
        signal: controller.signal,
      }),
      LoadError,
      'load/aborted',
    );
  });

  it('takes a sidecar given as JSON (e.g. fetched from another URL) and compares it with the embedded one', async () => {
    const other = testModelContract();
    other.heads[0]!.meaning = 'something else';
    await rejectsWith(
      loadClassifierModel(fetchModelSource(`${BASE}model.json`, { fetch: fakeFetch(files) }), {
        sidecar: { json: other, description: 'https://elsewhere/contract.json' },
      }),
      ContractError,
      'contract/sidecar-conflict',
    );
  });

  it('warns about a missing integrity section and about quantized weights without measured agreement', async () => {
    const json = JSON.parse(files['model.json'] as string) as Record<string, unknown>;
    json['userDefinedMetadata'] = { contract: testModelContract() };
    const inspection = await inspectModel(
      fetchModelSource(`${BASE}model.json`, { fetch: fakeFetch({ ...files, 'model.json': JSON.stringify(json) }) }),
    );
    const codes = inspection.problems.map((p) => `${p.severity}:${p.code}`);
    assert.deepEqual(codes, ['warning:contract/no-integrity']);
    json['userDefinedMetadata'] = {
      contract: { ...testModelContract(), quantization: { 'conv/kernel': { dtype: 'float32' } } },
    };
    const second = await inspectModel(
      fetchModelSource(`${BASE}model.json`, { fetch: fakeFetch({ ...files, 'model.json': JSON.stringify(json) }) }),
    );
    assert.ok(
      second.problems.some(
        (p) =>
          p.severity === 'warning' && p.code === 'contract/quantization-undeclared' && p.message.includes('conv/bias'),
      ),
    );
    assert.ok(!second.problems.some((p) => p.severity === 'error'));
  });

  it('warns about a model output that no head binds', () => {
    const output = (key: string, shape: (number | null)[], activation: string, index: number) => ({
      index,
      key,
      aliases: [],
      fetchName: key,
      shape,
      activation,
      producer: key,
    });
    const { bound, problems } = bindHeads(validateContract(testModelContract()), [
      output('earth', [null, 5], 'softmax', 0),
      output('heaven', [null, 1], 'sigmoid', 1),
      output('aux', [null, 3], 'linear', 2),
    ]);
    assert.equal(bound.length, 2);
    assert.deepEqual(
      problems.map((p) => `${p.severity}:${p.code}`),
      ['warning:contract/unbound-output'],
    );
  });
});
