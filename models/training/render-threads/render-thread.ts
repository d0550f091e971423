/**
 * A render thread: renders and crops datasets with `makeDataset` or `makeLocalizerSamples` (the same
 * code as the main thread, on its own TF.js wasm backend) and transfers the results back, so that
 * rendering runs on the second core while training runs on the first.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { parentPort } from 'node:worker_threads';
import { makeDataset } from '../dataset.ts';
import { makeLocalizerSamples } from '../localizer/samples.ts';
import type { RenderJob, RenderReply } from './protocol.ts';

const port = parentPort;
if (port === null) throw new Error('render-thread.ts runs only as a worker thread (see render-pool.ts).');

await tf.setBackend('wasm');
await tf.ready();

port.on('message', (job: RenderJob) => {
  const started = performance.now();
  try {
    let lastPosted = 0;
    const progress = (done: number, total: number): void => {
      if (done - lastPosted >= total / 20 || done === total) {
        lastPosted = done;
        port.postMessage({ kind: 'progress', id: job.id, done, total } satisfies RenderReply);
      }
    };
    const { work } = job;
    const data =
      work.kind === 'crops'
        ? makeDataset(work.spec, work.preprocess, progress)
        : makeLocalizerSamples(work.spec, work.side, progress);
    const reply: RenderReply = { kind: 'done', id: job.id, data, seconds: (performance.now() - started) / 1000 };
    // Every typed array moves rather than being copied.
    const buffers = Object.values(data)
      .filter((v): v is ArrayBufferView => ArrayBuffer.isView(v))
      .map((v) => v.buffer as ArrayBuffer);
    port.postMessage(reply, buffers);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    port.postMessage({
      kind: 'failed',
      id: job.id,
      message: e.message,
      ...(e.stack === undefined ? {} : { stack: e.stack }),
    } satisfies RenderReply);
  }
});
