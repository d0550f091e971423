// The worker bundle's TF.js: the core and layers APIs that the shared code calls, the cpu, wasm
// and WebGL backends without their kernels, and only the kernels named in worker/tfjs-kernels.json (derived
// from the models by scripts/worker-kernels.ts). This is TF.js's own custom-bundle recipe (each backend's
// `dist/base` plus `registerKernel` of single kernel configs) done by an esbuild plugin, so the worker's code
// keeps importing `@tensorflow/tfjs` like Node's. All of TF.js was 326 KB of the worker's 372 KB (gzip).
// tfjs-converter (graph models) is left out: src/model/graph-model.ts imports it when a model needs it.
// WebGL and its kernels are one module that the worker imports only when a page tries WebGL (see
// EAGER_BACKENDS), so the bundle's code splitting leaves them out of what a wasm page downloads.
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
// The real path, as esbuild resolves bare imports: a second spelling of a path would bundle a second tfjs-core.
const tfjsDir = realpathSync(join(projectRoot, 'node_modules', '@tensorflow'));

/** The kernel list the bundle registers. */
export const KERNEL_LIST_PATH = join(projectRoot, 'worker', 'tfjs-kernels.json');

/** The backends the worker can run on, by package. */
export const BUNDLED_BACKENDS = { cpu: 'tfjs-backend-cpu', wasm: 'tfjs-backend-wasm', webgl: 'tfjs-backend-webgl' };

/**
 * The kernel a config registers, from its declaration: `{ kernelName: Conv2D, … }`, `{ kernelName: 'Sigmoid', … }`
 * or a helper's first argument (`createUnaryKernelConfig(Abs)`).
 */
function configKernel(source, exportName) {
  const declaration = new RegExp(`export const ${exportName} = (?:\\{\\s*kernelName: '?(\\w+)'?,|\\w+\\((\\w+)[,)])`);
  const match = declaration.exec(source);
  return match?.[1] ?? match?.[2];
}

/**
 * Every kernel each backend package registers, read from its register_all_kernels.js (the list the full
 * package registers): backend → kernel name → { file, exportName } of the kernel's config.
 */
export function backendKernelConfigs() {
  const kernelNames = new Set(
    [
      ...readFileSync(join(tfjsDir, 'tfjs-core', 'dist', 'kernel_names.js'), 'utf8').matchAll(
        /export const (\w+) = '\1';/g,
      ),
    ].map((m) => m[1]),
  );
  const byBackend = {};
  for (const [backend, pkg] of Object.entries(BUNDLED_BACKENDS)) {
    const dist = join(tfjsDir, pkg, 'dist');
    const all = readFileSync(join(dist, 'register_all_kernels.js'), 'utf8');
    const configs = new Map();
    for (const [, exportName, relative] of all.matchAll(/^import \{ (\w+) \} from '\.\/(kernels\/[\w/]+)';$/gm)) {
      const file = join(dist, `${relative}.js`);
      const kernel = configKernel(readFileSync(file, 'utf8'), exportName);
      if (kernel === undefined || !kernelNames.has(kernel))
        throw new Error(`${pkg}: cannot tell which kernel ${exportName} in ${relative}.js registers.`);
      configs.set(kernel, { file, exportName });
    }
    byBackend[backend] = configs;
  }
  return byBackend;
}

/**
 * The module that registers the listed kernels on `backends` (those of them that have each kernel; a kernel no
 * bundled backend has is an error).
 */
function kernelRegistrations(kernels, backends) {
  const configs = backendKernelConfigs();
  const imports = [];
  const names = [];
  for (const kernel of kernels) {
    const found = Object.keys(configs).filter((backend) => configs[backend].has(kernel));
    if (found.length === 0) throw new Error(`${KERNEL_LIST_PATH}: no backend has a kernel named ${kernel}.`);
    for (const backend of found.filter((b) => backends.includes(b))) {
      const { file, exportName } = configs[backend].get(kernel);
      const name = `k${names.length}`;
      imports.push(`import { ${exportName} as ${name} } from ${JSON.stringify(file)};`);
      names.push(name);
    }
  }
  return [
    "import { registerKernel } from '@tensorflow/tfjs-core';",
    ...imports,
    `for (const config of [${names.join(', ')}]) registerKernel(config);`,
  ].join('\n');
}

/**
 * The backends the worker bundle loads with TF.js. WebGL is not among them: the worker imports it (with its
 * kernels, see WEBGL_MODULE) only when a page tries it, so the bundler puts it in a chunk of its own.
 */
const EAGER_BACKENDS = ['cpu', 'wasm'];

const TFJS_MODULE = `
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import 'tfjs-subset:kernels';
import { version_core } from '@tensorflow/tfjs-core';
import { version_layers } from '@tensorflow/tfjs-layers';
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
export const version = { 'tfjs-core': version_core, 'tfjs-layers': version_layers, tfjs: version_core };
`;

/** What `@tensorflow/tfjs-backend-webgl` is in the bundle: its kernel-less `dist/base` and the listed WebGL kernels. */
const WEBGL_MODULE = `
export * from ${JSON.stringify(join(tfjsDir, BUNDLED_BACKENDS.webgl, 'dist', 'base.js'))};
import 'tfjs-subset:webgl-kernels';
`;

/** esbuild plugin: `@tensorflow/tfjs` becomes the subset above, each backend package its kernel-less `dist/base`. */
export const tfjsSubsetPlugin = {
  name: 'tfjs-subset',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs$/ }, () => ({ path: 'tfjs', namespace: 'tfjs-subset' }));
    build.onResolve({ filter: /^tfjs-subset:(webgl-)?kernels$/ }, (args) => ({
      path: args.path.slice('tfjs-subset:'.length),
      namespace: 'tfjs-subset',
    }));
    build.onResolve({ filter: /^@tensorflow\/tfjs-backend-webgl$/ }, () => ({
      path: 'webgl',
      namespace: 'tfjs-subset',
    }));
    build.onResolve({ filter: /^@tensorflow\/tfjs-backend-(cpu|wasm)$/ }, (args) => ({
      path: join(tfjsDir, args.path.slice('@tensorflow/'.length), 'dist', 'base.js'),
    }));
    // tfjs-layers registers every gradient as it loads; the worker never trains, so nothing needs them.
    build.onResolve({ filter: /register_all_gradients(\.js)?$/ }, () => ({
      path: 'no-gradients',
      namespace: 'tfjs-subset',
    }));
    build.onLoad({ filter: /.*/, namespace: 'tfjs-subset' }, (args) => {
      if (args.path === 'no-gradients') return { contents: '', loader: 'js' };
      if (args.path === 'tfjs') return { contents: TFJS_MODULE, loader: 'js', resolveDir: projectRoot };
      if (args.path === 'webgl') return { contents: WEBGL_MODULE, loader: 'js', resolveDir: projectRoot };
      const { kernels } = JSON.parse(readFileSync(KERNEL_LIST_PATH, 'utf8'));
      return {
        contents: kernelRegistrations(kernels, args.path === 'webgl-kernels' ? ['webgl'] : EAGER_BACKENDS),
        loader: 'js',
        resolveDir: projectRoot,
        watchFiles: [KERNEL_LIST_PATH],
      };
    });
  },
};
