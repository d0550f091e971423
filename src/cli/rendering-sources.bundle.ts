/**
 * The cache key of rendered crops in the compiled CLI (`dist/cli/`): the
 * renderer and the recipes are compiled into its files, so they are the key.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A hash of every compiled file of the CLI: a new renderer or recipe never reuses a cached set. */
export async function renderingSourcesHash(): Promise<string> {
  const hash = createHash('sha256');
  const dir = fileURLToPath(new URL('./', import.meta.url));
  const files = (await readdir(dir)).filter((f) => f.endsWith('.js')).sort();
  for (const file of files) hash.update(await readFile(join(dir, file)));
  return hash.digest('hex');
}
