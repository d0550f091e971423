/**
 * Reading an HTTP response body with a byte limit: the read stops, and the
 * connection is cancelled, as soon as the body is known to be larger than the
 * limit, so a hostile or mistaken 300 MB file costs a few chunks, not 300 MB
 * of page memory.
 */
import { ColumnClassifierError, LoadError } from '../errors.ts';

/** Called as bytes arrive: `loaded` so far out of `total` (total may be unknown). */
export type ByteProgress = (loaded: number, total: number | undefined) => void;

/** The most bytes a file may have, and the error to throw when it has more. */
export interface ByteLimit {
  readonly bytes: number;
  /** Builds the error, given the size the file is known to reach (its announced length, or the bytes read so far). */
  readonly exceeded: (atLeast: number) => ColumnClassifierError;
}

/** How one file is read: cancelled by `signal`, reported through `onProgress`, bounded by `limit`. */
export interface ReadOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: ByteProgress;
  readonly limit?: ByteLimit;
}

/**
 * How far an announced length may exceed a limit before it is refused unread. A cross-origin
 * response hides Content-Encoding, and gzip makes incompressible bytes longer (5 bytes per 16 KB
 * block and a header), so a legitimate gzipped shard may announce a little more than it holds;
 * the bytes themselves are counted exactly while streaming.
 */
function encodingSlack(bytes: number): number {
  return 64 + Math.ceil(bytes / 2048);
}

/** Throws the limit's error when `size` bytes are more than it allows. */
export function checkLimit(size: number, limit: ByteLimit | undefined): void {
  if (limit !== undefined && size > limit.bytes) throw limit.exceeded(size);
}

function cutError(
  url: string,
  loaded: number,
  total: number | undefined,
  signal: AbortSignal | undefined,
  error: unknown,
): LoadError {
  if (signal?.aborted === true) return new LoadError('load/aborted', `Loading ${url} was aborted.`, { cause: error });
  // Browsers and undici reject the read with a bare TypeError ("network error", "terminated").
  return new LoadError(
    'load/network',
    `The download of ${url} broke off after ${loaded}${total === undefined ? '' : ` of ${total}`} bytes: ${String(error)}. The connection was lost or the server stopped sending; retry.`,
    { cause: error, details: { url, loaded, ...(total === undefined ? {} : { total }) } },
  );
}

/**
 * Reads a response body into one buffer, within a limit.
 *
 * @param response - an `ok` response
 * @param url - for messages
 * @throws the limit's error as soon as the announced length or the bytes read exceed it (the body is cancelled);
 *   {@link LoadError} `load/network` when the body stream fails mid-way, `load/aborted` when `signal` aborts it,
 *   `load/truncated` when fewer bytes arrive than announced
 */
export async function readBoundedBody(response: Response, url: string, options: ReadOptions = {}): Promise<Uint8Array> {
  const { signal, onProgress, limit } = options;
  const header = response.headers.get('content-length');
  const announced = header === null ? Number.NaN : Number(header);
  // With Content-Encoding the length is of the encoded body, not of the bytes the stream yields.
  const encoding = response.headers.get('content-encoding');
  const total =
    Number.isSafeInteger(announced) && announced >= 0 && (encoding === null || encoding === 'identity')
      ? announced
      : undefined;
  const body = response.body;
  if (total !== undefined && limit !== undefined && total > limit.bytes + encodingSlack(limit.bytes)) {
    await body?.cancel().catch(() => undefined);
    throw limit.exceeded(total);
  }
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  if (body !== null) {
    const reader = body.getReader();
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        throw cutError(url, loaded, total, signal, error);
      }
      if (next.done) break;
      loaded += next.value.byteLength;
      if (limit !== undefined && loaded > limit.bytes) {
        // Not awaited: a server that keeps sending must not hold the refusal up.
        reader.cancel().catch(() => undefined);
        throw limit.exceeded(loaded);
      }
      chunks.push(next.value);
      onProgress?.(loaded, total);
    }
  }
  if (total !== undefined && loaded < total) {
    throw new LoadError(
      'load/truncated',
      `${url} announced ${total} bytes but ${loaded} arrived; the download was cut, retry.`,
      { details: { url, loaded, total } },
    );
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
