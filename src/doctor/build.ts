/**
 * Making sure `dist/` holds a build of the current sources before the doctor
 * serves it: each bundle's source map lists exactly the files it was built
 * from, so a bundle is stale when one of them is newer than it.
 */
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LoadError } from '../errors.ts';

/** The bundles the doctor page needs. */
export const DIST_BUNDLES = ['column-classifier.js', 'column-classifier.worker.js'] as const;

async function mtime(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Why `dist/` must be rebuilt, or undefined when it is current.
 *
 * @param root - the package root (holds esbuild.config.mjs and dist/)
 */
export async function distStaleness(root: string): Promise<string | undefined> {
  for (const bundle of DIST_BUNDLES) {
    const path = join(root, 'dist', bundle);
    const built = await mtime(path);
    if (built === undefined) return `dist/${bundle} does not exist`;
    let sources: string[];
    try {
      sources = (JSON.parse(await readFile(`${path}.map`, 'utf8')) as { sources?: string[] }).sources ?? [];
    } catch {
      return `dist/${bundle}.map is missing`;
    }
    for (const source of sources) {
      const file = resolve(dirname(path), source);
      const changed = await mtime(file);
      if (changed !== undefined && changed > built)
        return `${source.replace(/^(\.\.\/)+/, '')} changed after dist/${bundle} was built`;
    }
  }
  return undefined;
}

/**
 * Runs `npm run build`'s script when dist/ is stale; its output goes to stderr.
 *
 * @returns what was stale, or undefined when nothing was built
 * @throws {LoadError} `load/unsupported-format` when the build fails
 */
export async function ensureDist(root: string, log: (line: string) => void): Promise<string | undefined> {
  // An installed package ships dist/ without its sources or build script: there is nothing to rebuild.
  if ((await mtime(join(root, 'esbuild.config.mjs'))) === undefined) return undefined;
  const stale = await distStaleness(root);
  if (stale === undefined) return undefined;
  log(`building dist/ (${stale})`);
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(process.execPath, ['esbuild.config.mjs'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', fail);
    child.on('exit', done);
  });
  if (code !== 0)
    throw new LoadError(
      'load/unsupported-format',
      `doctor: building dist/ failed (node esbuild.config.mjs exited ${String(code)}); run \`npm run build\` to see why.`,
    );
  return stale;
}
