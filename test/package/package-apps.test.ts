// The package as an app gets it: packed, installed into a fresh folder, built
// into a plain, an esbuild and a Vite app. Node side: what the tarball holds,
// what installing it costs, the CLI and the types from the installed package,
// and where each bundler put the worker, the .wasm files and the model.
// The readings in Chromium are in package-apps.chromium.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { workerChunks } from '../../scripts/worker-chunks.mjs';
import { listFiles, makeConsumerApps, npxCli, REPO, type ConsumerApps } from './consumer-apps.ts';

const run = promisify(execFile);

/** What the element loads at run time, relative to the folder its code is served from (with the worker's chunks, {@link workerChunks}). */
const FIXED_RUNTIME_FILES = [
  'column-classifier.worker.js',
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
  'models/column-classifier/model.json',
  'models/column-classifier/group1-shard1of1.bin',
  'models/column-classifier/golden/index.json',
  'models/localizer/model.json',
  'models/localizer/group1-shard1of1.bin',
  'models/localizer/golden/flat.png',
];

const TS_CONSUMER = `import { ColumnClassifier, LoadError, type ReadingDetail, type ModelContract } from 'column-classifier';
import { copyRuntimeAssets, columnClassifier } from 'column-classifier/bundlers';

const element = document.querySelector('column-classifier');
const columns: number | null | undefined = element?.columns;
element?.addEventListener('cc-reading', (event) => {
  const digits: readonly number[] = event.detail.digits;
  void digits;
});
document.addEventListener('cc-error', (event) => {
  const code: string = event.detail.error.code;
  void code;
});
const made: ColumnClassifier = document.createElement('column-classifier');
const detail: ReadingDetail | undefined = undefined;
const channels: ModelContract['input']['channels'] | undefined = undefined;
const copy: (outdir: string) => Promise<void> = copyRuntimeAssets;
const plugin: { name: string } = columnClassifier();
void [columns, made, detail, channels, copy, plugin, LoadError];
// @ts-expect-error the detail of cc-reading has no field "text"
document.addEventListener('cc-reading', (event) => event.detail.text);
`;

