import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { InputError } from '../../src/errors.ts';

/** Which camera to open: the one facing the user, or the one facing away (the usual for reading an abacus). */
export type FacingMode = 'user' | 'environment';

/** What the camera tells its host. */
export interface CameraOptions {
  /** The stream to preview and read: the camera's once open, or undefined. */
  readonly onStream: (stream: MediaStream | undefined) => void;
  /** The camera could not be opened. */
  readonly onError: (error: InputError) => void;
}

/**
 * Owns a camera stream for its host: opens it on request, drops a stream
 * that opens after a newer request, and stops every track when the host
 * disconnects (so the camera light goes off).
 */
export class CameraController implements ReactiveController {
  private readonly options: CameraOptions;
  private current: MediaStream | undefined;
  /** Bumped on every request, so a stream that opens after a newer one (or a disconnect) is stopped. */
  private requests = 0;
  private failure: InputError | undefined;

  constructor(host: ReactiveControllerHost, options: CameraOptions) {
    this.options = options;
    host.addController(this);
  }

  /** Why the camera could not be opened, until the next request. */
  get error(): InputError | undefined {
    return this.failure;
  }

  /** Opens the camera facing that way (keeping one already open), or stops it (null). */
  request(facingMode: FacingMode | null): void {
    const request = ++this.requests;
    this.failure = undefined;
    if (facingMode === null) {
      this.stop();
      return;
    }
    if (this.current !== undefined) {
      this.options.onStream(this.current);
      return;
    }
    this.open(facingMode).then(
      (stream) => {
        if (request === this.requests) {
          this.current = stream;
          this.options.onStream(stream);
        } else {
          stream.getTracks().forEach((track) => track.stop());
        }
      },
      (error: InputError) => {
        if (request !== this.requests) return;
        this.failure = error;
        this.options.onError(error);
      },
    );
  }

  /** Stops every track. Idempotent. */
  stop(): void {
    this.requests += 1;
    this.current?.getTracks().forEach((track) => track.stop());
    this.current = undefined;
  }

  hostDisconnected(): void {
    this.stop();
  }

  /**
   * @throws {InputError} `input/camera-unavailable` when there is no camera, it is refused, or the page is not secure
   */
  private async open(facingMode: FacingMode): Promise<MediaStream> {
    if (navigator.mediaDevices?.getUserMedia === undefined) {
      throw new InputError(
        'input/camera-unavailable',
        'This page cannot use a camera: getUserMedia needs a secure context (https or localhost).',
      );
    }
    try {
      return await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: facingMode } }, audio: false });
    } catch (cause) {
      const reason = cause instanceof DOMException ? `${cause.name}: ${cause.message}` : String(cause);
      throw new InputError(
        'input/camera-unavailable',
        `The camera could not be opened (${reason}). Allow camera access, or set the source attribute instead.`,
        { cause },
      );
    }
  }
}
