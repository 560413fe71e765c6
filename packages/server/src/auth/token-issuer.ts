import type { webcrypto } from 'node:crypto';
import {
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { Keyring } from '../crypto/keyring.js';
import { unauthorized } from '../errors.js';
import { newId, newUuid } from '../ids.js';
import type { Store } from '../store/types.js';
import { isStrictCompactJws } from './compact-jws.js';
import type { RequestContext } from './principal.js';

type CryptoKey = webcrypto.CryptoKey;

/** Lifetime of bearer tokens minted for service accounts. */
export const BEARER_TOKEN_SECONDS = 3600;
/** Lifetime of the personal bearer tokens console users get at login. */
export const USER_TOKEN_SECONDS = 86_400;
/**
 * The JWT `typ` of personal tokens. Explicit typing (RFC 8725 §3.11) and the `kind` claim keep a
 * user's token from ever passing as a service account's, and the other way round.
 */
export const USER_TOKEN_TYPE = 'user+jwt';
const ALGORITHM = 'ES256';

/** Verified claims of a bearer token we minted. */
export interface BearerClaims {
  readonly serviceAccountId: string;
  readonly keyId: string;
  /** Set for JWTs the client signed with a registered public key. */
  readonly registeredKeyId?: string;
  /** The roles the token is scoped to; undefined: every role of the account (client-signed JWTs). */
  readonly roleIds: readonly string[] | undefined;
  readonly context: RequestContext | undefined;
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly iat: number;
  /** Seconds since the epoch. */
  readonly exp: number;
}

/** Verified claims of a personal token minted at a user's login. */
export interface UserTokenClaims {
  readonly userId: string;
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly iat: number;
  /** Seconds since the epoch. */
  readonly exp: number;
}

/** What revocation needs of any token this server minted. */
export interface IssuedTokenClaims {
  readonly principalId: string;
  readonly principalType: 'SERVICE_ACCOUNT' | 'USER';
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly exp: number;
}

/**
 * Whether a token says it is a personal token (its header's `typ`), read without verifying anything:
 * it only picks the verifier, which checks the signature and the `kind` claim.
 */
export function isUserToken(token: string): boolean {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot > 2048) return false;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as { typ?: unknown };
    return header.typ === USER_TOKEN_TYPE;
  } catch {
    return false;
  }
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
}

/**
 * Mints and verifies the server's bearer tokens (ES256 JWTs). Signing keys live in the store, sealed
 * under the root key, so every node of a deployment signs and verifies with the same keys; their public
 * halves are published at `/.well-known/jwks.json`.
 */
