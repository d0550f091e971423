import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { InferenceError, InputError } from '../../src/errors.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import type { ClassifierModel } from '../../src/model/classifier-model.ts';
import { NO_MARGINS } from '../../src/preprocess/types.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { decodeImage, readImage } from '../../src/reference/image.ts';
import { classifyImageFile } from '../../src/reference/pipeline.ts';
import { decodeColumns } from '../../src/model/decode.ts';
import { removeTempDirs, tempDir } from '../fixtures/temp-dirs.ts';
import { testModelContract } from '../fixtures/contracts.ts';
import { rejectsWith } from '../fixtures/expect-error.ts';
import { stripesImage, writeJpeg, writePng } from '../fixtures/images.ts';
import { buildBrightnessModel, saveModel, writeModel } from '../fixtures/test-models.ts';

after(removeTempDirs);

const GREYS = [0, 64, 191, 255] as const;
const EXPECTED = [0, 1, 8, 9];
const grey = (g: number): readonly [number, number, number] => [g, g, g];

let model: ClassifierModel;
let dir: string;

describe('the Node reference pipeline', () => {
  before(async () => {
    await useNodeBackend('wasm');
    const written = await writeModel(
      await saveModel(buildBrightnessModel()),
      testModelContract() as unknown as Record<string, unknown>,
    );
    dir = written.dir;
    model = await loadClassifierModel(await fileModelSource(dir));
  });

  it('reads known digits from a PNG through the shared preprocessing, one batched predict and decode by name', async () => {
    const path = join(dir, 'stripes.png');
    await writePng(
      path,
      100,
      40,
      stripesImage(100, 40, { x0: 10, x1: 90, y0: 5, y1: 35 }, GREYS.map(grey), [255, 0, 0]),
    );
    const corners = {
      topLeft: { x: 0.1, y: 5 / 40 },
      topRight: { x: 0.9, y: 5 / 40 },
      bottomRight: { x: 0.9, y: 35 / 40 },
      bottomLeft: { x: 0.1, y: 35 / 40 },
    };
    const start = tf.memory().numTensors;
    const reading = await classifyImageFile(model, path, { columns: 4, corners, margins: NO_MARGINS });
    assert.deepEqual(reading.digits, EXPECTED);
    assert.ok((reading.columns[2]?.heaven ?? 0) > 0.9, 'column 3 has its heaven bead down');
    assert.ok((reading.columns[1]?.earth[1] ?? 0) > 0.9, 'column 2 has one earth bead');
    assert.equal(tf.memory().numTensors, start);
  });

  it('reads the same digits from a JPEG', async () => {
    const path = join(dir, 'stripes.jpg');
    await writeJpeg(
      path,
      100,
      40,
      stripesImage(100, 40, { x0: 0, x1: 100, y0: 0, y1: 40 }, GREYS.map(grey), [0, 0, 0]),
    );
    const reading = await classifyImageFile(model, path, {
      columns: 4,
      corners: {
        topLeft: { x: 0, y: 0 },
        topRight: { x: 1, y: 0 },
        bottomRight: { x: 1, y: 1 },
        bottomLeft: { x: 0, y: 1 },
      },
      margins: { horizontal: 0.05, vertical: 0.05 },
    });
    assert.deepEqual(reading.digits, EXPECTED);
  });

  it('refuses a file that is neither PNG nor JPEG', async () => {
    const path = join(dir, 'not-an-image.png');
    await writeFile(path, 'hello');
    await rejectsWith(readImage(path), InputError, 'input/unsupported-source');
    assert.throws(
      () => decodeImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])),
      (e: unknown) => e instanceof InputError && e.code === 'input/unsupported-source',
    );
  });

  it('decodes heads by name with the contract threshold', () => {
    const decode = { rule: 'digit = 5 * heaven + earth', heaven: 'h', earth: 'e', heavenThreshold: 0.7 } as const;
    const readings = decodeColumns({ h: [0.6, 0.8], e: [0, 0, 0.9, 0.1, 0, 0.1, 0, 0, 0, 0.9] }, decode, 2);
    assert.deepEqual(
      readings.map((r) => r.digit),
      [2, 9],
    );
    assert.ok(Math.abs((readings[1]?.confidence ?? 0) - 0.8 * 0.9) < 1e-9);
    assert.throws(() => decodeColumns({ h: [0.6], e: [1, 0, 0, 0, 0] }, decode, 2), /gave 1 values for 2 columns/);
  });

  it("multiplies a column's confidence by the readable head when the contract names one, and reports it", () => {
    const decode = {
      rule: 'digit = 5 * heaven + earth',
      heaven: 'h',
      earth: 'e',
      readable: 'r',
      heavenThreshold: 0.5,
    } as const;
    const readings = decodeColumns({ h: [0.9, 0.9], e: [0, 0, 1, 0, 0, 0, 0, 1, 0, 0], r: [1, 0.1] }, decode, 2);
    assert.deepEqual(
      readings.map((r) => r.digit),
      [7, 7],
    );
    assert.deepEqual(
      readings.map((r) => r.readable),
      [1, 0.1],
    );
    assert.ok(Math.abs((readings[0]?.confidence ?? 0) - 0.9) < 1e-9);
    assert.ok(
      Math.abs((readings[1]?.confidence ?? 0) - 0.09) < 1e-9,
      'a hidden column is not confident, whatever its digit heads say',
    );
    assert.throws(
      () => decodeColumns({ h: [0.9, 0.9], e: [0, 0, 1, 0, 0, 0, 0, 1, 0, 0] }, decode, 2),
      (e: unknown) => e instanceof InferenceError && /Head "r" gave no values/.test(e.message),
    );
    // Without a readable head in the contract every column counts as readable.
    const plain = decodeColumns(
      { h: [0.9], e: [0, 0, 1, 0, 0] },
      { rule: 'digit = 5 * heaven + earth', heaven: 'h', earth: 'e', heavenThreshold: 0.5 },
      1,
    );
    assert.equal(plain[0]?.readable, 1);
  });
});
