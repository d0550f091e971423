// Part 5: what a page downloads, raw and gzip (level 9), beside the field model.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

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

/** Sizes of the built site in `site` and of the field model (its model.json and generated shard). */
export async function measureSizes(site, field) {
  const top = await readdir(site);
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
      name: 'worker bundle (column-classifier.worker.js)',
      ...(await sizeOfFiles([join(site, 'column-classifier.worker.js')])),
    },
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
