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

  /** Verifies a bearer token's form, signature, issuer, audience and expiry (no clock leeway). */
  async verify(token: string): Promise<BearerClaims> {
    if (!isStrictCompactJws(token)) throw unauthorized();
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== ALGORITHM) throw new Error('alg');
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
    const exp = payload.exp as number;
    if (exp - (payload.iat as number) > BEARER_TOKEN_SECONDS) throw unauthorized();
    const roles = payload.roles;
    if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) throw unauthorized();
    return {
      serviceAccountId: payload.sub as string,
      keyId: typeof payload.key === 'string' ? payload.key : '',
      roleIds: roles as string[],
      context: payload.ctx as RequestContext | undefined,
      jti: payload.jti as string,
      iat: payload.iat as number,
      exp,
    };
  }
}
