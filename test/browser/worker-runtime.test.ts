import { expect } from '@esm-bundle/chai';
import { ClassifierClient } from '../../src/worker-api/classifier-client.ts';
import { BackendError, ColumnClassifierError, InputError } from '../../src/errors.ts';
import type { BackendName, RuntimeWarning, StartProgress } from '../../src/worker-api/classifier-worker-api.ts';
import {
  FIXTURE_MODEL_URL,
  FRAME_TOLERANCE,
  engineName,
  expectedFrame,
  fixtureImage,
  maxReadingDiff,
  rawBitmap,
  rejection,
  type ExpectedFrame,
} from './helpers.ts';

const BACKENDS: readonly BackendName[] = ['cpu', 'wasm', 'webgl'];

/** The fixture model as a graph model (scripts/make-browser-graph-fixture.ts): the same weights, heads via the signature. */
const GRAPH_FIXTURE_MODEL_URL = new URL('../fixtures/browser-graph-model/model.json', import.meta.url).href;

let expected: ExpectedFrame;
let image: HTMLImageElement;

before(async function () {
  expected = await expectedFrame();
  image = await fixtureImage();
});

for (const backend of BACKENDS) {
  describe(`worker runtime on ${backend}`, function () {
    let client: ClassifierClient;
    const progress: StartProgress[] = [];
    const warnings: RuntimeWarning[] = [];

    before(async function () {
      client = await ClassifierClient.create({
        modelUrl: FIXTURE_MODEL_URL,
        backends: [backend],
        onProgress: (p) => progress.push(p),
        onWarning: (w) => warnings.push(w),
      });
    });

    after(function () {
      client?.dispose();
    });

    it('really runs on the backend it was asked for, after passing the golden self-check', function () {
      expect(client.runtime.backend).to.equal(backend);
      const [check] = client.runtime.selfChecks;
      expect(check?.backend).to.equal(backend);
      expect(check?.passed).to.equal(true);
      expect(check?.maxAbsDiff).to.be.at.most(check?.tolerance ?? 0);
      expect(warnings).to.deep.equal([]);
    });

    it('reports loading progress in stages, with bytes, ending with ready', function () {
      const stages = progress.map((p) => p.stage);
      expect(stages).to.include.members(['backend', 'fetch', 'self-check', 'warm-up']);
      expect(stages[stages.length - 1]).to.equal('ready');
      const bytes = progress.filter((p) => p.stage === 'fetch' && p.loaded !== undefined);
      expect(bytes.length).to.be.greaterThan(0);
      expect(client.runtime.model.weightBytes).to.be.greaterThan(0);
    });

    it('reads a PNG frame with the same numbers as the Node reference pipeline', async function () {
      const result = await client.classify(await rawBitmap(image), expected.geometry);
      expect(result.backend).to.equal(backend);
      expect([result.frameWidth, result.frameHeight]).to.deep.equal([expected.width, expected.height]);
      expect(result.columns.map((c) => c.digit)).to.deep.equal(expected.columns.map((c) => c.digit));
      expect(maxReadingDiff(result.columns, expected.columns)).to.be.at.most(FRAME_TOLERANCE);
      for (const stage of ['transfer', 'preprocess', 'predict', 'decode', 'total'] as const) {
        expect(result.timings[stage], stage).to.be.a('number').and.at.least(0);
      }
      expect(result.roundTrip).to.be.at.least(result.timings.total);
    });

    it('transfers the frame instead of copying it', async function () {
      const frame = await rawBitmap(image);
      await client.classify(frame, expected.geometry);
      // A transferred ImageBitmap is detached on the sender's side.
      expect([frame.width, frame.height]).to.deep.equal([0, 0]);
    });

    it('keeps tensors constant over 100 frames, including failing ones', async function () {
      await client.classify(await rawBitmap(image), expected.geometry);
      const before = (await client.memory()).numTensors;
      for (let frame = 0; frame < 100; frame += 1) {
        const geometry =
          frame % 10 === 9 ? { ...expected.geometry, columns: 0 } : { ...expected.geometry, columns: 1 + (frame % 7) };
        await client.classify(await rawBitmap(image), geometry).catch((error: unknown) => {
          expect(error).to.be.instanceOf(InputError);
        });
      }
      expect((await client.memory()).numTensors).to.equal(before);
    });

    it('refuses a closed frame and bad geometry with InputErrors, and goes on', async function () {
      const closed = await rawBitmap(image);
      closed.close();
      const detached = await rejection(client.classify(closed, expected.geometry));
      expect(detached).to.be.instanceOf(InputError);
      expect((detached as InputError).code).to.equal('input/detached-frame');

      const geometryError = await rejection(
        client.classify(await rawBitmap(image), { ...expected.geometry, columns: 0 }),
      );
      // Thrown in the worker: the class and code survive the crossing.
      expect(geometryError).to.be.instanceOf(InputError);
      expect(geometryError).to.be.instanceOf(ColumnClassifierError);
      expect((geometryError as InputError).code).to.equal('input/bad-geometry');

      const after = await client.classify(await rawBitmap(image), expected.geometry);
      expect(after.columns).to.have.length(expected.columns.length);
    });
  });
}

