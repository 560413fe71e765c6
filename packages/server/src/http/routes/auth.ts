import { decodeJwt } from 'jose';
import { z } from 'zod';
import { checkAccountGrant } from '../../limits/http-limits.js';
import type { Services } from '../../server/services.js';
import { principalOf } from '../principal.js';
import { id, opt } from '../schemas.js';
import type { App } from '../types.js';

const tokenRequest = z.object({
  grant_type: z.string().min(1, 'grant_type is required'),
  assertion: z.string().min(1, 'assertion is required'),
  scope: opt(z.string()),
  subject_token: opt(z.string()),
  subject_token_type: opt(z.string()),
  requested_token_use: opt(z.string()),
});

export function registerAuthRoutes(app: App, services: Services): void {
  app.post(
    '/v1/auth/sa/oauth/token',
    {
      // Public: the assertion is the credential. SDKs send a meaningless Authorization header here; it is ignored.
      config: { auth: false },
      schema: {
        tags: ['auth'],
        summary: 'Exchange a service-account assertion (JWT-bearer grant) for a 60-minute bearer token',
        security: [],
        body: tokenRequest,
        response: { 200: z.object({ accessToken: z.string(), tokenType: z.literal('Bearer') }) },
      },
    },
    async (request, reply) => {
      const granted = await services.grants.grant(request.body);
      // Counted once the assertion has proved who the account is, so nobody can use up another's quota.
      const account = decodeJwt(request.body.assertion).iss as string;
      const refused = checkAccountGrant(services.rateLimiter, services.config, account, reply);
      if (refused) throw refused;
      return granted;
    },
  );

  app.get(
    '/v1/auth/ping',
    {
      schema: {
        tags: ['auth'],
        summary: 'Authenticated liveness: {"status":"ok"} when the credentials are valid, 401 otherwise',
        description:
          'The authenticated twin of /healthz: a cheap way for monitors and clients to check credentials, and the route the authentication benchmark compares with /healthz.',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/v1/auth/whoami',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who the caller is: service account or user, how it authenticated, its effective roles and context',
        response: {
          200: z.union([
            z.object({
              serviceAccountID: z.string(),
              name: z.string(),
              authMode: z.enum(['SERVICE_ACCOUNT_JWT', 'API_KEY', 'CLIENT_SIGNED_JWT']),
              roleIDs: z.array(z.string()),
              context: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
            }),
            z.object({
              type: z.literal('USER'),
              userID: z.string(),
              email: z.string(),
              authMode: z.literal('USER_LOGIN'),
              roleIDs: z.array(z.string()),
            }),
          ]),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      if (principal.type === 'USER' || principal.authMode === 'USER_LOGIN') {
        return {
          type: 'USER' as const,
          userID: principal.serviceAccountId,
          email: principal.name,
          authMode: 'USER_LOGIN' as const,
          roleIDs: principal.roles.map((r) => r.id),
        };
      }
      return {
        serviceAccountID: principal.serviceAccountId,
        name: principal.name,
        authMode: principal.authMode,
        roleIDs: principal.roles.map((r) => r.id),
        ...(principal.context !== undefined && { context: principal.context }),
      };
    },
  );

  app.post(
    '/v1/auth/revoke',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Revoke a bearer token (Strongroom): {"token"} — your own, or any as an account admin — or {"jti","serviceAccountID"} or {"jti","userID"}',
        body: z.union([
          z.object({ token: z.string().min(1).max(8192) }).strict(),
          z.object({ jti: z.string().min(1).max(100), serviceAccountID: id }).strict(),
          z.object({ jti: z.string().min(1).max(100), userID: id }).strict(),
        ]),
        response: { 200: z.object({ revoked: z.literal(true) }) },
      },
    },
    async (request) => {
      const body = request.body;
      if ('token' in body) await services.revocations.revokeToken(principalOf(request), body.token);
      else if ('userID' in body) await services.revocations.revokeJti(principalOf(request), body.jti, body.userID);
      else await services.revocations.revokeJti(principalOf(request), body.jti, body.serviceAccountID);
      return { revoked: true as const };
    },
  );

  app.post(
    '/v1/serviceAccounts/:ID/revokeTokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke every bearer token the service account holds (Strongroom; API keys are not affected)',
        params: z.object({ ID: id }),
        response: { 200: z.object({ revoked: z.literal(true) }) },
      },
    },
    async (request) => {
      await services.revocations.revokeAll(principalOf(request), request.params.ID);
      return { revoked: true as const };
    },
  );
}
