// The worker is a public module: a page may talk to it around ClassifierClient. Calls that do not match its API get
// an InputError naming the argument (across the worker boundary, as the same class), the worker's internals are not
// reachable through the proxy, and a well-formed call afterwards still works.
import { expect } from '@esm-bundle/chai';
import * as Comlink from 'comlink';
import { ColumnClassifierError, InputError, StateError } from '../../src/errors.ts';
import type { ClassifierWorkerApi } from '../../src/worker-api/classifier-worker-api.ts';
import { defaultWorkerUrl } from '../../src/worker-api/default-urls.ts';
import { installErrorTransfer } from '../../src/worker-api/error-transfer.ts';
import { FIXTURE_MODEL_URL, expectedFrame, fixtureImage, rawBitmap, rejection, type ExpectedFrame } from './helpers.ts';

let expected: ExpectedFrame;
let image: HTMLImageElement;
let worker: Worker;
let remote: Comlink.Remote<ClassifierWorkerApi>;
/** Errors the worker threw outside any call (a message it could not handle at all). */
const uncaught: string[] = [];

before(async function () {
  installErrorTransfer();
  expected = await expectedFrame();
  image = await fixtureImage();
  worker = new Worker(defaultWorkerUrl, { type: 'module' });
  worker.addEventListener('error', (event) => uncaught.push(event.message));
  remote = Comlink.wrap<ClassifierWorkerApi>(worker);
});

after(function () {
  worker.terminate();
});

/** The remote as a page that ignores its types would use it. */
function untyped(): Record<string, (...args: unknown[]) => Promise<unknown>> {
  return remote as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
}

async function expectBadArgument(call: Promise<unknown>, named: RegExp): Promise<void> {
  const error = await rejection(call);
  expect(error, String(error)).to.be.instanceOf(InputError);
  expect((error as ColumnClassifierError).code).to.equal('input/bad-argument');
  expect((error as Error).message).to.match(named);
}

describe('worker calls that do not match its API', function () {
  it('refuses malformed start options with an InputError naming the field, then starts with good ones', async function () {
    const start = untyped()['start']!;
    await expectBadArgument(start(undefined), /start\(options\)/);
    await expectBadArgument(start({ modelUrl: FIXTURE_MODEL_URL, backends: 'cpu' }), /start\(options\)\.backends/);
    await expectBadArgument(start({ modelUrl: FIXTURE_MODEL_URL, backends: ['gpu'] }), /backends\[0\]/);
    await expectBadArgument(start({ modelUrl: 42, backends: ['cpu'] }), /start\(options\)\.modelUrl/);
    await expectBadArgument(
      start({ modelUrl: FIXTURE_MODEL_URL, backends: ['cpu'], allowPathsOutsideFolder: 'yes' }),
      /allowPathsOutsideFolder/,
    );
    await expectBadArgument(start({ modelUrl: FIXTURE_MODEL_URL, backends: ['cpu'] }, 'progress'), /onProgress/);

    const info = await remote.start({ modelUrl: FIXTURE_MODEL_URL, backends: ['cpu'] });
    expect(info.backend).to.equal('cpu');
  });

  it('refuses a frame that is no ImageBitmap and a malformed request, then reads a good frame', async function () {
    const classify = untyped()['classify']!;
    const request = { geometry: expected.geometry, sentAt: performance.timeOrigin + performance.now() };
    await expectBadArgument(classify({ width: 10, height: 10 }, request), /ImageBitmap, not Object/);
    await expectBadArgument(classify(null, request), /not null/);

    const bitmap = await rawBitmap(image);
    await expectBadArgument(
      classify(Comlink.transfer(bitmap, [bitmap]), { geometry: { columns: '7' }, sentAt: 0 }),
      /request\)\.geometry\.columns: .*number/,
    );
    const other = await rawBitmap(image);
    await expectBadArgument(classify(Comlink.transfer(other, [other]), undefined), /classify\(…, request\)/);

    const good = await rawBitmap(image);
    const result = await remote.classify(Comlink.transfer(good, [good]), request);
    expect(result.columns.map((c) => c.digit)).to.deep.equal(expected.columns.map((c) => c.digit));
    expect((await remote.memory()).backend).to.equal('cpu');
  });

  it('refuses setBackends without a list of backends', async function () {
    await expectBadArgument(untyped()['setBackends']!([]), /setBackends\(backends\)/);
    await expectBadArgument(untyped()['setBackends']!(['cpu', 7]), /setBackends\(backends\)\[1\]/);
  });

  it('refuses attachStream without a stream, and classifyStreamFrame before one is attached or with a bad request', async function () {
    await expectBadArgument(untyped()['attachStream']!({ locked: false }), /attachStream\(stream\)/);
    await expectBadArgument(untyped()['classifyStreamFrame']!({ geometry: 1 }), /classifyStreamFrame\(request\)/);
    const error = await rejection(untyped()['classifyStreamFrame']!({ geometry: expected.geometry, sentAt: 0 }));
    expect(error, String(error)).to.be.instanceOf(StateError);
  });

  it('refuses watchStream without a port or with bad settings, and before a stream is attached', async function () {
    const { port1, port2 } = new MessageChannel();
    try {
      await expectBadArgument(
        untyped()['watchStream']!({}, { intervalMs: 50, where: { locate: {} } }),
        /watchStream\(port\)/,
      );
      const transferred = (settings: unknown) => untyped()['watchStream']!(Comlink.transfer(port2, [port2]), settings);
      await expectBadArgument(
        transferred({ intervalMs: -1, where: { locate: {} } }),
        /watchStream\(…, settings\)\.intervalMs/,
      );
      await expectBadArgument(
        untyped()['updateWatch']!(1, { intervalMs: 50, where: { geometry: 1 } }),
        /updateWatch\(…, settings\)/,
      );
      await expectBadArgument(untyped()['stopWatch']!('all'), /stopWatch\(watch\)/);
    } finally {
      port1.close();
    }
    const { port2: fresh } = new MessageChannel();
    const error = await rejection(
      untyped()['watchStream']!(Comlink.transfer(fresh, [fresh]), { intervalMs: 50, where: { locate: {} } }),
    );
    expect(error, String(error)).to.be.instanceOf(StateError);
  });

  it("does not let a page read or replace the service's fields or methods through the proxy", async function () {
    // Comlink gets and sets any property path of the exposed object: only the API's methods may be there.
    const proxy = remote as unknown as Record<string, unknown>;
    expect(await (proxy['options'] as Promise<unknown>)).to.equal(undefined);
    expect(await (proxy['disposed'] as Promise<unknown>)).to.equal(undefined);
    // The SET message Comlink's proxy would send, sent by hand so that its answer can be awaited.
    const answer = new Promise<unknown>((resolve) => {
      const onMessage = (event: MessageEvent<{ id?: string }>) => {
        if (event.data.id !== 'replace-classify') return;
        worker.removeEventListener('message', onMessage);
        resolve(event.data);
      };
      worker.addEventListener('message', onMessage);
    });
    worker.postMessage({
      id: 'replace-classify',
      type: 'SET',
      path: ['classify'],
      value: { type: 'RAW', value: 'replaced' },
    });
    expect(JSON.stringify(await answer)).to.match(/read.only|not writable|readonly/i);
    const error = await rejection(untyped()['classify']!());
    expect(error, String(error)).to.be.instanceOf(InputError);
    expect(uncaught).to.deep.equal([]);
  });
});
