import { expect } from 'vitest';
import { createVault, vaultRoles } from '../data-api/helpers.js';
import { type Credentials, type TestServer, tokenFor } from '../support/server.js';

/** UUID-shaped vault tokens as they appear in processed text: `[NAME_<uuid>]`. */
export const VAULT_PLACEHOLDER = /\[([A-Z_]+)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\]/g;

/** A vault for Detect tests (Detect needs no table; one keeps the schema valid). */
export async function detectVault(t: TestServer, name = 'detect'): Promise<string> {
  return createVault(t, name, [{ name: 'notes', fields: [{ name: 'body', datatype: 'DT_STRING', tags: [] }] }]);
}

/** A fresh service account holding one of the vault's system roles, and a bearer token for it. */
export async function tokenWithRole(
  t: TestServer,
  vaultId: string,
  role: 'VAULT_OWNER' | 'VAULT_EDITOR' | 'VAULT_VIEWER',
): Promise<{ token: string; clientID: string }> {
  const roles = await vaultRoles(t, vaultId);
  const created = await t.request('POST', '/v1/serviceAccounts', {
    body: {
      serviceAccount: { name: `${role.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}` },
      roleIDs: [roles[role]],
    },
  });
  if (created.status !== 200) throw new Error(`service account creation failed: ${created.text}`);
  const credentials = created.body as Credentials;
  return { token: await tokenFor(t.url, credentials), clientID: credentials.clientID };
}

type Response = Awaited<ReturnType<TestServer['request']>>;

/** Detect calls on one vault, as one caller (the admin unless a token is given). */
export class DetectApi {
  constructor(
    readonly t: TestServer,
    readonly vaultId: string,
    readonly token?: string | null,
  ) {}

  as(token: string | null): DetectApi {
    return new DetectApi(this.t, this.vaultId, token);
  }

  post(path: string, body: Record<string, unknown>): Promise<Response> {
    return this.t.request('POST', path, {
      body: { vault_id: this.vaultId, ...body },
      ...(this.token !== undefined && { token: this.token }),
    });
  }

  deidentify(text: string, options: Record<string, unknown> = {}): Promise<Response> {
    return this.post('/v1/detect/deidentify/string', { text, ...options });
  }

  reidentify(text: string, format?: Record<string, unknown>): Promise<Response> {
    return this.post('/v1/detect/reidentify/string', { text, ...(format !== undefined && { format }) });
  }

  /** Starts a file run on an endpoint (`file/text`, `file/spreadsheet`, …). */
  startRun(
    endpoint: string,
    bytes: Uint8Array | string,
    dataFormat: string | undefined,
    options: Record<string, unknown> = {},
  ) {
    const base64 = Buffer.from(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes).toString('base64');
    return this.post(`/v1/detect/deidentify/${endpoint}`, {
      file: { base64, ...(dataFormat !== undefined && { data_format: dataFormat }) },
      ...options,
    });
  }

  run(runId: string, vaultId = this.vaultId): Promise<Response> {
    return this.t.request('GET', `/v1/detect/runs/${runId}?vault_id=${vaultId}`, {
      ...(this.token !== undefined && { token: this.token }),
    });
  }

  /** Polls a run until it is no longer IN_PROGRESS (throws after `timeoutMs`). */
  async finished(runId: string, timeoutMs = 60_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await this.run(runId);
      expect(res.status, res.text).toBe(200);
      if (res.body.status !== 'IN_PROGRESS') return res.body;
      if (Date.now() > deadline) throw new Error(`run ${runId} still IN_PROGRESS after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** De-identifies a file end to end: the processed bytes and the entities list. */
  async deidentifyFile(
    endpoint: string,
    bytes: Uint8Array | string,
    dataFormat: string,
    options: Record<string, unknown> = {},
  ): Promise<{ output: Buffer; entities: any[]; run: any }> {
    const started = await this.startRun(endpoint, bytes, dataFormat, options);
    expect(started.status, started.text).toBe(200);
    const run = await this.finished(started.body.run_id);
    expect(run.status, run.message).toBe('SUCCESS');
    const entitiesFile = run.output.find((o: any) => o.processedFileType === 'entities');
    return {
      output: Buffer.from(run.output[0].processedFile, 'base64'),
      entities: JSON.parse(Buffer.from(entitiesFile.processedFile, 'base64').toString('utf8')),
      run,
    };
  }

  /** Re-identifies a file synchronously (§6.6). */
  async reidentifyFile(
    bytes: Uint8Array | string,
    dataFormat: string,
    format?: Record<string, unknown>,
  ): Promise<Buffer> {
    const res = await this.post('/v1/detect/reidentify/file', {
      file: { base64: Buffer.from(bytes).toString('base64'), data_format: dataFormat },
      ...(format !== undefined && { format }),
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      status: 'SUCCESS',
      output_type: 'BASE64',
      output: { processed_file_type: 'reidentified_file', processed_file_extension: dataFormat },
    });
    return Buffer.from(res.body.output.processed_file, 'base64');
  }
}
