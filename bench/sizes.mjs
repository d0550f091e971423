// Part 5: what a page downloads before its first reading, per backend (the files the server was asked for while
// the element connected, started and read one frame), and every built file, raw and gzip (level 9).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { workerChunks } from '../scripts/worker-chunks.mjs';

function sizeOf(bytes) {
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

async function sizeOfFiles(paths) {
  let raw = 0;
  let gzip = 0;
  for (const path of paths) {
    const s = sizeOf(await readFile(path));
    raw += s.raw;
    gzip += s.gzip;
  }
  return { raw, gzip, files: paths.length };
}

/** The worker's chunks that it imports only when needed: file-name prefix → what the chunk is. */
const LAZY_CHUNKS = [
  ['webgl-backend', 'WebGL backend chunk, fetched only when WebGL is tried'],
  ['cpu-backend', 'cpu backend chunk, fetched only when cpu is tried'],
  ['zip', 'zip writer chunk, fetched only by exportSamples()'],
  ['stream-reading', 'stream reading chunk, fetched only when the worker reads a camera or MediaStream itself'],
  ['tfjs-converter', 'graph-model runtime chunk, fetched only for a graph model'],
];

/** Sizes of the built site in `site` and of the field model (its model.json and generated shard). */
export async function measureSizes(site, field) {
  const top = await readdir(site);
  const { eager, lazy } = await workerChunks(site);
  const modelDir = join(site, 'models', 'column-classifier');
  const modelFiles = await readdir(modelDir);
  // Only the PNG golden cases of the contract are fetched at load; golden/ also holds files for doctor.
  const contract = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')).userDefinedMetadata?.contract;
  const goldenFiles = (contract?.golden?.cases ?? [])
    .filter((c) => c.input.kind === 'png')
    .map((c) => join(modelDir, c.input.path));
  const rows = [
    { name: 'element bundle (column-classifier.js)', ...(await sizeOfFiles([join(site, 'column-classifier.js')])) },
    {
      name: 'worker bundle (column-classifier.worker.js and the chunks it imports at once)',
      ...(await sizeOfFiles([join(site, 'column-classifier.worker.js'), ...eager.map((f) => join(site, f))])),
    },
    ...(await Promise.all(
      lazy.map(async (f) => ({
        name: `${LAZY_CHUNKS.find(([prefix]) => f.includes(`/${prefix}-`))?.[1] ?? 'chunk'} (${f})`,
        ...(await sizeOfFiles([join(site, f)])),
      })),
    )),
    ...(await Promise.all(
      top
        .filter((f) => f.endsWith('.wasm'))
        .sort()
        .map(async (f) => ({ name: f, ...(await sizeOfFiles([join(site, f)])) })),
    )),
    {
      name: 'shipped model (model.json + shards)',
      ...(await sizeOfFiles(
        modelFiles.filter((f) => f === 'model.json' || f.endsWith('.bin')).map((f) => join(modelDir, f)),
      )),
    },
    ...(goldenFiles.length > 0
      ? [{ name: 'shipped model goldens (fetched by the self-check)', ...(await sizeOfFiles(goldenFiles)) }]
      : []),
    {
      name: 'field MobileNetV2 graph model (model.json + shard)',
      ...(await sizeOfFiles([join(site, 'field', 'model.json'), join(site, 'field', 'group1-shard1of1.bin')])),
      note: "shard generated with the manifest's shapes; random weights gzip worse than trained ones",
    },
  ];
  return { rows, fieldShardBytes: field.shardBytes };
}

/**
 * Whether `path` is one of the worker's chunks (column-classifier-chunks/) and, given `backend`, that backend's
 * (`webgl-backend-…`, `cpu-backend-…`); without it, one of the others.
 */
function isWorkerChunk(path, backend) {
  if (!/^\/column-classifier-chunks\/[^/]+\.js$/.test(path)) return false;
  const chunkBackend = /\/(\w+)-backend-[^/]+$/.exec(path)?.[1];
  return chunkBackend === backend;
}

/** What each fetched path is, in the order the report lists them; the bench page's own files are not counted. */
const PIECES = [
  ['element bundle', (p) => p === '/column-classifier.js'],
  ['worker bundle (with TF.js)', (p) => p === '/column-classifier.worker.js' || isWorkerChunk(p, undefined)],
  ['WebGL backend chunk', (p) => isWorkerChunk(p, 'webgl')],
  ['cpu backend chunk', (p) => isWorkerChunk(p, 'cpu')],
  ['TF.js wasm binary', (p) => p.endsWith('.wasm')],
  ['localizer (model.json + weights)', (p) => /^\/models\/localizer\/(model\.json|[^/]+\.bin)$/.test(p)],
  ['localizer self-check goldens', (p) => /^\/models\/localizer\/golden\//.test(p)],
  ['model (model.json + weights)', (p) => /^\/models\/[^/]+\/(model\.json|[^/]+\.bin)$/.test(p)],
  ['self-check goldens', (p) => /^\/models\/[^/]+\/golden\//.test(p)],
];

/**
 * The bytes a page fetched before its first reading, per piece and in all, from the paths the server served
 * (each fetch counts, so a file fetched twice counts twice). Paths of the bench page itself (its script, its
 * frames) are listed apart and not counted.
 *
 * @param site - the served folder
 * @param paths - the paths served, in order
 */
export async function bytesBeforeFirstReading(site, paths) {
  const pieces = PIECES.map(([name]) => ({ name, raw: 0, gzip: 0, files: [] }));
  const page = [];
  for (const path of paths) {
    const index = PIECES.findIndex(([, matches]) => matches(path));
    if (index < 0) {
      page.push(path);
      continue;
    }
    const piece = pieces[index];
    const s = sizeOf(await readFile(join(site, path)));
    piece.raw += s.raw;
    piece.gzip += s.gzip;
    piece.files.push(path);
  }
  const total = pieces.reduce((sum, p) => ({ raw: sum.raw + p.raw, gzip: sum.gzip + p.gzip }), { raw: 0, gzip: 0 });
  return { pieces, total, notCounted: page };
}
