import * as Comlink from 'comlink';
import { WorkerError } from '../errors.ts';
import { MAIN_TRACK, markStage } from '../runtime/stage-marks.ts';
import type {
  ClassifierWorkerApi,
  FrameResult,
  StreamWatchMessage,
  StreamWatchSettings,
} from './classifier-worker-api.ts';
import { deserializeError } from './error-transfer.ts';

/** A frame the worker read from a watched track, with the time from the start of its reading to its arrival here. */
export interface WatchedFrameResult extends FrameResult {
  /** Milliseconds from the worker starting to read the frame to its result arriving on this thread. */
  readonly roundTrip: number;
}

/** Who hears a watched track's frames. */
export interface TrackWatchListener {
  /** A frame was read. */
  readonly onReading: (result: WatchedFrameResult) => void;
  /**
   * A frame could not be read (the error the same frame would have thrown from `classifyTrack`), or the worker
   * failed (a `WorkerError`: it is restarted and the watch goes on there) or could not be restarted (the watch ends).
   */
  readonly onError: (error: unknown) => void;
}

/** The client's side of one worker: what a watch needs of it. */
export interface WatchedWorker {
  readonly remote: Pick<ClassifierWorkerApi, 'watchStream' | 'updateWatch' | 'stopWatch'>;
  /** Rejects when the worker dies. */
  readonly died: Promise<never>;
}

/** What a watch needs from the client that owns the worker. */
export interface TrackWatchHost<W extends WatchedWorker> {
  /** The worker now (after a restart, the new one); rejects when the client gave up or was disposed. */
  readonly worker: () => Promise<W>;
  /** Hands the worker the track's frames (a no-op if it has them already). */
  readonly attach: (worker: W) => Promise<void>;
  /** The worker failed: restart it. */
  readonly fail: (worker: W, error: WorkerError) => void;
  /** How long the worker may stay silent while watching before it counts as hung, in ms (asked at each check). */
  readonly silenceLimitMs: () => number;
}

/**
 * The page's side of a stream watch: one port per worker, results passed to the listener as they come, and a
 * watchdog that checks rarely (every half silence limit, not per frame) that the worker still speaks. When the
 * worker dies or hangs it is restarted and the watch starts again on the new one.
 */
export class TrackWatchSession<W extends WatchedWorker> {
  private stopped = false;
  private settings: StreamWatchSettings;
  private worker: W | undefined;
  private port: MessagePort | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;

  constructor(
    private readonly host: TrackWatchHost<W>,
    settings: StreamWatchSettings,
    private readonly listener: TrackWatchListener,
  ) {
    this.settings = settings;
    void this.begin();
  }

  /** New interval or geometry, from the next frame on. */
  update(settings: StreamWatchSettings): void {
    this.settings = settings;
    if (this.worker !== undefined && this.port !== undefined)
      this.worker.remote.updateWatch(settings).catch(() => undefined);
  }

  /** Ends the watch; nothing more reaches the listener. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const worker = this.worker;
    this.end();
    worker?.remote.stopWatch().catch(() => undefined);
  }

  /** Starts the watch on the client's worker now. */
  private async begin(): Promise<void> {
    let worker: W;
    try {
      worker = await this.host.worker();
    } catch (error) {
      // The client gave up restarting, or was disposed: the watch ends.
      if (!this.stopped) this.listener.onError(error);
      this.stopped = true;
      return;
    }
    if (this.stopped) return;
    const channel = new MessageChannel();
    try {
      await Promise.race([this.host.attach(worker), worker.died]);
      if (this.stopped) return;
      channel.port1.onmessage = (event: MessageEvent<StreamWatchMessage>) => this.onMessage(worker, event.data);
      await Promise.race([
        worker.remote.watchStream(Comlink.transfer(channel.port2, [channel.port2]), this.settings),
        worker.died,
      ]);
    } catch (error) {
      channel.port1.close();
      if (this.stopped) return;
      if (error instanceof WorkerError) this.restartOn(worker, error);
      else {
        this.listener.onError(error);
        this.stopped = true;
      }
      return;
    }
    if (this.stopped) {
      channel.port1.close();
      worker.remote.stopWatch().catch(() => undefined);
      return;
    }
    this.worker = worker;
    this.port = channel.port1;
    this.lastHeard = performance.now();
    worker.died.catch((error: unknown) => {
      if (this.worker === worker && error instanceof WorkerError) this.failed(worker, error);
    });
    const limit = this.host.silenceLimitMs();
    this.watchdog = setInterval(() => {
      const silent = performance.now() - this.lastHeard;
      const allowed = this.host.silenceLimitMs();
      if (this.worker === worker && silent > allowed)
        this.failed(
          worker,
          new WorkerError(
            'worker/unresponsive',
            `The classifier worker sent no frame of the watched track for ${Math.round(silent)} ms (limit ${allowed} ms).`,
          ),
        );
    }, limit / 2);
  }

  private onMessage(worker: W, message: StreamWatchMessage): void {
    if (this.stopped || this.worker !== worker) return;
    this.lastHeard = performance.now();
    switch (message.kind) {
      case 'reading': {
        const received = performance.timeOrigin + this.lastHeard;
        const roundTrip = received - message.startedAt;
        markStage('round-trip', this.lastHeard - roundTrip, this.lastHeard, MAIN_TRACK);
        this.listener.onReading({ ...message.result, roundTrip });
        return;
      }
      case 'error':
        this.listener.onError(deserializeError(message.error));
        return;
      case 'stopped':
        // The worker's stream was detached or replaced: nothing more comes on this port.
        this.stopped = true;
        this.end();
    }
  }

  /** The watched worker died or hung. */
  private failed(worker: W, error: WorkerError): void {
    if (this.stopped || this.worker !== worker) return;
    this.end();
    this.restartOn(worker, error);
  }

  /** Tells the listener, has the worker restarted, and watches again on the new one. */
  private restartOn(worker: W, error: WorkerError): void {
    this.host.fail(worker, error);
    this.listener.onError(error);
    if (!this.stopped) void this.begin();
  }

  private end(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.port?.close();
    this.port = undefined;
    this.worker = undefined;
  }
}
