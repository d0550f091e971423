import * as Comlink from 'comlink';
import { ColumnClassifierError, errorFromCode, type ErrorCode } from '../errors.ts';

/** The plain shape a thrown error takes while it crosses the worker boundary. */
export interface SerializedError {
  readonly isClassifierError: boolean;
  readonly code: ErrorCode | undefined;
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly details: Record<string, unknown> | undefined;
}

const installed = new WeakSet<object>();

/** An error as plain data, for a message that is not a Comlink call (a stream watch's port). */
export function serializeError(value: unknown): SerializedError {
  if (value instanceof ColumnClassifierError) {
    return {
      isClassifierError: true,
      code: value.code,
      name: value.name,
      message: value.message,
      stack: value.stack,
      details: value.details === undefined ? undefined : { ...value.details },
    };
  }
  const error = value instanceof Error ? value : new Error(String(value));
  return {
    isClassifierError: false,
    code: undefined,
    name: error.name,
    message: error.message,
    stack: error.stack,
    details: undefined,
  };
}

/** The error {@link serializeError} described: the same class with the same `code` for the library's errors. */
export function deserializeError(serialized: SerializedError): Error {
  const error =
    serialized.isClassifierError && serialized.code !== undefined
      ? errorFromCode(
          serialized.code,
          serialized.message,
          serialized.details === undefined ? {} : { details: serialized.details },
        )
      : Object.assign(new Error(serialized.message), { name: serialized.name });
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  return error;
}

/**
 * Comlink's own "throw" handler turns every error into a plain `Error`, losing
 * the subclass and `code`. This replaces it so an error thrown in the worker
 * arrives as the same class with the same `code`. Both sides call it before
 * the first message; calling it again is harmless.
 */
export function installErrorTransfer(): void {
  const comlinkHandler = Comlink.transferHandlers.get('throw');
  if (comlinkHandler === undefined || installed.has(comlinkHandler)) return;
  // Comlink does not export its marker symbol; its own handler still knows how to recognize a thrown value.
  const isThrown = comlinkHandler.canHandle;
  const handler: Comlink.TransferHandler<{ value: unknown }, { value: SerializedError }> = {
    canHandle: (value): value is { value: unknown } => isThrown(value),
    serialize: (thrown) => [{ value: serializeError(thrown.value) }, []],
    deserialize: (serialized) => {
      throw deserializeError(serialized.value);
    },
  };
  installed.add(handler);
  Comlink.transferHandlers.set('throw', handler);
}