describe('worker runtime frame scheduling', function () {
  it('never queues frames: 1000 rapid submissions are processed or counted as dropped, tensors constant', async function () {
    const client = await ClassifierClient.create({ modelUrl: FIXTURE_MODEL_URL, backends: ['wasm'] });
    try {
      await client.classify(await rawBitmap(image), expected.geometry);
      const before = (await client.memory()).numTensors;
      const source = await rawBitmap(image);
      const outcomes = [];
      for (let i = 0; i < 1000; i += 1) {
        outcomes.push(client.submit(await createImageBitmap(source), expected.geometry));
        expect(client.hasWaitingFrame || client.counters.processed > 0 || i === 0).to.equal(true);
      }
      source.close();
      const settled = await Promise.all(outcomes);
      const processed = settled.filter((o) => o.status === 'processed').length;
      const dropped = settled.filter((o) => o.status === 'dropped').length;
      expect(processed + dropped).to.equal(1000);
      expect(dropped).to.be.greaterThan(0);
      expect(client.counters).to.deep.include({ submitted: 1000, processed, dropped, failed: 0 });
      expect((await client.memory()).numTensors).to.equal(before);
    } finally {
      client.dispose();
    }
  });
});

// Apart from the clients above, which are disposed by now: WebKitGTK here gives a second worker no WebGL while another
// holds a context.
for (const backend of BACKENDS) {
  describe(`a graph model in the worker on ${backend}`, function () {
    it('reads the same model as a graph model (its runtime loaded on demand) with the Node reference numbers', async function () {
      const graph = await ClassifierClient.create({ modelUrl: GRAPH_FIXTURE_MODEL_URL, backends: [backend] });
      try {
        // Bound through the graph's signature, earth listed first, as the converter writes a Keras model's heads.
        expect(graph.runtime.model.heads.map((h) => [h.name, h.output])).to.deep.equal([
          ['heaven', 'output_1'],
          ['earth', 'output_0'],
        ]);
        const [check] = graph.runtime.selfChecks;
        expect(check?.passed, JSON.stringify(check)).to.equal(true);
        const result = await graph.classify(await rawBitmap(image), expected.geometry);
        expect(result.columns.map((c) => c.digit)).to.deep.equal(expected.columns.map((c) => c.digit));
        expect(maxReadingDiff(result.columns, expected.columns)).to.be.at.most(FRAME_TOLERANCE);
      } finally {
        graph.dispose();
      }
    });
  });
}