export class TokenIssuer {
  private keys = new Map<string, SigningKey>();
  private active: SigningKey | undefined;
  private lastReload = 0;

  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    /** `iss` and `aud` of every token: stable across nodes and ports. */
    readonly issuer: string,
  ) {}

  /** Loads signing keys, creating the first one if the store has none. */
  async init(): Promise<void> {
    await this.reload();
    if (this.active) return;
    const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
    const kid = newId();
    const privateJwk = await exportJWK(privateKey);
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALGORITHM, use: 'sig' };
    await this.store.signingKeys.insert({
      kid,
      algorithm: ALGORITHM,
      privateSealed: this.keyring.wrap(['signing-key', kid], Buffer.from(JSON.stringify(privateJwk))),
      publicJwk,
      status: 'ACTIVE',
      createdAt: Date.now(),
    });
    await this.reload();
  }

  private async reload(): Promise<void> {
    this.lastReload = Date.now();
    const rows = await this.store.signingKeys.list();
    const keys = new Map<string, SigningKey>();
    for (const row of rows) {
      const known = this.keys.get(row.kid);
      if (known) {
        keys.set(row.kid, known);
        continue;
      }
      const privateJwk = JSON.parse(this.keyring.unwrap(['signing-key', row.kid], row.privateSealed).toString()) as JWK;
      keys.set(row.kid, {
        kid: row.kid,
        privateKey: (await importJWK(privateJwk, ALGORITHM)) as CryptoKey,
        publicKey: (await importJWK(row.publicJwk as JWK, ALGORITHM)) as CryptoKey,
        publicJwk: row.publicJwk as JWK,
      });
    }
    this.keys = keys;
    // Every node signs with the oldest active key, so tokens look alike whichever node minted them.
    this.active = rows.filter((r) => r.status === 'ACTIVE').map((r) => keys.get(r.kid))[0];
  }

  jwks(): { keys: JWK[] } {
    return { keys: [...this.keys.values()].map((k) => k.publicJwk) };
  }

  async mint(input: {
    serviceAccountId: string;
    keyId: string;
    roleIds: readonly string[];
    context?: RequestContext | undefined;
  }): Promise<{ accessToken: string; jti: string; exp: number }> {
    const key = this.active;
    if (!key) throw new Error('token issuer is not initialised');
    const now = Math.floor(Date.now() / 1000);
    const exp = now + BEARER_TOKEN_SECONDS;
    const jti = newUuid();
    // Every request carries the token: only claims something reads are included (no `cli`/`scp` copies).
    const claims: JWTPayload = { key: input.keyId, roles: [...input.roleIds] };
    if (input.context !== undefined) {
      claims.ctx = input.context;
      claims.context_identifier = typeof input.context === 'string' ? input.context : JSON.stringify(input.context);
    }
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: key.kid })
      .setIssuer(this.issuer)
      .setAudience(this.issuer)
      .setSubject(input.serviceAccountId)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(key.privateKey);
    return { accessToken, jti, exp };
  }

  /**
   * Mints a user's personal token, valid {@link USER_TOKEN_SECONDS}. It names no roles: the user's
   * roles are read when the token is used, so a role change applies to tokens already issued.
   *
   * @param input.now issue time in milliseconds (tests pass a clock; default now).
   */
  async mintUser(input: { userId: string; now?: number }): Promise<{ accessToken: string; jti: string; exp: number }> {
    const key = this.active;
    if (!key) throw new Error('token issuer is not initialised');
    const iat = Math.floor((input.now ?? Date.now()) / 1000);
    const exp = iat + USER_TOKEN_SECONDS;
    const jti = newUuid();
    const accessToken = await new SignJWT({ kind: 'USER' })
      .setProtectedHeader({ alg: ALGORITHM, typ: USER_TOKEN_TYPE, kid: key.kid })
      .setIssuer(this.issuer)
      .setAudience(this.issuer)
      .setSubject(input.userId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(key.privateKey);
    return { accessToken, jti, exp };
  }

  /** Verifies a user's personal token: form, type, signature, issuer, audience, expiry and lifetime. */
  async verifyUser(token: string): Promise<UserTokenClaims> {
    const payload = await this.verifySigned(token, USER_TOKEN_SECONDS, USER_TOKEN_TYPE);
    if (payload.kind !== 'USER') throw unauthorized();
    return {
      userId: payload.sub as string,
      jti: payload.jti as string,
      iat: payload.iat as number,
      exp: payload.exp as number,
    };
  }

  /** Verifies any bearer token this server minted, a service account's or a user's (for revocation). */
  async verifyIssued(token: string): Promise<IssuedTokenClaims> {
    if (isUserToken(token)) {
      const claims = await this.verifyUser(token);
      return { principalId: claims.userId, principalType: 'USER', jti: claims.jti, exp: claims.exp };
    }
    const claims = await this.verify(token);
    return { principalId: claims.serviceAccountId, principalType: 'SERVICE_ACCOUNT', jti: claims.jti, exp: claims.exp };
  }

  /** Verifies a service account's bearer token: form, signature, issuer, audience and expiry (no clock leeway). */
  async verify(token: string): Promise<BearerClaims> {
    const payload = await this.verifySigned(token, BEARER_TOKEN_SECONDS);
    if (payload.kind !== undefined) throw unauthorized();
    const roles = payload.roles;
    if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) throw unauthorized();
    return {
      serviceAccountId: payload.sub as string,
      keyId: typeof payload.key === 'string' ? payload.key : '',
      roleIds: roles as string[],
      context: payload.ctx as RequestContext | undefined,
      jti: payload.jti as string,
      iat: payload.iat as number,
      exp: payload.exp as number,
    };
  }

  /**
   * The payload of a token signed by one of our keys, checked for issuer, audience, expiry and a
   * lifetime of at most `maxSeconds`. Its `typ` must be `typ` when given, and must not be a personal
   * token's otherwise.
   */
  private async verifySigned(token: string, maxSeconds: number, typ?: string): Promise<JWTPayload> {
    if (!isStrictCompactJws(token)) throw unauthorized();
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== ALGORITHM) throw new Error('alg');
      if (typ === undefined ? header.typ === USER_TOKEN_TYPE : header.typ !== typ) throw new Error('typ');
      kid = header.kid;
    } catch {
      throw unauthorized();
    }
    if (typeof kid !== 'string') throw unauthorized();
    let key = this.keys.get(kid);
    if (!key && Date.now() - this.lastReload > 5_000) {
      // Another node may have created a signing key since we loaded ours.
      await this.reload();
      key = this.keys.get(kid);
    }
    if (!key) throw unauthorized();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key.publicKey, {
        algorithms: [ALGORITHM],
        issuer: this.issuer,
        audience: this.issuer,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      }));
    } catch {
      throw unauthorized('The request is unauthorized. The access token is invalid or has expired.');
    }
    if ((payload.exp as number) - (payload.iat as number) > maxSeconds) throw unauthorized();
    return payload;
  }
}
