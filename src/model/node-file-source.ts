/** A {@link ModelSource} on the local file system, for Node (reference pipeline, CLIs, tests). Never imported by the worker. */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LoadError } from '../errors.ts';
import { checkLimit, type ReadOptions } from './bounded-read.ts';
import { resolveModelPath, type ModelPathOptions } from './model-path.ts';
import type { ModelSource } from './source.ts';

function notFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}

/** Options of {@link fileModelSource}. */
export type FileSourceOptions = Pick<ModelPathOptions, 'allowPathsOutsideFolder'>;

/**
 * Reads a model from a directory or a model.json path.
 *
 * @param path - model.json, or a directory holding one
 */
export async function fileModelSource(path: string, options: FileSourceOptions = {}): Promise<ModelSource> {
  let modelJsonPath = resolve(path);
  try {
    if ((await stat(modelJsonPath)).isDirectory()) modelJsonPath = join(modelJsonPath, 'model.json');
  } catch (error) {
    if (notFound(error))
      throw new LoadError(
        'load/http',
        `No model at ${path}: the file does not exist. Give a model.json path or its directory.`,
        { cause: error },
      );
    throw error;
  }
  // Paths resolve as URLs, as in the browser: one model.json names the same files in both, through the same check.
  const modelUrl = pathToFileURL(modelJsonPath);
  const allowPathsOutsideFolder = options.allowPathsOutsideFolder ?? false;
  const locate = (file: string, field?: string): string => {
    const url = resolveModelPath(modelUrl, file, {
      allowPathsOutsideFolder,
      ...(field === undefined ? {} : { field }),
    });
    try {
      return fileURLToPath(url);
    } catch (error) {
      throw new LoadError(
        'load/path-outside-model',
        `${field ?? 'The path'} ("${file}") leads to ${url.href}, which is no local file; name a file beside model.json.`,
        { cause: error, details: { path: file } },
      );
    }
  };
  const read = async (file: string, options: ReadOptions): Promise<Buffer> => {
    try {
      // A file larger than its limit is refused before it is read.
      if (options.limit !== undefined) checkLimit((await stat(file)).size, options.limit);
      const bytes = await readFile(file, options.signal === undefined ? {} : { signal: options.signal });
      checkLimit(bytes.byteLength, options.limit);
      return bytes;
    } catch (error) {
      if (error instanceof LoadError) throw error;
      if (options.signal?.aborted === true)
        throw new LoadError('load/aborted', `Reading ${file} was aborted.`, { cause: error });
      if (notFound(error))
        throw new LoadError(
          'load/http',
          `${file} does not exist; it must sit beside model.json under the path model.json lists.`,
          { cause: error },
        );
      throw new LoadError('load/network', `Could not read ${file}: ${String(error)}.`, { cause: error });
    }
  };
  return {
    description: modelJsonPath,
    locate,
    async readModelJson(options = {}) {
      return (await read(modelJsonPath, options)).toString('utf8');
    },
    async readBytes(file, options = {}) {
      const bytes = await read(locate(file), options);
      options.onProgress?.(bytes.byteLength, bytes.byteLength);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    async readOptionalText(file, options = {}) {
      const at = locate(file);
      try {
        return (await read(at, options)).toString('utf8');
      } catch (error) {
        if (error instanceof LoadError && error.code === 'load/http') return undefined;
        throw error;
      }
    },
  };
}
