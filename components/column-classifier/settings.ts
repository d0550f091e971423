import { InputError } from '../../src/errors.ts';
import { checkGeometry, isColumnCount } from '../../src/preprocess/columns.ts';
import { MAX_GEOMETRY_COLUMNS, type ColumnGeometry } from '../../src/preprocess/types.ts';
import { isBackendName } from '../../src/worker-api/classifier-worker-api.ts';
import { DEFAULT_MAX_MODEL_BYTES } from '../../src/model/model-budget.ts';

/** The attributes that decide how frames are read, as the element holds them (numbers may be NaN from bad text). */
export interface ReadingSettings {
  /** The `camera` attribute: null when absent. */
  readonly camera: string | null;
  readonly columns: number;
  readonly maxFps: number;
  readonly stableFrames: number;
  readonly minConfidence: number;
  /** The geometry from `columns` and `corners` (undefined: the localizer finds it); throws for a `corners` value that cannot be parsed. */
  readonly geometry: () => ColumnGeometry | undefined;
  /** The attribute's text as the page wrote it (a number attribute holds NaN for "abc"); null when set as a property. */
  readonly written: (attribute: string) => string | null;
}

/**
 * The first attribute that cannot be used as given, as a typed error naming it and what it takes; undefined when
 * all can. Values out of range are refused rather than clamped: a clamped value reads frames the page did not ask for.
 */
export function settingsProblem(settings: ReadingSettings): InputError | undefined {
  const { camera, columns, maxFps, stableFrames, minConfidence } = settings;
  const quoted = (attribute: string, value: number) => quote(settings.written(attribute), value);
  if (camera !== null && !isCameraValue(camera))
    return new InputError(
      'input/bad-argument',
      `camera="${camera}": give environment (the back camera; also an empty value) or user (the front camera).`,
    );
  if (!isColumnCount(columns))
    return new InputError(
      'input/bad-geometry',
      `columns="${quoted('columns', columns)}": give the number of soroban columns, a whole number from 1 to ${MAX_GEOMETRY_COLUMNS} (default 13).`,
    );
  if (!(maxFps > 0) || !Number.isFinite(maxFps))
    return new InputError(
      'input/bad-argument',
      `max-fps="${quoted('max-fps', maxFps)}": give a positive number of frames per second (default 10).`,
    );
  if (!Number.isInteger(stableFrames) || stableFrames < 1)
    return new InputError(
      'input/bad-argument',
      `stable-frames="${quoted('stable-frames', stableFrames)}": give a whole number of frames ≥ 1 (default 3).`,
    );
  if (!(minConfidence >= 0 && minConfidence <= 1))
    return new InputError(
      'input/bad-argument',
      `min-confidence="${quoted('min-confidence', minConfidence)}": give a number from 0 to 1 (default 0.5).`,
    );
  try {
    const geometry = settings.geometry();
    if (geometry !== undefined) checkGeometry(geometry);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  return undefined;
}

/** Whether a `camera` attribute names a camera: `environment`, `user`, or empty (the back camera). */
export function isCameraValue(value: string): value is '' | 'environment' | 'user' {
  return value === '' || value === 'environment' || value === 'user';
}

/**
 * The first attribute that keeps the model from being started as given (`backend`, `max-model-bytes`), as a
 * typed error naming it; undefined when the start can go ahead. No worker is started for a refused value.
 */
export function startProblem(
  backend: string,
  maxModelBytes: number | null,
  written: (attribute: string) => string | null,
): InputError | undefined {
  if (backend !== 'auto' && !isBackendName(backend))
    return new InputError(
      'input/bad-argument',
      `backend="${backend}": give auto (the default: the fastest that passes its self-check), webgl, wasm or cpu.`,
    );
  if (maxModelBytes !== null && !(Number.isSafeInteger(maxModelBytes) && maxModelBytes > 0))
    return new InputError(
      'input/bad-argument',
      `max-model-bytes="${quote(written('max-model-bytes'), maxModelBytes)}": give the most bytes the model may take, a positive whole number (default ${DEFAULT_MAX_MODEL_BYTES}, 64 MiB).`,
    );
  return undefined;
}

/** The attribute's own text when it is what the number came from (Lit's converter gives NaN for "abc"), else the number. */
function quote(text: string | null, value: number): string {
  return text !== null && Object.is(Number(text), value) ? text : String(value);
}
