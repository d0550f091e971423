/**
 * Build-time helpers for apps that bundle `<column-classifier>` (the package
 * export `column-classifier/bundlers`, Node only).
 *
 * The element finds its worker, the TF.js `.wasm` files and the shipped models
 * beside the code of the element bundle at run time (`new URL('./',
 * import.meta.url)`, resolved from a variable so no bundler rewrites it). In a
 * plain page that is the package's `dist/`. An app bundler moves the element's
 * code into its own output, so those files must go there too: one call.
 *
 * ```js
 * // esbuild: after esbuild.build({ …, format: 'esm', outdir: 'public/build' })
 * await copyRuntimeAssets('public/build');
 * // vite.config.js
 * export default { plugins: [columnClassifier()] };
 * ```
 */
import { cp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The files and folders the element loads at run time, relative to the package's `dist/`. */
export const RUNTIME_ASSETS = [
  'column-classifier.worker.js',
  // The code the worker imports: at once, and when needed (WebGL, cpu, graph models, exportSamples, streams).
  'column-classifier-chunks',
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
  'models/column-classifier',
  'models/localizer',
] as const;

/** The package's `dist/` (this module is built into it). */
const distDir = fileURLToPath(new URL('./', String(import.meta.url)));

/**
 * Copies the worker (and its chunks), the `.wasm` files and the shipped models (classifier and localizer) into `outdir`, the
 * folder where the app's bundle (and so the element's code) is served from.
 *
 * @param outdir - the bundler's output folder, e.g. esbuild's `outdir`
 */
export async function copyRuntimeAssets(outdir: string): Promise<void> {
  for (const asset of RUNTIME_ASSETS) await cp(join(distDir, asset), join(outdir, asset), { recursive: true });
}

/** The part of Vite's plugin interface used here (declared here so the package's types need no Vite). */
export interface ColumnClassifierVitePlugin {
  readonly name: string;
  config(): { optimizeDeps: { exclude: string[] } };
  configResolved(config: { readonly build: { readonly assetsDir: string } }): void;
  generateBundle(this: {
    emitFile(file: { type: 'asset'; fileName: string; source: Uint8Array }): string;
  }): Promise<void>;
}

/**
 * A Vite plugin: in `vite build` it emits the runtime assets into the folder
 * of the app's chunks (`build.assetsDir`, default `assets/`), where the element's
 * code ends up; in `vite` (dev) it keeps the element out of dependency
 * pre-bundling, so the element runs from the package's `dist/` and finds them there.
 */
export function columnClassifier(): ColumnClassifierVitePlugin {
  let assetsDir = 'assets';
  return {
    name: 'column-classifier',
    config: () => ({ optimizeDeps: { exclude: ['column-classifier'] } }),
    configResolved(config) {
      assetsDir = config.build.assetsDir;
    },
    async generateBundle() {
      for (const asset of RUNTIME_ASSETS) {
        const path = join(distDir, asset);
        const files = asset.includes('.')
          ? [asset]
          : (await readdir(path, { recursive: true, withFileTypes: true }))
              .filter((entry) => entry.isFile())
              .map((entry) => join(asset, entry.parentPath.slice(path.length), entry.name));
        for (const file of files) {
          // Forward slashes: Vite's fileName is a URL path on every OS.
          const fileName = [assetsDir, ...file.split(/[\\/]/)].filter((part) => part !== '').join('/');
          this.emitFile({ type: 'asset', fileName, source: new Uint8Array(await readFile(join(distDir, file))) });
        }
      }
    },
  };
}
