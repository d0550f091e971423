/** A problem found while inspecting a model against its contract; the loader throws errors, `inspect` lists everything. */
import { errorFromCode, type ColumnClassifierError, type ErrorCode } from '../errors.ts';

/** How bad a problem is: errors stop loading, warnings are reported. */
export type Severity = 'error' | 'warning';

/** One problem found by inspection. */
export interface Problem {
  readonly code: ErrorCode;
  readonly severity: Severity;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/** Builds an error problem. */
export function problem(code: ErrorCode, message: string, details?: Record<string, unknown>): Problem {
  return details === undefined ? { code, severity: 'error', message } : { code, severity: 'error', message, details };
}

/** Builds a warning. */
export function warning(code: ErrorCode, message: string): Problem {
  return { code, severity: 'warning', message };
}

/** The typed error (ContractError, LoadError, …) of a problem. */
export function toError(p: Problem): ColumnClassifierError {
  return errorFromCode(p.code, p.message, p.details === undefined ? undefined : { details: p.details });
}
