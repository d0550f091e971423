/**
 * Fresh training chunks, rendered one after another by a render pool while
 * the training loop runs; the loop takes a chunk after an epoch when one is
 * ready and never waits for one (a 3D chunk takes longer to render than an
 * epoch takes to train).
 */
import type { RenderedDataset } from './render-threads/render-pool.ts';

/** Chunk k, rendered on demand (e.g. `pool.render(trainChunk(spec, k), …)`). */
export type ChunkJob = (k: number) => Promise<RenderedDataset>;

/** One chunk in flight at a time, starting with chunk `first`. */
export class ChunkStream {
  private ready: RenderedDataset | undefined;
  private failure: unknown;
  private nextChunk: number;
  private taken = 0;

  constructor(
    private readonly job: ChunkJob,
    first: number,
  ) {
    this.nextChunk = first;
    this.request();
  }

  /** Chunks handed out so far. */
  get chunksTaken(): number {
    return this.taken;
  }

  /**
   * The chunk finished since the last call, or undefined; the next one is then started. Rethrows a render
   * failure. It first yields to the event loop: the training loop is synchronous between epochs, and a
   * render thread's "done" message is delivered only when the loop polls (awaiting an already-settled
   * promise does not get there, and run 9 trained 14 epochs on its first two chunks because of it).
   */
  async take(): Promise<RenderedDataset | undefined> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.failure !== undefined) throw this.failure;
    const chunk = this.ready;
    if (chunk === undefined) return undefined;
    this.ready = undefined;
    this.taken++;
    this.request();
    return chunk;
  }

  private request(): void {
    this.job(this.nextChunk++).then(
      (chunk) => {
        this.ready = chunk;
      },
      (error: unknown) => {
        this.failure = error;
      },
    );
  }
}
