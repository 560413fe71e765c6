import { z } from 'zod';
import { badRequest } from '../../errors.js';
import type { Services } from '../../server/services.js';
import type { VaultRow } from '../../store/types.js';
import type { WireVaultSchema } from '../../vault/schema/model.js';
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
  queryBoolean,
  text,
} from '../schemas.js';
import type { App } from '../types.js';

const vaultSchemaInput = z
  .record(z.string(), z.unknown())
  .describe('Skyflow vault schema: {schemas: [...], tags: [...]}');

const vaultOutput = z.object({
  ID: z.string(),
  name: z.string(),
  description: z.string(),
  workspaceID: z.string(),
  schemas: z.array(z.unknown()),
  tags: z.array(z.unknown()),
  status: z.string(),
  BasicAudit: basicAuditSchema,
});

function vaultOut(vault: VaultRow, metadataOnly = false): z.infer<typeof vaultOutput> {
  const schema = vault.schema as WireVaultSchema;
  return {
    ID: vault.id,
    name: vault.name,
    description: vault.description,
    workspaceID: vault.workspaceId,
    schemas: metadataOnly ? [] : schema.schemas,
    tags: schema.tags,
    status: vault.status,
    BasicAudit: basicAudit(vault),
  };
}

const name = nameText();
const description = text(1000, 'description');
const vaultParams = z.object({ vaultID: id });

export function registerVaultRoutes(app: App, services: Services): void {
  app.post(
    '/v1/vaults',
    {
      schema: {
        tags: ['vaults'],
        summary: 'Create a vault with a schema',
        body: z.object({
          name,
          description: opt(description),
          workspaceID: opt(z.string()),
          vaultSchema: vaultSchemaInput,
          templateID: opt(z.string()),
          owners: opt(z.array(z.object({ ID: id, type: z.string() }))),
        }),
        response: { 200: idResponse },
      },
    },
    async (request) => {
      if (request.body.templateID) throw badRequest('Vault templates are not supported; send a vaultSchema.');
      const vault = await services.vaults.create(principalOf(request), request.body);
      return { ID: vault.id };
    },
  );

  app.get(
    '/v1/vaults',
    {
      schema: {
        tags: ['vaults'],
        summary: 'List vaults visible to the caller',
        querystring: z.object({
          workspaceID: z.string().optional(),
          'filterOps.name': z.string().optional(),
          'filterOps.status': z.string().optional(),
          fetchMetadataOnly: queryBoolean,
          ...pageQuery,
        }),
        response: { 200: z.object({ vaults: z.array(vaultOutput) }) },
      },
    },
    async (request) => {
      const q = request.query;
      const vaults = await services.vaults.list(
        principalOf(request),
        {
          ...(q['filterOps.name'] && { name: q['filterOps.name'] }),
          ...(q['filterOps.status'] && { status: q['filterOps.status'] }),
          ...(q.workspaceID && { workspaceId: q.workspaceID }),
        },
        { offset: q.offset, limit: q.limit },
      );
      return { vaults: vaults.map((v) => vaultOut(v, q.fetchMetadataOnly ?? false)) };
    },
  );

  app.get(
    '/v1/vaults/:vaultID',
    {
      schema: {
        tags: ['vaults'],
        summary: 'Get a vault and its schema',
        params: vaultParams,
        querystring: z.object({ fetchMetadataOnly: queryBoolean }),
        response: { 200: z.object({ vault: vaultOutput }) },
      },
    },
    async (request) => ({
      vault: vaultOut(
        await services.vaults.get(principalOf(request), request.params.vaultID),
        request.query.fetchMetadataOnly ?? false,
      ),
    }),
  );

  app.patch(
    '/v1/vaults/:vaultID',
    {
      schema: {
        tags: ['vaults'],
        summary: 'Update a vault: name, description or schema',
        params: vaultParams,
        body: z.object({
          ID: opt(z.string()),
          name: opt(name),
          description: opt(description),
          vaultSchema: opt(vaultSchemaInput),
        }),
        response: { 200: idResponse },
      },
    },
    async (request) => {
      const { vaultID } = request.params;
      if (request.body.ID !== undefined && request.body.ID !== vaultID)
        throw badRequest('ID in the body must match the path.');
      await services.vaults.update(principalOf(request), vaultID, request.body);
      return { ID: vaultID };
    },
  );

  app.delete(
    '/v1/vaults/:vaultID',
    {
      schema: {
        tags: ['vaults'],
        summary: 'Delete a vault with all its data, keys and roles',
        params: vaultParams,
        response: { 200: emptyObject },
      },
    },
    async (request) => {
      await services.vaults.delete(principalOf(request), request.params.vaultID);
      return {};
    },
  );
}
