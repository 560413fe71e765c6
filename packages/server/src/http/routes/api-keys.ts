import { z } from 'zod';
import { badRequest } from '../../errors.js';
import type { Services } from '../../server/services.js';
import type { ApiKeyRow } from '../../store/types.js';
import { principalOf } from '../principal.js';
import { emptyObject, id, nameText, opt } from '../schemas.js';
import type { App } from '../types.js';

const apiKeyOutput = z.object({
  apiKeyID: z.string(),
  name: z.string(),
  /** The key's visible part, e.g. `sky-AbC12-…`. */
  hint: z.string(),
  status: z.string(),
  expiresAt: z.string().nullable(),
  createdOn: z.string(),
  lastModifiedOn: z.string(),
  /** When the key last authenticated a request (to within the authentication cache time), or null. */
  lastUsedOn: z.string().nullable(),
});

function apiKeyOut(row: ApiKeyRow): z.infer<typeof apiKeyOutput> {
  return {
    apiKeyID: row.id,
    name: row.name,
    hint: `sky-${row.prefix}-…`,
    status: row.status,
    expiresAt: row.expiresAt === null ? null : new Date(row.expiresAt).toISOString(),
    createdOn: new Date(row.createdAt).toISOString(),
    lastModifiedOn: new Date(row.updatedAt).toISOString(),
    lastUsedOn: row.lastUsedAt ? new Date(row.lastUsedAt).toISOString() : null,
  };
}

const withSecret = apiKeyOutput.extend({
  apiKey: z.string().describe('The key itself: shown once, never stored'),
});
const saParams = z.object({ ID: id });
const keyParams = z.object({ ID: id, keyID: id });
const expiresAt = z.iso.datetime({ offset: true, message: 'expiresAt must be an RFC 3339 date-time' });

function parseExpiry(value: string | null | undefined): number | null | undefined {
  if (value === undefined || value === null) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw badRequest('expiresAt must be an RFC 3339 date-time.');
  return ms;
}

export function registerApiKeyRoutes(app: App, services: Services): void {
  app.post(
    '/v1/serviceAccounts/:ID/apikey',
    {
      schema: {
        tags: ['api keys'],
        summary: 'Create an API key for an API-key-enabled service account',
        params: saParams,
        body: opt(z.object({ name: opt(nameText()), expiresAt: opt(expiresAt) })),
        response: { 200: withSecret },
      },
    },
    async (request) => {
      const { row, apiKey } = await services.apiKeys.create(principalOf(request), request.params.ID, {
        name: request.body?.name,
        expiresAt: parseExpiry(request.body?.expiresAt) ?? undefined,
      });
      return { ...apiKeyOut(row), apiKey };
    },
  );

  app.get(
    '/v1/serviceAccounts/:ID/apikey',
    {
      schema: {
        tags: ['api keys'],
        summary: 'List API keys (never their secrets)',
        params: saParams,
        response: { 200: z.object({ apiKeys: z.array(apiKeyOutput) }) },
      },
    },
    async (request) => ({
      apiKeys: (await services.apiKeys.list(principalOf(request), request.params.ID)).map(apiKeyOut),
    }),
  );

  app.get(
    '/v1/serviceAccounts/:ID/apikey/:keyID',
    {
      schema: {
        tags: ['api keys'],
        summary: 'Get one API key',
        params: keyParams,
        response: { 200: apiKeyOutput },
      },
    },
    async (request) =>
      apiKeyOut(await services.apiKeys.get(principalOf(request), request.params.ID, request.params.keyID)),
  );

  app.patch(
    '/v1/serviceAccounts/:ID/apikey/:keyID',
    {
      schema: {
        tags: ['api keys'],
        summary: 'Rename, disable/enable or change the expiry of an API key',
        params: keyParams,
        body: z.object({
          name: opt(nameText()),
          status: opt(z.enum(['ACTIVE', 'DISABLED'])),
          expiresAt: expiresAt.nullable().optional(),
        }),
        response: { 200: apiKeyOutput },
      },
    },
    async (request) => {
      const { name, status, expiresAt: expiry } = request.body;
      const row = await services.apiKeys.update(principalOf(request), request.params.ID, request.params.keyID, {
        name,
        status,
        expiresAt: parseExpiry(expiry),
      });
      return apiKeyOut(row);
    },
  );

  app.put(
    '/v1/serviceAccounts/:ID/apikey/:keyID/rotate',
    {
      schema: {
        tags: ['api keys'],
        summary: 'Replace the secret of an API key; the old secret stops working at once',
        params: keyParams,
        response: { 200: withSecret },
      },
    },
    async (request) => {
      const { row, apiKey } = await services.apiKeys.rotate(
        principalOf(request),
        request.params.ID,
        request.params.keyID,
      );
      return { ...apiKeyOut(row), apiKey };
    },
  );

  app.delete(
    '/v1/serviceAccounts/:ID/apikey/:keyID',
    {
      schema: {
        tags: ['api keys'],
        summary: 'Delete an API key',
        params: keyParams,
        response: { 200: emptyObject },
      },
    },
    async (request) => {
      await services.apiKeys.delete(principalOf(request), request.params.ID, request.params.keyID);
      return {};
    },
  );
}
