// Serves module-worker entries (`*.worker.ts`) bundled by esbuild, as the
// build does. TF.js's ESM build imports CommonJS packages (long, seedrandom)
// that a browser cannot import unbundled, and bundling also spares a worker
// start the hundreds of requests of an unbundled TF.js.
import * as esbuild from 'esbuild';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join, relative, sep } from 'node:path';
import { tfjsSubsetPlugin } from './tfjs-subset-plugin.mjs';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * The folder beside the worker that holds the code it imports only when needed (the WebGL and cpu backends, the
 * graph-model runtime, the zip writer, the stream reading) and the code it shares with them. A folder, so that apps copy it whole
 * (src/bundlers/index.ts).
 */
export const WORKER_CHUNKS_DIR = 'column-classifier-chunks';

/** esbuild options shared by the dev-server plugin and the production build for worker bundles. */
export const workerBuildOptions = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  tsconfig: join(projectRoot, 'tsconfig.json'),
  plugins: [tfjsSubsetPlugin],
  // A dynamic import becomes a chunk of its own, fetched only when it runs.
  splitting: true,
  chunkNames: `${WORKER_CHUNKS_DIR}/[name]-[hash]`,
};

/**
 * The fine-tune worker's build: all of TF.js (its gradients and training kernels), since it trains; it is loaded
 * only when a page fine-tunes, so its size is not paid before the first reading. One file: it never uses WebGL.
 */
export const fineTuneWorkerBuildOptions = { ...workerBuildOptions, plugins: [], splitting: false };

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
  // The chunks of the bundles built so far, by the path they are requested at (beside their worker).
  const chunks = new Map();
  return {
    name: 'worker-bundle',
    async serve(context) {
      if (chunks.has(context.path)) return { body: chunks.get(context.path), type: 'js' };
      if (!context.path.endsWith('.worker.ts')) return undefined;
      const entry = join(rootDir, context.path);
      const cached = cache.get(entry);
      if (cached !== undefined) {
        const times = await modifiedTimes(cached.inputs);
        if (times.every((time, i) => time === cached.times[i])) return { body: cached.body, type: 'js' };
      }
      const outdir = dirname(entry);
      const result = await esbuild.build({
        ...workerOptionsFor(entry),
        entryPoints: [entry],
        outdir,
        write: false,
        sourcemap: 'inline',
        metafile: true,
        logLevel: 'silent',
      });
      const inputs = Object.keys(result.metafile.inputs);
      const entryOutput = join(outdir, `${basename(entry, '.ts')}.js`);
      let body;
      for (const file of result.outputFiles) {
        if (file.path === entryOutput) body = file.text;
        else chunks.set(`${dirname(context.path)}/${relative(outdir, file.path).split(sep).join('/')}`, file.text);
      }
      cache.set(entry, { body, inputs, times: await modifiedTimes(inputs) });
      return { body, type: 'js' };
    },
  };
}