describe('worker runtime backend choice', function () {
  it('never uses WebGL that renders to half floats (its drift on whole photos exceeds the tolerance), and falls back with a warning saying why', async function () {
    const warnings: RuntimeWarning[] = [];
    const client = await ClassifierClient.create({
      modelUrl: FIXTURE_MODEL_URL,
      backends: ['webgl', 'cpu'],
      flags: { WEBGL_FORCE_F16_TEXTURES: true },
      onWarning: (w) => warnings.push(w),
    });
    try {
      expect(client.runtime.backend).to.equal('cpu');
      expect(client.runtime.selfChecks.map((c) => c.backend)).to.deep.equal(
        ['cpu'],
        'webgl is refused before its self-check',
      );
      const fallback = warnings.find((w) => w.code === 'backend/fallback');
      expect(fallback?.message).to.match(/half-float textures only/);
      expect(fallback?.details).to.deep.include({ backend: 'webgl', reason: 'half-float' });
    } finally {
      client.dispose();
    }
  });

  it('says that a Content-Security-Policy without wasm-unsafe-eval stops the wasm backend, and what to add', async function () {
    const error = await rejection(
      ClassifierClient.create({
        modelUrl: FIXTURE_MODEL_URL,
        backends: ['wasm'],
        // The worker's own response carries the policy (script-src 'self'; worker-src 'self').
        workerUrl: new URL('../../worker/classifier.worker.ts?csp=strict', import.meta.url),
      }),
    );
    expect(error, String(error)).to.be.instanceOf(BackendError);
    if (engineName() === 'webkit') {
      // WebKitGTK refuses TF.js's wasm under this policy, but a worker there cannot find out why: compiling a probe
      // module succeeds and no securitypolicyviolation event reaches it. The error is typed, without the reason.
      // TF.js has no other backend to fall back to: cpu and WebGL are registered only when they are tried.
      expect((error as BackendError).details?.['failures']).to.deep.equal([
        { code: 'backend/unavailable', backend: 'wasm' },
      ]);
      expect((error as BackendError).message).to.match(/TF\.js could not start it/);
    } else {
      expect((error as BackendError).message).to.match(/'wasm-unsafe-eval'/);
      expect((error as BackendError).details?.['failures']).to.deep.equal([
        { code: 'backend/unavailable', backend: 'wasm', reason: 'csp' },
      ]);
    }
    // The same worker under the same policy runs the cpu backend: only wasm needs more.
    const client = await ClassifierClient.create({
      modelUrl: FIXTURE_MODEL_URL,
      backends: ['cpu'],
      workerUrl: new URL('../../worker/classifier.worker.ts?csp=strict', import.meta.url),
    });
    client.dispose();
  });

  it('rejects with a BackendError when no backend in the list passes', async function () {
    const error = await rejection(
      ClassifierClient.create({
        modelUrl: FIXTURE_MODEL_URL,
        backends: ['webgl'],
        flags: { WEBGL_FORCE_F16_TEXTURES: true },
      }),
    );
    expect(error).to.be.instanceOf(BackendError);
    expect((error as BackendError).code).to.equal('backend/unavailable');
  });

  it('chooses the fastest backend by measuring every one that passes (choose: fastest)', async function () {
    const client = await ClassifierClient.create({
      modelUrl: FIXTURE_MODEL_URL,
      backends: ['webgl', 'wasm', 'cpu'],
      choose: 'fastest',
      warmUpColumns: 13,
    });
    try {
      const { trials, backend, choice } = client.runtime;
      expect(trials.map((t) => t.backend)).to.deep.equal(['webgl', 'wasm', 'cpu']);
      const chosen = trials.filter((t) => t.outcome === 'chosen');
      expect(chosen.map((t) => t.backend)).to.deep.equal([backend]);
      const measured = trials.filter((t) => t.warmUpMs !== undefined || t.columnMs !== undefined);
      // wasm and cpu pass the self-check in every engine: a choice between them is a measurement.
      expect(measured.map((t) => t.backend)).to.include.members(['wasm', 'cpu']);
      expect(chosen[0]!.warmUpMs).to.be.a('number');
      for (const t of measured) {
        // A backend timed on one column only was ruled out because that alone took longer than the winner's batch.
        const time = t.warmUpMs ?? t.columnMs!;
        expect(chosen[0]!.warmUpMs!, `${t.backend} was faster`).to.be.at.most(time);
        if (t.columnMs !== undefined) expect(t.outcome).to.equal('slower');
      }
      for (const t of trials.filter((t) => t.warmUpMs === undefined && t.columnMs === undefined)) {
        expect(t.outcome, t.backend).to.be.oneOf(['refused', 'skipped']);
        expect(t.reason, t.backend).to.be.a('string');
      }
      expect(choice).to.match(new RegExp(`^${backend}: fastest`));
      const result = await client.classify(await rawBitmap(image), expected.geometry);
      expect(result.backend).to.equal(backend);
      expect(maxReadingDiff(result.columns, expected.columns)).to.be.at.most(FRAME_TOLERANCE);
    } finally {
      client.dispose();
    }
  });

  it('reads the first frame on the first backend that passes, then measures the others and moves to the fastest (choose: first-then-fastest)', async function () {
    const client = await ClassifierClient.create({
      modelUrl: FIXTURE_MODEL_URL,
      backends: ['webgl', 'wasm', 'cpu'],
      choose: 'first-then-fastest',
      warmUpColumns: 13,
    });
    try {
      // Ready with wasm (measured first), its batch timed; the others wait for the first frame.
      const started = client.runtime;
      expect(started.backend).to.equal('wasm');
      expect(started.trials.find((t) => t.backend === 'wasm')?.outcome).to.equal('chosen');
      expect(started.trials.find((t) => t.backend === 'wasm')?.warmUpMs).to.be.a('number');
      expect(started.trials.filter((t) => t.outcome === 'pending').map((t) => t.backend)).to.include('cpu');
      expect(started.choice).to.match(/^wasm: the first to pass .* measured after the first frame/);
      const first = await client.classify(await rawBitmap(image), expected.geometry);
      expect(first.backend).to.equal('wasm');
      expect(first.runtime).to.equal(undefined);
      const second = await client.classify(await rawBitmap(image), expected.geometry);
      const settled = second.runtime;
      if (settled === undefined) throw new Error('the second frame did not settle the choice');
      expect(settled.trials.map((t) => t.backend)).to.deep.equal(['webgl', 'wasm', 'cpu']);
      expect(settled.trials.filter((t) => t.outcome === 'pending')).to.deep.equal([]);
      const chosen = settled.trials.filter((t) => t.outcome === 'chosen');
      expect(chosen.map((t) => t.backend)).to.deep.equal([settled.backend]);
      // The choice is the measurement: the winner's batch is no slower than any other backend's time.
      const measured = settled.trials.filter((t) => t.warmUpMs !== undefined || t.columnMs !== undefined);
      expect(measured.map((t) => t.backend)).to.include.members(['wasm', 'cpu']);
      for (const t of measured)
        expect(chosen[0]!.warmUpMs!, `${t.backend} was faster`).to.be.at.most(t.warmUpMs ?? t.columnMs!);
      expect(second.backend).to.equal(settled.backend);
      expect(client.runtime).to.deep.equal(settled);
      expect(maxReadingDiff(second.columns, expected.columns)).to.be.at.most(FRAME_TOLERANCE);
      // Settled once: later frames carry no runtime.
      expect((await client.classify(await rawBitmap(image), expected.geometry)).runtime).to.equal(undefined);
    } finally {
      client.dispose();
    }
  });

  /** A client reading on wasm with cpu pending (`first-then-fastest`), its first frame read: the next one measures. */
  async function clientAboutToMeasure(): Promise<ClassifierClient> {
    const client = await ClassifierClient.create({
      modelUrl: FIXTURE_MODEL_URL,
      backends: ['wasm', 'cpu'],
      choose: 'first-then-fastest',
    });
    await client.classify(await rawBitmap(image), expected.geometry);
    return client;
  }

  it('reports the settled choice on the next frame read when the frame that measured failed', async function () {
    const client = await clientAboutToMeasure();
    try {
      // The second frame measures cpu, then fails on its own geometry.
      const error = await rejection(client.classify(await rawBitmap(image), { ...expected.geometry, columns: 0 }));
      expect((error as InputError).code).to.equal('input/bad-geometry');
      const third = await client.classify(await rawBitmap(image), expected.geometry);
      expect(third.runtime?.trials.filter((t) => t.outcome === 'pending')).to.deep.equal([]);
      expect(client.runtime.trials.map((t) => t.outcome)).to.not.include('pending');
    } finally {
      client.dispose();
    }
  });

  it('moves to the backends asked for when setBackends comes while the others are being measured', async function () {
    const client = await clientAboutToMeasure();
    try {
      const measuring = client.classify(await rawBitmap(image), expected.geometry);
      const moved = await client.setBackends(['cpu']);
      await measuring.catch(() => undefined);
      expect(moved.backend).to.equal('cpu');
      const result = await client.classify(await rawBitmap(image), expected.geometry);
      expect(result.backend).to.equal('cpu');
      expect(maxReadingDiff(result.columns, expected.columns)).to.be.at.most(FRAME_TOLERANCE);
    } finally {
      client.dispose();
    }
  });

  it('takes the first backend that passes by default, and says the others were not tried', async function () {
    const client = await ClassifierClient.create({ modelUrl: FIXTURE_MODEL_URL, backends: ['cpu', 'wasm'] });
    try {
      expect(client.runtime.backend).to.equal('cpu');
      expect(client.runtime.trials).to.deep.equal([
        { backend: 'cpu', outcome: 'chosen' },
        { backend: 'wasm', outcome: 'skipped', reason: 'cpu was chosen first' },
      ]);
    } finally {
      client.dispose();
    }
  });

  it('moves to another backend on request, with a new self-check', async function () {
    const client = await ClassifierClient.create({ modelUrl: FIXTURE_MODEL_URL, backends: ['cpu'] });
    try {
      const runtime = await client.setBackends(['wasm']);
      expect(runtime.backend).to.equal('wasm');
      expect(client.runtime.backend).to.equal('wasm');
      const result = await client.classify(await rawBitmap(image), expected.geometry);
      expect(result.backend).to.equal('wasm');
      expect(maxReadingDiff(result.columns, expected.columns)).to.be.at.most(FRAME_TOLERANCE);
    } finally {
      client.dispose();
    }
  });
});
