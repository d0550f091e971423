import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { ColumnClassifierError, LoadError } from '../../src/errors.ts';
import { sha256Hex } from '../../src/model/integrity.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { fetchModelSource } from '../../src/model/source.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { fuzzRuns, jsonPaths, replaceAt, type Json } from '../fixtures/contract-arbitraries.ts';
import { FAKE_BASE, fakeFetch, type FakeFile } from '../fixtures/fake-fetch.ts';
import { removeTempDirs } from '../fixtures/temp-dirs.ts';
import { testModelFiles } from '../fixtures/test-models.ts';

after(removeTempDirs);

/** Loads served files; counts the outcome by code; fails on anything but a model or a ColumnClassifierError. */
class Loads {
  tried = 0;
  accepted = 0;
  readonly rejected = new Map<string, number>();

  async load(files: Record<string, FakeFile>): Promise<ColumnClassifierError | undefined> {
    this.tried++;
    const tensors = tf.memory().numTensors;
    try {
      const model = await loadClassifierModel(fetchModelSource(`${FAKE_BASE}model.json`, { fetch: fakeFetch(files) }));
      model.dispose();
      this.accepted++;
      return undefined;
    } catch (error) {
      assert.ok(
        error instanceof ColumnClassifierError,
        `threw ${error instanceof Error ? error.stack : String(error)}`,
      );
      this.rejected.set(error.code, (this.rejected.get(error.code) ?? 0) + 1);
      return error;
    } finally {
      assert.equal(tf.memory().numTensors, tensors, 'a load leaked tensors');
    }
  }

