/**
 * Where a model's files come from. The loader only asks a {@link ModelSource}
 * for paths relative to model.json, so the same loader runs on `fetch` in the
 * browser worker and on the file system in Node (`node-file-source.ts`).
 */
import { LoadError } from '../errors.ts';

/** Called as bytes arrive: `loaded` so far out of `total` (total may be unknown). */
export type ByteProgress = (loaded: number, total: number | undefined) => void;

/** Reads the files of one model. Paths are relative to the directory of model.json. */
export interface ModelSource {
  /** Human-readable location of model.json, for messages. */
  readonly description: string;
  /** The text of model.json. */
  readModelJson(signal?: AbortSignal): Promise<string>;
  /** The bytes of a file beside model.json; rejects with `load/http` (not found) or `load/network`. */
  readBytes(path: string, onProgress?: ByteProgress, signal?: AbortSignal): Promise<Uint8Array>;
  /** The text of a file beside model.json, or undefined when it does not exist. */
  readOptionalText(path: string, signal?: AbortSignal): Promise<string | undefined>;
}

/** Options of {@link fetchModelSource}. */
export interface FetchSourceOptions {
  /** The fetch to use (default: the global one); tests pass a fake. */
  readonly fetch?: typeof fetch;
  /** Request options added to every request (credentials, headers). */
  readonly requestInit?: RequestInit;
}

async function fetchOrThrow(fetcher: typeof fetch, url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetcher(url, init);
  } catch (error) {
    if (init.signal?.aborted === true)
      throw new LoadError('load/aborted', `Loading ${url} was aborted.`, { cause: error });
    throw new LoadError(
      'load/network',
      `Could not fetch ${url}: ${String(error)}. Check the URL and the network (and CORS headers when it is on another origin).`,
      { cause: error },
    );
  }
  return response;
}

async function readBody(response: Response, url: string, onProgress: ByteProgress | undefined): Promise<Uint8Array> {
  const header = response.headers.get('content-length');
  const total = header === null ? undefined : Number(header);
  if (response.body === null || onProgress === undefined) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress?.(bytes.byteLength, total);
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress(loaded, total);
  }
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  if (total !== undefined && loaded !== total) {
    throw new LoadError(
      'load/truncated',
      `${url} announced ${total} bytes but ${loaded} arrived; the download was cut, retry.`,
    );
  }
  return bytes;
}

/**
 * A {@link ModelSource} reading over HTTP(S) with `fetch`, resolving shard and
 * sidecar paths against the model.json URL.
 *
 * @param modelUrl - absolute URL of model.json
 */
export function fetchModelSource(modelUrl: string, options: FetchSourceOptions = {}): ModelSource {
  const fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
  const resolve = (path: string): string => new URL(path, modelUrl).href;
  const init = (signal: AbortSignal | undefined): RequestInit => ({
    ...options.requestInit,
    ...(signal === undefined ? {} : { signal }),
  });
  return {
    description: modelUrl,
    async readModelJson(signal) {
      const response = await fetchOrThrow(fetcher, modelUrl, init(signal));
      if (!response.ok)
        throw new LoadError('load/http', `Fetching ${modelUrl} answered HTTP ${response.status}; check the model URL.`);
      return response.text();
    },
    async readBytes(path, onProgress, signal) {
      const url = resolve(path);
      const response = await fetchOrThrow(fetcher, url, init(signal));
      if (!response.ok)
        throw new LoadError(
          'load/http',
          `Fetching weight shard ${url} answered HTTP ${response.status}; the shard must sit beside model.json under the path its weightsManifest lists.`,
        );
      return readBody(response, url, onProgress);
    },
    async readOptionalText(path, signal) {
      const url = resolve(path);
      const response = await fetchOrThrow(fetcher, url, init(signal));
      if (response.status === 404) return undefined;
      if (!response.ok) throw new LoadError('load/http', `Fetching ${url} answered HTTP ${response.status}.`);
      return response.text();
    },
  };
}
