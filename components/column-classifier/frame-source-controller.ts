import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { InputError } from '../../src/errors.ts';
import { CameraController, type FacingMode } from './camera-controller.ts';
import { isCameraValue } from './settings.ts';
import { resolveSource, type CapturableSource, type FrameSource } from './capture.ts';

/** What the frame source needs from its host. */
export interface FrameSourceOptions {
  /** The `source` attribute or property now. */
  readonly source: () => string | FrameSource | null;
  /** The `camera` attribute now (null: no camera). */
  readonly camera: () => FacingMode | '' | null;
  /** The host's document, where `source` ids are looked up. */
  readonly document: () => Document;
  /** The `<video>` the host renders while {@link FrameSourceController.stream} is set, once rendered. */
  readonly video: () => HTMLVideoElement | null;
  /** The stream started or stopped (the host renders a video or a canvas accordingly). */
  readonly onStreamChange: () => void;
  /** The camera could not be opened. */
  readonly onError: (error: InputError) => void;
}

/**
 * Where frames come from: the `source` (an element by id, or an object) or
 * the camera. A MediaStream — given as `source`, or the camera's — is shown
 * in the host's own `<video>` and captured from it. Owns the camera, so the
 * camera stops when the host disconnects.
 */
export class FrameSourceController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly options: FrameSourceOptions;
  private readonly camera: CameraController;
  private current: MediaStream | undefined;
  /** Set while the host is out of the document, so a re-insertion opens the camera again. */
  private detached = false;

  constructor(host: ReactiveControllerHost, options: FrameSourceOptions) {
    this.host = host;
    this.options = options;
    this.camera = new CameraController(host, {
      onStream: (stream) => {
        if (!this.detached) this.setStream(stream);
      },
      onError: (error) => options.onError(error),
    });
    host.addController(this);
  }

  /** The stream the host previews and reads, if any. */
  get stream(): MediaStream | undefined {
    return this.current;
  }

  /** Follows the `source` and `camera` attributes: opens or stops the camera, takes or drops a stream. */
  connect(): void {
    const source = this.options.source();
    if (source instanceof MediaStream) {
      this.camera.stop();
      this.setStream(source);
      return;
    }
    const camera = this.options.camera();
    // A value that names no camera opens none (the host reports it); an empty one means the back camera.
    const facing = camera === null || !isCameraValue(camera) ? null : camera === 'user' ? 'user' : 'environment';
    if (facing === null) this.setStream(undefined);
    this.camera.request(facing);
  }

  /** Stops the camera and drops the stream. Idempotent; {@link connect} starts again. */
  stop(): void {
    this.camera.stop();
    this.setStream(undefined);
  }

  /**
   * The source to capture from now.
   *
   * @throws {InputError} `input/zero-size-frame` while a camera or stream is still opening (worth another try on
   *   the next frame), the camera's own `input/camera-unavailable` when it failed, `input/unsupported-source`
   *   when there is nothing to read
   */
  async capturable(): Promise<CapturableSource> {
    const source = this.options.source();
    if (this.options.camera() !== null && this.current === undefined && !(source instanceof MediaStream)) {
      // A camera that failed says why, rather than "no source" on every tick.
      throw (
        this.camera.error ??
        new InputError('input/zero-size-frame', 'The camera is being opened; try again on the next frame.')
      );
    }
    if (this.current !== undefined) {
      await this.host.updateComplete;
      const video = this.options.video();
      if (video === null) throw new InputError('input/zero-size-frame', 'The camera preview is not ready yet.');
      return video;
    }
    const resolved = resolveSource(source, this.options.document());
    if (resolved === null) {
      throw new InputError(
        'input/unsupported-source',
        'No source: set the source attribute (the id of a <video>, <canvas> or <img>), the source property, or the camera attribute.',
      );
    }
    if (resolved instanceof MediaStream)
      throw new InputError('input/zero-size-frame', 'The stream is being attached; try again on the next frame.');
    return resolved;
  }

  /** After a render: the host's video plays the current stream. */
  hostUpdated(): void {
    const video = this.options.video();
    if (video === null || video.srcObject === (this.current ?? null)) return;
    video.srcObject = this.current ?? null;
    void video.play().catch(() => undefined);
  }

  hostConnected(): void {
    // The first connection is followed by an update that connects; a re-insertion is not.
    if (!this.detached) return;
    this.detached = false;
    this.connect();
  }

  hostDisconnected(): void {
    // The camera controller stops the camera itself; a stream given as `source` is the page's to stop.
    this.detached = true;
    this.setStream(undefined);
  }

  private setStream(stream: MediaStream | undefined): void {
    if (stream === this.current) return;
    this.current = stream;
    this.options.onStreamChange();
    this.host.requestUpdate();
  }
}
