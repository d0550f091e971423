// Declarations of worker-bundle-plugin.mjs for TypeScript tests.
import type { BuildOptions } from 'esbuild';

/** esbuild options shared by the dev-server plugin and the production build for worker bundles. */
export declare const workerBuildOptions: BuildOptions & { plugins: NonNullable<BuildOptions['plugins']> };
export declare const fineTuneWorkerBuildOptions: BuildOptions & { plugins: NonNullable<BuildOptions['plugins']> };
export declare function workerOptionsFor(
  entry: string,
): BuildOptions & { plugins: NonNullable<BuildOptions['plugins']> };
