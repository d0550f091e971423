// Declarations of tfjs-subset-plugin.mjs for TypeScript tests.
import type { Plugin } from 'esbuild';

/** The kernel list the worker bundle registers. */
export declare const KERNEL_LIST_PATH: string;

/** The backends the worker can run on, by package. */
export declare const BUNDLED_BACKENDS: Readonly<Record<'cpu' | 'wasm' | 'webgl', string>>;

/** Every kernel each backend package registers: backend → kernel name → where its config is. */
export declare function backendKernelConfigs(): Record<
  'cpu' | 'wasm' | 'webgl',
  Map<string, { readonly file: string; readonly exportName: string }>
>;

/** esbuild plugin: `@tensorflow/tfjs` becomes the worker's subset. */
export declare const tfjsSubsetPlugin: Plugin;
