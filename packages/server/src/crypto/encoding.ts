/**
 * Unambiguous byte encoding of a list of strings, used wherever several strings become one input to a
 * MAC, a KDF or associated data: each part is a 4-byte big-endian length followed by its UTF-8 bytes,
 * so ("ab","c") and ("a","bc") never encode alike. With `prefix`, those bytes come first, as they are.
 */
export function encodeParts(parts: readonly string[], prefix?: Uint8Array): Buffer {
  // One allocation for the whole encoding: this runs for every value sealed or opened.
  let size = prefix?.length ?? 0;
  for (const part of parts) size += 4 + Buffer.byteLength(part, 'utf8');
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  if (prefix) {
    out.set(prefix, 0);
    at = prefix.length;
  }
  for (const part of parts) {
    const length = out.write(part, at + 4, 'utf8');
    out.writeUInt32BE(length, at);
    at += 4 + length;
  }
  return out;
}
