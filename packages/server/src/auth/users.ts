import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACCOUNT, access } from '../access/access-control.js';
import { assertAnActiveAdminRemains, type RoleService } from '../access/role-service.js';
import { AppError, badRequest, conflict, forbidden, notFound, unauthorized } from '../errors.js';
import { newId } from '../ids.js';
import {
  type ClientConfiguration,
  type LoginThrottlePolicy,
  type Page,
  type Repositories,
  type Store,
  UniqueViolationError,
  type UserRow,
  type UserStatus,
} from '../store/types.js';
import type { AuthEpoch } from './auth-epoch.js';
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords.js';
import type { Principal } from './principal.js';
import { type TokenIssuer, USER_TOKEN_SECONDS, type UserTokenClaims } from './token-issuer.js';

/** Ten failed logins within 15 minutes lock an email address for 15 minutes. */
export const LOGIN_THROTTLE: LoginThrottlePolicy = { maxFailures: 10, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

/** The one answer to a wrong password and to an unknown email alike. */
export const INVALID_LOGIN_MESSAGE = 'The request is unauthorized. The email address or password is wrong.';
const DISABLED_MESSAGE = 'The request is unauthorized. The user is disabled.';

/** Users have no client configuration of their own; these are the defaults every principal starts from. */
const USER_CLIENT_CONFIGURATION: ClientConfiguration = { enforceContextID: false, enforceSignedDataTokens: false };

/** A login refused because of earlier failures: 429 with the seconds to wait (the route sets `Retry-After`). */
export class LoginThrottledError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('TOO_MANY_REQUESTS', `Too many failed logins for this email address. Retry after ${retryAfterSeconds} s.`);
  }
}

export interface CreateUserInput {
  readonly email: string;
  readonly displayName?: string | undefined;
  readonly password: string;
  /** Roles to assign in the same transaction. */
  readonly roleIDs?: readonly string[] | undefined;
}

export interface UpdateUserInput {
  readonly displayName?: string | undefined;
  readonly status?: UserStatus | undefined;
  readonly password?: string | undefined;
  /** Required when users change their own password. */
  readonly currentPassword?: string | undefined;
}

export interface LoginResult {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly userId: string;
}

/**
 * The principal a user's verified personal token stands for, read fresh from the store: the user must
 * exist and be active, the token must not be revoked, and the roles are those assigned now.
 */
export async function userPrincipal(store: Store, claims: UserTokenClaims): Promise<Principal> {
  const [user, revocation] = await Promise.all([
    store.users.get(claims.userId),
    store.revocations.check(claims.jti, claims.userId),
  ]);
  if (!user) throw unauthorized();
  if (user.status !== 'ACTIVE') throw unauthorized(DISABLED_MESSAGE);
  if (revocation.tokenRevoked || claims.iat * 1000 <= revocation.revokedBefore) {
    throw unauthorized('The request is unauthorized. The access token has been revoked.');
  }
  return {
    type: 'USER',
    serviceAccountId: user.id,
    name: user.email,
    authMode: 'USER_LOGIN',
    roles: await store.roles.rolesOfMember(user.id),
    clientConfiguration: USER_CLIENT_CONFIGURATION,
    credentialId: claims.jti,
  };
}

/**
 * Failed logins for email addresses that belong to no user, counted like a user's (same limit, window
 * and lock) so that a lockout does not tell which addresses exist. Kept in this process only, at most
 * {@link MAX_TRACKED} addresses, oldest dropped first.
 */
class UnknownEmailThrottle {
  private readonly entries = new Map<string, { failures: number; firstFailedAt: number; lockedUntil: number }>();

  constructor(private readonly policy: LoginThrottlePolicy) {}

  lockedUntil(email: string, now: number): number | undefined {
    const entry = this.entries.get(email.normalize('NFC').toLowerCase());
    return entry && entry.lockedUntil > now ? entry.lockedUntil : undefined;
  }

  fail(email: string, now: number): void {
    const key = email.normalize('NFC').toLowerCase();
    const entry = this.entries.get(key);
    const fresh = !entry || entry.firstFailedAt <= now - this.policy.windowMs;
    const failures = fresh ? 1 : entry.failures + 1;
    this.entries.delete(key);
    if (this.entries.size >= MAX_TRACKED) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, {
      failures,
      firstFailedAt: fresh ? now : entry.firstFailedAt,
      lockedUntil: failures >= this.policy.maxFailures ? now + this.policy.lockMs : (entry?.lockedUntil ?? 0),
    });
  }
}

const MAX_TRACKED = 10_000;

