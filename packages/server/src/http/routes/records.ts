import { z } from 'zod';
import type { Services } from '../../server/services.js';
import { principalOf } from '../principal.js';
import { id, opt } from '../schemas.js';
import type { App } from '../types.js';

const tableName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,63}$/, 'must be a table name');

export function registerRecordRoutes(app: App, services: Services): void {
  app.post(
    '/v1/vaults/:vaultID/:tableName',
    {
      schema: {
        tags: ['records'],
        summary: 'Insert records (Skyflow §5.1)',
        params: z.object({ vaultID: id, tableName }),
        body: z.object({
          records: z
            .array(
              z.object({
                fields: z.record(z.string(), z.unknown()),
                tokens: opt(z.record(z.string(), z.unknown())),
              }),
            )
            .min(1, 'records must hold at least one record'),
          tokenization: opt(z.boolean()),
          upsert: opt(z.string()),
          homogeneous: opt(z.boolean()),
          byot: opt(z.enum(['DISABLE', 'ENABLE', 'ENABLE_STRICT'])),
        }),
        response: { 200: z.object({ records: z.array(z.object({ skyflow_id: z.string() })) }) },
      },
    },
    async (request) =>
      services.records.insert(principalOf(request), request.params.vaultID, request.params.tableName, request.body),
  );
}
