import { z } from 'zod';
import { badRequest } from '../../errors.js';
import type { Services } from '../../server/services.js';
import type { ServiceAccountKeyRow, ServiceAccountRow } from '../../store/types.js';
import { principalOf } from '../principal.js';
import {
  basicAudit,
  basicAuditSchema,
  emptyObject,
  id,
  idResponse,
  nameText,
  opt,
  pageQuery,
  text,
} from '../schemas.js';
import type { App } from '../types.js';

const clientConfigurationInput = z.object({
  enforceContextID: opt(z.boolean()),
  enforceSignedDataTokens: opt(z.boolean()),
});
const clientConfigurationOutput = z.object({
  enforceContextID: z.boolean(),
  enforceSignedDataTokens: z.boolean(),
});

const serviceAccountOutput = z.object({
  serviceAccount: z.object({
    ID: z.string(),
    name: z.string(),
    displayName: z.string(),
    description: z.string(),
    namespace: z.string(),
    status: z.string(),
    apiKeyEnabled: z.boolean(),
    BasicAudit: basicAuditSchema,
  }),
  clientConfiguration: clientConfigurationOutput,
});

function serviceAccountOut(account: ServiceAccountRow): z.infer<typeof serviceAccountOutput> {
  return {
    serviceAccount: {
      ID: account.id,
      name: account.name,
      displayName: account.displayName,
      description: account.description,
      namespace: '',
      status: account.status,
      apiKeyEnabled: account.apiKeyEnabled,
      BasicAudit: basicAudit(account),
    },
    clientConfiguration: { ...account.clientConfiguration },
  };
}

export const credentialsOutput = z
  .object({
    clientID: z.string(),
    clientName: z.string(),
    keyID: z.string(),
    tokenURI: z.string(),
    privateKey: z.string(),
    keyAlgorithm: z.literal('KEY_ALG_RSA_2048'),
  })
  .describe('credentials.json: shown once, never stored by the server');

const keyOutput = z.object({
  keyID: z.string(),
  keyAlgorithm: z.string(),
  status: z.string(),
  createdOn: z.string(),
  publicKey: z.string().optional(),
});

function keyOut(key: ServiceAccountKeyRow, withPublicKey = false): z.infer<typeof keyOutput> {
  return {
    keyID: key.id,
    keyAlgorithm: key.algorithm,
    status: key.status,
    createdOn: new Date(key.createdAt).toISOString(),
    ...(withPublicKey && { publicKey: key.publicKey }),
  };
}

const saParams = z.object({ ID: id });
const keyParams = z.object({ ID: id, keyID: id });
const name = nameText();

