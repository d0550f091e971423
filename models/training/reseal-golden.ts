/**
 * Rewrites a finished model's golden files and the golden section of its contract, keeping everything else
 * (weights, quantization, provenance), and seals it again: for a model made before the golden cases changed
 * form, e.g. the shipped one after `quantize`, whose outputs are no longer those of the float32 model that
 * `attach-contract.ts` computes with. The expected outputs come from the Node reference on the model as it is.
 *
 * Run: `npx tsx models/training/reseal-golden.ts [DIR]` (default models/column-classifier).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GoldenCase } from '../../src/contract/schema.ts';
import { goldenOutputs } from '../../src/model/golden.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { nodeImageDecoder } from '../../src/reference/image.ts';
import { sealModel } from '../../src/reference/seal.ts';
import { GOLDEN_TOLERANCE, goldenCaseInputs } from './attach-contract.ts';
import { makeGoldenFiles } from './golden.ts';

/** Golden files → golden cases with the model's own outputs → sealed model.json. Returns the case count. */
export async function resealGolden(dir: string): Promise<number> {
  const index = makeGoldenFiles(dir);
  const raw = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as {
    userDefinedMetadata?: { contract?: Record<string, unknown> };
  };
  const contract = raw.userDefinedMetadata?.contract;
  if (contract === undefined) throw new Error(`${dir}/model.json has no contract to reseal; run finish.ts.`);
  const source = await fileModelSource(dir);
  const model = await loadClassifierModel(source);
  const cases: GoldenCase[] = [];
  try {
    for (const goldenCase of goldenCaseInputs(dir, index))
      cases.push({ ...goldenCase, expected: await goldenOutputs(model, goldenCase, source, nodeImageDecoder) });
  } finally {
    model.dispose();
  }
  const tolerance = model.contract.golden?.tolerance ?? GOLDEN_TOLERANCE;
  await sealModel(dir, { ...contract, golden: { tolerance, cases } });
  return cases.length;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? 'models/column-classifier';
  await useNodeBackend('wasm');
  const count = await resealGolden(dir);
  console.log(`${dir}: golden files rewritten, ${count} golden cases sealed into model.json`);
}