describe('the packed package in fresh apps', () => {
  let apps: ConsumerApps;
  let RUNTIME_FILES: string[];
  before(async () => {
    apps = await makeConsumerApps();
    const { eager, lazy } = await workerChunks(join(REPO, 'dist'));
    const chunks = [...eager, ...lazy];
    assert.ok(
      chunks.some((f) => /^column-classifier-chunks\/webgl-backend-\w+\.js$/.test(f)),
      `the worker imports the WebGL backend's chunk (found ${chunks.join(', ')})`,
    );
    RUNTIME_FILES = [...FIXED_RUNTIME_FILES, ...chunks];
  });
  after(async () => {
    await apps?.remove();
  });

  it('ships the bundles, declarations, compiled CLI and manifest, and no sources or source maps', async () => {
    const { stdout } = await run('tar', ['-tzf', apps.tarball], { maxBuffer: 1 << 24 });
    const files = stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.replace(/^package\//, ''));
    for (const file of [
      'custom-elements.json',
      'bin/column-classifier.js',
      'dist/cli/main.js',
      'dist/bundlers.js',
      'dist/column-classifier.js',
      'dist/types/components/column-classifier.d.ts',
      ...RUNTIME_FILES.map((f) => `dist/${f}`),
    ]) {
      assert.ok(files.includes(file), `the tarball holds ${file}`);
    }
    assert.deepEqual(
      files.filter((f) => /\.map$|^src\/|\.ts$/.test(f) && !f.endsWith('.d.ts')),
      [],
    );
  });

  it('installs without TF.js, zod or any package the bundles already contain', async () => {
    const pkg = JSON.parse(
      await readFile(join(apps.root, 'node_modules', 'column-classifier', 'package.json'), 'utf8'),
    ) as { dependencies?: Record<string, string> };
    assert.deepEqual(Object.keys(pkg.dependencies ?? {}), ['lit']);
    const installed = (await listFiles(join(apps.root, 'node_modules'))).map((f) => f.split('/')[0]);
    for (const absent of ['@tensorflow', 'zod', 'comlink', 'pngjs', 'jpeg-js'])
      assert.ok(!installed.includes(absent), `${absent} is not installed`);
    const { stdout } = await run('du', ['-sk', join(apps.root, 'node_modules')]);
    const kb = Number(stdout.split('\t')[0]);
    assert.ok(kb < 30 * 1024, `node_modules is ${kb} KB`);
  });

  it('runs `npx column-classifier --help` and `inspect --golden` on the shipped model from the installed package', async () => {
    const help = await npxCli(apps.root, '--help');
    assert.match(help.stdout, /usage: column-classifier <command>/);
    assert.match(help.stdout, /inspect MODEL/);
    const inspect = await npxCli(
      apps.root,
      'inspect',
      'node_modules/column-classifier/dist/models/column-classifier',
      '--golden',
    );
    assert.match(inspect.stdout, /Verdict: the model and its contract agree; it would load\./);
    assert.match(inspect.stdout, /Golden cases on the wasm backend\n\s+\d+ case\(s\).*→ ok/);
  });

  it('runs classify, golden --check, quantize and seal on the shipped model from the installed package', async () => {
    const model = 'node_modules/column-classifier/dist/models/column-classifier';
    const classify = await npxCli(apps.root, 'classify', '--labels', 'photos/labels.json');
    assert.match(classify.stdout, /columns right: (\d+)\/\1 \(100\.0 %\)/);
    const golden = await npxCli(apps.root, 'golden', '--check', '--model', model);
    assert.match(golden.stdout, /^wasm\t\d+ case\(s\).*\tok$/m);
    const quantize = await npxCli(
      apps.root,
      'quantize',
      model,
      '--out',
      'quantized',
      '--val-crops',
      '20',
      '--verify-crops',
      '20',
    );
    assert.match(quantize.stdout, /golden check after loading from disk \(wasm\): \d+ case\(s\).* — ok/);
    const contract = JSON.parse(await readFile(join(apps.root, 'quantized', 'model.json'), 'utf8')).userDefinedMetadata
      .contract as unknown;
    await writeFile(join(apps.root, 'contract.json'), JSON.stringify(contract));
    const seal = await npxCli(apps.root, 'seal', 'quantized', '--contract', 'contract.json', '--dry-run');
    assert.match(seal.stdout, /would seal .*quantized\/model\.json: contract embedded, 1 shard hash\(es\)/);
  });

  it('type-checks a TypeScript consumer: the element, its events on the element and on document, named imports', async () => {
    const dir = join(apps.root, 'ts');
    await run('mkdir', ['-p', dir]);
    await writeFile(join(dir, 'consumer.ts'), TS_CONSUMER);
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          lib: ['ES2023', 'DOM'],
          types: [],
          strict: true,
          skipLibCheck: false,
          noEmit: true,
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')]).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    assert.equal(result, '', 'tsc reports no error');
  });

  it('gives an esbuild app the worker, the .wasm files and the model beside its bundle', async () => {
    const files = await listFiles(apps.esbuildOut);
    for (const file of ['app.js', ...RUNTIME_FILES]) assert.ok(files.includes(file), `esbuild output holds ${file}`);
  });

  it('gives a Vite build the worker, the .wasm files and the model, unhashed and together, beside its chunks', async () => {
    const files = await listFiles(apps.viteOut);
    for (const file of RUNTIME_FILES) assert.ok(files.includes(`assets/${file}`), `vite output holds assets/${file}`);
    // The failure this replaces: Vite emitted model.json alone as a hashed asset, without its shard.
    assert.deepEqual(
      files.filter((f) => /model-[\w-]+\.json$/.test(f)),
      [],
    );
    const chunk = files.find((f) => /^assets\/index-[\w-]+\.js$/.test(f));
    assert.ok(chunk, 'vite wrote an index chunk');
  });
});
