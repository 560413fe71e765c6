import { z } from 'zod';
import type { Services } from '../../server/services.js';
import { REDACTION_LEVELS } from '../../vault/redaction/index.js';
import { principalOf } from '../principal.js';
import { id, opt, queryBoolean } from '../schemas.js';
import type { App } from '../types.js';

/** Longest query text the query endpoint takes, in UTF-8 bytes. */
const MAX_QUERY_BYTES = 16 * 1024;
const tableName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,63}$/, 'must be a table name');
const recordId = z.string().min(1).max(128);
const redaction = z.enum(REDACTION_LEVELS);
const byot = z.enum(['DISABLE', 'ENABLE', 'ENABLE_STRICT']);
const fieldsMap = z.record(z.string(), z.unknown());
/** A query parameter that may repeat (`?a=1&a=2`): always read as a list. */
const repeated = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]));
const whole = (name: string) =>
  z
    .string()
    .regex(/^\d{1,9}$/, `${name} must be a whole number`)
    .optional()
    .transform((v) => (v === undefined ? undefined : Number(v)));

const writeRecord = z.object({ fields: fieldsMap, tokens: opt(fieldsMap) });
const writeResult = z.object({ skyflow_id: z.string(), tokens: z.record(z.string(), z.string()).optional() });
const recordView = z.object({
  fields: z.record(z.string(), z.unknown()),
  fileMetadata: z
    .record(z.string(), z.object({ fileName: z.string(), fileSizeKB: z.number(), fileType: z.string() }))
    .optional(),
});
const tableParams = z.object({ vaultID: id, tableName });
const recordParams = z.object({ vaultID: id, tableName, ID: recordId });

