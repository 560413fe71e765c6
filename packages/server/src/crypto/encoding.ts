/**
 * Unambiguous byte encoding of a list of strings, used wherever several strings become one input to a
 * MAC, a KDF or associated data: each part is a 4-byte big-endian length followed by its UTF-8 bytes,
 * so ("ab","c") and ("a","bc") never encode alike.
 */
export function encodeParts(parts: readonly string[]): Buffer {
  const buffers: Buffer[] = [];
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(bytes.length, 0);
    buffers.push(length, bytes);
  }
  return Buffer.concat(buffers);
}
