import { ACCOUNT, access } from '../access/access-control.js';
import { AppError, badRequest, notFound } from '../errors.js';
import type { Store } from '../store/types.js';
import type { AuthEpoch } from './auth-epoch.js';
import type { Principal } from './principal.js';
import { BEARER_TOKEN_SECONDS, type TokenIssuer } from './token-issuer.js';

/**
 * Revocation of bearer tokens: one token (by the token itself or its `jti`), or every token a service
 * account holds. A revoked token is refused at once on this node and, through the shared authentication
 * generation, within a fraction of a second on every other node.
 */
export class RevocationService {
  constructor(
    private readonly store: Store,
    private readonly issuer: TokenIssuer,
    private readonly epoch: AuthEpoch,
    private readonly now: () => number = Date.now,
  ) {}

  /** Revokes one token given whole. Its holder may revoke it (sign-out); so may an account admin. */
  async revokeToken(principal: Principal, token: string): Promise<{ jti: string }> {
    let claims: Awaited<ReturnType<TokenIssuer['verify']>>;
    try {
      claims = await this.issuer.verify(token);
    } catch (err) {
      if (err instanceof AppError) {
        throw badRequest(
          'token is not a valid, unexpired bearer token issued by this server (an expired token needs no revoking).',
        );
      }
      throw err;
    }
    this.requireSelfOrAdmin(principal, claims.serviceAccountId);
    await this.store.revocations.revokeToken({
      jti: claims.jti,
      serviceAccountId: claims.serviceAccountId,
      expiresAt: claims.exp * 1000,
      revokedAt: this.now(),
    });
    this.epoch.bump();
    return { jti: claims.jti };
  }

  /** Revokes a token by its `jti` (as the audit log shows it), for an account admin. */
  async revokeJti(principal: Principal, jti: string, serviceAccountId: string): Promise<void> {
    this.requireSelfOrAdmin(principal, serviceAccountId);
    if (!(await this.store.serviceAccounts.get(serviceAccountId))) {
      throw notFound(`Service account ${serviceAccountId} wasn't found.`);
    }
    const now = this.now();
    await this.store.revocations.revokeToken({
      jti,
      serviceAccountId,
      // No token lives longer than this; the revocation can be forgotten then.
      expiresAt: now + BEARER_TOKEN_SECONDS * 1000,
      revokedAt: now,
    });
    this.epoch.bump();
  }

  /** Revokes every bearer token the service account was issued up to now (API keys are not affected). */
  async revokeAll(principal: Principal, serviceAccountId: string): Promise<void> {
    this.requireSelfOrAdmin(principal, serviceAccountId);
    if (!(await this.store.serviceAccounts.get(serviceAccountId))) {
      throw notFound(`Service account ${serviceAccountId} wasn't found.`);
    }
    await this.store.revocations.revokeAllBefore(serviceAccountId, this.now());
    this.epoch.bump();
  }

  private requireSelfOrAdmin(principal: Principal, serviceAccountId: string): void {
    if (principal.serviceAccountId === serviceAccountId) return;
    access.require(principal, 'serviceAccounts.update', ACCOUNT);
  }
}
