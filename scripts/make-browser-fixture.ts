// Writes test/fixtures/browser-model*/: the small two-head test model with a
// contract whose golden outputs are computed here, in Node, on the CPU
// backend — the reference every browser backend must reproduce.
// Run: npx tsx scripts/make-browser-fixture.ts
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { loadClassifierModel } from '../src/model/load.ts';
import { fileModelSource } from '../src/model/node-file-source.ts';
import { NO_MARGINS } from '../src/preprocess/types.ts';
import { classifyImageFile } from '../src/reference/pipeline.ts';
import { renderSoroban } from '../src/render/index.ts';
import { useNodeBackend } from '../src/reference/backend.ts';
import { buildTestModel, saveModel, writeModel } from '../test/fixtures/test-models.ts';
import { testModelContract } from '../test/fixtures/contracts.ts';

/** Tolerance of the fixture's goldens: float32 backends agree to ~1e-6 here; half floats do not. */
export const FIXTURE_GOLDEN_TOLERANCE = 1e-4;
const GOLDEN_CASES = 3;

await useNodeBackend('cpu');
const model = buildTestModel({ seed: 11, outputOrder: ['earth', 'heaven'] });
const contract = testModelContract();
const { height, width, channels } = contract.input;

function seededValues(seed: number, count: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.round((state / 2 ** 32) * 255);
  });
}

const cases = [];
for (let i = 0; i < GOLDEN_CASES; i += 1) {
  const input = seededValues(100 + i, height * width * channels);
  const outputs = model.predict(tf.tensor4d(input, [1, height, width, channels])) as tf.Tensor[];
  const [earth, heaven] = await Promise.all(outputs.map((t) => t.data()));
  cases.push({
    name: `random-${i}`,
    input: { kind: 'float32-base64', data: Buffer.from(input.buffer).toString('base64') },
    expected: { heaven: Array.from(heaven!), earth: Array.from(earth!) },
  });
}
const withGolden = { ...contract, golden: { tolerance: FIXTURE_GOLDEN_TOLERANCE, cases } };
const saved = await saveModel(model);

const root = 'test/fixtures';
for (const name of [
  'browser-model',
  'browser-model-bad-hash',
  'browser-model-corrupt',
  'browser-model-no-contract',
  'browser-model-no-golden',
  'browser-model-no-integrity',
]) {
  await rm(join(root, name), { recursive: true, force: true });
  await mkdir(join(root, name), { recursive: true });
}
await writeModel(saved, withGolden, 'embedded', { dir: join(root, 'browser-model') });
await writeModel(
  saved,
  { ...withGolden, integrity: { algorithm: 'sha256', shards: { 'weights.bin': '0'.repeat(64) } } },
  'embedded',
  {
    dir: join(root, 'browser-model-bad-hash'),
    withIntegrity: false,
  },
);
await writeModel(saved, undefined, 'none', { dir: join(root, 'browser-model-no-contract') });
// A valid contract without golden inputs: loads, with a golden/missing warning.
await writeModel(saved, contract, 'embedded', { dir: join(root, 'browser-model-no-golden') });
// A valid contract without an integrity section: loads, with a contract/no-integrity warning from the loader.
await writeModel(saved, withGolden, 'embedded', {
  dir: join(root, 'browser-model-no-integrity'),
  withIntegrity: false,
});
await writeFile(join(root, 'browser-model-corrupt', 'model.json'), '{"format": "layers-model", "modelTopology": {');
// A whole rendered frame and what the Node reference pipeline reads in it:
// browsers must reproduce these numbers from the PNG (decode, grey, crop, resize).
const photo = renderSoroban({ seed: 5, digits: [3, 0, 7, 9, 5], pitch: [30, 30] });
const png = new PNG({ width: photo.width, height: photo.height });
png.data.set(photo.rgba);
const framePath = join(root, 'browser-model', 'frame.png');
await writeFile(framePath, PNG.sync.write(png));
const geometry = { columns: photo.digits.length, corners: photo.corners, margins: NO_MARGINS };
const reference = await loadClassifierModel(await fileModelSource(join(root, 'browser-model', 'model.json')));
const reading = await classifyImageFile(reference, framePath, geometry);
await writeFile(
  join(root, 'browser-model', 'frame.expected.json'),
  JSON.stringify(
    { backend: tf.getBackend(), geometry, width: reading.width, height: reading.height, columns: reading.columns },
    null,
    2,
  ),
);
reference.dispose();
console.log(
  'wrote test/fixtures/browser-model, browser-model-bad-hash, browser-model-corrupt, browser-model-no-contract, browser-model-no-golden, browser-model-no-integrity',
);