export function registerRecordRoutes(app: App, services: Services): void {
  const { records, tokens, queries } = services;

  app.post(
    '/v1/vaults/:vaultID/:tableName',
    {
      schema: {
        tags: ['records'],
        summary: 'Insert records (upsert on a unique column, bring-your-own tokens)',
        params: tableParams,
        body: z.object({
          records: z.array(writeRecord).min(1, 'records must hold at least one record'),
          tokenization: opt(z.boolean()),
          upsert: opt(z.string()),
          homogeneous: opt(z.boolean()),
          byot: opt(byot),
        }),
        response: { 200: z.object({ records: z.array(writeResult) }) },
      },
    },
    async (request) =>
      records.insert(principalOf(request), request.params.vaultID, request.params.tableName, request.body),
  );

  app.get(
    '/v1/vaults/:vaultID/:tableName',
    {
      schema: {
        tags: ['records'],
        summary: 'Get records by skyflow_ids, by values of a unique column, or a page of the table',
        params: tableParams,
        querystring: z.object({
          skyflow_ids: repeated,
          redaction: redaction.optional(),
          tokenization: queryBoolean,
          fields: repeated,
          offset: whole('offset'),
          limit: whole('limit'),
          downloadURL: queryBoolean,
          column_name: z.string().optional(),
          column_values: repeated,
          order_by: z.enum(['ASCENDING', 'DESCENDING', 'NONE']).optional(),
          returnFileMetadata: queryBoolean,
        }),
        response: { 200: z.object({ records: z.array(recordView) }) },
      },
    },
    async (request) => {
      const q = request.query;
      return records.get(principalOf(request), request.params.vaultID, request.params.tableName, {
        skyflowIds: q.skyflow_ids,
        redaction: q.redaction,
        tokenization: q.tokenization,
        fields: q.fields,
        offset: q.offset,
        limit: q.limit,
        columnName: q.column_name,
        columnValues: q.column_values,
        orderBy: q.order_by,
        downloadURL: q.downloadURL,
        returnFileMetadata: q.returnFileMetadata,
      });
    },
  );

  app.get(
    '/v1/vaults/:vaultID/:tableName/:ID',
    {
      schema: {
        tags: ['records'],
        summary: 'Get one record',
        params: recordParams,
        querystring: z.object({
          redaction: redaction.optional(),
          tokenization: queryBoolean,
          fields: repeated,
          downloadURL: queryBoolean,
          returnFileMetadata: queryBoolean,
        }),
        response: { 200: recordView },
      },
    },
    async (request) => {
      const { vaultID, tableName: table, ID } = request.params;
      return records.getOne(principalOf(request), vaultID, table, ID, request.query);
    },
  );

  app.put(
    '/v1/vaults/:vaultID/:tableName/:ID',
    {
      schema: {
        tags: ['records'],
        summary: 'Update fields of one record',
        params: recordParams,
        body: z.object({ record: writeRecord, tokenization: opt(z.boolean()), byot: opt(byot) }),
        response: { 200: writeResult },
      },
    },
    async (request) => {
      const { vaultID, tableName: table, ID } = request.params;
      return records.update(principalOf(request), vaultID, table, ID, request.body);
    },
  );

  app.delete(
    '/v1/vaults/:vaultID/:tableName/:ID',
    {
      schema: {
        tags: ['records'],
        summary: 'Delete one record',
        params: recordParams,
        response: { 200: z.object({ skyflow_id: z.string(), deleted: z.literal(true) }) },
      },
    },
    async (request) => {
      const { vaultID, tableName: table, ID } = request.params;
      return records.deleteOne(principalOf(request), vaultID, table, ID);
    },
  );

  app.delete(
    '/v1/vaults/:vaultID/:tableName',
    {
      schema: {
        tags: ['records'],
        summary: 'Delete records by skyflow_ids ("*" deletes every record of the table)',
        params: tableParams,
        body: z.object({ skyflow_ids: z.array(z.string().min(1).max(128)) }),
        response: { 200: z.object({ RecordIDResponse: z.array(z.string()) }) },
      },
    },
    async (request) =>
      records.deleteMany(
        principalOf(request),
        request.params.vaultID,
        request.params.tableName,
        request.body.skyflow_ids,
      ),
  );

  app.post(
    '/v1/vaults/:vaultID',
    {
      schema: {
        tags: ['records'],
        summary: 'Run several record operations (POST/PUT/GET/DELETE) in one request',
        params: z.object({ vaultID: id }),
        body: z.object({
          records: z.array(
            z.object({
              method: z.enum(['POST', 'PUT', 'GET', 'DELETE']),
              tableName,
              fields: opt(fieldsMap),
              tokens: opt(fieldsMap),
              ID: opt(z.string().max(128)),
              batchID: opt(z.string()),
              redaction: opt(redaction),
              tokenization: opt(z.boolean()),
              downloadURL: opt(z.boolean()),
              upsert: opt(z.string()),
              returnFileMetadata: opt(z.boolean()),
            }),
          ),
          continueOnError: opt(z.boolean()),
          byot: opt(byot),
        }),
        response: { 200: z.object({ vaultID: z.string(), responses: z.array(z.unknown()) }) },
      },
    },
    async (request) => records.batch(principalOf(request), request.params.vaultID, request.body),
  );

  app.post(
    '/v1/vaults/:vaultID/detokenize',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Exchange tokens for their values, redacted as asked and allowed',
        params: z.object({ vaultID: id }),
        body: z.object({
          detokenizationParameters: z.array(
            z.object({ token: z.string().min(1).max(4096), redaction: opt(redaction) }),
          ),
          downloadURL: opt(z.boolean()),
          continueOnError: opt(z.boolean()),
        }),
        response: {
          200: z.object({
            records: z.array(
              z.object({
                token: z.string(),
                valueType: z.string().optional(),
                value: z.string().optional(),
                error: z.string().optional(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => tokens.detokenize(principalOf(request), request.params.vaultID, request.body),
  );

  app.post(
    '/v1/vaults/:vaultID/tokenize',
    {
      schema: {
        tags: ['tokens'],
        summary: 'The existing deterministic token of stored values (nothing is stored)',
        params: z.object({ vaultID: id }),
        body: z.object({
          tokenizationParameters: z.array(
            z.object({
              value: z.string(),
              columnGroup: opt(z.string()),
              table: opt(z.string()),
              column: opt(z.string()),
            }),
          ),
        }),
        response: { 200: z.object({ records: z.array(z.object({ token: z.string() })) }) },
      },
    },
    async (request) => tokens.tokenize(principalOf(request), request.params.vaultID, request.body),
  );

  app.post(
    '/v1/vaults/:vaultID/query',
    {
      schema: {
        tags: ['records'],
        summary: 'Run a SQL SELECT over one or more tables (see the Query section of docs/api.md)',
        params: z.object({ vaultID: id }),
        body: z.object({
          // The query engine's documented limit (docs/api.md "Supported SQL"): 16 KiB of text, enough for
          // an IN list of its maximum 1000 values.
          query: z
            .string()
            .min(1, 'query is required')
            .max(MAX_QUERY_BYTES, 'query is at most 16 KiB')
            .refine((q) => Buffer.byteLength(q, 'utf8') <= MAX_QUERY_BYTES, 'query is at most 16 KiB'),
        }),
        response: { 200: z.object({ records: z.array(recordView) }) },
      },
    },
    async (request) => queries.query(principalOf(request), request.params.vaultID, request.body.query),
  );
}
