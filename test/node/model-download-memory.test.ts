import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_MODEL } from '../../src/cli/model-args.ts';
import { LoadError } from '../../src/errors.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { fetchModelSource } from '../../src/model/source.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { rejectsWith } from '../fixtures/expect-error.ts';

const MIB = 1024 * 1024;
const HOSTILE_SHARD_BYTES = 300 * MIB;

// Live memory, not what the collector has yet to free: the figure a page's memory would show once settled.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A server with the shipped model.json whose shard is 300 MB of zeros, made as the socket drains. */
async function hostileServer(announceLength: boolean): Promise<{ server: Server; url: string; sent: () => number }> {
  const modelJson = await readFile(DEFAULT_MODEL);
  let sent = 0;
  const chunk = Buffer.alloc(64 * 1024);
  const server = createServer((request, response) => {
    if (request.url === '/cc/model.json') return void response.end(modelJson);
    if (request.url !== '/cc/group1-shard1of1.bin') return void response.writeHead(404).end();
    response.writeHead(200, announceLength ? { 'content-length': String(HOSTILE_SHARD_BYTES) } : {});
    let closed = false;
    response.on('close', () => (closed = true));
    const pump = (): void => {
      while (!closed && sent < HOSTILE_SHARD_BYTES) {
        sent += chunk.byteLength;
        if (!response.write(chunk)) return void response.once('drain', pump);
      }
      if (!closed) response.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}/cc/model.json`, sent: () => sent };
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
      const { server, url, sent } = await hostileServer(announceLength);
      after(() => server.closeAllConnections());
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
      server.close();
      const read = announceLength ? 0 : Number(error.details?.['atLeast']);
      t.diagnostic(
        `manifest ${shardBytes} B, model ${modelBytes} B; reader took ${read} B, server pushed ${sent()} B into the socket before it closed; live ArrayBuffer growth peaked at ${peak} B; refused after ${ms.toFixed(0)} ms`,
      );
      assert.ok(read <= shardBytes + MIB, `read ${read} bytes`);
      assert.ok(sent() < shardBytes + 16 * MIB, `the server sent ${sent()} bytes`);
      assert.ok(peak < 2 * modelBytes, `memory grew by ${peak} bytes`);
    });
  }
});
