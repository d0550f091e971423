import { expect } from '@esm-bundle/chai';
import { ClassifierClient } from '../../src/worker-api/classifier-client.ts';
import { WorkerError } from '../../src/errors.ts';
import type { RuntimeWarning } from '../../src/worker-api/classifier-worker-api.ts';
import { FAULT_WORKER, simulateFault } from './faults.ts';
import {
  FIXTURE_MODEL_URL,
  FRAME_TOLERANCE,
  expectedFrame,
  fixtureImage,
  maxReadingDiff,
  rawBitmap,
  type ExpectedFrame,
} from './helpers.ts';

let expected: ExpectedFrame;
let image: HTMLImageElement;

before(async function () {
  expected = await expectedFrame();
  image = await fixtureImage();
});

async function classifiesCorrectly(client: ClassifierClient): Promise<void> {
  const result = await client.classify(await rawBitmap(image), expected.geometry);
  expect(maxReadingDiff(result.columns, expected.columns)).to.be.at.most(FRAME_TOLERANCE);
}

describe('worker runtime recovery', function () {
  it('rebuilds the WebGL backend after a lost context and goes on classifying', async function () {
    const warnings: RuntimeWarning[] = [];
    const client = await ClassifierClient.create({
      ...FAULT_WORKER,
      modelUrl: FIXTURE_MODEL_URL,
      backends: ['webgl', 'wasm'],
      onWarning: (w) => warnings.push(w),
    });
    try {
      expect(client.runtime.backend).to.equal('webgl');
      await classifiesCorrectly(client);
      await simulateFault('context-loss');
      // The loss event is delivered asynchronously.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await classifiesCorrectly(client);
      expect(warnings.map((w) => w.code)).to.include('backend/context-lost');
      await classifiesCorrectly(client);
    } finally {
      client.dispose();
    }
  });

  it('restarts a worker that throws at top level, reloads the model, and classifies the next frame', async function () {
    const warnings: RuntimeWarning[] = [];
    const client = await ClassifierClient.create({
      ...FAULT_WORKER,
      modelUrl: FIXTURE_MODEL_URL,
      backends: ['cpu'],
      onWarning: (w) => warnings.push(w),
    });
    try {
      await simulateFault('uncaught-error');
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The frame that meets the dead worker fails with a WorkerError; the next one goes to a new worker.
      const first = await client.classify(await rawBitmap(image), expected.geometry).catch((error: unknown) => error);
      expect(first).to.be.instanceOf(WorkerError);
      await classifiesCorrectly(client);
      expect(client.restarts).to.equal(1);
      expect(warnings.map((w) => w.code)).to.include('worker/restarted');
    } finally {
      client.dispose();
    }
  });

  it('restarts a worker that stops answering', async function () {
    const client = await ClassifierClient.create({
      ...FAULT_WORKER,
      modelUrl: FIXTURE_MODEL_URL,
      backends: ['cpu'],
      callTimeoutMs: 2000,
    });
    try {
      await simulateFault('hang');
      const stuck = await client.classify(await rawBitmap(image), expected.geometry).catch((error: unknown) => error);
      expect(stuck).to.be.instanceOf(WorkerError);
      expect((stuck as WorkerError).code).to.equal('worker/unresponsive');
      await classifiesCorrectly(client);
      expect(client.restarts).to.equal(1);
    } finally {
      client.dispose();
    }
  });
});
