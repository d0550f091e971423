// Builds the element bundle, the module-worker bundle and the demo into dist/,
// copies the tfjs-backend-wasm .wasm files beside the worker, emits the
// declarations into dist/types/, compiles the CLI into dist/cli/, and prints sizes.
// `--serve` then serves dist/ on localhost with cross-origin isolation headers.
import * as esbuild from 'esbuild';
import { copyFile, cp, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildCli } from './scripts/build-cli.mjs';
import { buildTypes } from './scripts/build-types.mjs';
import { serveStatic } from './scripts/static-server.mjs';
import { fineTuneWorkerBuildOptions, workerBuildOptions } from './scripts/worker-bundle-plugin.mjs';

const outdir = 'dist';
const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';

/** Swaps the modules that locate the worker and its assets for their bundle variants. */
const bundleUrlsPlugin = {
  name: 'bundle-urls',
  setup(build) {
    build.onResolve({ filter: /\/(default-urls|asset-urls)\.ts$/ }, (args) => ({
      path: join(args.resolveDir, args.path.replace(/\.ts$/, '.bundle.ts')),
    }));
  },
};

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  // Maps are written for the doctor (it reads which sources a bundle came from) and for debugging,
  // but not linked: the package leaves them out, and a bundler would warn about a missing linked map.
  sourcemap: 'external',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
  plugins: [bundleUrlsPlugin],
};

async function build() {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const results = await Promise.all([
    esbuild.build({ ...common, entryPoints: { 'column-classifier': 'components/column-classifier.ts' }, outdir }),
    esbuild.build({
      ...workerBuildOptions,
      ...common,
      plugins: [...workerBuildOptions.plugins, ...common.plugins],
      entryPoints: { 'column-classifier.worker': 'worker/classifier.worker.ts' },
      outdir,
    }),
    esbuild.build({
      ...fineTuneWorkerBuildOptions,
      ...common,
      plugins: [...fineTuneWorkerBuildOptions.plugins, ...common.plugins],
      entryPoints: { 'column-classifier.fine-tune.worker': 'worker/fine-tune.worker.ts' },
      outdir,
    }),
    esbuild.build({ ...common, entryPoints: { demo: 'demo/demo.ts' }, outdir }),
  ]);
  await copyFile('demo/index.html', join(outdir, 'index.html'));
  await copyFile('demo/demo.css', join(outdir, 'demo.css'));
  await copyShippedModels();
  for (const file of await readdir(wasmDir)) {
    if (file.endsWith('.wasm')) await copyFile(join(wasmDir, file), join(outdir, file));
  }
  for (const result of results) {
    for (const warning of result.warnings) console.warn(warning.text);
  }
  await buildTypes();
  await buildCli();
  await printSizes();
}

/**
 * The shipped models go beside the element bundle, where the element looks for them by default: the column
 * classifier, and the localizer that finds the soroban when no corners are given.
 */
async function copyShippedModels() {
  for (const name of ['column-classifier', 'localizer']) {
    const from = join('models', name);
    let files;
    try {
      files = await readdir(from);
    } catch {
      files = [];
    }
    if (!files.includes('model.json')) {
      console.warn(`No shipped model in ${from}: the demo will report a load error until it is trained.`);
      continue;
    }
    // What the runtime reads: model.json, shards, a sidecar contract and golden PNGs; not the training report.
    const needed = (path) => !/\.(md|svg)$/.test(path) && !path.endsWith('training-record.json');
    await cp(from, join(outdir, 'models', name), { recursive: true, filter: needed });
  }
}

async function printSizes() {
  const rows = [];
  const files = [
    ...(await readdir(outdir)).sort(),
    'models/column-classifier/model.json',
    'models/column-classifier/group1-shard1of1.bin',
    'models/localizer/model.json',
    'models/localizer/group1-shard1of1.bin',
  ];
  for (const file of files) {
    if (file.endsWith('.map') || file.endsWith('.LEGAL.txt')) continue;
    const path = join(outdir, file);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || !info.isFile()) continue;
    const bytes = await readFile(path);
    rows.push([file, bytes.length, gzipSync(bytes, { level: 9 }).length]);
  }
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`\n${'file'.padEnd(width)}  ${'raw'.padStart(10)}  ${'gzip'.padStart(10)}`);
  for (const [name, raw, gz] of rows)
    console.log(`${name.padEnd(width)}  ${kb(raw).padStart(10)}  ${kb(gz).padStart(10)}`);
}

/** Serves dist/ with the headers the product needs (cross-origin isolation for threaded WASM). */
async function serve(port) {
  const { origin } = await serveStatic(join(process.cwd(), outdir), port);
  console.log(`\nDemo: ${origin}/  (Ctrl+C to stop)`);
}

await build();
if (process.argv.includes('--serve')) await serve(Number(process.env.PORT ?? 8080));
