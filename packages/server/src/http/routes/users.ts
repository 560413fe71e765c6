import { z } from 'zod';
import { LoginThrottledError } from '../../auth/users.js';
import { badRequest } from '../../errors.js';
import { checkAddress } from '../../limits/http-limits.js';
import type { Services } from '../../server/services.js';
import type { UserRow } from '../../store/types.js';
import { principalOf } from '../principal.js';
import { basicAudit, basicAuditSchema, emptyObject, id, opt, pageQuery, text } from '../schemas.js';
import type { App } from '../types.js';

/** A lenient address check (`name@domain`, no spaces): delivery is not Strongroom's business, identity is. */
const email = text(254, 'email').pipe(
  z
    .string()
    .trim()
    .min(1, 'email is required')
    .regex(/^[^\s@]+@[^\s@]+$/, 'email must be an email address (name@domain)'),
);
/** Passwords are checked against the policy by the service; here only their type and an upper bound. */
const password = (what: string) => z.string(`${what} must be a string`).min(1, `${what} is required`).max(4096);
const displayName = text(100, 'displayName').pipe(z.string().trim().min(1, 'displayName must not be empty'));
const status = z.enum(['ACTIVE', 'DISABLED']);

const userOutput = z.object({
  ID: z.string(),
  email: z.string(),
  displayName: z.string(),
  status,
  /** When the user last logged in, or null. */
  lastLoginOn: z.string().nullable(),
  /** Until when logins are refused after repeated failures, or null. */
  lockedUntil: z.string().nullable(),
  BasicAudit: basicAuditSchema,
});

/** A user as the API shows it: never the password hash nor the failure counters. */
function userOut(user: UserRow): z.infer<typeof userOutput> {
  const locked = user.lockedUntil !== null && user.lockedUntil > Date.now();
  return {
    ID: user.id,
    email: user.email,
    displayName: user.displayName,
    status: user.status,
    lastLoginOn: user.lastLoginAt === null ? null : new Date(user.lastLoginAt).toISOString(),
    lockedUntil: locked ? new Date(user.lockedUntil as number).toISOString() : null,
    BasicAudit: basicAudit(user),
  };
}

const params = z.object({ ID: id });

export function registerUserRoutes(app: App, services: Services): void {
  app.post(
    '/v1/auth/login',
    {
      // Public: the password is the credential.
      config: { auth: false },
      schema: {
        tags: ['auth'],
        summary: 'Log a console user in: email and password for a personal bearer token valid 24 hours',
        security: [],
        body: z.object({
          email: z.string('email must be a string').min(1, 'email is required').max(254),
          password: password('password'),
        }),
        response: {
          200: z.object({ accessToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int() }),
        },
      },
    },
    async (request, reply) => {
      // The token endpoint's per-address limit applies here too, on top of the per-address lockout.
      const refused = checkAddress(services.rateLimiter, services.config, 'token', request.ip, reply);
      if (refused) throw refused;
      let result: Awaited<ReturnType<Services['users']['login']>>;
      try {
        result = await services.users.login(request.body.email, request.body.password);
      } catch (err) {
        if (err instanceof LoginThrottledError) reply.header('retry-after', String(err.retryAfterSeconds));
        throw err;
      }
      // The new session's principal, so that the audit log records the login with its actor and token ID.
      request.principal = await services.authenticator.authenticate(`Bearer ${result.accessToken}`);
      return { accessToken: result.accessToken, tokenType: 'Bearer' as const, expiresIn: result.expiresIn };
    },
  );

  app.post(
    '/v1/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: "Revoke the caller's own bearer token (a user's personal token or a service account's)",
        response: { 200: z.object({ revoked: z.literal(true) }) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      if (principal.authMode === 'API_KEY') {
        throw badRequest('An API key is not a session: disable, rotate or delete the key instead.');
      }
      await services.revocations.revokeJti(principal, principal.credentialId, principal.serviceAccountId);
      return { revoked: true as const };
    },
  );

  app.post(
    '/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a console user (Strongroom); requires users.manage',
        body: z.object({
          email,
          displayName: opt(displayName),
          password: password('password'),
          roleIDs: opt(z.array(id).max(50)).describe('roles to assign in the same transaction'),
        }),
        response: { 200: z.object({ user: userOutput }) },
      },
    },
    async (request) => ({ user: userOut(await services.users.create(principalOf(request), request.body)) }),
  );

  app.get(
    '/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'List console users, oldest first (Strongroom); requires users.read',
        querystring: z.object({ email: z.string().max(254).optional(), status: status.optional(), ...pageQuery }),
        response: { 200: z.object({ users: z.array(userOutput) }) },
      },
    },
    async (request) => {
      const { email, status, offset, limit } = request.query;
      const users = await services.users.list(
        principalOf(request),
        { ...(email && { email }), ...(status && { status }) },
        { offset, limit },
      );
      return { users: users.map(userOut) };
    },
  );

  app.get(
    '/v1/users/:ID',
    {
      schema: {
        tags: ['users'],
        summary: 'Get a console user (users may read themselves)',
        params,
        response: { 200: z.object({ user: userOutput }) },
      },
    },
    async (request) => ({ user: userOut(await services.users.get(principalOf(request), request.params.ID)) }),
  );

  app.patch(
    '/v1/users/:ID',
    {
      schema: {
        tags: ['users'],
        summary:
          'Change a console user: displayName, status, password (users change their own password with currentPassword)',
        params,
        body: z.object({
          displayName: opt(displayName),
          status: opt(status),
          password: opt(password('password')),
          currentPassword: opt(password('currentPassword')),
        }),
        response: { 200: z.object({ user: userOutput }) },
      },
    },
    async (request) => {
      const body = request.body;
      if (Object.values(body).every((v) => v === undefined)) {
        throw badRequest('Nothing to change: send displayName, status or password.');
      }
      return { user: userOut(await services.users.update(principalOf(request), request.params.ID, body)) };
    },
  );

  app.delete(
    '/v1/users/:ID',
    {
      schema: {
        tags: ['users'],
        summary: 'Delete a console user and their role memberships; their tokens stop working at once',
        params,
        response: { 200: emptyObject },
      },
    },
    async (request) => {
      await services.users.delete(principalOf(request), request.params.ID);
      return {};
    },
  );

  app.post(
    '/v1/users/:ID/revokeTokens',
    {
      schema: {
        tags: ['users'],
        summary: 'Revoke every personal token the user holds (the user, or users.manage)',
        params,
        response: { 200: z.object({ revoked: z.literal(true) }) },
      },
    },
    async (request) => {
      await services.users.revokeTokens(principalOf(request), request.params.ID);
      return { revoked: true as const };
    },
  );
}
