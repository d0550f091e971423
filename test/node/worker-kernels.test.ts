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
    const result = await esbuild.build({
      ...workerBuildOptions,
      entryPoints: ['worker/classifier.worker.ts'],
      write: false,
      metafile: true,
      logLevel: 'silent',
      outdir: 'unused',
    });
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
  });
});
