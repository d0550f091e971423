/** Shard hashing with Web Crypto (`crypto.subtle`), available in browsers, workers and Node 20. */

/** Lowercase hex sha256 of some bytes. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // Web Crypto refuses views on SharedArrayBuffer; copy only in that rare case.
  const owned: Uint8Array<ArrayBuffer> = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  const digest = await crypto.subtle.digest('SHA-256', owned);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
