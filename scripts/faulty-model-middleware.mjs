// Test-server middleware: the browser fixture model with one fault each, and a log of what the page asked for.
//
//   /__faulty-model/<run>/<fault>/model.json   the fixture's model.json, changed by <fault>
//   /__faulty-model/<run>/<fault>/weights.bin  the fixture's shard, or a broken download of it
//   /__faulty-model/<run>/log                  JSON: every path requested under <run>, and shard bytes sent
//
// <run> is chosen by the test, so each test reads only its own requests. A path that a model.json names outside
// its folder (`../secret/weights.bin`) lands under <run> too, so a request the loader should not have made shows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURE = 'test/fixtures/browser-model';
/** What the oversized shard would send in full: the 300 MB of the hardening issue's finding. */
const OVERSIZED_BYTES = 300 * 1024 * 1024;
const CHUNK = new Uint8Array(64 * 1024);

/** Changes to the fixture's model.json, by fault name; faults of the shard download leave it as it is. */
const MODEL_JSON_FAULTS = {
  'path-outside': (model) => {
    const outside = '../secret/weights.bin';
    model.weightsManifest[0].paths = [outside];
    const shards = model.userDefinedMetadata.contract.integrity.shards;
    shards[outside] = shards['weights.bin'];
    delete shards['weights.bin'];
  },
  'wrong-input-shape': (model) => {
    // The model takes 32 rows where its contract (and golden inputs) say 16; its layers fit either size.
    model.modelTopology.config.layers[0].config.batch_input_shape = [null, 32, 8, 1];
  },
  'missing-head': (model) => {
    model.userDefinedMetadata.contract.heads[0].output = 'sky';
  },
  'double-normalization': (model) => {
    const contract = model.userDefinedMetadata.contract;
    contract.input.inputRange = { min: 0, max: 1 };
    contract.modelInternals.normalization = { kind: 'none' };
  },
  'contradictory-contract': (model) => {
    // The decode rule reads a head the contract does not declare.
    model.userDefinedMetadata.contract.decode.heaven = 'sky';
  },
};

/**
 * @param {string} rootDir - the repository (the fixture is read from it)
 * @returns {(context: import('koa').Context, next: () => Promise<unknown>) => Promise<unknown>}
 */
export function faultyModelMiddleware(rootDir) {
  const fixture = (file) => readFileSync(join(rootDir, FIXTURE, file));
  /** @type {Map<string, { requests: string[], shardBytesSent: number }>} */
  const logs = new Map();

  return async (context, next) => {
    const match = /^\/__faulty-model\/([\w-]+)\/(.+)$/.exec(context.path);
    if (match === null) return next();
    const [, run, rest] = match;
    let log = logs.get(run);
    if (log === undefined) {
      log = { requests: [], shardBytesSent: 0 };
      logs.set(run, log);
    }
    if (rest === 'log') {
      context.type = 'json';
      context.body = JSON.stringify(log);
      return undefined;
    }
    log.requests.push(rest);
    const [fault, file] = rest.split('/');
    if (file === 'model.json') {
      const model = JSON.parse(fixture('model.json').toString('utf8'));
      MODEL_JSON_FAULTS[fault]?.(model);
      context.type = 'json';
      context.body = JSON.stringify(model);
      return undefined;
    }
    if (file !== 'weights.bin') {
      context.status = 404;
      return undefined;
    }
    const shard = fixture('weights.bin');
    if (fault === 'truncated') {
      context.type = 'application/octet-stream';
      context.body = shard.subarray(0, shard.length - 8);
      return undefined;
    }
    if (fault === 'cut-body' || fault === 'oversized-shard') {
      // Write by hand: Koa would buffer or finish the body, and these faults are about how it ends.
      context.respond = false;
      const response = context.res;
      const cut = fault === 'cut-body';
      response.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        // A cut body announces the whole shard; the oversized one announces nothing (streamed).
        ...(cut ? { 'Content-Length': String(shard.length) } : {}),
      });
      if (cut) {
        response.write(shard.subarray(0, shard.length / 2), () => response.destroy());
        return undefined;
      }
      await streamZeros(response, OVERSIZED_BYTES, (bytes) => {
        log.shardBytesSent += bytes;
      });
      return undefined;
    }
    context.type = 'application/octet-stream';
    context.body = shard;
    return undefined;
  };
}

/** Writes `total` zero bytes in chunks, each after the last was taken, until done or the client goes away. */
function streamZeros(response, total, onSent) {
  return new Promise((resolve) => {
    let sent = 0;
    response.on('close', resolve);
    const writeMore = () => {
      while (sent < total && !response.destroyed) {
        const chunk = CHUNK.subarray(0, Math.min(CHUNK.length, total - sent));
        sent += chunk.length;
        onSent(chunk.length);
        if (!response.write(chunk)) {
          response.once('drain', writeMore);
          return;
        }
      }
      if (sent >= total) response.end(resolve);
    };
    writeMore();
  });
}
