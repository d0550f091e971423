/** Shard hashing with Web Crypto (`crypto.subtle`), available in browsers, workers and Node 20. */
import { LoadError } from '../errors.ts';

/**
 * Lowercase hex sha256 of some bytes.
 *
 * @throws {LoadError} `load/integrity` when Web Crypto is unavailable (a page served over plain http
 *   from another host is not a secure context, and browsers hide `crypto.subtle` there)
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    throw new LoadError(
      'load/integrity',
      'The weight shards cannot be verified: crypto.subtle is unavailable because the page is not a secure context. Serve the page over https (or from localhost); the camera needs that too.',
    );
  }
  // Web Crypto refuses views on SharedArrayBuffer; copy only in that rare case.
  const owned: Uint8Array<ArrayBuffer> =
    bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  const digest = await subtle.digest('SHA-256', owned);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Whether {@link sha256Hex} can run here (Web Crypto present). */
export function canHash(): boolean {
  return globalThis.crypto?.subtle !== undefined;
}
