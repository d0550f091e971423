import type { ByteProgress, ModelSource } from '../src/model/source.ts';

/**
 * Wraps a model source so that each file is fetched once: trying the next
 * backend, or rebuilding after a lost WebGL context, reuses the bytes already
 * fetched instead of downloading the model again.
 */
export function cachingSource(inner: ModelSource): ModelSource & { readonly fetchedBytes: () => number } {
  let modelJson: Promise<string> | undefined;
  const bytes = new Map<string, Promise<Uint8Array>>();
  const texts = new Map<string, Promise<string | undefined>>();
  let fetched = 0;
  const forget = <T>(map: Map<string, Promise<T>>, key: string, promise: Promise<T>): Promise<T> => {
    // A failed or aborted read is not cached: the next attempt reads again.
    promise.catch(() => map.delete(key));
    map.set(key, promise);
    return promise;
  };
  return {
    description: inner.description,
    readModelJson(signal?: AbortSignal) {
      modelJson ??= inner.readModelJson(signal);
      modelJson.catch(() => {
        modelJson = undefined;
      });
      return modelJson;
    },
    readBytes(path: string, onProgress?: ByteProgress, signal?: AbortSignal) {
      const cached = bytes.get(path);
      if (cached !== undefined) {
        return cached.then((b) => {
          onProgress?.(b.byteLength, b.byteLength);
          return b;
        });
      }
      const read = inner.readBytes(path, onProgress, signal).then((b) => {
        fetched += b.byteLength;
        return b;
      });
      return forget(bytes, path, read);
    },
    readOptionalText(path: string, signal?: AbortSignal) {
      return texts.get(path) ?? forget(texts, path, inner.readOptionalText(path, signal));
    },
    fetchedBytes: () => fetched,
  };
}
