import { expect } from '@esm-bundle/chai';
import { ClassifierClient } from '../../src/worker-api/classifier-client.ts';
import { ColumnClassifierError, ContractError, DisposedError, LoadError } from '../../src/errors.ts';
import { FIXTURE_DIR_URL, FIXTURE_MODEL_URL, rejection } from './helpers.ts';

/** Starting on a model that cannot load must reject with the worker's error, same class and code. */
async function startError(modelUrl: string): Promise<ColumnClassifierError> {
  const error = await rejection(ClassifierClient.create({ modelUrl, backends: ['cpu'] }));
  expect(error).to.be.instanceOf(ColumnClassifierError);
  return error as ColumnClassifierError;
}

describe('errors thrown in the worker arrive as the same class with the same code', function () {
  it('a 404 model is a LoadError load/http', async function () {
    const error = await startError(new URL('browser-model-missing/model.json', FIXTURE_DIR_URL).href);
    expect(error).to.be.instanceOf(LoadError);
    expect(error.code).to.equal('load/http');
    expect(error.message).to.match(/404|not found/i);
  });

  it('corrupt model.json is a LoadError load/bad-json', async function () {
    const error = await startError(new URL('browser-model-corrupt/model.json', FIXTURE_DIR_URL).href);
    expect(error).to.be.instanceOf(LoadError);
    expect(error.code).to.equal('load/bad-json');
  });

  it('a shard whose sha256 differs from the contract is a LoadError load/integrity', async function () {
    const error = await startError(new URL('browser-model-bad-hash/model.json', FIXTURE_DIR_URL).href);
    expect(error).to.be.instanceOf(LoadError);
    expect(error.code).to.equal('load/integrity');
  });

  it('a model without a contract is a ContractError', async function () {
    const error = await startError(new URL('browser-model-no-contract/model.json', FIXTURE_DIR_URL).href);
    expect(error).to.be.instanceOf(ContractError);
    expect(error.code).to.match(/^contract\//);
  });

  it('an aborted start is a LoadError load/aborted', async function () {
    const abort = new AbortController();
    const started = ClassifierClient.create({ modelUrl: FIXTURE_MODEL_URL, backends: ['cpu'], signal: abort.signal });
    abort.abort();
    const error = await rejection(started);
    expect(error).to.be.instanceOf(LoadError);
    expect((error as LoadError).code).to.equal('load/aborted');
  });

  it('a disposed client rejects with a DisposedError', async function () {
    const client = await ClassifierClient.create({ modelUrl: FIXTURE_MODEL_URL, backends: ['cpu'] });
    client.dispose();
    client.dispose();
    const error = await rejection(client.memory());
    expect(error).to.be.instanceOf(DisposedError);
  });
});
