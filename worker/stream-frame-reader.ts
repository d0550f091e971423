import { InputError } from '../src/errors.ts';

/** How long a read waits for a frame before it is refused (a camera sends its first within ~1 s). */
const FRAME_TIMEOUT_MS = 5000;

/**
 * A video stream read in the worker (a `MediaStreamTrackProcessor`'s stream, transferred here), one frame per
 * reading. Frames are pulled only when a reading is due, not as fast as the camera sends them: the processor keeps
 * the newest and drops the rest where they are, so frames no reading wants are never passed to this thread.
 */
export class StreamFrameReader {
  private readonly reader: ReadableStreamDefaultReader<VideoFrame>;
  /** Why no more frames come: the stream ended or failed, or it was closed here. */
  private ended: string | undefined;

  constructor(stream: ReadableStream<VideoFrame>) {
    this.reader = stream.getReader();
  }

  /**
   * A bitmap of the next frame the stream gives.
   *
   * @throws {InputError} `input/zero-size-frame` when the stream has ended, or gave no frame in 5 s
   */
  async bitmap(): Promise<ImageBitmap> {
    if (this.ended !== undefined) throw this.endedError();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), FRAME_TIMEOUT_MS)),
    );
    let next: ReadableStreamReadResult<VideoFrame> | 'timeout';
    const read = this.reader.read();
    try {
      next = await Promise.race([read, timeout]);
    } catch (error) {
      this.ended ??= `reading it failed (${String(error)})`;
      throw this.endedError();
    } finally {
      clearTimeout(timer);
    }
    if (next === 'timeout') {
      // The frame that comes later is closed, not left open: a camera holds only a few buffers.
      void read.then(
        (late) => late.value?.close(),
        () => undefined,
      );
      throw new InputError(
        'input/zero-size-frame',
        `The video stream sent no frame in ${FRAME_TIMEOUT_MS / 1000} s; is its track live and enabled?`,
      );
    }
    if (next.done) {
      this.ended ??= 'its track ended';
      throw this.endedError();
    }
    const frame = next.value;
    try {
      return await createImageBitmap(frame, { colorSpaceConversion: 'none' });
    } finally {
      frame.close();
    }
  }

  /** Stops reading: the stream is cancelled, which ends the processor's reading of the track. */
  close(): void {
    this.ended ??= 'it was detached';
    this.reader.cancel().catch(() => undefined);
  }

  private endedError(): InputError {
    return new InputError(
      'input/zero-size-frame',
      `The video stream gives no more frames: ${this.ended ?? ''}. Give a live stream.`,
    );
  }
}
