/**
 * A strict gate in front of the JWT library: a token must be exactly three non-empty segments of the
 * base64url alphabet, each of which re-encodes to itself (no padding, no whitespace, no non-canonical
 * trailing bits). JOSE libraries are lenient about some of these; we reject them before parsing.
 */
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Tokens longer than this are rejected outright (a real assertion or bearer token is ~1 KB). */
export const MAX_COMPACT_JWS_LENGTH = 16 * 1024;

export function isStrictCompactJws(token: string): boolean {
  if (token.length === 0 || token.length > MAX_COMPACT_JWS_LENGTH) return false;
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  for (const part of parts) {
    if (!SEGMENT.test(part)) return false;
    if (Buffer.from(part, 'base64url').toString('base64url') !== part) return false;
  }
  return true;
}
