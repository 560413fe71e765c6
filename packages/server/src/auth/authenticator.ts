import type { Config } from '../config.js';
import { unauthorized } from '../errors.js';
import type { RoleRow, Store } from '../store/types.js';
import { API_KEY_PATTERN, hashApiKey } from './api-key-format.js';
import type { AuthEpoch } from './auth-epoch.js';
import type { Principal } from './principal.js';
import { type BearerClaims, secretDigest, type TokenIssuer } from './token-issuer.js';

interface CacheEntry {
  readonly principal: Principal;
  /** Verified claims of a bearer token (absent for API keys). */
  readonly claims?: BearerClaims;
  /** Milliseconds; the credential itself stops being valid then. */
  readonly validUntil: number;
  /** Milliseconds; after this the service account and roles are read again. */
  readonly recheckAt: number;
  readonly generation: number;
}

const MAX_ENTRIES = 50_000;

/**
 * Turns an `Authorization: Bearer …` header into a {@link Principal}. A bearer token's signature is
 * verified once; the result is cached under the token's hash until the token expires, and the service
 * account, key and roles behind it are re-read every `authCacheSeconds` or at once after a local change.
 */
export class Authenticator {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly store: Store,
    private readonly issuer: TokenIssuer,
    private readonly epoch: AuthEpoch,
    private readonly config: Pick<Config, 'authCacheSeconds'>,
  ) {}

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const credential = parseAuthorization(authorization);
    const now = Date.now();
    const digest = secretDigest(credential);
    const hit = this.cache.get(digest);
    if (hit && now < hit.validUntil && now < hit.recheckAt && hit.generation === this.epoch.generation) {
      return hit.principal;
    }
    const generation = this.epoch.generation;
    const entry = API_KEY_PATTERN.test(credential)
      ? await this.resolveApiKey(credential, now, generation)
      : await this.resolveBearer(credential, now, generation, hit);
    if (this.cache.size >= MAX_ENTRIES) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.delete(digest);
    this.cache.set(digest, entry);
    return entry.principal;
  }

  private recheckAt(now: number): number {
    return now + this.config.authCacheSeconds * 1000;
  }

  private async resolveBearer(token: string, now: number, generation: number, hit?: CacheEntry): Promise<CacheEntry> {
    // An entry that is only due for a re-check keeps its verified claims: the signature is checked once.
    const verified = hit?.claims && now < hit.validUntil ? hit.claims : await this.issuer.verify(token);
    const account = await this.store.serviceAccounts.get(verified.serviceAccountId);
    if (account?.status !== 'ACTIVE') throw unauthorized();
    if (verified.keyId) {
      const key = await this.store.serviceAccountKeys.get(verified.keyId);
      if (key?.status !== 'ACTIVE' || key.serviceAccountId !== account.id) throw unauthorized();
    }
    const assigned = await this.store.roles.rolesOfMember(account.id);
    const granted = new Set(verified.roleIds);
    const roles: RoleRow[] = assigned.filter((r) => granted.has(r.id));
    return {
      principal: {
        type: 'SERVICE_ACCOUNT',
        serviceAccountId: account.id,
        name: account.name,
        authMode: 'SERVICE_ACCOUNT_JWT',
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

  private async resolveApiKey(key: string, now: number, generation: number): Promise<CacheEntry> {
    const row = await this.store.apiKeys.findByHash(hashApiKey(key));
    if (row?.status !== 'ACTIVE' || (row.expiresAt !== null && row.expiresAt <= now)) {
      throw unauthorized();
    }
    const account = await this.store.serviceAccounts.get(row.serviceAccountId);
    if (account?.status !== 'ACTIVE' || !account.apiKeyEnabled) throw unauthorized();
    const roles = await this.store.roles.rolesOfMember(account.id);
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

function parseAuthorization(header: string | undefined): string {
  if (!header) throw unauthorized('The request is unauthorized. Send an Authorization: Bearer header.');
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  if (!match) throw unauthorized('The request is unauthorized. The Authorization header must be "Bearer <token>".');
  return match[1] as string;
}
