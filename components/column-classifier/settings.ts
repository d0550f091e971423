import { InputError } from '../../src/errors.ts';
import { checkGeometry, isColumnCount } from '../../src/preprocess/columns.ts';
import { MAX_GEOMETRY_COLUMNS, type ColumnGeometry } from '../../src/preprocess/types.ts';

/** The attributes that decide how frames are read, as the element holds them (numbers may be NaN from bad text). */
export interface ReadingSettings {
  readonly columns: number;
  readonly maxFps: number;
  readonly stableFrames: number;
  readonly minConfidence: number;
  /** The geometry from `columns` and `corners`; throws for a `corners` value that cannot be parsed. */
  readonly geometry: () => ColumnGeometry;
}

/**
 * The first attribute that cannot be used as given, as a typed error naming it and what it takes; undefined when
 * all can. Values out of range are refused rather than clamped: a clamped value reads frames the page did not ask for.
 */
export function settingsProblem(settings: ReadingSettings): InputError | undefined {
  const { columns, maxFps, stableFrames, minConfidence } = settings;
  if (!isColumnCount(columns))
    return new InputError(
      'input/bad-geometry',
      `columns="${String(columns)}": give the number of soroban columns, a whole number from 1 to ${MAX_GEOMETRY_COLUMNS} (default 13).`,
    );
  if (!(maxFps > 0) || !Number.isFinite(maxFps))
    return new InputError(
      'input/bad-argument',
      `max-fps="${String(maxFps)}": give a positive number of frames per second (default 10).`,
    );
  if (!Number.isInteger(stableFrames) || stableFrames < 1)
    return new InputError(
      'input/bad-argument',
      `stable-frames="${String(stableFrames)}": give a whole number of frames ≥ 1 (default 3).`,
    );
  if (!(minConfidence >= 0 && minConfidence <= 1))
    return new InputError(
      'input/bad-argument',
      `min-confidence="${String(minConfidence)}": give a number from 0 to 1 (default 0.5).`,
    );
  try {
    checkGeometry(settings.geometry());
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  return undefined;
}
