// Serves module-worker entries (`*.worker.ts`) bundled by esbuild, as the
// build does. TF.js's ESM build imports CommonJS packages (long, seedrandom)
// that a browser cannot import unbundled, and bundling also spares a worker
// start the hundreds of requests of an unbundled TF.js.
import * as esbuild from 'esbuild';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tfjsSubsetPlugin } from './tfjs-subset-plugin.mjs';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** esbuild options shared by the dev-server plugin and the production build for worker bundles. */
export const workerBuildOptions = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  tsconfig: join(projectRoot, 'tsconfig.json'),
  plugins: [tfjsSubsetPlugin],
};

/**
 * The fine-tune worker's build: all of TF.js (its gradients and training kernels), since it trains; it is loaded
 * only when a page fine-tunes, so its size is not paid before the first reading.
 */
export const fineTuneWorkerBuildOptions = { ...workerBuildOptions, plugins: [] };

/** The build options of a worker entry. */
export function workerOptionsFor(entry) {
  return entry.endsWith('fine-tune.worker.ts') ? fineTuneWorkerBuildOptions : workerBuildOptions;
}

async function modifiedTimes(files) {
  return Promise.all(
    files.map((file) =>
      stat(join(projectRoot, file)).then(
        (s) => s.mtimeMs,
        () => -1,
      ),
    ),
  );
}

export function workerBundlePlugin({ rootDir }) {
  // Tests start dozens of workers per engine: bundle once, again only when an input file changed.
  const cache = new Map();
  return {
    name: 'worker-bundle',
    async serve(context) {
      if (!context.path.endsWith('.worker.ts')) return undefined;
      const entry = join(rootDir, context.path);
      const cached = cache.get(entry);
      if (cached !== undefined) {
        const times = await modifiedTimes(cached.inputs);
        if (times.every((time, i) => time === cached.times[i])) return { body: cached.body, type: 'js' };
      }
      const result = await esbuild.build({
        ...workerOptionsFor(entry),
        entryPoints: [entry],
        write: false,
        sourcemap: 'inline',
        metafile: true,
        logLevel: 'silent',
      });
      const inputs = Object.keys(result.metafile.inputs);
      const body = result.outputFiles[0].text;
      cache.set(entry, { body, inputs, times: await modifiedTimes(inputs) });
      return { body, type: 'js' };
    },
  };
}
