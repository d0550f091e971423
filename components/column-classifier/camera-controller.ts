import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { InputError } from '../../src/errors.ts';

/** Which camera to open: the one facing the user, or the one facing away (the usual for reading an abacus). */
export type FacingMode = 'user' | 'environment';

/**
 * Owns a camera stream for its host: opens it on request and stops every
 * track when the host disconnects (so the camera light goes off).
 */
export class CameraController implements ReactiveController {
  private current: MediaStream | undefined;
  private opening: Promise<MediaStream> | undefined;

  constructor(host: ReactiveControllerHost) {
    host.addController(this);
  }

  /** The open stream, if any. */
  get stream(): MediaStream | undefined {
    return this.current;
  }

  /**
   * Opens the camera (or returns the stream already open with that facing mode).
   *
   * @throws {InputError} `input/camera-unavailable` when there is no camera, it is refused, or the page is not secure
   */
  async open(facingMode: FacingMode): Promise<MediaStream> {
    if (this.current !== undefined) return this.current;
    this.opening ??= this.request(facingMode).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Stops every track. Idempotent. */
  stop(): void {
    this.current?.getTracks().forEach((track) => track.stop());
    this.current = undefined;
  }

  hostDisconnected(): void {
    this.stop();
  }

  private async request(facingMode: FacingMode): Promise<MediaStream> {
    if (navigator.mediaDevices?.getUserMedia === undefined) {
      throw new InputError('input/camera-unavailable', 'This page cannot use a camera: getUserMedia needs a secure context (https or localhost).');
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: facingMode } }, audio: false });
      this.current = stream;
      return stream;
    } catch (cause) {
      const reason = cause instanceof DOMException ? `${cause.name}: ${cause.message}` : String(cause);
      throw new InputError('input/camera-unavailable', `The camera could not be opened (${reason}). Allow camera access, or set the source attribute instead.`, { cause });
    }
  }
}
