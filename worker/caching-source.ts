import { checkLimit } from '../src/model/bounded-read.ts';
import type { ModelSource, ReadOptions } from '../src/model/source.ts';

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
    locate: (path, field) => inner.locate(path, field),
    readModelJson(options?: ReadOptions) {
      modelJson ??= inner.readModelJson(options);
      modelJson.catch(() => {
        modelJson = undefined;
      });
      return modelJson;
    },
    readBytes(path: string, options: ReadOptions = {}) {
      const cached = bytes.get(path);
      if (cached !== undefined) {
        return cached.then((b) => {
          // The bytes were read under the first caller's limit; this caller's may be tighter.
          checkLimit(b.byteLength, options.limit);
          options.onProgress?.(b.byteLength, b.byteLength);
          return b;
        });
      }
      const read = inner.readBytes(path, options).then((b) => {
        fetched += b.byteLength;
        return b;
      });
      return forget(bytes, path, read);
    },
    readOptionalText(path: string, options?: ReadOptions) {
      return texts.get(path) ?? forget(texts, path, inner.readOptionalText(path, options));
    },
    fetchedBytes: () => fetched,
  };
}
