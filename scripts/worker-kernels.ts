// The TF.js kernels the worker bundle registers, derived from the models: every model the project ships or
// serves to its browser tests is loaded in Node and its golden self-check, warm-up and frame read are profiled
// (src/runtime/kernels-used.ts). `npx tsx scripts/worker-kernels.ts --write` rewrites worker/tfjs-kernels.json;
// test/node/worker-kernels.test.ts fails when a model needs a kernel that file lacks.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadClassifierModel } from '../src/model/load.ts';
import { fileModelSource } from '../src/model/node-file-source.ts';
import { useNodeBackend } from '../src/reference/backend.ts';
import { nodeImageDecoder } from '../src/reference/image.ts';
import { kernelsUsed } from '../src/runtime/kernels-used.ts';

/** The kernel list file the worker bundle reads (scripts/worker-bundle-plugin.mjs). */
export const KERNEL_LIST = fileURLToPath(new URL('../worker/tfjs-kernels.json', import.meta.url));

/** Models whose kernels the worker must have: the shipped ones and the ones the browser tests serve (layers and graph). */
export const KERNEL_MODELS = [
  'models/column-classifier',
  'models/localizer',
  'test/fixtures/browser-model',
  'test/fixtures/browser-graph-model',
] as const;

/**
 * Kernels that only the browser's frame path runs, so that Node's profile cannot see them.
 * FromPixels: tf.browser.fromPixels uses it where the backend has it (WebGL uploads the bitmap as a texture);
 * elsewhere it reads the pixels itself.
 */
export const BROWSER_ONLY_KERNELS = ['FromPixels'] as const;

/** What worker/tfjs-kernels.json holds. */
export interface KernelList {
  readonly comment: string;
  readonly models: readonly string[];
  readonly kernels: readonly string[];
}

/** Profiles every model of {@link KERNEL_MODELS} on Node's wasm backend and returns the list to write. */
export async function deriveKernelList(root = fileURLToPath(new URL('..', import.meta.url))): Promise<KernelList> {
  await useNodeBackend('wasm');
  const kernels = new Set<string>(BROWSER_ONLY_KERNELS);
  for (const dir of KERNEL_MODELS) {
    const source = await fileModelSource(`${root}/${dir}`);
    const model = await loadClassifierModel(source);
    try {
      for (const name of await kernelsUsed(model, source, nodeImageDecoder)) kernels.add(name);
    } finally {
      model.dispose();
    }
  }
  return {
    comment: 'Written by scripts/worker-kernels.ts from the models below; do not edit.',
    models: [...KERNEL_MODELS],
    kernels: [...kernels].sort(),
  };
}

/** The list as written to {@link KERNEL_LIST}. */
export function kernelListText(list: KernelList): string {
  return `${JSON.stringify(list, null, 2)}\n`;
}

/** The list now in {@link KERNEL_LIST}. */
export async function readKernelList(): Promise<KernelList> {
  return JSON.parse(await readFile(KERNEL_LIST, 'utf8')) as KernelList;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const list = await deriveKernelList();
  if (process.argv.includes('--write')) await writeFile(KERNEL_LIST, kernelListText(list));
  process.stdout.write(kernelListText(list));
}
