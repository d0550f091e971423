/** The training record: what `npm run train` measured, saved beside the model for the report and the contract. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetSpec } from './dataset.ts';
import type { Evaluation, ThresholdOutcome } from './evaluate.ts';
import type { TrainResult } from './train-loop.ts';
import type { WarmStart } from './warm-start.ts';

/** File name of the record in the model directory. */
export const RECORD_FILE = 'training-record.json';

/** Everything a training run measured. */
export interface TrainingRecord {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly commit: string;
  readonly quick: boolean;
  readonly backend: string;
  readonly architecture: { readonly filters: readonly number[]; readonly dense: number };
  /** Present when training started from an earlier model's weights (`--init`). */
  readonly warmStart?: WarmStart;
  readonly parameters: number;
  readonly weightBytes: number;
  /** `train` is one chunk's recipe with the crops and photos of all chunks trained on. */
  readonly datasets: Record<'train' | 'val' | 'test', DatasetSpec & { photos: number; renderSeconds: number }> & {
    readonly test3d?: DatasetSpec & { photos: number; renderSeconds: number };
  };
  /** How the training crops were streamed (absent in records of runs before the stream). */
  readonly trainStream?: {
    readonly chunkCrops: number;
    readonly chunksInSet: number;
    readonly seedStep: number;
    readonly chunks: number;
    readonly renderThreads: number;
    /** Epochs after which a fresh chunk replaced the oldest (a chunk not yet rendered is not waited for). */
    readonly refreshes?: number;
    /** Wall seconds rendering before the first epoch (all threads). */
    readonly upfrontSeconds: number;
  };
  readonly heldOut: {
    readonly beadShape: string;
    readonly beadColour: string;
    readonly profile?: string;
    readonly elevation?: readonly [number, number];
  };
  readonly training: TrainResult & { readonly options: Record<string, unknown> };
  readonly totalSeconds: number;
  readonly validation: Evaluation;
  readonly test: Evaluation;
  /** The 3D test set (runs since the 3D renderer): the evaluation, by elevation band and profile, and at confidence thresholds. */
  readonly test3d?: Evaluation & {
    readonly byElevation: readonly { readonly band: string; readonly count: number; readonly accuracy: number }[];
    readonly byProfile: readonly { readonly profile: string; readonly count: number; readonly accuracy: number }[];
    readonly thresholds: readonly ThresholdOutcome[];
    /** Crops by kind: readable columns, and "not a column" crops. */
    readonly unreadableCrops: number;
  };
}

/** Writes the record as JSON. */
export function writeRecord(dir: string, record: TrainingRecord): void {
  writeFileSync(join(dir, RECORD_FILE), `${JSON.stringify(record, null, 1)}\n`);
}

/** Reads the record back. */
export function readRecord(dir: string): TrainingRecord {
  return JSON.parse(readFileSync(join(dir, RECORD_FILE), 'utf8')) as TrainingRecord;
}
