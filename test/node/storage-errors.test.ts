import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StorageError } from '../../src/errors.ts';
import { storageWork } from '../../src/fine-tune/database.ts';
import { deleteStoredModels, findStoredModel } from '../../src/fine-tune/model-store.ts';
import { SampleStore } from '../../src/fine-tune/sample-store.ts';

/** The rejection of `promise` (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

describe('IndexedDB failures are typed', () => {
  it('says storage is unavailable where there is no IndexedDB (Node), for samples and models alike', async () => {
    assert.equal(typeof indexedDB, 'undefined', 'this test needs a context without IndexedDB');
    const store = new SampleStore('set', 100);
    for (const call of [
      store.all(),
      store.clear(),
      findStoredModel('set', 'https://x/model.json'),
      deleteStoredModels('set'),
    ]) {
      const error = await rejection(call);
      assert.ok(error instanceof StorageError, String(error));
      assert.equal(error.code, 'storage/unavailable');
      assert.match(error.message, /IndexedDB/);
    }
  });

  it('opens again after a failed open rather than keeping the failure', async () => {
    const store = new SampleStore('set', 100);
    // A context whose IndexedDB refuses to open (storage blocked for the site) …
    const blocked = {
      open: () => {
        throw Object.assign(new Error('The operation is insecure.'), { name: 'SecurityError' });
      },
    };
    Object.defineProperty(globalThis, 'indexedDB', { value: blocked, configurable: true });
    let first: unknown;
    try {
      first = await rejection(store.all());
    } finally {
      Reflect.deleteProperty(globalThis, 'indexedDB');
    }
    assert.ok(first instanceof StorageError);
    assert.match(first.message, /could not be opened \(SecurityError/);
    // … then a change: the next call opens again, and meets the context as it is now.
    const second = await rejection(store.all());
    assert.ok(second instanceof StorageError);
    assert.match(second.message, /This context has no IndexedDB/);
  });

  it("turns the browser's failure into storage/failed, saying what was being done, and lets typed errors through", async () => {
    const quota = Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' });
    const error = await rejection(storageWork('adding a sample', () => Promise.reject(quota)));
    assert.ok(error instanceof StorageError);
    assert.equal(error.code, 'storage/failed');
    assert.match(error.message, /while adding a sample: QuotaExceededError/);
    assert.equal(error.cause, quota);
    const typed = new StorageError('storage/unavailable', 'no');
    assert.equal(await rejection(storageWork('x', () => Promise.reject(typed))), typed);
  });
});
