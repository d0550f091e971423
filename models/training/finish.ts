/**
 * The steps after training that only need the saved model: golden files, the
 * contract inside model.json, REPORT.md and the learning curve.
 * Run alone: `npx tsx models/training/finish.ts [DIR]`.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { attachContract } from './attach-contract.ts';
import { makeGoldenFiles } from './golden.ts';
import { SHARD_NAME } from './io.ts';
import { readRecord } from './record.ts';
import { writeReport } from './report.ts';

/** Golden files → contract → report, for the model saved in `dir`. */
export async function finish(dir: string): Promise<void> {
  makeGoldenFiles(dir);
  await attachContract(dir);
  await writeReport(dir, readRecord(dir), {
    modelJsonBytes: statSync(join(dir, 'model.json')).size,
    shardBytes: statSync(join(dir, SHARD_NAME)).size,
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? 'models/column-classifier';
  await tf.setBackend('wasm');
  await finish(dir);
  console.log(`golden files, contract and report written to ${dir}`);
}
