import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** What the loop needs from its host. */
export interface CaptureLoopOptions {
  /** The host's document now (hidden pages are not read); asked at connect, since an element can be adopted into another. */
  readonly document: () => Document;
  /** Reads one frame; never rejects (the host reports its own errors). */
  readonly capture: () => Promise<void>;
}

/**
 * Captures frames at most `maxFps` times a second while running, one at a
 * time: never while a frame is being read (that frame re-arms the loop when
 * its reading is back), never while the page is hidden. A timer rather than
 * an animation-frame loop, so the main thread is not woken at every vsync for
 * nothing. Stops when the host disconnects.
 */
export class CaptureLoopController implements ReactiveController {
  private readonly options: CaptureLoopOptions;
  private maxFps = 0;
  private running = false;
  private frameInFlight = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastCaptureTime = Number.NEGATIVE_INFINITY;
  /** The document whose visibility is watched while the host is connected. */
  private watched: Document | undefined;

  constructor(host: ReactiveControllerHost, options: CaptureLoopOptions) {
    this.options = options;
    host.addController(this);
  }

  /** Runs the loop at `maxFps` (a positive, finite number), or stops it (undefined). */
  configure(maxFps: number | undefined): void {
    this.stop();
    if (maxFps === undefined) return;
    this.maxFps = maxFps;
    this.running = true;
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
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
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
  };
}
