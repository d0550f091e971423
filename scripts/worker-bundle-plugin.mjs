// Serves module-worker entries (`*.worker.ts`) bundled by esbuild, as the
// build does. TF.js's ESM build imports CommonJS packages (long, seedrandom)
// that a browser cannot import unbundled, and bundling also spares a worker
// start the hundreds of requests of an unbundled TF.js.
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** esbuild options shared by the dev-server plugin and the production build for worker bundles. */
export const workerBuildOptions = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  tsconfig: join(fileURLToPath(new URL('..', import.meta.url)), 'tsconfig.json'),
};

export function workerBundlePlugin({ rootDir }) {
  return {
    name: 'worker-bundle',
    async serve(context) {
      if (!context.path.endsWith('.worker.ts')) return undefined;
      const result = await esbuild.build({
        ...workerBuildOptions,
        entryPoints: [join(rootDir, context.path)],
        write: false,
        sourcemap: 'inline',
        logLevel: 'silent',
      });
      return { body: result.outputFiles[0].text, type: 'js' };
    },
  };
}
