import { base64UrlToBytes, fromUtf8 } from '../crypto/base64.js';

/** The claims of a compact JWT, read without verifying it; `undefined` when it is not a JWT. */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(fromUtf8(base64UrlToBytes(parts[1] as string)));
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `exp` of a JWT in milliseconds since the epoch; `null` for a JWT without a numeric `exp`, `undefined`
 * for something that is not a JWT (an API key, an opaque token).
 */
export function jwtExpiry(token: string): number | null | undefined {
  const payload = decodeJwtPayload(token);
  if (!payload) return undefined;
  return typeof payload.exp === 'number' && Number.isFinite(payload.exp) ? payload.exp * 1000 : null;
}

/**
 * Whether a bearer token has expired, exactly as Skyflow's SDKs decide it (§4.5): an empty or undecodable
 * token is expired; a JWT is expired once the current second is past its `exp`; a JWT without `exp` is not.
 */
export function isExpired(token: string): boolean {
  if (!token) return true;
  const expiry = jwtExpiry(token);
  if (expiry === undefined) return true;
  if (expiry === null) return false;
  return Date.now() / 1000 > expiry / 1000;
}
