import type {
  ColumnsWhere,
  FrameRequest,
  FrameResult,
  StreamWatchMessage,
  StreamWatchSettings,
} from '../src/worker-api/classifier-worker-api.ts';
import { serializeError } from '../src/worker-api/error-transfer.ts';

/**
 * Reads the attached stream on the worker's own clock and posts each result on the page's port, so that the page's
 * main thread neither wakes a timer nor sends a request per frame: a frame at most every `intervalMs`, one at a time.
 * A `locate.relocate` in the settings is used for one frame, unless the settings were replaced meanwhile.
 */
export class StreamWatch {
  private settings: StreamWatchSettings;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly port: MessagePort,
    settings: StreamWatchSettings,
    private readonly read: (request: FrameRequest) => Promise<FrameResult>,
  ) {
    this.settings = settings;
    void this.run();
  }

  /** Takes new settings from the next frame on (a shorter interval also shortens the wait for it). */
  update(settings: StreamWatchSettings): void {
    this.settings = settings;
    this.wake?.();
  }

  /** Ends the watch: no frame is read after the one in progress, whose result is dropped; the port gets `stopped`. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
    this.post({ kind: 'stopped' });
    this.port.close();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const settings = this.settings;
      const started = performance.now();
      let message: StreamWatchMessage;
      try {
        const result = await this.read({ ...settings.where, sentAt: performance.timeOrigin + started });
        message = { kind: 'reading', result, startedAt: performance.timeOrigin + started };
      } catch (error) {
        message = { kind: 'error', error: serializeError(error) };
      }
      if (this.stopped) return;
      if (this.settings === settings) this.settings = { ...settings, where: withoutRelocate(settings.where) };
      this.post(message);
      await this.waitUntil(started);
    }
  }

  /** Waits until `intervalMs` after `started`, as the settings say when each wait ends (an update applies at once). */
  private async waitUntil(started: number): Promise<void> {
    while (!this.stopped) {
      const due = started + this.settings.intervalMs - performance.now();
      if (due <= 0) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, due);
      });
      this.wake = undefined;
      clearTimeout(this.timer);
    }
  }

  private post(message: StreamWatchMessage): void {
    try {
      this.port.postMessage(message);
    } catch {
      // A result the port cannot carry cannot happen (plain data); a closed port has nobody to tell.
    }
  }
}

function withoutRelocate(where: ColumnsWhere): ColumnsWhere {
  if (!('locate' in where) || where.locate.relocate === undefined) return where;
  const { relocate: _once, ...locate } = where.locate;
  return { locate };
}
