/**
 * A strict gate in front of the JWT library: a token must be exactly three non-empty segments of the
 * base64url alphabet, each of which re-encodes to itself (no padding, no whitespace, no non-canonical
 * trailing bits). JOSE libraries are lenient about some of these; we reject them before parsing.
 */
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Tokens longer than this are rejected outright. A real assertion or bearer token is ~1 KB, ~6 KB with the
 * largest context allowed (4 KB); the limit sits well below Node's 16 KB header limit so that an oversized
 * token is our 401, not a 431 before the request is even read.
 */
export const MAX_COMPACT_JWS_LENGTH = 8 * 1024;

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
