import type { ReactiveControllerHost } from 'lit';
import { MAIN_TRACK, markStage } from '../../src/runtime/stage-marks.ts';
import { captureFrame, sourceSize, type CapturableSource } from './capture.ts';

/** What the preview needs from its host. */
export interface PreviewOptions {
  /** The canvas the host renders for sources that are not a stream, once rendered. */
  readonly canvas: () => HTMLCanvasElement | null;
}

/** One captured frame and when capturing it started and ended (performance.now()). */
export interface CapturedFrame {
  readonly frame: ImageBitmap;
  readonly captureStart: number;
  readonly captureEnd: number;
}

/**
 * Captures frames and shows each in the preview canvas (a stream is shown by
 * the host's own video instead). Knows the frame size the overlay is drawn at,
 * and asks the host to render when it changes. Holds no resources, so it is
 * not a controller: nothing to do on connect or disconnect.
 */
export class FramePreview {
  private readonly host: ReactiveControllerHost;
  private readonly options: PreviewOptions;
  private size: { readonly width: number; readonly height: number } | undefined;

  constructor(host: ReactiveControllerHost, options: PreviewOptions) {
    this.host = host;
    this.options = options;
  }

  /** The pixel size of the last frame shown, once there is one. */
  get frameSize(): { readonly width: number; readonly height: number } | undefined {
    return this.size;
  }

  /**
   * Captures the source's pixels now and shows them.
   *
   * @throws {InputError} as {@link captureFrame}
   */
  async capture(source: CapturableSource): Promise<CapturedFrame> {
    const captureStart = performance.now();
    const capturing = captureFrame(source);
    // A video or canvas still shows the frame createImageBitmap has just snapshotted: drawing the
    // preview from it is a GPU-to-GPU copy, whatever form the browser gives the bitmap.
    const live = source instanceof HTMLVideoElement || source instanceof HTMLCanvasElement;
    if (live) this.draw(source, sourceSize(source));
    const frame = await capturing;
    if (!live) this.draw(frame, frame);
    const captureEnd = performance.now();
    markStage('capture', captureStart, captureEnd, MAIN_TRACK);
    return { frame, captureStart, captureEnd };
  }

  /** Shows a frame in the preview (one GPU copy; skipped when a video is the preview). */
  private draw(image: CanvasImageSource, size: { width: number; height: number }): void {
    const { width, height } = size;
    if (width === 0 || height === 0) return;
    if (this.size?.width !== width || this.size?.height !== height) {
      this.size = { width, height };
      this.host.requestUpdate();
    }
    const canvas = this.options.canvas();
    if (canvas === null) return;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    canvas.getContext('2d')?.drawImage(image, 0, 0);
  }
}
