import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, importJWK, type JWK, jwtVerify } from 'jose';
import { ACCOUNT, access } from '../access/access-control.js';
import { badRequest, notFound, unauthorized } from '../errors.js';
import { newId } from '../ids.js';
import type { RegisteredKeyRow, Store } from '../store/types.js';
import type { AuthEpoch } from './auth-epoch.js';
import { isStrictCompactJws } from './compact-jws.js';
import { parseContext } from './context.js';
import type { Principal } from './principal.js';
import type { TokenAudiences } from './token-audiences.js';
import type { BearerClaims } from './token-issuer.js';

/** IDs of registered keys carry this prefix, so a JWT's `kid` says which verifier it is for. */
export const REGISTERED_KEY_PREFIX = 'pk_';
/** Longest lifetime (`exp - iat`) of a client-signed JWT. */
export const CLIENT_JWT_MAX_SECONDS = 3600;
/** Clock skew tolerated on `iat` and `nbf` between the client and the server. */
const SKEW_SECONDS = 60;
const MAX_KEYS_PER_ACCOUNT = 10;

const refused = (why: string) => unauthorized(`The request is unauthorized. Invalid client-signed token: ${why}.`);

/** The algorithm a public key signs with, or a 400 saying why the key is not accepted. */
function algorithmOf(key: KeyObject): RegisteredKeyRow['algorithm'] {
  if (key.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) throw badRequest(`publicKey: RSA keys must have at least 2048 bits (this one has ${bits}).`);
    return 'RS256';
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    throw badRequest(`publicKey: EC keys must be on P-256 or P-384 (this one is on ${curve ?? 'an unknown curve'}).`);
  }
  throw badRequest(
    `publicKey: only RSA and EC public keys are accepted (this is ${key.asymmetricKeyType ?? 'unknown'}).`,
  );
}

/**
 * Public keys service accounts register to call the API with JWTs they sign themselves (the private key
 * never reaches the server), and the verification of those JWTs.
 */
export class RegisteredKeyService {
  constructor(
    private readonly store: Store,
    private readonly audiences: TokenAudiences,
    private readonly epoch: AuthEpoch,
    private readonly now: () => number = Date.now,
  ) {}

  async register(
    principal: Principal,
    serviceAccountId: string,
    input: { publicKey: string; name?: string | undefined },
  ) {
    await this.manageable(principal, serviceAccountId);
    if (/PRIVATE KEY/.test(input.publicKey)) {
      // createPublicKey would happily derive the public half, but a private key sent over the wire is
      // one to throw away: say so instead of storing anything.
      throw badRequest(
        'publicKey is a private key. Never send a private key; generate a new key pair and register its public key.',
      );
    }
    let key: KeyObject;
    try {
      key = createPublicKey(input.publicKey);
    } catch {
      throw badRequest('publicKey must be a PEM public key (SPKI "BEGIN PUBLIC KEY", or PKCS#1 RSA).');
    }
    const algorithm = algorithmOf(key);
    const existing = await this.store.registeredKeys.listForAccount(serviceAccountId);
    if (existing.length >= MAX_KEYS_PER_ACCOUNT) {
      throw badRequest(`A service account holds at most ${MAX_KEYS_PER_ACCOUNT} registered keys; delete one first.`);
    }
    const row: RegisteredKeyRow = {
      id: `${REGISTERED_KEY_PREFIX}${newId(this.now())}`,
      serviceAccountId,
      name: input.name ?? '',
      algorithm,
      publicJwk: JSON.stringify(key.export({ format: 'jwk' })),
      createdAt: this.now(),
    };
    await this.store.registeredKeys.insert(row);
    return row;
  }

  async list(principal: Principal, serviceAccountId: string): Promise<RegisteredKeyRow[]> {
    await this.manageable(principal, serviceAccountId, 'serviceAccounts.read');
    return this.store.registeredKeys.listForAccount(serviceAccountId);
  }

  async get(principal: Principal, serviceAccountId: string, keyId: string): Promise<RegisteredKeyRow> {
    await this.manageable(principal, serviceAccountId, 'serviceAccounts.read');
    const row = await this.store.registeredKeys.get(keyId);
    if (!row || row.serviceAccountId !== serviceAccountId) throw notFound(`Key ${keyId} wasn't found.`);
    return row;
  }

  /** Deletes a key: JWTs signed with it stop working at once (every node within a second). */
  async delete(principal: Principal, serviceAccountId: string, keyId: string): Promise<void> {
    await this.get(principal, serviceAccountId, keyId);
    await this.store.registeredKeys.delete(keyId);
    this.epoch.bump();
  }

  /**
   * Verifies a client-signed JWT: strict compact form, `kid` naming a registered key, the key's own
   * algorithm, `iss` the key's service account (and `sub`, if present, the same), `iat` and `exp` present
   * with a lifetime of at most an hour, not expired, not issued in the future, and `aud`, if present, one of
   * this server's token URIs.
   */
  async verify(token: string): Promise<BearerClaims> {
    if (!isStrictCompactJws(token)) throw refused('not a compact JWS');
    let kid: unknown;
    let alg: unknown;
    try {
      ({ kid, alg } = decodeProtectedHeader(token));
    } catch {
      throw refused('unreadable header');
    }
    if (typeof kid !== 'string') throw refused('no kid');
    const row = await this.store.registeredKeys.get(kid);
    if (!row) throw refused('unknown key');
    if (alg !== row.algorithm) throw refused(`the key signs with ${row.algorithm}`);
    const now = Math.floor(this.now() / 1000);
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      const key = await importJWK(JSON.parse(row.publicJwk) as JWK, row.algorithm);
      ({ payload } = await jwtVerify(token, key, {
        algorithms: [row.algorithm],
        issuer: row.serviceAccountId,
        requiredClaims: ['iss', 'iat', 'exp'],
        clockTolerance: 0,
        currentDate: new Date(now * 1000),
      }));
    } catch {
      throw refused('bad signature, wrong issuer, or expired');
    }
    const iat = payload.iat as number;
    const exp = payload.exp as number;
    if (iat > now + SKEW_SECONDS) throw refused('issued in the future');
    if (typeof payload.nbf === 'number' && payload.nbf > now + SKEW_SECONDS) throw refused('not valid yet');
    if (exp - iat > CLIENT_JWT_MAX_SECONDS) throw refused('lifetime over one hour');
    if (payload.sub !== undefined && payload.sub !== row.serviceAccountId) throw refused('sub is not the issuer');
    if (payload.aud !== undefined) {
      const accepted = await this.audiences.accepted();
      const given = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!given.some((a) => accepted.includes(a))) throw refused('aud is not this server');
    }
    let context: ReturnType<typeof parseContext>;
    try {
      context = parseContext(payload.ctx);
    } catch (err) {
      throw refused((err as Error).message.replace(/\.$/, ''));
    }
    return {
      serviceAccountId: row.serviceAccountId,
      keyId: '',
      registeredKeyId: row.id,
      roleIds: undefined,
      context,
      // Without a jti, the token itself is its identity (for revocation and the audit log).
      jti: typeof payload.jti === 'string' && payload.jti.length <= 100 ? payload.jti : `${row.id}:${iat}`,
      iat,
      exp,
    };
  }

  private async manageable(principal: Principal, serviceAccountId: string, permission = 'serviceAccounts.update') {
    if (principal.serviceAccountId !== serviceAccountId) access.require(principal, permission, ACCOUNT);
    if (!(await this.store.serviceAccounts.get(serviceAccountId))) {
      throw notFound(`Service account ${serviceAccountId} wasn't found.`);
    }
  }
}
