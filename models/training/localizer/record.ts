/** training-record.json of a localizer run: what `npm run train:localizer` measured while it trained. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalizerScores } from './metrics.ts';
import type { LocalizerModelOptions } from './model.ts';

/** The validation windows' scores: the first two looks' windows and the third look's (corner) windows apart. */
export interface LocalizerValidation {
  readonly looks: LocalizerScores;
  readonly corner: LocalizerScores;
}

/** One epoch of a run. */
export interface LocalizerEpoch extends LocalizerScores {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainWindows: number;
  readonly seconds: number;
  readonly learningRate: number;
  /** Absent from runs before the corner windows (run 4). */
  readonly cornerWindows?: LocalizerScores;
}

export interface LocalizerTrainingRecord {
  /** The architecture built from scratch, or "that of DIR" when the run started from DIR's model. */
  readonly architecture: string | LocalizerModelOptions;
  /** The localizer whose weights the run started from (`--init`); absent from scratch. */
  readonly initFrom?: string;
  readonly learningRate: number;
  readonly parameters: number;
  readonly bestEpoch: number;
  readonly renderSeconds: number;
  readonly trainingSeconds: number;
  readonly windowsSeen: number;
  readonly photos: number;
  readonly validation: LocalizerValidation;
  readonly history: readonly LocalizerEpoch[];
  /** Absent from records written before runs noted them. */
  readonly commit?: string;
  readonly finishedAt?: string;
  readonly quick?: boolean;
}

export const LOCALIZER_RECORD_FILE = 'training-record.json';

export function readLocalizerRecord(dir: string): LocalizerTrainingRecord {
  return JSON.parse(readFileSync(join(dir, LOCALIZER_RECORD_FILE), 'utf8')) as LocalizerTrainingRecord;
}