  toString(): string {
    const codes = [...this.rejected].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`);
    return `${this.tried} tried, ${this.accepted} accepted, ${this.tried - this.accepted} rejected: ${codes.join(', ')}`;
  }
}

/** Broken weight entries and paths: the field to break (under weightsManifest[0]) and values that break it. */
const BROKEN_FIELDS: readonly [field: string, values: readonly unknown[]][] = [
  ['dtype', ['string', 'float64', '', 5, null, undefined]],
  ['shape', [[-1], [1.5], ['3'], 'x', [2 ** 53], [1e6, 1e6, 1e6], null, undefined]],
  ['name', ['', 5, null, undefined]],
  [
    'quantization',
    [
      'x',
      5,
      [],
      { dtype: 'int4', min: 0, scale: 1 },
      { dtype: 'uint8' },
      { dtype: 'uint8', min: 0, scale: '1' },
      { dtype: 'uint16', min: null, scale: 1 },
      { dtype: 'float16', original_dtype: 'float64' },
    ],
  ],
];

describe('model.json fuzzing', () => {
  let modelJson: Json;
  let shard: Uint8Array;
  let weightCount: number;
  before(async () => {
    await useNodeBackend('cpu');
    const model = await testModelFiles();
    modelJson = JSON.parse(model.modelJson) as Json;
    shard = model.shard;
    weightCount = (modelJson['weightsManifest'] as { weights: unknown[] }[])[0]?.weights.length ?? 0;
  });

  it('loads every valid variation: the shard split in pieces under any inside names, unknown top-level keys', async (t) => {
    const loads = new Loads();
    const variation = fc.record({
      cuts: fc.uniqueArray(fc.integer({ min: 1, max: shard.byteLength - 1 }), { maxLength: 3 }),
      names: fc.uniqueArray(fc.stringMatching(/^(sub\/)?[a-z0-9_-]{1,10}\.bin$/), { minLength: 4, maxLength: 4 }),
      extra: fc.dictionary(fc.stringMatching(/^x[a-z]{0,6}$/), fc.jsonValue(), { maxKeys: 2 }),
    });
    await fc.assert(
      fc.asyncProperty(variation, async ({ cuts, names, extra }) => {
        const bounds = [0, ...cuts.sort((a, b) => a - b), shard.byteLength];
        const pieces = bounds.slice(1).map((end, i) => shard.slice(bounds[i], end));
        const paths = pieces.map((_, i) => names[i] as string);
        const json = structuredClone(modelJson);
        const group = (json['weightsManifest'] as Json[])[0] as Json;
        group['paths'] = paths;
        const contract = (json['userDefinedMetadata'] as { contract: Json }).contract;
        const hashes = await Promise.all(pieces.map((p) => sha256Hex(p)));
        contract['integrity'] = {
          algorithm: 'sha256',
          shards: Object.fromEntries(paths.map((p, i) => [p, hashes[i]])),
        };
        const files: Record<string, FakeFile> = { 'model.json': JSON.stringify({ ...extra, ...json }) };
        paths.forEach((p, i) => (files[p] = pieces[i] as Uint8Array));
        const error = await loads.load(files);
        assert.equal(error, undefined, error?.message);
      }),
      fuzzRuns(8, 300),
    );
    t.diagnostic(loads.toString());
  });

  it('refuses every broken weight entry or path with a LoadError naming the field', async (t) => {
    const loads = new Loads();
    const broken = fc.oneof(
      fc
        .tuple(fc.constantFrom(...BROKEN_FIELDS), fc.nat({ max: weightCount - 1 }))
        .chain(([[field, values], i]) => fc.constantFrom(...values).map((value) => ({ field, i, value }))),
      fc
        .constantFrom('../weights.bin', '//other.example/w.bin', '/weights.bin', 'http://other.example/w.bin', '', 5)
        .map((value) => ({ field: 'paths', i: -1, value })),
      fc.nat({ max: weightCount - 1 }).map((i) => ({ field: 'duplicate', i, value: undefined })),
    );
    await fc.assert(
      fc.asyncProperty(broken, async ({ field, i, value }) => {
        const json = structuredClone(modelJson);
        const group = (json['weightsManifest'] as Json[])[0] as { paths: unknown[]; weights: Json[] };
        let named: string;
        if (field === 'paths') {
          group.paths[0] = value;
          named = 'weightsManifest[0].paths[0]';
        } else if (field === 'duplicate') {
          group.weights.push({ ...group.weights[i] });
          named = `weightsManifest[0].weights[${group.weights.length - 1}].name`;
        } else {
          const entry = group.weights[i] as Json;
          if (value === undefined) delete entry[field];
          else entry[field] = value;
          named = `weightsManifest[0].weights[${i}].${field}`;
        }
        const error = await loads.load({ 'model.json': JSON.stringify(json), 'weights.bin': shard });
        assert.ok(error instanceof LoadError, `${named} = ${JSON.stringify(value)} was accepted`);
        assert.ok(error.message.includes(named), `"${error.message}" does not name ${named}`);
      }),
      fuzzRuns(60, 3000),
    );
    t.diagnostic(loads.toString());
  });

  // Each of these was a counterexample of the property below; each fails on the loader before its fix.
  const layer = (json: Json, i: number): Json =>
    ((json['modelTopology'] as { config: { layers: Json[] } }).config.layers[i] ?? {}) as Json;
  const refused = async (edit: (json: Json) => void, code: string, named?: string): Promise<void> => {
    const json = structuredClone(modelJson);
    edit(json);
    const error = await new Loads().load({ 'model.json': JSON.stringify(json), 'weights.bin': shard });
    assert.equal(error?.code, code, error?.message);
    if (named !== undefined) assert.ok(error.message.includes(named), error.message);
  };

  it('refuses an inbound node naming a layer that never exists, where TF.js would loop forever', async () => {
    await refused(
      (json) =>
        (((layer(json, 4)['inbound_nodes'] as unknown[][][])[0] as unknown[][])[0] as unknown[]).splice(0, 1, true),
      'load/unsupported-format',
      'modelTopology.config.layers[4].inbound_nodes[0]',
    );
  });

  it('refuses a layer that is an empty object with a typed error, not a TypeError', async () => {
    await refused(
      (json) => ((json['modelTopology'] as { config: { layers: Json[] } }).config.layers[0] = {}),
      'load/unsupported-format',
    );
  });

  it('leaves no tensor behind when TF.js fails half-way through building the layers', async () => {
    // A layer name TF.js cannot use as a variable name fails after the layers before it made their weights.
    await refused((json) => {
      const conv = layer(json, 2);
      (conv['config'] as Json)['name'] = { not: 'a name' };
    }, 'load/unsupported-format');
  });

  it('answers any JSON put anywhere in model.json, and any shard size, with a model or a typed error', async (t) => {
    const loads = new Loads();
    const anywhere = fc.oneof(
      fc
        .tuple(fc.constantFrom(...jsonPaths(modelJson)), fc.jsonValue({ maxDepth: 3 }))
        .map(([path, value]) => ({ text: JSON.stringify(replaceAt(modelJson, path, value)), bytes: shard })),
      fc.string().map((text) => ({ text, bytes: shard })),
      fc.nat({ max: 4000 }).map((cut) => ({ text: JSON.stringify(modelJson).slice(0, cut), bytes: shard })),
      fc.tuple(fc.nat({ max: shard.byteLength * 2 }), fc.uint8Array({ maxLength: 64 })).map(([length, tail]) => {
        const bytes = new Uint8Array(length);
        bytes.set(shard.subarray(0, Math.min(length, shard.byteLength)));
        bytes.set(tail.subarray(0, Math.max(0, length - shard.byteLength)), Math.min(length, shard.byteLength));
        return { text: JSON.stringify(modelJson), bytes };
      }),
    );
    await fc.assert(
      fc.asyncProperty(anywhere, async ({ text, bytes }) => {
        await loads.load({ 'model.json': text, 'weights.bin': bytes });
      }),
      fuzzRuns(60, 5000),
    );
    t.diagnostic(loads.toString());
  });
});
