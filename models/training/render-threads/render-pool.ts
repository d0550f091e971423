/**
 * Worker threads that render datasets in parallel with the training loop.
 * Rendering a photo costs about as much as training on its crops, and the
 * wasm backend trains on one core: a render thread on the other core gives
 * every epoch fresh photos for free.
 */
import { Worker } from 'node:worker_threads';
import type { PreprocessSpec } from '../../../src/preprocess/types.ts';
import type { Dataset, DatasetSpec } from '../dataset.ts';
import type { LocalizerSamples, LocalizerSpec } from '../localizer/samples.ts';
import type { RenderJob, RenderReply, RenderWork } from './protocol.ts';

/** A rendered dataset and the seconds its thread spent on it. */
export interface RenderedDataset {
  readonly data: Dataset;
  readonly seconds: number;
}

interface Pending {
  readonly job: RenderJob;
  readonly resolve: (value: { data: Dataset | LocalizerSamples; seconds: number }) => void;
  readonly reject: (reason: Error) => void;
  readonly onProgress: ((done: number, total: number) => void) | undefined;
}

interface Thread {
  readonly worker: Worker;
  busy: Pending | undefined;
}

/** A fixed set of render threads with a FIFO job queue. */
export class RenderPool {
  private readonly threads: Thread[];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private disposed = false;

  constructor(threadCount: number) {
    if (!Number.isInteger(threadCount) || threadCount < 1)
      throw new RangeError(`RenderPool: threadCount must be a positive integer, got ${String(threadCount)}.`);
    this.threads = Array.from({ length: threadCount }, () => this.startThread());
  }

  /** Renders `spec` on the next free thread. */
  render(
    spec: DatasetSpec,
    preprocess: PreprocessSpec,
    onProgress?: (done: number, total: number) => void,
  ): Promise<RenderedDataset> {
    return this.submit({ kind: 'crops', spec, preprocess }, onProgress) as Promise<RenderedDataset>;
  }

  /** Renders the localizer samples of `spec` (inputs side × side) on the next free thread. */
  renderLocalizer(
    spec: LocalizerSpec,
    side: number,
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ data: LocalizerSamples; seconds: number }> {
    return this.submit({ kind: 'localizer', spec, side }, onProgress) as Promise<{
      data: LocalizerSamples;
      seconds: number;
    }>;
  }

  private submit(
    work: RenderWork,
    onProgress: ((done: number, total: number) => void) | undefined,
  ): Promise<{ data: Dataset | LocalizerSamples; seconds: number }> {
    if (this.disposed) return Promise.reject(new Error('RenderPool: render() after dispose().'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { id: this.nextId++, work }, resolve, reject, onProgress });
      this.pump();
    });
  }

  /** Stops every thread; jobs not finished are rejected. Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const stopped = new Error('RenderPool: disposed before the job finished.');
    for (const p of this.queue.splice(0)) p.reject(stopped);
    for (const t of this.threads) t.busy?.reject(stopped);
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private startThread(): Thread {
    const worker = new Worker(new URL('./entry.mjs', import.meta.url));
    const thread: Thread = { worker, busy: undefined };
    worker.on('message', (reply: RenderReply) => {
      const pending = thread.busy;
      if (pending === undefined || pending.job.id !== reply.id) return;
      if (reply.kind === 'progress') {
        pending.onProgress?.(reply.done, reply.total);
        return;
      }
      thread.busy = undefined;
      if (reply.kind === 'done') pending.resolve({ data: reply.data, seconds: reply.seconds });
      else
        pending.reject(
          new Error(`render thread failed on ${pending.job.work.spec.name}: ${reply.message}\n${reply.stack ?? ''}`),
        );
      this.pump();
    });
    // A thread that dies takes its job with it; the others carry on with the queue, and when
    // none is left every queued job is rejected (nothing would ever run it).
    const died = (reason: Error) => {
      const at = this.threads.indexOf(thread);
      if (at < 0) return;
      this.threads.splice(at, 1);
      thread.busy?.reject(reason);
      thread.busy = undefined;
      if (this.threads.length === 0)
        for (const p of this.queue.splice(0))
          p.reject(new Error(`RenderPool: every render thread died (last: ${reason.message}).`));
      else this.pump();
    };
    worker.on('error', died);
    worker.on('exit', (code) => {
      if (!this.disposed) died(new Error(`render thread exited with code ${code}`));
    });
    return thread;
  }

  private pump(): void {
    for (const thread of this.threads) {
      if (thread.busy !== undefined) continue;
      const next = this.queue.shift();
      if (next === undefined) return;
      thread.busy = next;
      thread.worker.postMessage(next.job);
    }
  }
}
