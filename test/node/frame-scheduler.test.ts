import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FrameScheduler, type Closable } from '../../src/frame-scheduler.ts';

class FakeFrame implements Closable {
  closed = false;
  constructor(readonly id: number) {}
  close(): void {
    this.closed = true;
  }
}

/** A process function whose calls finish only when the test says so. */
function gatedProcess() {
  const started: FakeFrame[] = [];
  const gates: Array<() => void> = [];
  const process = (frame: FakeFrame) =>
    new Promise<number>((resolve) => {
      started.push(frame);
      gates.push(() => resolve(frame.id));
    });
  const release = async () => {
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { process, started, release };
}

describe('FrameScheduler', () => {
  it('processes one frame at a time and lets the newest waiting frame win', async () => {
    const { process, started, release } = gatedProcess();
    const scheduler = new FrameScheduler(process);
    const frames = [1, 2, 3, 4].map((id) => new FakeFrame(id));
    const outcomes = frames.map((frame) => scheduler.submit(frame));
    assert.deepEqual(
      started.map((f) => f.id),
      [1],
    );
    assert.equal(scheduler.hasWaitingFrame, true);
    // 2 and 3 were replaced while waiting: closed and reported as dropped.
    assert.equal(frames[1]!.closed, true);
    assert.equal(frames[2]!.closed, true);
    assert.equal(frames[3]!.closed, false);
    await release();
    assert.deepEqual(
      started.map((f) => f.id),
      [1, 4],
    );
    await release();
    const settled = await Promise.all(outcomes);
    assert.deepEqual(
      settled.map((o) => o.status),
      ['processed', 'dropped', 'dropped', 'processed'],
    );
    assert.deepEqual(scheduler.counters, { submitted: 4, processed: 2, dropped: 2, failed: 0 });
  });

  it('reports a failed frame and goes on with the next', async () => {
    let calls = 0;
    const scheduler = new FrameScheduler(async (frame: FakeFrame) => {
      calls += 1;
      if (frame.id === 1) throw new Error('bad frame');
      return frame.id;
    });
    const first = await scheduler.submit(new FakeFrame(1));
    const second = await scheduler.submit(new FakeFrame(2));
    assert.equal(first.status, 'failed');
    assert.deepEqual(second, { status: 'processed', result: 2 });
    assert.equal(calls, 2);
    assert.equal(scheduler.counters.failed, 1);
  });

  it('never queues more than one frame over 1000 rapid submissions', async () => {
    const { process, started, release } = gatedProcess();
    const scheduler = new FrameScheduler(process);
    const frames = Array.from({ length: 1000 }, (_, id) => new FakeFrame(id));
    const outcomes = frames.map((frame) => scheduler.submit(frame));
    await release();
    await release();
    await Promise.all(outcomes);
    assert.deepEqual(
      started.map((f) => f.id),
      [0, 999],
    );
    assert.equal(frames.filter((f) => f.closed).length, 998);
    assert.deepEqual(scheduler.counters, { submitted: 1000, processed: 2, dropped: 998, failed: 0 });
  });

  it('drops the waiting frame and later ones after dispose', async () => {
    const { process, release } = gatedProcess();
    const scheduler = new FrameScheduler(process);
    const inFlight = scheduler.submit(new FakeFrame(1));
    const waiting = new FakeFrame(2);
    const waitingOutcome = scheduler.submit(waiting);
    scheduler.dispose();
    scheduler.dispose();
    assert.equal((await waitingOutcome).status, 'dropped');
    assert.equal(waiting.closed, true);
    const late = new FakeFrame(3);
    assert.equal((await scheduler.submit(late)).status, 'dropped');
    assert.equal(late.closed, true);
    await release();
    assert.equal((await inFlight).status, 'processed');
  });
});
