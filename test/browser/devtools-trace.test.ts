import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { ClassifierClient } from '../../src/worker-api/classifier-client.ts';
import { FIXTURE_MODEL_URL, engineName, expectedFrame, fixtureImage, rawBitmap } from './helpers.ts';

interface TraceMeasure {
  readonly name: string;
  readonly phase: string;
  readonly thread: string;
  readonly detail: unknown;
}

describe('DevTools profiling', function () {
  it('puts each stage in the trace as column-classifier:<stage>, from the worker and the main thread', async function () {
    const started = await executeServerCommand<{ started?: boolean; unsupported?: string }, undefined>('start-trace');
    if (started.unsupported !== undefined) {
      // Only Chromium speaks the DevTools protocol; the measures still exist elsewhere, but no trace can be taken.
      console.log(`skipped on ${engineName()}: ${started.unsupported}`);
      this.skip();
    }
    const expected = await expectedFrame();
    const image = await fixtureImage();
    const client = await ClassifierClient.create({ modelUrl: FIXTURE_MODEL_URL, backends: ['wasm'] });
    try {
      for (let i = 0; i < 3; i += 1) await client.classify(await rawBitmap(image), expected.geometry);
    } finally {
      client.dispose();
    }
    const { measures } = await executeServerCommand<{ measures: TraceMeasure[] }, undefined>('stop-trace');
    const workerStages = new Set(measures.filter((m) => /Worker/i.test(m.thread)).map((m) => m.name));
    const mainStages = new Set(measures.filter((m) => !/Worker/i.test(m.thread)).map((m) => m.name));
    for (const stage of ['transfer', 'preprocess', 'predict', 'decode']) {
      expect([...workerStages], `worker stage ${stage}`).to.include(`column-classifier:${stage}`);
    }
    expect([...mainStages]).to.include('column-classifier:round-trip');
  });
});
