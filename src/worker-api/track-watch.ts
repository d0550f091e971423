import * as Comlink from 'comlink';
import { DisposedError, WorkerError } from '../errors.ts';
import { MAIN_TRACK, markStage } from '../runtime/stage-marks.ts';
import type {
  ClassifierWorkerApi,
  FrameResult,
  StreamWatchMessage,
  StreamWatchSettings,
} from './classifier-worker-api.ts';
import { deserializeError } from './error-transfer.ts';
import { withWatchdog } from './watchdog.ts';

/** A frame the worker read from a watched track, with the time from the start of its reading to its arrival here. */
export interface WatchedFrameResult extends FrameResult {
  /**
   * Milliseconds from the worker starting to read the frame (waiting for the stream's next one first) to its result
   * arriving on this thread; there is no request to time from.
   */
  readonly roundTrip: number;
}

/** Who hears a watched track's frames. */
export interface TrackWatchListener {
  /** A frame was read. */
  readonly onReading: (result: WatchedFrameResult) => void;
  /**
   * A frame could not be read (the error the same frame would have thrown from `classifyTrack`), or the worker
   * failed (a `WorkerError`: it is restarted and the watch goes on there) or could not be restarted (the watch ends),
   * or the worker ended the watch because its track was released or replaced (a `DisposedError`
   * `disposed/superseded`: the watch ends).
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
  /** The watch ended on its own (no worker could be had, or the worker ended it), not by {@link TrackWatchSession.stop}. */
  readonly ended: () => void;
}

/**
 * The page's side of a stream watch: one port per worker, results passed to the listener as they come, and a
 * watchdog that checks rarely (every half silence limit, not per frame) that the worker still speaks. When the
 * worker dies or hangs it is restarted and the watch starts again on the new one.
 */
export class TrackWatchSession<W extends WatchedWorker> {
  private stopped = false;
  private settings: StreamWatchSettings;
  /** The worker the watch runs or is starting on. */
  private worker: W | undefined;
  /** The watch's number on that worker, once it runs (the worker's calls for it take it). */
  private watchNumber: number | undefined;
  private port: MessagePort | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private lastHeard = 0;
  /** Counts starts: a step of a start that was abandoned meanwhile does nothing. */
  private attempt = 0;

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
    if (this.watchNumber !== undefined) this.send(settings);
  }

  /** Ends the watch; nothing more reaches the listener. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retry);
    const worker = this.worker;
    const watch = this.watchNumber;
    this.end();
    // A watch still starting is stopped when its number comes back (begin()).
    if (worker !== undefined && watch !== undefined) quietly(() => worker.remote.stopWatch(watch));
  }

  /** The client replaced `worker` after another call saw it fail (and reported it): watch again on the new one. */
  workerReplaced(worker: W): void {
    if (this.stopped || this.worker !== worker) return;
    this.end();
    void this.begin();
  }

  /** Starts the watch on the client's worker now. */
  private async begin(): Promise<void> {
    const attempt = ++this.attempt;
    let worker: W;
    try {
      worker = await this.host.worker();
    } catch (error) {
      // The client gave up restarting, or was disposed: the watch ends.
      if (!this.stopped && attempt === this.attempt) this.endOnItsOwn(error);
      return;
    }
    if (this.stopped || attempt !== this.attempt) return;
    this.worker = worker;
    const channel = new MessageChannel();
    channel.port1.onmessage = (event: MessageEvent<StreamWatchMessage>) => this.onMessage(attempt, event.data);
    const sent = this.settings;
    let watch: number;
    try {
      // A worker that hangs answers nothing: past the silence limit the start fails as unresponsive.
      const start = async () => {
        await this.host.attach(worker);
        return worker.remote.watchStream(Comlink.transfer(channel.port2, [channel.port2]), sent);
      };
      watch = await withWatchdog(Promise.race([start(), worker.died]), this.host.silenceLimitMs());
    } catch (error) {
      channel.port1.close();
      if (this.stopped || attempt !== this.attempt) return;
      this.worker = undefined;
      if (error instanceof WorkerError) this.restartOn(worker, error);
      else {
        // Not the worker's fault (the track could not be handed over): say so, and try again later, as a capture
        // loop would on its next tick.
        this.listener.onError(error);
        this.retry = setTimeout(() => void this.begin(), Math.max(1000, this.settings.intervalMs));
      }
      return;
    }
    if (this.stopped || attempt !== this.attempt) {
      channel.port1.close();
      quietly(() => worker.remote.stopWatch(watch));
      return;
    }
    this.watchNumber = watch;
    this.port = channel.port1;
    this.lastHeard = performance.now();
    // An update made while the watch was starting is sent now that it runs.
    if (this.settings !== sent) this.send(this.settings);
    worker.died.catch((error: unknown) => {
      if (error instanceof WorkerError) this.failed(attempt, worker, error);
    });
    this.watchdog = setInterval(() => {
      const silent = performance.now() - this.lastHeard;
      // A frame may take the call limit, and the next is read an interval after the last began.
      const allowed = this.host.silenceLimitMs() + this.settings.intervalMs;
      if (silent > allowed)
        this.failed(
          attempt,
          worker,
          new WorkerError(
            'worker/unresponsive',
            `The classifier worker sent no frame of the watched track for ${Math.round(silent)} ms (limit ${Math.round(allowed)} ms).`,
          ),
        );
    }, this.host.silenceLimitMs() / 2);
  }

  private send(settings: StreamWatchSettings): void {
    const worker = this.worker;
    const watch = this.watchNumber;
    if (worker === undefined || watch === undefined) return;
    quietly(() => worker.remote.updateWatch(watch, settings));
  }

  private onMessage(attempt: number, message: StreamWatchMessage): void {
    if (this.stopped || attempt !== this.attempt) return;
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
        // The worker's stream was detached or another watch replaced this one: nothing more comes on this port, and
        // a listener waiting for readings must hear why none come.
        this.endOnItsOwn(
          new DisposedError(
            'disposed/superseded',
            'The worker ended this watch: the track it read was released, or another track or watch replaced it. Call watchTrack again to go on reading.',
          ),
        );
    }
  }

  private endOnItsOwn(error: unknown): void {
    this.stopped = true;
    this.end();
    this.host.ended();
    this.listener.onError(error);
  }

  /** The watched worker died or hung. */
  private failed(attempt: number, worker: W, error: WorkerError): void {
    if (this.stopped || attempt !== this.attempt || this.worker !== worker) return;
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
    this.attempt += 1;
    clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.port?.close();
    this.port = undefined;
    this.worker = undefined;
    this.watchNumber = undefined;
  }
}

/** Calls the worker without waiting: a released proxy (the worker was replaced) throws at once, which is no news. */
function quietly(call: () => Promise<unknown>): void {
  try {
    call().catch(() => undefined);
  } catch {
    // The worker this call was for is gone.
  }
}