/**
 * Console users: their accounts, passwords and logins. A login exchanges an email address and password
 * for a personal bearer token valid {@link USER_TOKEN_SECONDS}; what a user may do comes from the roles
 * assigned to them, exactly as for service accounts.
 */
export class UserService {
  /** A hash of a random password: unknown email addresses are verified against it, taking the same time. */
  private readonly dummyHash: Promise<string>;
  private readonly unknownEmails = new UnknownEmailThrottle(LOGIN_THROTTLE);

  constructor(
    private readonly store: Store,
    private readonly roles: RoleService,
    private readonly issuer: TokenIssuer,
    private readonly epoch: AuthEpoch,
    private readonly now: () => number = Date.now,
  ) {
    this.dummyHash = hashPassword(randomBytes(32).toString('base64url'));
    // Awaited at the first login; this only keeps a failure from being reported as unhandled meanwhile.
    this.dummyHash.catch(() => {});
  }

  async create(principal: Principal, input: CreateUserInput): Promise<UserRow> {
    access.require(principal, 'users.manage', ACCOUNT);
    requireAcceptablePassword(input.password, input.email);
    const passwordHash = await hashPassword(input.password);
    const now = this.now();
    const user: UserRow = {
      id: newId(now),
      email: input.email,
      displayName: input.displayName ?? localPart(input.email),
      passwordHash,
      status: 'ACTIVE',
      failedLogins: 0,
      firstFailedAt: null,
      lockedUntil: null,
      lastLoginAt: null,
      createdAt: now,
      updatedAt: now,
      createdBy: principal.serviceAccountId,
      updatedBy: principal.serviceAccountId,
    };
    await this.store.transaction(async (tx) => {
      try {
        await tx.users.insert(user);
      } catch (err) {
        if (err instanceof UniqueViolationError) throw conflict('A user with this email address already exists.');
        throw err;
      }
      if (input.roleIDs && input.roleIDs.length > 0) {
        await this.roles.assignIn(tx, principal, input.roleIDs, [{ ID: user.id, type: 'USER' }]);
      }
    });
    if (input.roleIDs && input.roleIDs.length > 0) this.epoch.bump();
    return user;
  }

  async list(principal: Principal, filter: { status?: UserStatus; email?: string }, page: Page): Promise<UserRow[]> {
    access.require(principal, 'users.read', ACCOUNT);
    return this.store.users.list(filter, page);
  }

  /** Reads one user; users may always read themselves. */
  async get(principal: Principal, id: string): Promise<UserRow> {
    if (!isSelf(principal, id)) access.require(principal, 'users.read', ACCOUNT);
    const user = await this.store.users.get(id);
    if (!user) throw notFound(`User ${id} wasn't found.`);
    return user;
  }

  /**
   * Changes a user. Account admins (`users.manage`) change anyone's display name, status and password;
   * users change their own display name, and their own password by giving the current one. A new
   * password or a disabled status revokes every token the user holds; enabling a user also lifts a
   * login lock.
   */
  async update(principal: Principal, id: string, input: UpdateUserInput): Promise<UserRow> {
    const self = isSelf(principal, id);
    const adminOnly = input.status !== undefined || (input.password !== undefined && !self);
    if (!self || adminOnly) access.require(principal, 'users.manage', ACCOUNT);
    if (self && input.status === 'DISABLED') throw badRequest('A user cannot disable themselves.');
    if (input.currentPassword !== undefined && input.password === undefined) {
      throw badRequest('currentPassword is only needed with a new password.');
    }
    const current = await this.get(principal, id);
    let passwordHash: string | undefined;
    if (input.password !== undefined) {
      if (self) await this.requireCurrentPassword(current, input.currentPassword);
      requireAcceptablePassword(input.password, current.email);
      passwordHash = await hashPassword(input.password);
    }
    const now = this.now();
    const updated = await this.store.transaction(async (tx) => {
      const changed = await tx.users.update(id, {
        ...(input.displayName !== undefined && { displayName: input.displayName }),
        ...(input.status !== undefined && { status: input.status }),
        ...(input.status === 'ACTIVE' && { failedLogins: 0, lockedUntil: null }),
        ...(passwordHash !== undefined && { passwordHash }),
        updatedAt: now,
        updatedBy: principal.serviceAccountId,
      });
      if (!changed) throw notFound(`User ${id} wasn't found.`);
      if (passwordHash !== undefined || input.status === 'DISABLED') {
        // Tokens issued until now stay dead even if the user is enabled again later.
        await tx.revocations.revokeAllBefore(id, now);
      }
      if (input.status === 'DISABLED') await this.assertAdminsRemain(tx);
      return (await tx.users.get(id)) as UserRow;
    });
    this.epoch.bump();
    return updated;
  }

