/** A {@link ModelSource} on the local file system, for Node (reference pipeline, CLIs, tests). Never imported by the worker. */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LoadError } from '../errors.ts';
import type { ModelSource } from './source.ts';

function notFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}

/**
 * Reads a model from a directory or a model.json path.
 *
 * @param path - model.json, or a directory holding one
 */
export async function fileModelSource(path: string): Promise<ModelSource> {
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
  const dir = dirname(modelJsonPath);
  const read = async (file: string): Promise<Buffer> => {
    try {
      return await readFile(file);
    } catch (error) {
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
    async readModelJson() {
      return (await read(modelJsonPath)).toString('utf8');
    },
    async readBytes(file, onProgress) {
      const bytes = await read(join(dir, file));
      onProgress?.(bytes.byteLength, bytes.byteLength);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    async readOptionalText(file) {
      try {
        return (await readFile(join(dir, file))).toString('utf8');
      } catch (error) {
        if (notFound(error)) return undefined;
        throw error;
      }
    },
  };
}
