import { WorkerError } from '../errors.ts';

/**
 * `promise`, or a `worker/unresponsive` WorkerError after `timeoutMs`: a worker that hangs answers nothing, and a
 * call to it would wait for ever.
 */
export function withWatchdog<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new WorkerError('worker/unresponsive', `The classifier worker did not answer within ${timeoutMs} ms.`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
