/**
 * Latest-wins frame scheduling: at most one frame in flight and one waiting.
 * A frame that arrives while another waits replaces it, and the replaced one
 * is released at once, so frames never pile up behind a slow model.
 */

/** Anything that holds a resource to release when it is dropped (an `ImageBitmap` has `close()`). */
export interface Closable {
  close(): void;
}

/** Counters of a {@link FrameScheduler}. */
export interface FrameCounters {
  /** Frames given to `submit`. */
  readonly submitted: number;
  /** Frames whose processing finished (successfully or not). */
  readonly processed: number;
  /** Frames replaced by a newer one before they were processed, or dropped on dispose. */
  readonly dropped: number;
  /** Frames whose processing threw. */
  readonly failed: number;
}

/** The outcome of one submitted frame. */
export type FrameOutcome<R> =
  | { readonly status: 'processed'; readonly result: R }
  | { readonly status: 'dropped' }
  | { readonly status: 'failed'; readonly error: unknown };

interface Waiting<F, R> {
  readonly frame: F;
  readonly settle: (outcome: FrameOutcome<R>) => void;
}

/**
 * Runs `process` on frames, one at a time, latest wins.
 *
 * ```ts
 * const scheduler = new FrameScheduler((bitmap: ImageBitmap) => service.classify(bitmap));
 * const outcome = await scheduler.submit(bitmap); // 'processed' | 'dropped' | 'failed'
 * ```
 */
export class FrameScheduler<F extends Closable, R> {
  private readonly process: (frame: F) => Promise<R>;
  private waiting: Waiting<F, R> | undefined;
  private busy = false;
  private disposed = false;
  private counts = { submitted: 0, processed: 0, dropped: 0, failed: 0 };

  /** @param process - Handles one frame; it owns the frame from then on (closes or transfers it). */
  constructor(process: (frame: F) => Promise<R>) {
    this.process = process;
  }

  /** Queues a frame; resolves with what became of it. Never rejects. */
  submit(frame: F): Promise<FrameOutcome<R>> {
    this.counts.submitted += 1;
    if (this.disposed) {
      this.counts.dropped += 1;
      frame.close();
      return Promise.resolve({ status: 'dropped' });
    }
    return new Promise((settle) => {
      const replaced = this.waiting;
      this.waiting = { frame, settle };
      if (replaced !== undefined) this.drop(replaced);
      this.pump();
    });
  }

  /** Whether a frame is waiting (a capture now would only replace it). */
  get hasWaitingFrame(): boolean {
    return this.waiting !== undefined;
  }

  /** Whether a frame is being processed. */
  get isBusy(): boolean {
    return this.busy;
  }

  /** A snapshot of the counters. */
  get counters(): FrameCounters {
    return { ...this.counts };
  }

  /** Drops the waiting frame and accepts no more. Idempotent. The frame in flight finishes. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting !== undefined) this.drop(waiting);
  }

  private drop(entry: Waiting<F, R>): void {
    this.counts.dropped += 1;
    entry.frame.close();
    entry.settle({ status: 'dropped' });
  }

  private pump(): void {
    if (this.busy || this.waiting === undefined) return;
    const { frame, settle } = this.waiting;
    this.waiting = undefined;
    this.busy = true;
    this.process(frame)
      .then(
        (result) => {
          this.counts.processed += 1;
          settle({ status: 'processed', result });
        },
        (error: unknown) => {
          this.counts.processed += 1;
          this.counts.failed += 1;
          settle({ status: 'failed', error });
        },
      )
      .finally(() => {
        this.busy = false;
        this.pump();
      });
  }
}
