import type { Config } from '../config.js';
import { unauthorized } from '../errors.js';
import type { RoleRow, Store } from '../store/types.js';
import { API_KEY_PATTERN, hashApiKey } from './api-key-format.js';
import type { AuthEpoch } from './auth-epoch.js';
import type { Principal } from './principal.js';
import { REGISTERED_KEY_PREFIX, type RegisteredKeyService } from './registered-keys.js';
import { type BearerClaims, isUserToken, type TokenIssuer, type UserTokenClaims } from './token-issuer.js';
import { userPrincipal } from './users.js';

interface CacheEntry {
  readonly principal: Principal;
  /** Verified claims of a bearer token (absent for API keys). */
  readonly claims?: BearerClaims;
  /** Verified claims of a user's personal token. */
  readonly userClaims?: UserTokenClaims;
  /** Milliseconds; the credential itself stops being valid then. */
  readonly validUntil: number;
  /** Milliseconds; after this the service account and roles are read again. */
  readonly recheckAt: number;
  readonly generation: number;
}

/** At most this many credentials are cached (about 15 MB of keys); the oldest are dropped first. */
const MAX_ENTRIES = 20_000;

/**
 * Turns an `Authorization: Bearer …` header into a {@link Principal}. A bearer token's signature is
 * verified once; the result is cached in a hash map keyed by the token until the token expires, and the
 * service account, key and roles behind it are re-read every `authCacheSeconds` or at once after a local
 * change.
 *
 * The map is keyed by the credential itself, not by a SHA-256 of it. Digesting the ~600-byte token was
 * the largest single cost of an authenticated request (about 5 µs under load, bench/auth), and it would
 * protect nothing: whoever can read this process's memory also holds the root key and the token-signing
 * keys. Credentials are never written anywhere from here (API keys are looked up in the store by hash).
 */
