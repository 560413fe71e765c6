import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { forbidden } from '../errors.js';
import { isId } from '../ids.js';
import type { Store } from '../store/types.js';
import type { AuthEpoch } from './auth-epoch.js';
import { isStrictCompactJws } from './compact-jws.js';
import { parseContext } from './context.js';
import type { Principal, RequestContext } from './principal.js';
import { CLOCK_SKEW_SECONDS, jwtRejectionReason, PublicKeyCache } from './token-grant.js';

/** What the SDKs put before the compact JWS of a signed data token (§4.8). */
export const SIGNED_TOKEN_PREFIX = 'signed_token_';
/** Longest a signed data token may be, prefix included: the same bound as a bearer token. */
const MAX_SIGNED_TOKEN_LENGTH = 8192;

/** A verified signed data token: the data token it wraps and the context it carries. */
export interface VerifiedDataToken {
  readonly token: string;
  readonly context: RequestContext | undefined;
}

export const isSignedDataToken = (token: string): boolean => token.startsWith(SIGNED_TOKEN_PREFIX);

const rejected = (why: string) => forbidden(`Signed data token rejected: ${why}.`);

/**
 * Verifies signed data tokens (§4.8): a data token wrapped in an RS256 JWS that a service account signed
 * with one of its own keys (`iss` "sdk", `key` the key ID, `sub` the service account, `tok` the data
 * token, `exp`, optional `ctx`). Only the service account that signed it may use it, so the caller must
 * be `sub`; its `ctx` then replaces the bearer token's for the access decision on that one token.
 */
export class SignedDataTokens {
  private readonly keys: PublicKeyCache;

  constructor(
    private readonly store: Store,
    epoch: AuthEpoch,
    private readonly now: () => number = Date.now,
  ) {
    this.keys = new PublicKeyCache(epoch);
  }

  /** The wrapped token and its context; a 403 naming what is wrong otherwise (never the token). */
  async verify(principal: Principal, signed: string): Promise<VerifiedDataToken> {
    if (signed.length > MAX_SIGNED_TOKEN_LENGTH) throw rejected('too long');
    const jws = signed.slice(SIGNED_TOKEN_PREFIX.length);
    if (!isStrictCompactJws(jws)) throw rejected('not a compact JWS');
    let header: ReturnType<typeof decodeProtectedHeader>;
    let claims: ReturnType<typeof decodeJwt>;
    try {
      header = decodeProtectedHeader(jws);
      claims = decodeJwt(jws);
    } catch {
      throw rejected('header or claims are not JSON objects');
    }
    if (header.alg !== 'RS256') throw rejected('alg must be RS256');
    if (claims.iss !== 'sdk') throw rejected('iss must be "sdk"');
    if (claims.sub !== principal.serviceAccountId) {
      throw rejected('sub must be the calling service account (only the signer may use its signed tokens)');
    }
    const keyId = claims.key;
    if (typeof keyId !== 'string' || !isId(keyId)) throw rejected('key must be a key ID');
    const keyRow = await this.store.serviceAccountKeys.get(keyId);
    if (!keyRow || keyRow.serviceAccountId !== principal.serviceAccountId || keyRow.status !== 'ACTIVE') {
      throw rejected('unknown or inactive key');
    }
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(jws, this.keys.get(keyId, keyRow.publicKey), {
        algorithms: ['RS256'],
        issuer: 'sdk',
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp'],
        currentDate: new Date(this.now()),
      }));
    } catch (err) {
      throw rejected(jwtRejectionReason(err));
    }
    const token = payload.tok;
    if (typeof token !== 'string' || token === '') throw rejected('tok must be the data token');
    if (isSignedDataToken(token)) throw rejected('tok cannot itself be a signed token');
    let context: RequestContext | undefined;
    try {
      context = parseContext(payload.ctx);
    } catch (err) {
      throw rejected((err as Error).message.replace(/\.$/, ''));
    }
    return { token, context };
  }
}
