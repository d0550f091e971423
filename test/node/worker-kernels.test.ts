import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import {
  BROWSER_ONLY_KERNELS,
  deriveKernelList,
  kernelListText,
  readKernelList,
} from '../../scripts/worker-kernels.ts';
import { backendKernelConfigs } from '../../scripts/tfjs-subset-plugin.mjs';
import { workerBuildOptions } from '../../scripts/worker-bundle-plugin.mjs';

/** The worker as the build bundles it (in memory, its outputs under out/), with esbuild's metafile. */
function bundleWorker() {
  return esbuild.build({
    ...workerBuildOptions,
    entryPoints: ['worker/classifier.worker.ts'],
    write: false,
    metafile: true,
    logLevel: 'silent',
    outdir: 'out',
  });
}

describe('the worker bundle’s TF.js kernels', () => {
  it('lists every kernel the shipped and test models run (rewrite with scripts/worker-kernels.ts --write)', async () => {
    const derived = await deriveKernelList();
    const committed = await readKernelList();
    assert.equal(kernelListText(committed), kernelListText(derived));
  });

  it('finds each listed kernel on every backend, as the full TF.js packages register it', async () => {
    const { kernels } = await readKernelList();
    const configs = backendKernelConfigs();
    for (const [backend, byKernel] of Object.entries(configs)) {
      // FromPixels only: core reads the pixels itself where a backend has no such kernel.
      const missing = kernels.filter(
        (k) => !byKernel.has(k) && !(BROWSER_ONLY_KERNELS as readonly string[]).includes(k),
      );
      assert.deepEqual(missing, [], `${backend} lacks ${missing.join(', ')}`);
    }
  });

  it('bundles each listed kernel of every backend and leaves most others out', async () => {
    const { kernels } = await readKernelList();
    const result = await bundleWorker();
    const bundled = Object.keys(result.metafile?.inputs ?? {});
    assert.ok(bundled.length > 0, 'esbuild listed no inputs');
    const kernelFiles = bundled.filter((path) => /tfjs-backend-(cpu|wasm|webgl)\/dist\/kernels\//.test(path));
    const configs = backendKernelConfigs();
    for (const [backend, byKernel] of Object.entries(configs)) {
      for (const kernel of kernels) {
        const config = byKernel.get(kernel);
        if (config === undefined) continue;
        assert.ok(
          kernelFiles.some((path) => config.file.endsWith(path.replace(/^(\.\.\/)+/, ''))),
          `${backend} ${kernel} is not in the bundle`,
        );
      }
      const unlisted = [...byKernel].filter(([kernel]) => !kernels.includes(kernel)).map(([, c]) => c.file);
      // Kernel files that listed kernels import (e.g. Conv2D's Reshape helpers) may come along; unlisted
      // kernels' own files must not all be there, which is what registering all of them would do.
      const carried = unlisted.filter((file) =>
        kernelFiles.some((path) => file.endsWith(path.replace(/^(\.\.\/)+/, ''))),
      );
      assert.ok(
        carried.length < unlisted.length / 4,
        `${backend}: ${carried.length} of ${unlisted.length} unlisted kernels bundled`,
      );
    }
    assert.ok(!bundled.some((path) => path.includes('tfjs-data')), 'tfjs-data is bundled');
    assert.ok(!bundled.some((path) => path.includes('register_all_kernels')), 'a register_all_kernels is bundled');
    // tfjs-core draws random numbers from seedrandom's Alea generator only.
    const seedrandom = bundled.filter((path) => path.includes('node_modules/seedrandom/'));
    assert.deepEqual(seedrandom, ['node_modules/seedrandom/lib/alea.js']);
  });

  it('leaves the WebGL and cpu backends and the graph-model runtime out of what a page fetches to start the worker', async () => {
    const result = await bundleWorker();
    const outputs = result.metafile?.outputs ?? {};
    // The worker and every chunk it imports statically: what loads before it can answer.
    const eager = new Set(['out/classifier.worker.js']);
    for (const file of eager)
      for (const imported of outputs[file]?.imports ?? [])
        if (imported.kind === 'import-statement') eager.add(imported.path);
    const webglIn = (file: string) =>
      Object.keys(outputs[file]?.inputs ?? {}).filter((input) => input.includes('tfjs-backend-webgl'));
    assert.ok(eager.size >= 2, `the worker imports a shared chunk (${[...eager].join(', ')})`);
    const converterIn = (file: string) =>
      Object.keys(outputs[file]?.inputs ?? {}).filter((input) => input.includes('tfjs-converter'));
    // The wasm backend shares the cpu package's kernel implementations (dist/shared); the cpu backend itself is lazy.
    const cpuBackendIn = (file: string) =>
      Object.keys(outputs[file]?.inputs ?? {}).filter((input) =>
        input.endsWith('tfjs-backend-cpu/dist/backend_cpu.js'),
      );
    for (const file of eager) {
      assert.deepEqual(webglIn(file), [], `${file} holds WebGL code`);
      assert.deepEqual(cpuBackendIn(file), [], `${file} holds the cpu backend`);
      assert.deepEqual(converterIn(file), [], `${file} holds the graph-model runtime`);
    }
    const lazy = (outputs['out/classifier.worker.js']?.imports ?? []).filter((i) => i.kind === 'dynamic-import');
    const webglChunk = lazy.find((i) => /webgl-backend-\w+\.js$/.test(i.path));
    assert.ok(webglChunk, 'the worker imports a webgl-backend chunk when asked');
    assert.ok(
      lazy.some((i) => /cpu-backend-\w+\.js$/.test(i.path) && cpuBackendIn(i.path).length > 0),
      'the worker imports a cpu-backend chunk when asked',
    );
    assert.ok(
      lazy.some((i) => converterIn(i.path).length > 0),
      'the worker imports the graph-model runtime when a model needs it',
    );
    const webglKernels = webglIn(webglChunk.path).filter((input) => input.includes('/dist/kernels/'));
    const { kernels } = await readKernelList();
    const listedOnWebgl = kernels.filter((k) => backendKernelConfigs().webgl?.has(k));
    assert.ok(
      webglKernels.length >= listedOnWebgl.length / 2,
      `the WebGL chunk holds ${webglKernels.length} kernel files for ${listedOnWebgl.length} listed WebGL kernels`,
    );
  });
});
