/**
 * The cache key of rendered crops when the CLI runs from the sources: the
 * renderer and the dataset recipe files. The compiled CLI swaps this module for
 * `rendering-sources.bundle.ts`.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The sources a rendered crop depends on (renderer, dataset recipe): a change to any of them must not reuse a cached set. */
export async function renderingSourcesHash(): Promise<string> {
  const hash = createHash('sha256');
  const renderers = [
    fileURLToPath(new URL('../render/', import.meta.url)),
    fileURLToPath(new URL('../render3d/', import.meta.url)),
  ];
  const training = fileURLToPath(new URL('../../models/training/', import.meta.url));
  const rendererFiles = (
    await Promise.all(
      renderers.map(async (dir) => (await readdir(dir)).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f))),
    )
  ).flat();
  const files = [
    ...rendererFiles,
    join(training, 'dataset.ts'),
    join(training, 'config.ts'),
    join(training, 'localizer', 'samples.ts'),
    join(training, 'localizer', 'config.ts'),
  ];
  for (const file of files.sort()) hash.update(await readFile(file));
  return hash.digest('hex');
}
