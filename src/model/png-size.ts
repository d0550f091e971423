/** The PNG signature, then the IHDR chunk's length and type: every PNG starts with these 16 bytes. */
const PNG_START = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];

/**
 * The width and height a PNG says it has (its IHDR chunk), read before decoding: a file of a few hundred bytes
 * can claim an image of gigabytes. Undefined when the bytes do not start as a PNG does (the decoder says why).
 */
export function pngSize(bytes: Uint8Array): { readonly width: number; readonly height: number } | undefined {
  if (bytes.length < 24 || PNG_START.some((byte, i) => bytes[i] !== byte)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
