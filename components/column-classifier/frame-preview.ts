import type { ReactiveControllerHost } from 'lit';
import { MAIN_TRACK, markStage } from '../../src/runtime/stage-marks.ts';
import { captureFrame, type CapturableSource } from './capture.ts';

/** What the preview needs from its host. */
export interface PreviewOptions {
  /** The canvas the host renders while it previews a source that is not a stream; null when it shows none. */
  readonly canvas: () => HTMLCanvasElement | null;
}

/** A frame's size in pixels. */
export interface FrameSize {
  readonly width: number;
  readonly height: number;
}

/** One captured frame, when capturing it started and ended (performance.now()), and its copy for the preview. */
export interface CapturedFrame extends FrameSize {
  /** The pixels to read; transferred to the worker, after which it has no size (hence width and height). */
  readonly frame: ImageBitmap;
  readonly captureStart: number;
  readonly captureEnd: number;
  /** The same pixels, kept until {@link FramePreview.present} or {@link FramePreview.discard}; none without a canvas. */
  readonly preview: ImageBitmap | undefined;
}

/**
 * Captures frames and, when the host shows a preview canvas, shows each frame
 * only with its own reading, so the digits over the preview are always those
 * of the pixels under them. (A stream is shown by the host's own video
 * instead, which the compositor draws as it plays.) Knows the frame size the
 * overlay is drawn at, and asks the host to render when it changes. Not a
 * controller: what it keeps between capture and reading belongs to that
 * capture, whose caller presents or discards it.
 */
export class FramePreview {
  private readonly host: ReactiveControllerHost;
  private readonly options: PreviewOptions;
  private size: FrameSize | undefined;

  constructor(host: ReactiveControllerHost, options: PreviewOptions) {
    this.host = host;
    this.options = options;
  }

  /** The pixel size of the last frame presented, once there is one. */
  get frameSize(): FrameSize | undefined {
    return this.size;
  }

  /**
   * Captures the source's pixels now; with a preview canvas, also keeps a copy of them to present later.
   *
   * @throws {InputError} as {@link captureFrame}
   */
  async capture(source: CapturableSource): Promise<CapturedFrame> {
    const captureStart = performance.now();
    const frame = await captureFrame(source);
    const { width, height } = frame;
    // Copied from the captured bitmap, not the source: a video or canvas may show another frame by now.
    // Drawn into the canvas now, it would sit under the previous frame's digits until this reading is back.
    const preview = this.options.canvas() === null ? undefined : await this.copy(frame);
    const captureEnd = performance.now();
    markStage('capture', captureStart, captureEnd, MAIN_TRACK);
    return { frame, width, height, captureStart, captureEnd, preview };
  }

  /**
   * Shows a captured frame: call it in the same task as the one that shows its reading, so both are painted
   * together. The kept pixels are handed to the canvas without a copy (a `bitmaprenderer` context).
   */
  present(captured: CapturedFrame): void {
    const { width, height, preview } = captured;
    this.noteSize({ width, height });
    if (preview === undefined) return;
    const canvas = this.options.canvas();
    const context = canvas?.getContext('bitmaprenderer');
    if (canvas === null || context === null || context === undefined) {
      preview.close();
      return;
    }
    // The bitmap sets what the canvas shows, not its width and height, which drawing the canvas elsewhere uses.
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    context.transferFromImageBitmap(preview);
  }

  /** Notes the size of a frame read elsewhere (by the worker, from a stream the host's video shows). */
  noteSize(size: FrameSize): void {
    if (this.size?.width === size.width && this.size?.height === size.height) return;
    this.size = { width: size.width, height: size.height };
    this.host.requestUpdate();
  }

  /** Releases a captured frame's kept pixels without showing them (its reading failed or was dropped). Idempotent. */
  discard(captured: CapturedFrame): void {
    captured.preview?.close();
  }

  private async copy(frame: ImageBitmap): Promise<ImageBitmap> {
    try {
      return await createImageBitmap(frame);
    } catch (error) {
      frame.close();
      throw error;
    }
  }
}
