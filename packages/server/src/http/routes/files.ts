import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { badRequest } from '../../errors.js';
import type { Services } from '../../server/services.js';
import { publicMetadata, type UploadedFile } from '../../vault/records/file-service.js';
import { principalOf } from '../principal.js';
import { id } from '../schemas.js';
import type { App } from '../types.js';

const tableName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,63}$/, 'must be a table name');
const columnName = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a column name');
const recordId = z.string().min(1).max(128);
const metadataSchema = z.object({ fileName: z.string(), fileSizeKB: z.number(), fileType: z.string() });

interface MultipartUpload {
  readonly fields: Map<string, string>;
  readonly file: (UploadedFile & { fieldName: string }) | undefined;
}

/** Reads a multipart body: text fields, and at most one file (size-limited by the multipart plugin). */
async function readMultipart(request: FastifyRequest): Promise<MultipartUpload> {
  if (!request.isMultipart()) throw badRequest('Send the file as multipart/form-data.');
  const fields = new Map<string, string>();
  let file: MultipartUpload['file'];
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const data = await part.toBuffer();
      if (file) throw badRequest('Send one file per request.');
      file = { fieldName: part.fieldname, fileName: part.filename, mimeType: part.mimetype, data };
    } else {
      fields.set(part.fieldname, String(part.value));
    }
  }
  return { fields, file };
}

function required(fields: Map<string, string>, name: string): string {
  const value = fields.get(name);
  if (!value) throw badRequest(`The multipart form needs a "${name}" field.`);
  return value;
}

export function registerFileRoutes(app: App, services: Services): void {
  const { files } = services;

  app.post(
    '/v2/vaults/:vaultID/files/upload',
    {
      schema: {
        tags: ['files'],
        summary: 'Upload a file into a new record, or into an existing one (skyflowID)',
        description:
          'multipart/form-data with the text parts tableName, columnName, optional skyflowID and returnFileMetadata, and the file part "file".',
        consumes: ['multipart/form-data'],
        params: z.object({ vaultID: id }),
        response: {
          200: z.object({ skyflowID: z.string(), fileMetadata: z.record(z.string(), metadataSchema).optional() }),
        },
      },
    },
    async (request) => {
      const { fields, file } = await readMultipart(request);
      if (!file) throw badRequest('The multipart form needs a "file" part holding the file.');
      const table = tableName.safeParse(required(fields, 'tableName'));
      const column = columnName.safeParse(required(fields, 'columnName'));
      if (!table.success) throw badRequest('tableName must be a table name.');
      if (!column.success) throw badRequest('columnName must be a column name.');
      const existing = fields.get('skyflowID') || undefined;
      const result = await files.upload(
        principalOf(request),
        request.params.vaultID,
        table.data,
        column.data,
        existing,
        file,
      );
      return fields.get('returnFileMetadata') === 'true'
        ? { skyflowID: result.skyflowId, fileMetadata: { [column.data]: publicMetadata(result.metadata) } }
        : { skyflowID: result.skyflowId };
    },
  );

  app.post(
    '/v1/vaults/:vaultID/:tableName/:ID/files',
    {
      schema: {
        tags: ['files'],
        summary: 'Upload a file into a record (v1: a part named after the column, or "file" plus "columnName")',
        consumes: ['multipart/form-data'],
        params: z.object({ vaultID: id, tableName, ID: recordId }),
        response: { 200: z.object({ skyflow_id: z.string() }) },
      },
    },
    async (request) => {
      const { fields, file } = await readMultipart(request);
      if (!file) throw badRequest('The multipart form needs a file part.');
      // Two shapes exist: the file in a part named after its column, or in "file" with a "columnName" field.
      const column = file.fieldName === 'file' ? required(fields, 'columnName') : file.fieldName;
      const { vaultID, tableName: table, ID } = request.params;
      await files.upload(principalOf(request), vaultID, table, column, ID, file);
      return { skyflow_id: ID };
    },
  );

  app.delete(
    '/v1/vaults/:vaultID/:tableName/:ID/files/:columnName',
    {
      schema: {
        tags: ['files'],
        summary: 'Delete the file of a record column',
        params: z.object({ vaultID: id, tableName, ID: recordId, columnName }),
        response: { 200: z.object({ skyflow_id: z.string(), deleted: z.boolean() }) },
      },
    },
    async (request) => {
      const { vaultID, tableName: table, ID, columnName: column } = request.params;
      return files.deleteFile(principalOf(request), vaultID, table, ID, column);
    },
  );

  app.get(
    '/v1/vaults/:vaultID/:tableName/:ID/files/:columnName/scan-status',
    {
      schema: {
        tags: ['files'],
        summary: 'Malware scan status: Strongroom does not scan files (SCAN_NONE)',
        params: z.object({ vaultID: id, tableName, ID: recordId, columnName }),
        response: { 200: z.object({ av_scan_status: z.enum(['SCAN_NONE', 'SCAN_FILE_NOT_FOUND']) }) },
      },
    },
    async (request) => {
      const { vaultID, tableName: table, ID, columnName: column } = request.params;
      return files.scanStatus(principalOf(request), vaultID, table, ID, column);
    },
  );

  app.get(
    '/v1/files/:grant',
    {
      // Public: the signed, expiring URL is the credential (like a pre-signed object-store URL).
      config: { auth: false },
      schema: {
        tags: ['files'],
        summary: 'Download a file through a signed URL from downloadURL=true (valid 15 minutes by default)',
        security: [],
        params: z.object({ grant: z.string().min(1).max(2048) }),
      },
    },
    async (request, reply) => {
      const file = await files.download(request.params.grant);
      return reply
        .header('content-type', file.fileType)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(file.data);
    },
  );
}
