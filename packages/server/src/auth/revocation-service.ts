import { ACCOUNT, access } from '../access/access-control.js';
import { AppError, badRequest, notFound } from '../errors.js';
import type { Store } from '../store/types.js';
import type { AuthEpoch } from './auth-epoch.js';
import type { Principal } from './principal.js';
import { BEARER_TOKEN_SECONDS, type IssuedTokenClaims, type TokenIssuer, USER_TOKEN_SECONDS } from './token-issuer.js';

type PrincipalType = IssuedTokenClaims['principalType'];

/**
 * Revocation of bearer tokens: one token (by the token itself or its `jti`), or every token a service
 * account or a user (personal tokens) holds. A revoked token is refused at once on this node and, through the shared authentication
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
    let claims: IssuedTokenClaims;
    try {
      claims = await this.issuer.verifyIssued(token);
    } catch (err) {
      if (err instanceof AppError) {
        throw badRequest(
          'token is not a valid, unexpired bearer token issued by this server (an expired token needs no revoking).',
        );
      }
      throw err;
    }
    this.requireSelfOrAdmin(principal, claims.principalId, claims.principalType);
    await this.store.revocations.revokeToken({
      jti: claims.jti,
      serviceAccountId: claims.principalId,
      expiresAt: claims.exp * 1000,
      revokedAt: this.now(),
    });
    this.epoch.bump();
    return { jti: claims.jti };
  }

  /** Revokes a token of a service account or user by its `jti` (as the audit log shows it). */
  async revokeJti(principal: Principal, jti: string, serviceAccountId: string): Promise<void> {
    const type = await this.authorize(principal, serviceAccountId);
    const now = this.now();
    await this.store.revocations.revokeToken({
      jti,
      serviceAccountId,
      // No token lives longer than this; the revocation can be forgotten then.
      expiresAt: now + (type === 'USER' ? USER_TOKEN_SECONDS : BEARER_TOKEN_SECONDS) * 1000,
      revokedAt: now,
    });
    this.epoch.bump();
  }

  /**
   * Revokes every bearer token the service account (or the user) was issued up to now (API keys are
   * not affected).
   */
  async revokeAll(principal: Principal, serviceAccountId: string): Promise<void> {
    await this.authorize(principal, serviceAccountId);
    await this.store.revocations.revokeAllBefore(serviceAccountId, this.now());
    this.epoch.bump();
  }

  /** Checks the caller may revoke the principal's tokens, and that the principal exists; returns its type. */
  private async authorize(principal: Principal, principalId: string): Promise<PrincipalType> {
    const [account, user] = await Promise.all([
      this.store.serviceAccounts.get(principalId),
      this.store.users.get(principalId),
    ]);
    const type: PrincipalType = user ? 'USER' : 'SERVICE_ACCOUNT';
    this.requireSelfOrAdmin(principal, principalId, type);
    if (!account && !user) throw notFound(`Service account or user ${principalId} wasn't found.`);
    return type;
  }

  private requireSelfOrAdmin(principal: Principal, principalId: string, type: PrincipalType): void {
    if (principal.serviceAccountId === principalId) return;
    access.require(principal, type === 'USER' ? 'users.manage' : 'serviceAccounts.update', ACCOUNT);
  }
}
