import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { float32ToBase64 } from '../../src/model/golden.ts';
import { measureGolden } from '../../src/runtime/golden-check.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { nodeImageDecoder } from '../../src/reference/image.ts';
import { LoadError } from '../../src/errors.ts';
import type { ImageDecoder } from '../../src/model/golden.ts';
import { rejectsWith } from '../fixtures/expect-error.ts';
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

  it('refuses a golden PNG whose header claims more pixels than the model may take, without decoding it', async () => {
    const saved = await saveModel(buildBrightnessModel());
    const contract = testModelContract();
    contract.golden = {
      tolerance: 1e-4,
      cases: [{ name: 'huge', input: { kind: 'png', path: 'huge.png' }, expected: expectedFor(0) }],
    };
    const { dir } = await writeModel(saved, contract as unknown as Record<string, unknown>);
    // 33 bytes: the signature and an IHDR chunk for a 60 000 × 60 000 RGBA image (14.4 GB decoded), no pixel data.
    const header = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
    header.writeUInt32BE(13, 8);
    header.write('IHDR', 12, 'latin1');
    header.writeUInt32BE(60_000, 16);
    header.writeUInt32BE(60_000, 20);
    header.set([8, 6, 0, 0, 0], 24);
    await writeFile(join(dir, 'huge.png'), header);
    const decoded: string[] = [];
    const spy: ImageDecoder = (bytes, path) => {
      decoded.push(path);
      return nodeImageDecoder(bytes, path);
    };
    const source = await fileModelSource(dir);
    const model = await loadClassifierModel(source);
    const error = await rejectsWith(measureGolden(model, source, spy), LoadError, 'load/too-large');
    assert.match(error.message, /60000 × 60000/);
    assert.deepEqual(decoded, []);
    model.dispose();
  });
});
