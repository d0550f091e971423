// The stream watch on both sides of the worker boundary: the worker's loop (worker/stream-watch.ts) and the page's
// session (src/worker-api/track-watch.ts), joined by a real MessageChannel; the frames and the worker are fakes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DisposedError, InputError, WorkerError } from '../../src/errors.ts';
import type {
  FrameRequest,
  FrameResult,
  StreamWatchMessage,
  StreamWatchSettings,
} from '../../src/worker-api/classifier-worker-api.ts';
import {
  TrackWatchSession,
  type TrackWatchHost,
  type WatchedFrameResult,
  type WatchedWorker,
} from '../../src/worker-api/track-watch.ts';
import { StreamWatch } from '../../worker/stream-watch.ts';

function result(frame: number): FrameResult {
  return {
    columns: [],
    backend: 'wasm',
    frameWidth: 4,
    frameHeight: 3,
    timings: { transfer: 0, preprocess: 0, predict: 0, decode: 0, total: 0 },
    frame,
  };
}

const LOCATE: StreamWatchSettings = { intervalMs: 5, where: { locate: {} } };

/** Messages a port receives, and a way to wait for the n-th. */
function listen(port: MessagePort) {
  const messages: StreamWatchMessage[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  port.onmessage = (event: MessageEvent<StreamWatchMessage>) => {
    messages.push(event.data);
    for (const w of waiters.filter((w) => messages.length >= w.count)) w.resolve();
  };
  const count = (n: number) =>
    new Promise<void>((resolve) => (messages.length >= n ? resolve() : waiters.push({ count: n, resolve })));
  return { messages, count };
}

describe('StreamWatch (the worker reading a stream on its own clock)', () => {
  it('reads frame after frame without being asked, posting each result, and uses a relocate for one frame only', async () => {
    const { port1, port2 } = new MessageChannel();
    const requests: FrameRequest[] = [];
    let frame = 0;
    const watch = new StreamWatch(port2, { ...LOCATE, where: { locate: { relocate: true } } }, async (request) => {
      requests.push(request);
      return result(++frame);
    });
    const page = listen(port1);
    await page.count(4);
    watch.stop();
    port1.close();
    const readings = page.messages.filter((m) => m.kind === 'reading');
    assert.ok(readings.length >= 4);
    assert.deepEqual(
      readings.slice(0, 4).map((m) => (m.kind === 'reading' ? m.result.frame : 0)),
      [1, 2, 3, 4],
    );
    assert.deepEqual(requests[0], { locate: { relocate: true }, sentAt: requests[0]?.sentAt });
    for (const later of requests.slice(1)) assert.deepEqual(later, { locate: {}, sentAt: later.sentAt });
  });

  it('keeps the interval between the starts of two readings, takes an update from the next frame, and posts a failure as an error with its code', async () => {
    const { port1, port2 } = new MessageChannel();
    const starts: number[] = [];
    const requests: FrameRequest[] = [];
    const watch = new StreamWatch(port2, { intervalMs: 200, where: { locate: {} } }, async (request) => {
      starts.push(performance.now());
      requests.push(request);
      if (starts.length === 2) throw new InputError('input/zero-size-frame', 'no frame yet');
      return result(starts.length);
    });
    const page = listen(port1);
    await page.count(3);
    watch.update({ intervalMs: 1, where: { locate: { columns: 7 } } });
    await page.count(6);
    watch.stop();
    port1.close();
    assert.ok((starts[1] ?? 0) - (starts[0] ?? 0) >= 195, `first interval ${(starts[1] ?? 0) - (starts[0] ?? 0)} ms`);
    const failure = page.messages[1];
    assert.equal(failure?.kind, 'error');
    assert.equal(failure?.kind === 'error' ? failure.error.code : undefined, 'input/zero-size-frame');
    // The update came while the watch waited 200 ms for the fourth frame: it cut that wait short.
    assert.ok(
      (starts[3] ?? 0) - (starts[2] ?? 0) < 150,
      `the wait the update cut: ${(starts[3] ?? 0) - (starts[2] ?? 0)} ms`,
    );
    assert.deepEqual(requests[2], { locate: {}, sentAt: requests[2]?.sentAt });
    assert.deepEqual(requests[3], { locate: { columns: 7 }, sentAt: requests[3]?.sentAt });
  });

  it('posts stopped once when stopped, drops the result of the frame being read, and reads no further frame', async () => {
    const { port1, port2 } = new MessageChannel();
    let release: (() => void) | undefined;
    let reads = 0;
    const watch = new StreamWatch(port2, LOCATE, async () => {
      reads += 1;
      await new Promise<void>((resolve) => (release = resolve));
      return result(reads);
    });
    const page = listen(port1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    watch.stop();
    release?.();
    await page.count(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    port1.close();
    assert.deepEqual(page.messages, [{ kind: 'stopped' }]);
    assert.equal(reads, 1);
  });
});

/**
 * A fake worker: its watchStream runs a real StreamWatch on the transferred port, over fake frames, and numbers the
 * watches as the service does; `startDelayMs` makes watchStream answer late.
 */
function fakeWorker(readFrame: () => Promise<FrameResult>, startDelayMs = 0) {
  let hung = false;
  // A hung worker's frame never finishes: nothing more arrives, and it is not known to be dead.
  const read = () => (hung ? new Promise<FrameResult>(() => undefined) : readFrame());
  let die: (error: WorkerError) => void = () => undefined;
  const died = new Promise<never>((_, reject) => (die = reject));
  died.catch(() => undefined);
  let watch: StreamWatch | undefined;
  let current = 0;
  const calls: string[] = [];
  const worker: WatchedWorker & {
    kill(error: WorkerError): void;
    terminate(): void;
    hang(): void;
    calls: string[];
  } = {
    died,
    calls,
    remote: {
      watchStream: async (port, settings) => {
        calls.push('watchStream');
        watch?.stop();
        current += 1;
        const number = current;
        watch = new StreamWatch(port, settings, read);
        await new Promise((resolve) => setTimeout(resolve, startDelayMs));
        return number;
      },
      updateWatch: async (number, settings) => {
        calls.push('updateWatch');
        if (number === current) watch?.update(settings);
      },
      stopWatch: async (number) => {
        calls.push('stopWatch');
        if (number === current) watch?.stop();
      },
    },
    kill: (error) => {
      watch?.stop();
      die(error);
    },
    // What the client's restart does to a worker: it stops at once, and says nothing.
    terminate: () => watch?.stop(),
    hang: () => (hung = true),
  };
  return worker;
}
type FakeWorker = ReturnType<typeof fakeWorker>;

/** A client's side as a watch sees it: `worker()` is the worker now; nothing fails or ends unless `overrides` say. */
function fakeHost(
  worker: () => FakeWorker,
  overrides: Partial<TrackWatchHost<FakeWorker>> = {},
): TrackWatchHost<FakeWorker> {
  return {
    worker: async () => worker(),
    attach: async () => undefined,
    fail: () => assert.fail('no failure'),
    silenceLimitMs: () => 10_000,
    ended: () => undefined,
    ...overrides,
  };
}

describe('TrackWatchSession (the page side of a watch)', () => {
  it('passes each reading on with its round trip; when the worker dies, reports it, has it restarted and watches on the new one', async () => {
    let frames = 0;
    const read = async () => result(++frames);
    const workers = [fakeWorker(read), fakeWorker(read)];
    let current = 0;
    const failures: WorkerError[] = [];
    const readings: WatchedFrameResult[] = [];
    const errors: unknown[] = [];
    let enough: () => void = () => undefined;
    const session = new TrackWatchSession(
      fakeHost(() => workers[current]!, {
        fail: (_worker, error) => {
          failures.push(error);
          current = 1;
        },
      }),
      LOCATE,
      {
        onReading: (r) => {
          readings.push(r);
          if (readings.length === 3) workers[0]!.kill(new WorkerError('worker/crashed', 'it died'));
          if (readings.length === 6) enough();
        },
        onError: (error) => errors.push(error),
      },
    );
    await new Promise<void>((resolve) => (enough = resolve));
    session.stop();
    assert.equal(failures.length, 1);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof WorkerError && errors[0].code === 'worker/crashed');
    assert.deepEqual(workers[1]!.calls.slice(0, 1), ['watchStream']);
    assert.ok(readings.every((r) => r.roundTrip >= 0 && r.roundTrip < 5000));
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(workers[1]!.calls.at(-1), 'stopWatch');
  });

  it('a watch stopped while it is starting does not stop the watch started after it on the same worker', async () => {
    let frames = 0;
    const worker = fakeWorker(async () => result(++frames), 50);
    const host = fakeHost(() => worker);
    const first = new TrackWatchSession(host, LOCATE, { onReading: () => undefined, onError: () => undefined });
    await new Promise((resolve) => setTimeout(resolve, 5));
    first.stop();
    let afterLateStop = 0;
    let enough: () => void = () => undefined;
    const second = new TrackWatchSession(host, LOCATE, {
      onReading: () => {
        // Counted once the first watch's number came back and its late stopWatch was sent.
        if (worker.calls.includes('stopWatch')) afterLateStop += 1;
        if (afterLateStop === 5) enough();
      },
      onError: (error) => assert.fail(String(error)),
    });
    await new Promise<void>((resolve) => (enough = resolve));
    second.stop();
    assert.deepEqual(worker.calls.slice(0, 3), ['watchStream', 'watchStream', 'stopWatch']);
  });

  it('watches again on the new worker, without an error of its own, when the client replaced the worker after another call saw it fail', async () => {
    let frames = 0;
    const read = async () => result(++frames);
    const workers = [fakeWorker(read), fakeWorker(read)];
    let current = 0;
    const errors: unknown[] = [];
    let readings = 0;
    let onNew: () => void = () => undefined;
    const session = new TrackWatchSession(
      fakeHost(() => workers[current]!, { fail: () => assert.fail('the session saw no failure itself') }),
      LOCATE,
      {
        onReading: () => {
          readings += 1;
          if (readings === 2) {
            current = 1;
            workers[0]!.terminate();
            session.workerReplaced(workers[0]!);
          }
          if (workers[1]!.calls.length > 0 && readings > 4) onNew();
        },
        onError: (error) => errors.push(error),
      },
    );
    await new Promise<void>((resolve) => (onNew = resolve));
    session.stop();
    assert.deepEqual(errors, []);
    assert.equal(workers[1]!.calls[0], 'watchStream');
  });

  it('counts a worker that stops sending as unresponsive and restarts it', async () => {
    const read = async () => result(1);
    const workers = [fakeWorker(read), fakeWorker(read)];
    let current = 0;
    const errors: unknown[] = [];
    let readings = 0;
    let recovered: () => void = () => undefined;
    const session = new TrackWatchSession(
      fakeHost(() => workers[current]!, { fail: () => (current = 1), silenceLimitMs: () => 300 }),
      LOCATE,
      {
        onReading: () => {
          readings += 1;
          if (readings === 2) workers[0]!.hang();
          if (current === 1) recovered();
        },
        onError: (error) => errors.push(error),
      },
    );
    await new Promise<void>((resolve) => (recovered = resolve));
    session.stop();
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof WorkerError && errors[0].code === 'worker/unresponsive', String(errors[0]));
  });

  it('ends, with the error, when no worker can be had (the client gave up or was disposed), and tells the client', async () => {
    const errors: unknown[] = [];
    let ended = 0;
    const gaveUp = new WorkerError('worker/crashed', 'giving up');
    new TrackWatchSession(
      fakeHost(() => assert.fail('no worker'), {
        worker: async () => Promise.reject(gaveUp),
        ended: () => (ended += 1),
      }),
      LOCATE,
      { onReading: () => assert.fail('no reading'), onError: (error) => errors.push(error) },
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(errors, [gaveUp]);
    assert.equal(ended, 1);
  });

  it('ends, telling the listener and the client, when the worker ends the watch (its track released or replaced)', async () => {
    let frames = 0;
    const worker = fakeWorker(async () => result(++frames));
    const errors: unknown[] = [];
    let ended = 0;
    let readings = 0;
    let done: () => void = () => undefined;
    const session = new TrackWatchSession(
      fakeHost(() => worker, { ended: () => ((ended += 1), done()) }),
      LOCATE,
      {
        onReading: () => {
          readings += 1;
          // What releaseTrack() or another watch does on the worker's side: its StreamWatch stops and says so.
          if (readings === 2) worker.terminate();
        },
        onError: (error) => errors.push(error),
      },
    );
    await new Promise<void>((resolve) => (done = resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(ended, 1);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof DisposedError && errors[0].code === 'disposed/superseded', String(errors[0]));
    assert.equal(readings, 2);
    // Stopping it afterwards is a no-op: nothing is sent to the worker for a watch it ended itself.
    session.stop();
    assert.deepEqual(worker.calls, ['watchStream']);
  });
});
