import { isEntityType } from '@strongroom/detect';
import { z } from 'zod';
import { FILE_ENDPOINTS } from '../../detect/file-endpoints.js';
import type { Services } from '../../server/services.js';
import { principalOf } from '../principal.js';
import { id, opt } from '../schemas.js';
import type { App } from '../types.js';

/** A §6.9 entity type; an unknown one is named in the 400 (cut short: it is the caller's text). */
const entityType = z.string().superRefine((value, ctx) => {
  if (!isEntityType(value)) {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    ctx.addIssue({ code: 'custom', message: `"${shown}" is not a Detect entity type (see §6.9)` });
  }
});
const entityTypes = opt(z.array(entityType).max(100, 'at most 100 entity types'));
const tokenFormat = z.enum(['entity_unq_counter', 'entity_only', 'vault_token']);
/** §6.1 `token_type`; `{}` (Node v2) and nulls (Python) mean "not set". */
const tokenType = opt(
  z.object({
    default: opt(tokenFormat),
    vault_token: entityTypes,
    entity_unq_counter: entityTypes,
    entity_only: entityTypes,
  }),
);
const days = z.number().int('must be a whole number of days').min(-36_500).max(36_500);
const transformations = opt(
  z.object({
    shift_dates: opt(
      z.object({
        min_days: opt(days),
        max_days: opt(days),
        entity_types: opt(z.array(z.enum(['date', 'date_interval', 'dob'])).max(3)),
      }),
    ),
  }),
);
const patterns = opt(z.array(z.string().max(1_000, 'a pattern is at most 1000 characters')).max(100));
const reidentifyFormat = opt(z.object({ redacted: entityTypes, masked: entityTypes, plaintext: entityTypes }));
const deidentifyOptions = {
  vault_id: id,
  configuration_id: opt(z.string()),
  entity_types: entityTypes,
  token_type: tokenType,
  allow_regex: patterns,
  restrict_regex: patterns,
  transformations,
};
const file = z.object({
  base64: z.string(),
  // Checked by the service, which names the endpoint's formats.
  data_format: opt(z.string()),
  skyflow_id: opt(z.string()),
});

const entity = z.object({
  token: z.string(),
  value: z.string(),
  location: z.object({
    start_index: z.number().int(),
    end_index: z.number().int(),
    start_index_processed: z.number().int(),
    end_index_processed: z.number().int(),
  }),
  entity_type: z.string(),
  entity_scores: z.record(z.string(), z.number()),
});
const runView = z.object({
  runId: z.string(),
  status: z.enum(['IN_PROGRESS', 'SUCCESS', 'FAILED']),
  outputType: z.enum(['BASE64', 'UNKNOWN']),
  output: z.array(
    z.object({
      processedFile: z.string(),
      processedFileType: z.enum(['redacted_text', 'redacted_file', 'entities']),
      processedFileExtension: z.string(),
    }),
  ),
  message: z.string(),
  size: z.number(),
  wordCharacterCount: z.object({ wordCount: z.number().int(), characterCount: z.number().int() }),
  progress: z.object({ done: z.number(), total: z.number() }),
});

/**
 * Base64 bodies are a third larger than their files: the file routes take a body big enough for a file of
 * `maxFileBytes` (the service answers 413 for a larger decoded file), the other routes keep the default.
 */
function fileBodyLimit(maxFileBytes: number, maxBodyBytes: number): number {
  return Math.max(maxBodyBytes, Math.ceil(maxFileBytes / 3) * 4 + 1024 * 1024);
}

export function registerDetectRoutes(app: App, services: Services): void {
  const { detect, config } = services;
  const bodyLimit = fileBodyLimit(config.maxFileBytes, config.maxBodyBytes);

  app.post(
    '/v1/detect/deidentify/string',
    {
      schema: {
        tags: ['detect'],
        summary: 'De-identify text: entities replaced by counters, type names or vault tokens (§6.2)',
        body: z.object({ ...deidentifyOptions, text: z.string() }),
        response: {
          200: z.object({
            processed_text: z.string(),
            entities: z.array(entity),
            word_count: z.number().int(),
            character_count: z.number().int(),
          }),
        },
      },
    },
    async (request) => detect.deidentifyText(principalOf(request), request.body),
  );

  app.post(
    '/v1/detect/reidentify/string',
    {
      schema: {
        tags: ['detect'],
        summary: 'Re-identify text: vault tokens replaced by their values, masked values or type names (§6.3)',
        body: z.object({ vault_id: id, text: z.string(), format: reidentifyFormat }),
        response: { 200: z.object({ text: z.string() }) },
      },
    },
    async (request) => detect.reidentifyText(principalOf(request), request.body),
  );

  for (const endpoint of FILE_ENDPOINTS) {
    app.post(
      endpoint.path,
      {
        bodyLimit,
        schema: {
          tags: ['detect'],
          summary: `De-identify a file (${endpoint.formats.join(', ')}) asynchronously; poll the run (§6.4)`,
          body: z.object({ ...deidentifyOptions, file }),
          response: { 200: z.object({ run_id: z.string() }) },
        },
      },
      async (request) => detect.startRun(principalOf(request), endpoint, request.body),
    );
  }

  app.get(
    '/v1/detect/runs/:run_id',
    {
      schema: {
        tags: ['detect'],
        summary: 'Status and output of a file run (§6.5)',
        params: z.object({ run_id: z.string().max(64) }),
        querystring: z.object({ vault_id: id }),
        response: { 200: runView },
      },
    },
    async (request) => detect.getRun(principalOf(request), request.params.run_id, request.query.vault_id),
  );

  app.post(
    '/v1/detect/reidentify/file',
    {
      bodyLimit,
      schema: {
        tags: ['detect'],
        summary: 'Re-identify a txt, csv, json or xml file synchronously (§6.6)',
        body: z.object({ vault_id: id, file: file.extend({ data_format: z.string() }), format: reidentifyFormat }),
        response: {
          200: z.object({
            status: z.string(),
            output_type: z.string(),
            output: z.object({
              processed_file: z.string(),
              processed_file_type: z.string(),
              processed_file_extension: z.string(),
            }),
          }),
        },
      },
    },
    async (request) => detect.reidentifyFile(principalOf(request), request.body),
  );
}
