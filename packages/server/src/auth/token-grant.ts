import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { badRequest, forbidden, unauthorized } from '../errors.js';
import { isId } from '../ids.js';
import type { Store } from '../store/types.js';
import type { AuthEpoch } from './auth-epoch.js';
import { isStrictCompactJws } from './compact-jws.js';
import { parseContext } from './context.js';
import type { TokenAudiences } from './token-audiences.js';
import type { TokenIssuer } from './token-issuer.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Largest clock difference tolerated between a client and this server. */
export const CLOCK_SKEW_SECONDS = 60;
/** Longest an assertion may remain valid (Skyflow SDKs use exactly one hour). */
export const MAX_ASSERTION_LIFETIME_SECONDS = 3600;

export interface TokenRequest {
  readonly grant_type: string;
  readonly assertion: string;
  readonly scope?: string | undefined;
}

const invalidAssertion = (why: string) => unauthorized(`The request is unauthorized. Invalid assertion: ${why}.`);

/**
 * The JWT-bearer grant (`POST /v1/auth/sa/oauth/token`): a service account proves possession of one of
 * its private keys with a signed assertion and receives a 60-minute bearer token.
 */
export class TokenGrantService {
  private readonly publicKeys: PublicKeyCache;

  constructor(
    private readonly store: Store,
    private readonly issuer: TokenIssuer,
    private readonly audiences: TokenAudiences,
    epoch: AuthEpoch,
  ) {
    this.publicKeys = new PublicKeyCache(epoch);
  }

  async grant(request: TokenRequest): Promise<{ accessToken: string; tokenType: 'Bearer' }> {
    if (request.grant_type !== JWT_BEARER_GRANT) {
      throw badRequest(`Unsupported grant_type; use "${JWT_BEARER_GRANT}".`);
    }
    const assertion = request.assertion;
    // Never hand anything but a strict compact JWS to the JWT library.
    if (!isStrictCompactJws(assertion)) throw invalidAssertion('not a compact JWS');
    let header: ReturnType<typeof decodeProtectedHeader>;
    let unverified: ReturnType<typeof decodeJwt>;
    try {
      header = decodeProtectedHeader(assertion);
      unverified = decodeJwt(assertion);
    } catch {
      throw invalidAssertion('header or claims are not JSON objects');
    }
    if (header.alg !== 'RS256') throw invalidAssertion('alg must be RS256');
    if (header.typ !== undefined && String(header.typ).toUpperCase() !== 'JWT')
      throw invalidAssertion('typ must be JWT');
    const { iss, key: keyId } = unverified;
    if (typeof iss !== 'string' || !isId(iss)) throw invalidAssertion('iss must be a service account ID');
    if (typeof keyId !== 'string' || !isId(keyId)) throw invalidAssertion('key must be a key ID');

    const account = await this.store.serviceAccounts.get(iss);
    const keyRow = account ? await this.store.serviceAccountKeys.get(keyId) : undefined;
    if (account?.status !== 'ACTIVE' || !keyRow || keyRow.serviceAccountId !== iss || keyRow.status !== 'ACTIVE') {
      throw invalidAssertion('unknown or inactive service account or key');
    }

    const nowSeconds = Math.floor(Date.now() / 1000);
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(assertion, this.publicKeys.get(keyId, keyRow.publicKey), {
        algorithms: ['RS256'],
        audience: await this.audiences.accepted(),
        issuer: iss,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp'],
        currentDate: new Date(nowSeconds * 1000),
      }));
    } catch (err) {
      throw invalidAssertion(jwtRejectionReason(err));
    }
    const exp = payload.exp as number;
    if (exp > nowSeconds + MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
      throw invalidAssertion('exp is more than one hour ahead');
    }
    if (payload.iat !== undefined && (payload.iat as number) > nowSeconds + CLOCK_SKEW_SECONDS) {
      throw invalidAssertion('iat is in the future');
    }
    if (payload.sub !== undefined && payload.sub !== iss) throw invalidAssertion('sub must equal iss');

    // ctx is part of the signed assertion: a malformed one makes the assertion invalid (401).
    let context: ReturnType<typeof parseContext>;
    try {
      context = parseContext(payload.ctx);
    } catch (err) {
      throw invalidAssertion((err as Error).message.replace(/\.$/, ''));
    }
    if (account.clientConfiguration.enforceContextID && context === undefined) {
      throw invalidAssertion('this service account requires context (ctx)');
    }
    const assigned = await this.store.roles.rolesOfMember(iss);
    const roleIds = narrowByScope(
      assigned.map((r) => r.id),
      request.scope,
    );
    const minted = await this.issuer.mint({ serviceAccountId: iss, keyId, roleIds, context });
    return { accessToken: minted.accessToken, tokenType: 'Bearer' };
  }
}

/**
 * Parsed public keys of service-account keys, by key ID: parsing a PEM costs more than verifying a
 * signature. Dropped when anything authentication-related changes (a key disabled or deleted).
 */
export class PublicKeyCache {
  private readonly keys = new Map<string, { generation: number; key: KeyObject }>();

  constructor(private readonly epoch: AuthEpoch) {}

  get(keyId: string, pem: string): KeyObject {
    const cached = this.keys.get(keyId);
    if (cached && cached.generation === this.epoch.generation) return cached.key;
    const key = createPublicKey(pem);
    if (this.keys.size > 10_000) this.keys.clear();
    this.keys.set(keyId, { generation: this.epoch.generation, key });
    return key;
  }
}

/** `scope` is `role:<id>` items separated by any whitespace (SDKs add leading or trailing spaces). */
export function narrowByScope(assigned: readonly string[], scope: string | undefined): string[] {
  const items = (scope ?? '').split(/\s+/).filter(Boolean);
  if (items.length === 0) return [...assigned];
  const requested = new Set<string>();
  for (const item of items) {
    const match = /^role:([0-9a-f]{32})$/.exec(item);
    if (!match) throw badRequest(`scope item "${item.slice(0, 80)}" must have the form role:<roleID>`);
    requested.add(match[1] as string);
  }
  const missing = [...requested].filter((id) => !assigned.includes(id));
  if (missing.length > 0) {
    throw forbidden(`scope names roles not assigned to this service account: ${missing.join(', ')}`);
  }
  return assigned.filter((id) => requested.has(id));
}

/** Why jose refused a JWT, in words fit for a 401/403 message (never the token). */
export function jwtRejectionReason(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return "aud is not this server's token URI";
    if (err.claim === 'nbf') return 'not yet valid (nbf)';
    return `claim "${err.claim}" is missing or invalid`;
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature does not verify';
  if (err instanceof joseErrors.JWTInvalid) return 'claims are not valid';
  return 'rejected';
}