export class Authenticator {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly store: Store,
    private readonly issuer: TokenIssuer,
    private readonly epoch: AuthEpoch,
    private readonly config: Pick<Config, 'authCacheSeconds'>,
    private readonly registeredKeys: RegisteredKeyService,
  ) {}

  /**
   * The principal for an Authorization header when a fresh cache entry has it, without any asynchronous
   * step: the common case of every request after a client's first. `undefined` means "call authenticate".
   */
  cached(authorization: string | undefined): Principal | undefined {
    if (authorization === undefined) return undefined;
    // The usual header, `Bearer <credential>`, is looked up as it comes. Only credentials that passed
    // bearerCredential() are ever cached, so a hit is that same credential and needs no parsing.
    let hit = authorization.startsWith('Bearer ') ? this.cache.get(authorization.slice(7)) : undefined;
    if (hit === undefined) {
      const credential = bearerCredential(authorization);
      if (credential === undefined) return undefined;
      hit = this.cache.get(credential);
    }
    return hit && this.isFresh(hit, Date.now()) ? hit.principal : undefined;
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const credential = parseAuthorization(authorization);
    const now = Date.now();
    const hit = this.cache.get(credential);
    if (hit && this.isFresh(hit, now)) return hit.principal;
    const generation = this.epoch.generation;
    const entry = API_KEY_PATTERN.test(credential)
      ? await this.resolveApiKey(credential, now, generation)
      : isUserToken(credential)
        ? await this.resolveUser(credential, now, generation, hit)
        : await this.resolveBearer(credential, now, generation, hit);
    if (this.cache.size >= MAX_ENTRIES) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.delete(credential);
    this.cache.set(credential, entry);
    return entry.principal;
  }

  private isFresh(entry: CacheEntry, now: number): boolean {
    return now < entry.validUntil && now < entry.recheckAt && entry.generation === this.epoch.generation;
  }

  private recheckAt(now: number): number {
    return now + this.config.authCacheSeconds * 1000;
  }

  private async resolveBearer(token: string, now: number, generation: number, hit?: CacheEntry): Promise<CacheEntry> {
    // An entry that is only due for a re-check keeps its verified claims: the signature is checked once.
    const verified = hit?.claims && now < hit.validUntil ? hit.claims : await this.verify(token);
    const [account, revocation] = await Promise.all([
      this.store.serviceAccounts.get(verified.serviceAccountId),
      this.store.revocations.check(verified.jti, verified.serviceAccountId),
    ]);
    if (account?.status !== 'ACTIVE') throw unauthorized();
    if (revocation.tokenRevoked || verified.iat * 1000 <= revocation.revokedBefore) {
      throw unauthorized('The request is unauthorized. The access token has been revoked.');
    }
    if (verified.keyId) {
      const key = await this.store.serviceAccountKeys.get(verified.keyId);
      if (key?.status !== 'ACTIVE' || key.serviceAccountId !== account.id) throw unauthorized();
    }
    if (verified.registeredKeyId) {
      const key = await this.store.registeredKeys.get(verified.registeredKeyId);
      if (key?.serviceAccountId !== account.id) {
        throw unauthorized('The request is unauthorized. The key that signed this token was deleted.');
      }
      if (account.clientConfiguration.enforceContextID && verified.context === undefined) {
        throw unauthorized('The request is unauthorized. This service account requires context (ctx).');
      }
    }
    const assigned = await this.store.roles.rolesOfMember(account.id);
    const granted = verified.roleIds === undefined ? undefined : new Set(verified.roleIds);
    const roles: RoleRow[] = granted ? assigned.filter((r) => granted.has(r.id)) : assigned;
    return {
      principal: {
        type: 'SERVICE_ACCOUNT',
        serviceAccountId: account.id,
        name: account.name,
        authMode: verified.registeredKeyId ? 'CLIENT_SIGNED_JWT' : 'SERVICE_ACCOUNT_JWT',
        roles,
        clientConfiguration: account.clientConfiguration,
        ...(verified.context !== undefined && { context: verified.context }),
        credentialId: verified.jti,
      },
      claims: verified,
      validUntil: verified.exp * 1000,
      recheckAt: this.recheckAt(now),
      generation,
    };
  }

  /** A user's personal token: verified once, the user, its revocations and its roles re-read like an account's. */
  private async resolveUser(token: string, now: number, generation: number, hit?: CacheEntry): Promise<CacheEntry> {
    const claims = hit?.userClaims && now < hit.validUntil ? hit.userClaims : await this.issuer.verifyUser(token);
    return {
      principal: await userPrincipal(this.store, claims),
      userClaims: claims,
      validUntil: claims.exp * 1000,
      recheckAt: this.recheckAt(now),
      generation,
    };
  }

  /** A bearer JWT: one this server issued, or one the client signed with a registered key (`kid` says which). */
  private async verify(token: string): Promise<BearerClaims> {
    const kid = unverifiedKid(token);
    if (kid?.startsWith(REGISTERED_KEY_PREFIX)) return this.registeredKeys.verify(token);
    return this.issuer.verify(token);
  }

  private async resolveApiKey(key: string, now: number, generation: number): Promise<CacheEntry> {
    const row = await this.store.apiKeys.findByHash(hashApiKey(key));
    if (!row) throw unauthorized();
    // Whoever sends the key holds its secret: telling them why it no longer works reveals nothing.
    if (row.status !== 'ACTIVE') throw unauthorized('The request is unauthorized. The API key is disabled.');
    if (row.expiresAt !== null && row.expiresAt <= now) {
      throw unauthorized('The request is unauthorized. The API key has expired.');
    }
    const account = await this.store.serviceAccounts.get(row.serviceAccountId);
    if (account?.status !== 'ACTIVE' || !account.apiKeyEnabled) throw unauthorized();
    const roles = await this.store.roles.rolesOfMember(account.id);
    // Last use, recorded when the key is (re)verified: to within authCacheSeconds, at no cost per request.
    void this.store.apiKeys.touch(row.id, now).catch(() => {});
    return {
      principal: {
        type: 'SERVICE_ACCOUNT',
        serviceAccountId: account.id,
        name: account.name,
        authMode: 'API_KEY',
        roles,
        clientConfiguration: account.clientConfiguration,
        credentialId: row.id,
      },
      validUntil: row.expiresAt ?? Number.POSITIVE_INFINITY,
      recheckAt: this.recheckAt(now),
      generation,
    };
  }
}

const WHITESPACE = /\s/;

/** The `kid` of a JWT's header, read without verifying anything (it only picks the verifier). */
function unverifiedKid(token: string): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot > 2048) return undefined;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The credential of a well-formed `Bearer <credential>` header (scheme in any case, one or more
 * spaces or tabs, no whitespace inside the credential), else undefined. Written without a regular
 * expression over the whole header: this runs on every request (bench/auth).
 */
function bearerCredential(header: string): string | undefined {
  if (header.length < 8 || header.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  let start = 6;
  while (header[start] === ' ' || header[start] === '\t') start++;
  if (start === 6) return undefined;
  let end = header.length;
  while (end > start && (header[end - 1] === ' ' || header[end - 1] === '\t')) end--;
  const credential = header.slice(start, end);
  return credential.length > 0 && !WHITESPACE.test(credential) ? credential : undefined;
}

function parseAuthorization(header: string | undefined): string {
  if (!header) throw unauthorized('The request is unauthorized. Send an Authorization: Bearer header.');
  const credential = bearerCredential(header);
  if (credential === undefined) {
    throw unauthorized('The request is unauthorized. The Authorization header must be "Bearer <token>".');
  }
  return credential;
}