export function registerServiceAccountRoutes(app: App, services: Services): void {
  app.post(
    '/v1/serviceAccounts',
    {
      schema: {
        tags: ['service accounts'],
        summary: 'Create a service account; returns its credentials (or API key) once',
        body: z.object({
          serviceAccount: z.object({
            name,
            displayName: opt(text(100, 'displayName')),
            description: opt(text(1000, 'description')),
          }),
          clientConfiguration: opt(clientConfigurationInput),
          apiKeyEnabled: opt(z.boolean()),
          roleIDs: opt(z.array(id).max(50)).describe('Strongroom extension: roles to assign in the same transaction'),
          resource: opt(z.unknown()),
          accountID: opt(z.string()),
        }),
        response: {
          200: z.union([
            credentialsOutput,
            z.object({
              clientID: z.string(),
              clientName: z.string(),
              apiKeyID: z.string(),
              apiKey: z.string(),
            }),
          ]),
        },
      },
    },
    async (request) => {
      const { serviceAccount, clientConfiguration, apiKeyEnabled, roleIDs } = request.body;
      const created = await services.serviceAccounts.create(principalOf(request), {
        ...serviceAccount,
        clientConfiguration,
        apiKeyEnabled,
        roleIDs,
      });
      if (created.apiKey) {
        return { clientID: created.account.id, clientName: created.account.name, ...created.apiKey };
      }
      if (!created.credentials) throw new Error('service account created without credentials');
      return created.credentials;
    },
  );

  app.get(
    '/v1/serviceAccounts',
    {
      schema: {
        tags: ['service accounts'],
        summary: 'List service accounts',
        querystring: z.object({
          name: z.string().optional(),
          status: z.string().optional(),
          accountID: z.string().optional(),
          ...pageQuery,
        }),
        response: { 200: z.object({ serviceAccounts: z.array(serviceAccountOutput) }) },
      },
    },
    async (request) => {
      const { name, status, offset, limit } = request.query;
      const accounts = await services.serviceAccounts.list(
        principalOf(request),
        { ...(name && { name }), ...(status && { status }) },
        { offset, limit },
      );
      return { serviceAccounts: accounts.map(serviceAccountOut) };
    },
  );

  app.get(
    '/v1/serviceAccounts/:ID',
    {
      schema: {
        tags: ['service accounts'],
        summary: 'Get a service account',
        params: saParams,
        response: { 200: serviceAccountOutput },
      },
    },
    async (request) => serviceAccountOut(await services.serviceAccounts.get(principalOf(request), request.params.ID)),
  );

  app.patch(
    '/v1/serviceAccounts/:ID',
    {
      schema: {
        tags: ['service accounts'],
        summary: 'Update a service account (names, status, clientConfiguration)',
        params: saParams,
        body: z.object({
          ID: opt(z.string()),
          serviceAccount: opt(
            z.object({
              name: opt(name),
              displayName: opt(text(100, 'displayName')),
              description: opt(text(1000, 'description')),
              status: opt(z.enum(['ACTIVE', 'INACTIVE'])),
            }),
          ),
          clientConfiguration: opt(clientConfigurationInput),
        }),
        response: { 200: idResponse },
      },
    },
    async (request) => {
      const { ID } = request.params;
      if (request.body.ID !== undefined && request.body.ID !== ID)
        throw badRequest('ID in the body must match the path.');
      const clientConfiguration = request.body.clientConfiguration;
      await services.serviceAccounts.update(principalOf(request), ID, {
        ...request.body.serviceAccount,
        ...(clientConfiguration && {
          clientConfiguration: Object.fromEntries(
            Object.entries(clientConfiguration).filter(([, v]) => v !== undefined),
          ),
        }),
      });
      return { ID };
    },
  );

  app.delete(
    '/v1/serviceAccounts/:ID',
    {
      schema: {
        tags: ['service accounts'],
        summary: 'Delete a service account, its keys, API keys and role assignments',
        params: saParams,
        response: { 200: emptyObject },
      },
    },
    async (request) => {
      await services.serviceAccounts.delete(principalOf(request), request.params.ID);
      return {};
    },
  );

  app.get(
    '/v1/serviceAccounts/:ID/keys',
    {
      schema: {
        tags: ['service accounts'],
        summary: 'List the key pairs of a service account (public metadata only)',
        params: saParams,
        querystring: z.object({ keyTypes: z.string().optional() }),
        response: { 200: z.object({ keys: z.array(keyOutput) }) },
      },
    },
    async (request) => ({
      keys: (await services.serviceAccounts.listKeys(principalOf(request), request.params.ID)).map((k) => keyOut(k)),
    }),
  );

  app.post(
    '/v1/serviceAccounts/:ID/keys',
    {
      schema: {
        tags: ['service accounts'],
        summary: 'Add a key pair; returns credentials for it once',
        params: saParams,
        response: { 200: credentialsOutput },
      },
    },
    async (request) => services.serviceAccounts.addKey(principalOf(request), request.params.ID),
  );

  app.get(
    '/v1/serviceAccounts/:ID/keys/:keyID',
    {
      schema: {
        tags: ['service accounts'],
        summary: 'Get one key, with its public key (PEM)',
        params: keyParams,
        querystring: z.object({ publicKeyType: z.string().optional() }),
        response: { 200: keyOutput },
      },
    },
    async (request) =>
      keyOut(
        await services.serviceAccounts.getKey(principalOf(request), request.params.ID, request.params.keyID),
        true,
      ),
  );

  app.delete(
    '/v1/serviceAccounts/:ID/keys/:keyID',
    {
      schema: {
        tags: ['service accounts'],
        summary: 'Delete a key; bearer tokens minted with it stop working',
        params: keyParams,
        response: { 200: emptyObject },
      },
    },
    async (request) => {
      await services.serviceAccounts.deleteKey(principalOf(request), request.params.ID, request.params.keyID);
      return {};
    },
  );

  app.put(
    '/v1/serviceAccounts/:ID/keys/:keyID/rotate',
    {
      schema: {
        tags: ['service accounts'],
        summary: 'Replace a key with a new one; returns the new credentials once',
        params: keyParams,
        response: { 200: credentialsOutput },
      },
    },
    async (request) =>
      services.serviceAccounts.rotateKey(principalOf(request), request.params.ID, request.params.keyID),
  );
}
