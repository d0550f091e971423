import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LoadError } from '../../src/errors.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import { fetchModelSource } from '../../src/model/source.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { testModelContract } from '../fixtures/contracts.ts';
import { rejectsWith } from '../fixtures/expect-error.ts';
import { FAKE_BASE, fakeFetch } from '../fixtures/fake-fetch.ts';
import { removeTempDirs, tempDir } from '../fixtures/temp-dirs.ts';
import { buildTestModel, saveModel, type SavedModel } from '../fixtures/test-models.ts';

after(removeTempDirs);

/** Paths that leave the model's folder (https://models.example/cc/) or origin, each spelled as a hostile model.json might. */
const OUTSIDE = [
  'http://other.example/weights.bin',
  'https://other.example/cc/weights.bin',
  '//other.example/cc/weights.bin',
  '/weights.bin',
  '/cc/weights.bin',
  '../weights.bin',
  '../../secret/secret.bin',
  'sub/../../weights.bin',
  '%2e%2e/weights.bin',
  '..\\weights.bin',
  'sub%2f..%2f..%2fweights.bin',
  'https://user@models.example/cc/weights.bin',
  'data:application/octet-stream;base64,AAAA',
  // The URL parser drops tabs, newlines and leading spaces: the check must judge what it parses.
  ' \t//other.example/cc/weights.bin',
  'ht\ntp://other.example/cc/weights.bin',
  'C:\\weights.bin',
];

describe('paths model.json names stay in its folder', () => {
  let saved: SavedModel;
  before(async () => {
    await useNodeBackend('wasm');
    saved = await saveModel(buildTestModel());
  });

  /** model.json with the test contract (no integrity: the paths vary) and these shard paths. */
  const modelJson = (paths: string[], contract: Record<string, unknown> = { ...testModelContract() }): string =>
    JSON.stringify({
      ...saved.modelJson,
      weightsManifest: [{ paths, weights: (saved.modelJson['weightsManifest'] as { weights: unknown }[])[0]?.weights }],
      userDefinedMetadata: { contract },
    });

  /** Serves the shard under every URL a path in OUTSIDE resolves to, so only the check can refuse it. */
  const everywhere = (): Record<string, Uint8Array> =>
    Object.fromEntries(OUTSIDE.map((p) => [new URL(p, `${FAKE_BASE}model.json`).href, saved.shard]));

  it('refuses each weightsManifest path outside the folder or origin with load/path-outside-model, before any request', async () => {
    for (const path of OUTSIDE) {
      const requests: string[] = [];
      const source = fetchModelSource(`${FAKE_BASE}model.json`, {
        fetch: fakeFetch(
          { 'model.json': modelJson(['weights.bin', path]), 'weights.bin': saved.shard },
          {
            requests,
            elsewhere: everywhere(),
          },
        ),
      });
      const error = await rejectsWith(loadClassifierModel(source), LoadError, 'load/path-outside-model');
      assert.match(error.message, /weightsManifest\[0\]\.paths\[1\]/, path);
      assert.match(error.message, /allowPathsOutsideFolder/, path);
      // Not even the first, harmless shard: a model with one bad path is refused whole.
      assert.deepEqual(requests, [`${FAKE_BASE}model.json`], path);
    }
  });

  it('refuses a golden image path outside the folder before any shard is requested', async () => {
    const contract = {
      ...testModelContract(),
      golden: {
        tolerance: 1e-3,
        cases: [
          { input: { kind: 'png', path: '../../secret/frame.png' }, expected: { heaven: [0], earth: [0, 0, 0, 0, 0] } },
        ],
      },
    };
    const requests: string[] = [];
    const source = fetchModelSource(`${FAKE_BASE}model.json`, {
      fetch: fakeFetch(
        { 'model.json': modelJson(['weights.bin'], contract), 'weights.bin': saved.shard },
        { requests },
      ),
    });
    const error = await rejectsWith(loadClassifierModel(source), LoadError, 'load/path-outside-model');
    assert.match(error.message, /golden\.cases\[0\]\.input\.path/);
    assert.deepEqual(requests, [`${FAKE_BASE}model.json`]);
  });

  it('reads paths that stay in the folder, however they are spelled', async () => {
    for (const path of ['weights.bin', './weights.bin', 'sub/../weights.bin', 'w%20eights.bin']) {
      const url = new URL(path, `${FAKE_BASE}model.json`).href;
      const source = fetchModelSource(`${FAKE_BASE}model.json`, {
        fetch: fakeFetch({ 'model.json': modelJson([path]) }, { elsewhere: { [url]: saved.shard } }),
      });
      const model = await loadClassifierModel(source);
      model.dispose();
    }
  });

  it('reads a shard on another origin when allowPathsOutsideFolder is set', async () => {
    const requests: string[] = [];
    const source = fetchModelSource(`${FAKE_BASE}model.json`, {
      allowPathsOutsideFolder: true,
      fetch: fakeFetch(
        { 'model.json': modelJson(['https://cdn.example/weights.bin']) },
        { requests, elsewhere: { 'https://cdn.example/weights.bin': saved.shard } },
      ),
    });
    const model = await loadClassifierModel(source);
    assert.deepEqual(requests, [`${FAKE_BASE}model.json`, 'https://cdn.example/weights.bin']);
    model.dispose();
  });

  it('refuses the same paths from the file system, through the same check', async () => {
    const root = await tempDir('cc-paths-');
    const dir = join(root, 'models', 'cc');
    await mkdir(join(root, 'secret'), { recursive: true });
    await mkdir(dir, { recursive: true });
    // The shard really exists where the climbing paths lead: only the check can refuse them.
    for (const at of [
      join(root, 'models', 'weights.bin'),
      join(root, 'secret', 'secret.bin'),
      join(dir, 'weights.bin'),
    ])
      await writeFile(at, saved.shard);
    for (const path of OUTSIDE) {
      await writeFile(join(dir, 'model.json'), modelJson([path]));
      const error = await rejectsWith(
        loadClassifierModel(await fileModelSource(dir)),
        LoadError,
        'load/path-outside-model',
      );
      assert.match(error.message, /weightsManifest\[0\]\.paths\[0\]/, path);
    }
    await writeFile(join(dir, 'model.json'), modelJson(['../weights.bin']));
    const model = await loadClassifierModel(await fileModelSource(dir, { allowPathsOutsideFolder: true }));
    model.dispose();
  });
});
