import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_MODEL } from '../../src/cli/model-args.ts';
import { LoadError } from '../../src/errors.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { fetchModelSource } from '../../src/model/source.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { rejectsWith } from '../fixtures/expect-error.ts';

const MIB = 1024 * 1024;
// Live memory, not what the collector has yet to free: the figure a page's memory would show once settled.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
/**
 * V8 releases the backing stores of dead ArrayBuffers on a concurrent sweeper, so right after one collection the
 * `arrayBuffers` counter can still include buffers nothing holds (seen: 500 KB counted, 175 KB live a moment
 * later). The second collection finishes the first one's sweep.
 */
function gc(): void {
  collect();
  collect();
}

/** The hostile server (test/fixtures/hostile-shard-server.mjs) in a process of its own, and how to ask it what it sent. */
async function hostileServer(
  announceLength: boolean,
): Promise<{ url: string; sent: () => Promise<number>; stop: () => void }> {
  const script = fileURLToPath(new URL('../fixtures/hostile-shard-server.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, DEFAULT_MODEL, announceLength ? 'announce' : 'chunked'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (data: Buffer) => resolve(Number(data.toString().trim())));
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/cc/model.json`,
    sent: async () => Number(await (await fetch(`${origin}/sent`)).text()),
    stop: () => child.kill(),
  };
}

describe('a 300 MB shard over HTTP', () => {
  let modelBytes: number;
  let shardBytes: number;
  before(async () => {
    await useNodeBackend('cpu');
    shardBytes = (await readFile(join(dirname(DEFAULT_MODEL), 'group1-shard1of1.bin'))).byteLength;
    modelBytes = shardBytes + (await readFile(DEFAULT_MODEL)).byteLength;
  });

  for (const announceLength of [false, true]) {
    it(`is refused within the first megabyte past its manifest, memory growing < 2x the model (${announceLength ? 'Content-Length announced' : 'chunked'})`, async (t) => {
      const { url, sent, stop } = await hostileServer(announceLength);
      after(stop);
      gc();
      const base = process.memoryUsage().arrayBuffers;
      let peak = 0;
      const sample = (): void => {
        gc();
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
      };
      const timer = setInterval(sample, 2);
      const started = performance.now();
      const error = await rejectsWith(
        loadClassifierModel(fetchModelSource(url), { onProgress: sample }),
        LoadError,
        'load/integrity',
      );
      const ms = performance.now() - started;
      sample();
      clearInterval(timer);
      const sentBytes = await sent();
      const read = announceLength ? 0 : Number(error.details?.['atLeast']);
      t.diagnostic(
        `manifest ${shardBytes} B, model ${modelBytes} B; reader took ${read} B, server pushed ${sentBytes} B into the socket before it closed; live ArrayBuffer growth peaked at ${peak} B; refused after ${ms.toFixed(0)} ms`,
      );
      assert.ok(read <= shardBytes + MIB, `read ${read} bytes`);
      assert.ok(sentBytes < shardBytes + 16 * MIB, `the server sent ${sentBytes} bytes`);
      // The loader keeps at most the shard's limit and one chunk, plus what undici has read ahead of the reader.
      assert.ok(peak < 2 * modelBytes, `memory grew by ${peak} bytes`);
    });
  }
});
