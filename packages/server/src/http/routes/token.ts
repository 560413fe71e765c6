import { z } from 'zod';
import type { Services } from '../../server/services.js';
import { opt } from '../schemas.js';
import type { App } from '../types.js';

const tokenRequest = z.object({
  grant_type: z.string().min(1, 'grant_type is required'),
  assertion: z.string().min(1, 'assertion is required'),
  scope: opt(z.string()),
  subject_token: opt(z.string()),
  subject_token_type: opt(z.string()),
  requested_token_use: opt(z.string()),
});

export function registerTokenRoutes(app: App, services: Services): void {
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
    async (request) => services.grants.grant(request.body),
  );
}
