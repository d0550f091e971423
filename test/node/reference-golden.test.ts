import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { float32ToBase64 } from '../../src/model/golden.ts';
import { measureGolden } from '../../src/runtime/golden-check.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { nodeImageDecoder } from '../../src/reference/image.ts';
import { removeTempDirs, tempDir } from '../fixtures/temp-dirs.ts';
import { testModelContract } from '../fixtures/contracts.ts';
import { stripesImage, writePng } from '../fixtures/images.ts';
import { buildBrightnessModel, saveModel, writeModel } from '../fixtures/test-models.ts';

after(removeTempDirs);

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
function softmax(logits: number[]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
/** The brightness model's outputs for a uniform column of brightness b, computed by hand. */
function expectedFor(b: number): { heaven: number[]; earth: number[] } {
  return { heaven: [sigmoid(20 * b - 10)], earth: softmax([0, 1, 2, 3, 4].map((k) => 25 * k * b - 3.125 * k * k)) };
}

describe('golden cases', () => {
  before(async () => {
    await useNodeBackend('wasm');
  });

  it('match outputs computed by hand for a float32 input and a PNG column, and show a 0.01 error when off', async () => {
    const saved = await saveModel(buildBrightnessModel());
    const contract = testModelContract();
    const b = 0.3;
    contract.golden = {
      tolerance: 1e-4,
      cases: [
        {
          name: 'uniform 0.3',
          input: { kind: 'float32-base64', data: float32ToBase64(new Float32Array(16 * 8).fill(255 * b)) },
          expected: expectedFor(b),
        },
        { name: 'png 191', input: { kind: 'png', path: 'golden-191.png' }, expected: expectedFor(191 / 255) },
      ],
    };
    const { dir } = await writeModel(saved, contract as unknown as Record<string, unknown>);
    await writePng(
      join(dir, 'golden-191.png'),
      8,
      16,
      stripesImage(8, 16, { x0: 0, x1: 8, y0: 0, y1: 16 }, [[191, 191, 191]], [0, 0, 0]),
    );
    const source = await fileModelSource(dir);
    const model = await loadClassifierModel(source);
    const start = tf.memory().numTensors;
    const measured = await measureGolden(model, source, nodeImageDecoder);
    assert.equal(tf.memory().numTensors, start);
    assert.equal(measured?.cases, 2);
    assert.equal(measured?.passed, true);
    assert.ok((measured?.maxAbsDiff ?? 1) < 1e-4);
    model.dispose();

    contract.golden.cases[0]!.expected.heaven = [sigmoid(20 * b - 10) + 0.01];
    const off = await writeModel(saved, contract as unknown as Record<string, unknown>);
    await writePng(
      join(off.dir, 'golden-191.png'),
      8,
      16,
      stripesImage(8, 16, { x0: 0, x1: 8, y0: 0, y1: 16 }, [[191, 191, 191]], [0, 0, 0]),
    );
    const offSource = await fileModelSource(off.dir);
    const offModel = await loadClassifierModel(offSource);
    const offMeasured = await measureGolden(offModel, offSource, nodeImageDecoder);
    assert.equal(offMeasured?.passed, false);
    assert.ok(Math.abs((offMeasured?.maxAbsDiffByHead['heaven'] ?? 0) - 0.01) < 1e-4);
    offModel.dispose();
  });
});
