import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContractError } from '../../src/errors.ts';
import { sha256Hex } from '../../src/model/integrity.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { sealModel } from '../../src/reference/seal.ts';
import { removeTempDirs, tempDir } from '../fixtures/temp-dirs.ts';
import { testModelContract } from '../fixtures/contracts.ts';
import { rejectsWith } from '../fixtures/expect-error.ts';
import { buildTestModel, saveModel, writeModel } from '../fixtures/test-models.ts';

after(removeTempDirs);

describe('sealing a model with its contract', () => {
  before(async () => {
    await useNodeBackend('wasm');
  });

  it('embeds the contract with the real shard sha256, and the sealed model loads with verified shards', async () => {
    const saved = await saveModel(buildTestModel());
    const { dir } = await writeModel(saved, undefined, 'none');
    await sealModel(dir, testModelContract());
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as {
      userDefinedMetadata: { contract: { integrity: { shards: Record<string, string> } } };
    };
    assert.equal(json.userDefinedMetadata.contract.integrity.shards['weights.bin'], await sha256Hex(saved.shard));
    const model = await loadClassifierModel(await fileModelSource(dir));
    assert.equal(model.inspection.contractOrigin, 'embedded');
    assert.deepEqual(
      model.inspection.shards.map((s) => s.status),
      ['ok'],
    );
    model.dispose();
  });

  it('refuses to seal a contract the loader would refuse, and writes nothing', async () => {
    const { dir } = await writeModel(await saveModel(buildTestModel()), undefined, 'none');
    const before = await readFile(join(dir, 'model.json'), 'utf8');
    const contract = testModelContract();
    contract.input.inputRange = { min: 0, max: 1 };
    contract.modelInternals.normalization = { kind: 'none' };
    await rejectsWith(sealModel(dir, contract), ContractError, 'contract/double-normalization');
    assert.equal(await readFile(join(dir, 'model.json'), 'utf8'), before);
  });
});
