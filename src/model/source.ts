/**
 * Where a model's files come from. The loader only asks a {@link ModelSource}
 * for paths relative to model.json, so the same loader runs on `fetch` in the
 * browser worker and on the file system in Node (`node-file-source.ts`).
 */
import { LoadError } from '../errors.ts';
import { readBoundedBody, type ReadOptions } from './bounded-read.ts';
import { resolveModelPath } from './model-path.ts';

export type { ByteLimit, ByteProgress, ReadOptions } from './bounded-read.ts';

/** Reads the files of one model. Paths are relative to the directory of model.json. */
export interface ModelSource {
  /** Human-readable location of model.json, for messages. */
  readonly description: string;
  /**
   * Where a path model.json names leads (a URL or a file path), without reading it. Every read
   * goes through it, and the loader calls it on every path before the first read.
   *
   * @param field - the field that names the path, for messages (e.g. `weightsManifest[0].paths[1]`)
   * @throws {LoadError} `load/path-outside-model` when the path leaves model.json's folder and the
   *   source was not made with `allowPathsOutsideFolder`
   */
  locate(path: string, field?: string): string;
  /** The text of model.json. */
  readModelJson(options?: ReadOptions): Promise<string>;
  /** The bytes of a file beside model.json; rejects with `load/http` (not found), `load/network` or the limit's error. */
  readBytes(path: string, options?: ReadOptions): Promise<Uint8Array>;
  /** The text of a file beside model.json, or undefined when it does not exist. */
  readOptionalText(path: string, options?: ReadOptions): Promise<string | undefined>;
}

/** Options of {@link fetchModelSource}. */
export interface FetchSourceOptions {
  /** The fetch to use (default: the global one); tests pass a fake. */
  readonly fetch?: typeof fetch;
  /** Request options added to every request (credentials, headers). */
  readonly requestInit?: RequestInit;
  /** Let model.json name files on other origins or outside its folder (see `model-path.ts`). Default false. */
  readonly allowPathsOutsideFolder?: boolean;
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

async function readText(response: Response, url: string, options: ReadOptions): Promise<string> {
  return new TextDecoder().decode(await readBoundedBody(response, url, options));
}

/**
 * A {@link ModelSource} reading over HTTP(S) with `fetch`, resolving shard and
 * sidecar paths against the model.json URL.
 *
 * @param modelUrl - absolute URL of model.json
 */
export function fetchModelSource(modelUrl: string, options: FetchSourceOptions = {}): ModelSource {
  const fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
  const allowPathsOutsideFolder = options.allowPathsOutsideFolder ?? false;
  const init = (signal: AbortSignal | undefined): RequestInit => ({
    ...options.requestInit,
    ...(signal === undefined ? {} : { signal }),
  });
  const locate = (path: string, field?: string): string =>
    resolveModelPath(modelUrl, path, { allowPathsOutsideFolder, ...(field === undefined ? {} : { field }) }).href;
  return {
    description: modelUrl,
    locate,
    async readModelJson(read = {}) {
      const response = await fetchOrThrow(fetcher, modelUrl, init(read.signal));
      if (!response.ok)
        throw new LoadError('load/http', `Fetching ${modelUrl} answered HTTP ${response.status}; check the model URL.`);
      return readText(response, modelUrl, read);
    },
    async readBytes(path, read = {}) {
      const url = locate(path);
      const response = await fetchOrThrow(fetcher, url, init(read.signal));
      if (!response.ok)
        throw new LoadError(
          'load/http',
          `Fetching weight shard ${url} answered HTTP ${response.status}; the shard must sit beside model.json under the path its weightsManifest lists.`,
        );
      return readBoundedBody(response, url, read);
    },
    async readOptionalText(path, read = {}) {
      const url = locate(path);
      const response = await fetchOrThrow(fetcher, url, init(read.signal));
      if (response.status === 404) return undefined;
      if (!response.ok) throw new LoadError('load/http', `Fetching ${url} answered HTTP ${response.status}.`);
      return readText(response, url, read);
    },
  };
}
