/**
 * Accepted fine-tuned models in IndexedDB, and a {@link ModelSource} over one, so the loader verifies a stored model
 * exactly as it verifies a fetched one (contract, shard hashes, golden self-check on the backend).
 */
import { LoadError } from '../errors.ts';
import { checkLimit, type ReadOptions } from '../model/bounded-read.ts';
import { sha256Hex } from '../model/integrity.ts';
import type { ModelSource } from '../model/source.ts';
import { storedModelKey, withDatabase, type StoredModel } from './database.ts';

export type { StoredModel };

/** The set's fine-tuned model made from `baseUrl`, if one was accepted. */
export async function findStoredModel(set: string, baseUrl: string): Promise<StoredModel | undefined> {
  return withDatabase('looking for a fine-tuned model', (db) => db.get('models', storedModelKey(set, baseUrl)));
}

/** sha256 of a model's model.json text: which version of the model at a URL a fine-tuned model was made from. */
export async function modelJsonSha256(source: ModelSource, options: ReadOptions = {}): Promise<string> {
  return sha256Hex(new TextEncoder().encode(await source.readModelJson(options)));
}

/** Stores an accepted fine-tuned model, replacing the set's earlier one for the same base model. */
export async function putStoredModel(model: StoredModel): Promise<void> {
  await withDatabase('storing the fine-tuned model', (db) => db.put('models', model));
}

/** Removes the set's fine-tuned models (all base models); returns how many there were. */
export async function deleteStoredModels(set: string): Promise<number> {
  return withDatabase('removing fine-tuned models', async (db) => {
    const tx = db.transaction('models', 'readwrite');
    let removed = 0;
    for (const model of await tx.store.getAll())
      if (model.set === set) {
        await tx.store.delete(model.key);
        removed++;
      }
    await tx.done;
    return removed;
  });
}

/** A model source reading a stored model's files: no network, the same checks as any source. */
export function storedModelSource(model: StoredModel): ModelSource {
  return memoryModelSource(
    model,
    `fine-tuned model of sample set "${model.set}" (from ${model.baseUrl}, ${model.createdAt})`,
    'reset the model and fine-tune again',
  );
}

/** A model source over model.json and its files in memory (`remedy`: what to do when a file is missing). */
export function memoryModelSource(
  model: { readonly modelJson: string; readonly files: Readonly<Record<string, Uint8Array>> },
  description: string,
  remedy: string,
): ModelSource {
  const file = (path: string): Uint8Array => {
    const bytes = model.files[path];
    if (bytes === undefined) throw new LoadError('load/http', `The ${description} has no file ${path}; ${remedy}.`);
    return bytes;
  };
  return {
    description,
    locate: (path) => `indexeddb:${path}`,
    async readModelJson(options = {}) {
      checkLimit(model.modelJson.length, options.limit);
      return model.modelJson;
    },
    async readBytes(path, options = {}) {
      const bytes = file(path);
      checkLimit(bytes.byteLength, options.limit);
      options.onProgress?.(bytes.byteLength, bytes.byteLength);
      return bytes;
    },
    async readOptionalText(path) {
      const bytes = model.files[path];
      return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
    },
  };
}
