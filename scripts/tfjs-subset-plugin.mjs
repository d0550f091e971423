// The worker bundle's TF.js: the core and layers APIs that the shared code calls, the cpu, wasm
// and WebGL backends without their kernels, and only the kernels named in worker/tfjs-kernels.json (derived
// from the models by scripts/worker-kernels.ts). This is TF.js's own custom-bundle recipe (each backend's
// `dist/base` plus `registerKernel` of single kernel configs) done by an esbuild plugin, so the worker's code
// keeps importing `@tensorflow/tfjs` like Node's. All of TF.js was 326 KB of the worker's 372 KB (gzip).
// tfjs-converter (graph models) is left out: src/model/graph-model.ts imports it when a model needs it.
// WebGL and the cpu backend, each with its kernels, are modules that the worker imports only when a page tries
// them (see EAGER_BACKENDS), so the bundle's code splitting leaves them out of what a wasm page downloads.
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
 * The backend the worker bundle loads with TF.js. The others are imported (each with its kernels, see
 * lazyBackendModule) only when a page tries them, so the bundler puts each in a chunk of its own: a page reading on
 * wasm, the element's default, downloads neither WebGL nor the cpu backend.
 */
const EAGER_BACKENDS = ['wasm'];
const LAZY_BACKENDS = Object.keys(BUNDLED_BACKENDS).filter((backend) => !EAGER_BACKENDS.includes(backend));

const TFJS_MODULE = `
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
${EAGER_BACKENDS.map((backend) => `import '@tensorflow/${BUNDLED_BACKENDS[backend]}';`).join('\n')}
import 'tfjs-subset:kernels';
import { version_core } from '@tensorflow/tfjs-core';
import { version_layers } from '@tensorflow/tfjs-layers';
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
export const version = { 'tfjs-core': version_core, 'tfjs-layers': version_layers, tfjs: version_core };
`;

/** What a lazily loaded backend's package is in the bundle: its kernel-less `dist/base` and its listed kernels. */
function lazyBackendModule(backend) {
  return `
export * from ${JSON.stringify(join(tfjsDir, BUNDLED_BACKENDS[backend], 'dist', 'base.js'))};
import 'tfjs-subset:${backend}-kernels';
`;
}

/** What `seedrandom` is in the bundle: the one generator tfjs-core calls (`seedrandom.alea(seed)`). */
const SEEDRANDOM_ALEA = `export { default as alea } from 'seedrandom/lib/alea.js';`;

/** esbuild plugin: `@tensorflow/tfjs` becomes the subset above, each backend package its kernel-less `dist/base`. */
export const tfjsSubsetPlugin = {
  name: 'tfjs-subset',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs$/ }, () => ({ path: 'tfjs', namespace: 'tfjs-subset' }));
    build.onResolve({ filter: /^tfjs-subset:(\w+-)?kernels$/ }, (args) => ({
      path: args.path.slice('tfjs-subset:'.length),
      namespace: 'tfjs-subset',
    }));
    build.onResolve({ filter: /^@tensorflow\/tfjs-backend-\w+$/ }, (args) => {
      const backend = args.path.slice('@tensorflow/tfjs-backend-'.length);
      if (LAZY_BACKENDS.includes(backend)) return { path: `${backend}-backend`, namespace: 'tfjs-subset' };
      return { path: join(tfjsDir, args.path.slice('@tensorflow/'.length), 'dist', 'base.js') };
    });
    // tfjs-layers registers every gradient as it loads; the worker never trains, so nothing needs them.
    build.onResolve({ filter: /register_all_gradients(\.js)?$/ }, () => ({
      path: 'no-gradients',
      namespace: 'tfjs-subset',
    }));
    // tfjs-core's random ops draw only from seedrandom's Alea generator (ops/rand_util.js); the package's index
    // brings six more generators and its own ARC4 code. The worker gets Alea itself: the same numbers, 2.7 KB less.
    build.onResolve({ filter: /^seedrandom$/ }, () => ({ path: 'seedrandom-alea', namespace: 'tfjs-subset' }));
    build.onLoad({ filter: /.*/, namespace: 'tfjs-subset' }, (args) => {
      if (args.path === 'no-gradients') return { contents: '', loader: 'js' };
      if (args.path === 'seedrandom-alea') return { contents: SEEDRANDOM_ALEA, loader: 'js', resolveDir: projectRoot };
      if (args.path === 'tfjs') return { contents: TFJS_MODULE, loader: 'js', resolveDir: projectRoot };
      const lazy = /^(\w+)-backend$/.exec(args.path)?.[1];
      if (lazy !== undefined) return { contents: lazyBackendModule(lazy), loader: 'js', resolveDir: projectRoot };
      const { kernels } = JSON.parse(readFileSync(KERNEL_LIST_PATH, 'utf8'));
      const only = /^(\w+)-kernels$/.exec(args.path)?.[1];
      return {
        contents: kernelRegistrations(kernels, only === undefined ? EAGER_BACKENDS : [only]),
        loader: 'js',
        resolveDir: projectRoot,
        watchFiles: [KERNEL_LIST_PATH],
      };
    });
  },
};
