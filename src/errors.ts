/**
 * Every error the product throws is a {@link ColumnClassifierError} with a stable
 * `code`, so callers branch on `code` (or on the family subclass) instead of
 * parsing messages. Errors cross the worker boundary intact (see
 * `src/worker-api/error-transfer.ts`).
 */

/** Families of errors; each has a subclass below. */
export const ErrorFamily = {
  contract: 'contract',
  load: 'load',
  backend: 'backend',
  inference: 'inference',
  input: 'input',
  state: 'state',
  disposed: 'disposed',
  worker: 'worker',
  storage: 'storage',
} as const;
export type ErrorFamily = (typeof ErrorFamily)[keyof typeof ErrorFamily];

/**
 * Every stable error code, one closed list (a test checks that every code the
 * sources name is here). Add new codes here, never reuse or rename one: they
 * are part of the public API.
 */
export const ERROR_CODES = [
  // input: frames and call arguments
  'input/zero-size-frame',
  'input/detached-frame',
  'input/unsupported-source',
  'input/tainted-source',
  'input/camera-unavailable',
  'input/bad-geometry',
  'input/bad-argument',
  // state: a call that the object's state does not allow yet
  'state/not-started',
  // backend: TF.js backends
  'backend/unavailable',
  'backend/init-failed',
  'backend/context-lost',
  'backend/golden-mismatch',
  // inference
  'inference/failed',
  'inference/bad-output',
  // load: fetching and parsing a model
  'load/http',
  'load/network',
  'load/bad-json',
  'load/aborted',
  'load/integrity',
  'load/truncated',
  'load/unsupported-format',
  'load/path-outside-model',
  'load/too-large',
  // contract, structure (ContractShapeCode in src/contract/validate.ts)
  'contract/not-an-object',
  'contract/missing-field',
  'contract/wrong-type',
  'contract/invalid-value',
  'contract/out-of-range',
  'contract/unknown-field',
  'contract/bad-format',
  'contract/unsupported-version',
  // contract, cross-field rules (ContractRuleCode in src/contract/schema.ts)
  'contract/duplicate-head',
  'contract/duplicate-head-output',
  'contract/input-shape-mismatch',
  'contract/empty-input-range',
  'contract/decode-unknown-head',
  'contract/decode-head-mismatch',
  'contract/softmax-single-unit',
  'contract/golden-unknown-head',
  'contract/golden-missing-head',
  'contract/golden-output-size',
  'contract/golden-input-size',
  // contract, where it is and whether it agrees with the model
  'contract/missing',
  'contract/sidecar-conflict',
  'contract/input-not-found',
  'contract/input-mismatch',
  'contract/input-dtype-mismatch',
  'contract/uninspectable-input',
  'contract/missing-input-range',
  'contract/internals-mismatch',
  'contract/double-normalization',
  'contract/head-not-found',
  'contract/head-ambiguous',
  'contract/head-shape-mismatch',
  'contract/head-activation-mismatch',
  'contract/unbound-output',
  'contract/integrity-incomplete',
  'contract/integrity-unknown-shard',
  'contract/no-integrity',
  'contract/quantization-mismatch',
  'contract/quantization-undeclared',
  'contract/quantization-unknown-weight',
  'contract/quantization-at-risk',
  'contract/quantization-gate',
  // a fine-tuned model read the held-out or rendered test columns worse than the model it started from
  'contract/fine-tune-gate',
  // the model is of another kind than the one asked for (a localizer given as the classifier, or the reverse)
  'contract/wrong-model-kind',
  // lifecycle
  'disposed/used-after-dispose',
  'disposed/superseded',
  // a long job (a fine-tune) stopped by its caller's AbortSignal
  'disposed/aborted',
  'worker/crashed',
  'worker/unresponsive',
  // the browser's IndexedDB (samples, fine-tuned models): not available here (no IndexedDB in this context, storage
  // blocked), or a read or write failed (quota exceeded, the database closed under it)
  'storage/unavailable',
  'storage/failed',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes that only ever name a warning (`cc-warning`), never a thrown error. */
export const WARNING_ONLY_CODES = [
  'backend/fallback',
  'golden/missing',
  'worker/restarted',
  // a stored fine-tuned model was not used (made from another version of the model, or it failed to load)
  'fine-tuned/skipped',
] as const;
/** The code of a warning: any error code a degradation may carry (e.g. `contract/no-integrity`), or a warning-only one. */
export type WarningCode = ErrorCode | (typeof WARNING_ONLY_CODES)[number];

const errorCodes: ReadonlySet<string> = new Set(ERROR_CODES);

/** Whether a string is one of the {@link ERROR_CODES}. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && errorCodes.has(value);
}

/** Base class of every error the product throws. */
export class ColumnClassifierError extends Error {
  /** Stable, machine-readable code, e.g. `input/zero-size-frame`. */
  readonly code: ErrorCode;
  /** Optional structured details (plain, structured-clonable data). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }

  /** The family this error belongs to (the part of `code` before the slash). */
  get family(): ErrorFamily {
    return familyOf(this.code);
  }
}

/** The model contract is missing, malformed or contradicts the model. */
export class ContractError extends ColumnClassifierError {}
/** A model could not be fetched, parsed or verified. */
export class LoadError extends ColumnClassifierError {}
/** A TF.js backend could not be used or disagreed with the golden outputs. */
export class BackendError extends ColumnClassifierError {}
/** Inference failed or produced outputs of the wrong shape. */
export class InferenceError extends ColumnClassifierError {}
/** A frame or argument given by the caller is not usable. */
export class InputError extends ColumnClassifierError {}
/** A call came before the object was ready for it (e.g. classify before start). */
export class StateError extends ColumnClassifierError {}
/** An object was used after `dispose()`. */
export class DisposedError extends ColumnClassifierError {}
/** The worker died or stopped answering. */
export class WorkerError extends ColumnClassifierError {}
/** The browser's storage (IndexedDB) is not available or a read or write failed. */
export class StorageError extends ColumnClassifierError {}

/** Every error class by its name (the base class and one per family). */
export const ERROR_CLASSES = {
  ColumnClassifierError,
  ContractError,
  LoadError,
  BackendError,
  InferenceError,
  InputError,
  StateError,
  DisposedError,
  WorkerError,
  StorageError,
} as const;

// Every class names itself on its prototype: a minifier renames classes, so `this.constructor.name`
// read `Le`, `h`, `w` in the bundle. Object keys survive minification.
for (const [name, ErrorClass] of Object.entries(ERROR_CLASSES)) {
  Object.defineProperty(ErrorClass.prototype, 'name', { value: name, writable: true, configurable: true });
}

const classByFamily = {
  contract: ContractError,
  load: LoadError,
  backend: BackendError,
  inference: InferenceError,
  input: InputError,
  state: StateError,
  disposed: DisposedError,
  worker: WorkerError,
  storage: StorageError,
} satisfies Record<ErrorFamily, typeof ColumnClassifierError>;

/** The family of a code: the part before the first slash. */
export function familyOf(code: ErrorCode): ErrorFamily {
  const prefix = code.slice(0, code.indexOf('/'));
  if (prefix in classByFamily) return prefix as ErrorFamily;
  throw new TypeError(`Error code "${code}" has no known family prefix.`);
}

/** Builds the error of the right subclass for a code (used when an error crosses the worker boundary). */
export function errorFromCode(
  code: ErrorCode,
  message: string,
  options?: { cause?: unknown; details?: Record<string, unknown> },
): ColumnClassifierError {
  const ErrorClass = classByFamily[familyOf(code)];
  return new ErrorClass(code, message, options);
}
