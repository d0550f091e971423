import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** What the loop needs from its host. */
export interface CaptureLoopOptions {
  /** The host's document now (hidden pages are not read); asked at connect, since an element can be adopted into another. */
  readonly document: () => Document;
  /** Reads one frame; never rejects (the host reports its own errors). */
  readonly capture: () => Promise<void>;
}

/** A loop that runs elsewhere (the worker reading a stream on its own clock), started and stopped from here. */
export interface DelegatedLoop {
  /** Reads a frame at most every `intervalMs` until {@link stop}; called again while running, takes the new settings. */
  start(intervalMs: number): void;
  /** Stops reading. Idempotent. */
  stop(): void;
}

/**
 * Captures frames at most `maxFps` times a second while running, one at a
 * time: never while a frame is being read (that frame re-arms the loop when
 * its reading is back), never while the page is hidden. A timer rather than
 * an animation-frame loop, so the main thread is not woken at every vsync for
 * nothing. Stops when the host disconnects.
 *
 * Or, given a {@link DelegatedLoop}, has that loop read instead (the worker's own clock: no timer here at all) and
 * only decides when it runs: while configured, connected and the page is visible.
 */
export class CaptureLoopController implements ReactiveController {
  private readonly options: CaptureLoopOptions;
  private maxFps = 0;
  private running = false;
  private frameInFlight = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The loop that reads instead of this one's timer, while one is configured. */
  private delegate: DelegatedLoop | undefined;
  /** Whether the delegate was started and not stopped since. */
  private delegateRunning = false;
  private lastCaptureTime = Number.NEGATIVE_INFINITY;
  /** The document whose visibility is watched while the host is connected. */
  private watched: Document | undefined;

  constructor(host: ReactiveControllerHost, options: CaptureLoopOptions) {
    this.options = options;
    host.addController(this);
  }

  /**
   * Runs the loop at `maxFps` (a positive, finite number), or stops it (undefined). With `delegate`, that loop
   * reads instead of this one's timer.
   */
  configure(maxFps: number | undefined, delegate?: DelegatedLoop): void {
    if (maxFps !== undefined && delegate !== undefined && delegate === this.delegate && this.delegateRunning) {
      // Running already: the delegate takes the new interval (and whatever else changed) in place.
      this.maxFps = maxFps;
      delegate.start(1000 / maxFps);
      return;
    }
    this.stop();
    if (maxFps === undefined) return;
    this.maxFps = maxFps;
    this.running = true;
    this.delegate = delegate;
    this.schedule();
  }

  /** Notes a capture made outside the loop (`classifyOnce()`), so the next one keeps the rate. */
  noteCapture(time: number): void {
    this.lastCaptureTime = time;
  }

  hostConnected(): void {
    this.watched = this.options.document();
    this.watched.addEventListener('visibilitychange', this.onVisibilityChange);
  }

  hostDisconnected(): void {
    this.watched?.removeEventListener('visibilitychange', this.onVisibilityChange);
    this.watched = undefined;
    this.stop();
  }

  private stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pauseDelegate();
    this.delegate = undefined;
  }

  private pauseDelegate(): void {
    if (!this.delegateRunning) return;
    this.delegateRunning = false;
    this.delegate?.stop();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.delegate !== undefined) {
      if (this.running && !this.delegateRunning && !this.options.document().hidden) {
        this.delegateRunning = true;
        this.delegate.start(1000 / this.maxFps);
      }
      return;
    }
    if (!this.running || this.frameInFlight) return;
    const due = this.lastCaptureTime + 1000 / this.maxFps - performance.now();
    this.timer = setTimeout(this.onDue, Math.max(0, due));
  }

  private readonly onDue = (): void => {
    this.timer = undefined;
    if (!this.running || this.frameInFlight || this.options.document().hidden) return;
    // Counted from here, not only from a capture: a frame that fails before capturing (no source
    // yet, a model that did not load) must not re-arm the timer at once and report at 250 Hz.
    this.lastCaptureTime = performance.now();
    this.frameInFlight = true;
    void this.options.capture().finally(() => {
      this.frameInFlight = false;
      this.schedule();
    });
  };

  private readonly onVisibilityChange = (): void => {
    if (!this.options.document().hidden) this.schedule();
    else this.pauseDelegate();
  };
}
