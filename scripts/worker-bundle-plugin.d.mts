// Declarations of worker-bundle-plugin.mjs for TypeScript tests.
import type { BuildOptions } from 'esbuild';

/** The folder beside the worker that holds its chunks. */
export declare const WORKER_CHUNKS_DIR: string;
/** esbuild options shared by the dev-server plugin and the production build for worker bundles. */
export declare const workerBuildOptions: BuildOptions & { plugins: NonNullable<BuildOptions['plugins']> };
export declare const fineTuneWorkerBuildOptions: BuildOptions & { plugins: NonNullable<BuildOptions['plugins']> };
export declare function workerOptionsFor(
  entry: string,
): BuildOptions & { plugins: NonNullable<BuildOptions['plugins']> };