  /** Deletes a user and their role memberships; their tokens stop working at once. */
  async delete(principal: Principal, id: string): Promise<void> {
    access.require(principal, 'users.manage', ACCOUNT);
    if (isSelf(principal, id)) throw badRequest('A user cannot delete themselves.');
    await this.store.transaction(async (tx) => {
      if (!(await tx.users.get(id))) throw notFound(`User ${id} wasn't found.`);
      await tx.roles.removeMemberEverywhere(id);
      await tx.users.delete(id);
      await this.assertAdminsRemain(tx);
    });
    this.epoch.bump();
  }

  /** Revokes every personal token the user was issued until now (the user themselves, or `users.manage`). */
  async revokeTokens(principal: Principal, id: string): Promise<void> {
    if (!isSelf(principal, id)) access.require(principal, 'users.manage', ACCOUNT);
    if (!(await this.store.users.get(id))) throw notFound(`User ${id} wasn't found.`);
    await this.store.revocations.revokeAllBefore(id, this.now());
    this.epoch.bump();
  }

  /**
   * Exchanges an email address and password for a personal token. A wrong password and an unknown
   * address get the same 401 after the same work (an unknown address is checked against a dummy
   * hash); {@link LOGIN_THROTTLE} failures lock the address (429) whether or not it belongs to a user.
   * Only the holder of the right password learns that a user is disabled.
   */
  async login(email: string, password: string): Promise<LoginResult> {
    const now = this.now();
    const user = await this.store.users.findByEmail(email);
    const lockedUntil = user ? (user.lockedUntil ?? 0) : (this.unknownEmails.lockedUntil(email, now) ?? 0);
    if (lockedUntil > now) throw new LoginThrottledError(Math.ceil((lockedUntil - now) / 1000));
    const matches = await verifyPassword(password, user?.passwordHash ?? (await this.dummyHash));
    if (!user || !matches) {
      if (user) await this.store.users.recordFailedLogin(user.id, now, LOGIN_THROTTLE);
      else this.unknownEmails.fail(email, now);
      throw unauthorized(INVALID_LOGIN_MESSAGE);
    }
    if (user.status !== 'ACTIVE') throw unauthorized(DISABLED_MESSAGE);
    await this.store.users.recordLogin(user.id, now);
    if (needsRehash(user.passwordHash)) {
      await this.store.users.update(user.id, {
        passwordHash: await hashPassword(password),
        updatedAt: now,
        updatedBy: user.id,
      });
    }
    await this.afterRevocationSecond(user.id);
    const { accessToken } = await this.issuer.mintUser({ userId: user.id });
    return { accessToken, expiresIn: USER_TOKEN_SECONDS, userId: user.id };
  }

  /**
   * Token times have one-second resolution, and "revoke every token issued until now" refuses tokens
   * issued in the same second. A login right after a password change or a re-enable waits for the
   * next second, so the token it gets is not born revoked.
   */
  private async afterRevocationSecond(userId: string): Promise<void> {
    const { revokedBefore } = await this.store.revocations.check('', userId);
    const now = Date.now();
    if (revokedBefore >= now - (now % 1000)) await sleep(1000 - (now % 1000) + 1);
  }

  /** A wrong current password counts as a failed login: a stolen token does not allow guessing it. */
  private async requireCurrentPassword(user: UserRow, currentPassword: string | undefined): Promise<void> {
    if (currentPassword === undefined) {
      throw badRequest('currentPassword is required to change your own password.');
    }
    const now = this.now();
    if ((user.lockedUntil ?? 0) > now) throw new LoginThrottledError(Math.ceil(((user.lockedUntil ?? 0) - now) / 1000));
    if (!(await verifyPassword(currentPassword, user.passwordHash))) {
      await this.store.users.recordFailedLogin(user.id, now, LOGIN_THROTTLE);
      throw forbidden('currentPassword is not the current password.');
    }
  }

  private async assertAdminsRemain(tx: Repositories): Promise<void> {
    await assertAnActiveAdminRemains(tx, (await this.roles.ensureAccountAdminRole(tx)).id);
  }
}

/** The part of an address before its last `@` (the whole address if it has none). */
function localPart(email: string): string {
  const at = email.lastIndexOf('@');
  return at > 0 ? email.slice(0, at) : email;
}

function isSelf(principal: Principal, userId: string): boolean {
  return principal.type === 'USER' && principal.serviceAccountId === userId;
}

function requireAcceptablePassword(password: string, email: string): void {
  const problem = passwordProblem(password, email);
  if (problem) throw badRequest(`Invalid request: body.password: ${problem}.`, [{ field: 'body.password', problem }]);
}
