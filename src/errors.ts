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
  disposed: 'disposed',
  worker: 'worker',
} as const;
export type ErrorFamily = (typeof ErrorFamily)[keyof typeof ErrorFamily];

/**
 * Stable error codes. Add new codes here, never reuse or rename one: they are
 * part of the public API.
 */
export type ErrorCode =
  // input: frames and call arguments
  | 'input/zero-size-frame'
  | 'input/detached-frame'
  | 'input/unsupported-source'
  | 'input/tainted-source'
  | 'input/camera-unavailable'
  | 'input/bad-geometry'
  | 'input/bad-argument'
  // backend: TF.js backends
  | 'backend/unavailable'
  | 'backend/init-failed'
  | 'backend/context-lost'
  | 'backend/golden-mismatch'
  // inference
  | 'inference/failed'
  | 'inference/bad-output'
  // load: fetching and parsing a model
  | 'load/http'
  | 'load/network'
  | 'load/bad-json'
  | 'load/aborted'
  | 'load/integrity'
  | 'load/truncated'
  | 'load/unsupported-format'
  // contract: the model contract and its agreement with the topology
  | `contract/${string}`
  // lifecycle
  | 'disposed/used-after-dispose'
  | 'disposed/superseded'
  | 'worker/crashed'
  | 'worker/unresponsive';

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

  override get name(): string {
    return this.constructor.name;
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
/** An object was used after `dispose()`. */
export class DisposedError extends ColumnClassifierError {}
/** The worker died or stopped answering. */
export class WorkerError extends ColumnClassifierError {}

const classByFamily = {
  contract: ContractError,
  load: LoadError,
  backend: BackendError,
  inference: InferenceError,
  input: InputError,
  disposed: DisposedError,
  worker: WorkerError,
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
