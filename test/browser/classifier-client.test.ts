import { expect } from '@esm-bundle/chai';
import { ClassifierClient } from '../../src/worker-api/classifier-client.ts';
import { ColumnClassifierError, DisposedError, InputError } from '../../src/errors.ts';
import type { BackendName } from '../../src/worker-api/classifier-worker-api.ts';
import { STRIP_COLOURS, rawBitmap, stripCanvas } from './helpers.ts';

/** fromPixels gives exact bytes; the only error is float32 arithmetic. */
const GREY_TOLERANCE = 1e-3;
const BACKENDS: readonly BackendName[] = ['cpu', 'wasm', 'webgl'];

for (const backend of BACKENDS) {
  describe(`ClassifierClient on ${backend}`, function () {
    let client: ClassifierClient;

    before(async function () {
      client = await ClassifierClient.create({ backend });
    });

    after(function () {
      client?.dispose();
    });

    it('really runs on the backend it was asked for', async function () {
      expect(client.runtime.backend).to.equal(backend);
      expect((await client.memory()).backend).to.equal(backend);
    });

    it('measures the mean grey of each strip of a canvas with known colours', async function () {
      const result = await client.measureStrips(await rawBitmap(stripCanvas()), STRIP_COLOURS.length);
      expect(result.backend).to.equal(backend);
      expect(result.width).to.equal(64);
      expect(result.height).to.equal(32);
      expect(result.means).to.have.length(STRIP_COLOURS.length);
      result.means.forEach((mean, index) => {
        expect(mean, `strip ${index}`).to.be.closeTo(STRIP_COLOURS[index]!.grey, GREY_TOLERANCE);
      });
      expect(result.timings.total).to.be.at.least(0);
    });

    it('transfers the frame instead of copying it', async function () {
      const frame = await rawBitmap(stripCanvas());
      expect(frame.width).to.equal(64);
      await client.measureStrips(frame, 2);
      // A transferred ImageBitmap is detached on the sender's side.
      expect(frame.width).to.equal(0);
      expect(frame.height).to.equal(0);
    });

    it('leaks no tensors over 100 frames', async function () {
      const canvas = stripCanvas();
      await client.measureStrips(await rawBitmap(canvas), 4);
      const before = (await client.memory()).numTensors;
      for (let frame = 0; frame < 100; frame += 1) {
        await client.measureStrips(await rawBitmap(canvas), 1 + (frame % 8));
      }
      expect((await client.memory()).numTensors).to.equal(before);
    });

    it('rejects a bad argument with an InputError that keeps its class and code across the worker boundary', async function () {
      const before = (await client.memory()).numTensors;
      let caught: unknown;
      try {
        await client.measureStrips(await rawBitmap(stripCanvas()), 0);
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(InputError);
      expect(caught).to.be.instanceOf(ColumnClassifierError);
      expect((caught as InputError).code).to.equal('input/bad-argument');
      expect((await client.memory()).numTensors).to.equal(before);
    });
  });
}

describe('ClassifierClient lifecycle', function () {
  it('rejects calls after dispose with a DisposedError', async function () {
    const client = await ClassifierClient.create({ backend: 'cpu' });
    client.dispose();
    client.dispose();
    let caught: unknown;
    try {
      await client.memory();
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(DisposedError);
  });
});
