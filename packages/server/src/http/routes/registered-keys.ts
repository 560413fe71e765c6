import { z } from 'zod';
import type { Services } from '../../server/services.js';
import type { RegisteredKeyRow } from '../../store/types.js';
import { principalOf } from '../principal.js';
import { emptyObject, id, opt, text } from '../schemas.js';
import type { App } from '../types.js';

const keyOutput = z.object({
  keyID: z.string(),
  name: z.string(),
  algorithm: z.string(),
  publicKey: z.record(z.string(), z.unknown()).describe('The public key as a JWK'),
  createdOn: z.string(),
});

function keyOut(row: RegisteredKeyRow): z.infer<typeof keyOutput> {
  return {
    keyID: row.id,
    name: row.name,
    algorithm: row.algorithm,
    publicKey: JSON.parse(row.publicJwk) as Record<string, unknown>,
    createdOn: new Date(row.createdAt).toISOString(),
  };
}

const params = z.object({ ID: id });
const keyParams = z.object({ ID: id, keyID: z.string().regex(/^pk_[0-9a-f]{32}$/, 'must be a registered key ID') });

/**
 * Registered public keys (Strongroom): a service account registers a public key, then calls the API with
 * JWTs it signs itself — header `kid` = the key ID, claims `iss` = the account's ID, `iat`, `exp`, at most
 * one hour apart.
 */
export function registerRegisteredKeyRoutes(app: App, services: Services): void {
  const keys = services.registeredKeys;

  app.post(
    '/v1/serviceAccounts/:ID/publicKeys',
    {
      schema: {
        tags: ['serviceAccounts'],
        summary: 'Register a public key (RSA ≥ 2048 bits, EC P-256 or P-384) to sign JWTs with',
        params,
        body: z.object({
          publicKey: z
            .string()
            .min(1)
            .max(16 * 1024),
          name: opt(text(100, 'name')),
        }),
        response: { 200: keyOutput },
      },
    },
    async (request) => keyOut(await keys.register(principalOf(request), request.params.ID, request.body)),
  );

  app.get(
    '/v1/serviceAccounts/:ID/publicKeys',
    {
      schema: {
        tags: ['serviceAccounts'],
        summary: 'List the registered public keys of a service account',
        params,
        response: { 200: z.object({ keys: z.array(keyOutput) }) },
      },
    },
    async (request) => ({ keys: (await keys.list(principalOf(request), request.params.ID)).map(keyOut) }),
  );

  app.get(
    '/v1/serviceAccounts/:ID/publicKeys/:keyID',
    {
      schema: {
        tags: ['serviceAccounts'],
        summary: 'Get a registered public key',
        params: keyParams,
        response: { 200: keyOutput },
      },
    },
    async (request) => keyOut(await keys.get(principalOf(request), request.params.ID, request.params.keyID)),
  );

  app.delete(
    '/v1/serviceAccounts/:ID/publicKeys/:keyID',
    {
      schema: {
        tags: ['serviceAccounts'],
        summary: 'Delete a registered public key: JWTs signed with it stop working at once',
        params: keyParams,
        response: { 200: emptyObject },
      },
    },
    async (request) => {
      await keys.delete(principalOf(request), request.params.ID, request.params.keyID);
      return {};
    },
  );
}
