import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { startTestServer, type TestServer, tokenFor } from '../support/server.js';

const schema = {
  schemas: [
    {
      name: 'documents',
      fields: [
        {
          name: 'title',
          datatype: 'DT_STRING',
          tags: [{ name: 'skyflow.options.default_dlp_policy', values: ['PLAIN_TEXT'] }],
        },
        {
          name: 'scan',
          datatype: 'DT_FILE_TYPE',
          tags: [{ name: 'skyflow.options.default_dlp_policy', values: ['PLAIN_TEXT'] }],
        },
        { name: 'secret_scan', datatype: 'DT_FILE_TYPE', tags: [] },
      ],
    },
  ],
};

const CANARY = 'CANARY-FILE-CONTENT-7d3f9a';

function form(parts: Record<string, string | { name: string; type: string; data: Buffer | string }>): FormData {
  const body = new FormData();
  for (const [key, value] of Object.entries(parts)) {
    if (typeof value === 'string') body.append(key, value);
    else body.append(key, new Blob([value.data], { type: value.type }), value.name);
  }
  return body;
}

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`files (${store})`, () => {
    let t: TestServer;
    let vaultId: string;
    let token: string;

    const upload = (url: string, body: FormData, auth: string | null = token) =>
      fetch(`${t.url}${url}`, { method: 'POST', headers: auth ? { authorization: `Bearer ${auth}` } : {}, body });

    beforeAll(async () => {
      t = await startTestServer({ store, config: { maxFileBytes: 64 * 1024 } });
      token = await t.adminToken();
      vaultId = (await t.request('POST', '/v1/vaults', { body: { name: 'docs', vaultSchema: schema } })).body.ID;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('v2 upload creates a record holding the file, returning its metadata when asked', async () => {
      const res = await upload(
        `/v2/vaults/${vaultId}/files/upload`,
        form({
          tableName: 'documents',
          columnName: 'scan',
          returnFileMetadata: 'true',
          file: { name: 'passport.pdf', type: 'application/pdf', data: `%PDF ${CANARY}` },
        }),
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as any;
      expect(body).toEqual({
        skyflowID: expect.stringMatching(/^[0-9a-f-]{36}$/),
        fileMetadata: { scan: { fileName: 'passport.pdf', fileSizeKB: 1, fileType: 'application/pdf' } },
      });
      const got = await t.request('GET', `/v1/vaults/${vaultId}/documents/${body.skyflowID}?returnFileMetadata=true`);
      expect(got.body).toEqual({
        fields: { skyflow_id: body.skyflowID, scan: 'passport.pdf' },
        fileMetadata: { scan: { fileName: 'passport.pdf', fileSizeKB: 1, fileType: 'application/pdf' } },
      });
    });

    it('downloadURL gives an expiring signed URL that serves the file without credentials', async () => {
      const created = await t.request('POST', `/v1/vaults/${vaultId}/documents`, {
        body: { records: [{ fields: { title: 'lease' } }] },
      });
      const id = created.body.records[0].skyflow_id;
      const res = await upload(
        `/v2/vaults/${vaultId}/files/upload`,
        form({
          tableName: 'documents',
          columnName: 'scan',
          skyflowID: id,
          file: { name: 'lease.txt', type: 'text/plain', data: CANARY },
        }),
      );
      expect(((await res.json()) as any).skyflowID).toBe(id);
      const got = await t.request('GET', `/v1/vaults/${vaultId}/documents?skyflow_ids=${id}&downloadURL=true`);
      const url = got.body.records[0].fields.scan as string;
      expect(url.startsWith(`${t.url}/v1/files/`)).toBe(true);
      expect(got.body.records[0].fields.title).toBe('lease');
      const download = await fetch(url);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toMatch(/text\/plain/);
      expect(download.headers.get('content-disposition')).toContain("filename*=UTF-8''lease.txt");
      expect(await download.text()).toBe(CANARY);
      // Tampering with the grant, or replacing the file, invalidates the URL.
      const forged = `${url.slice(0, -3)}${url.endsWith('AAA') ? 'BBB' : 'AAA'}`;
      expect((await fetch(forged)).status).toBe(404);
      await upload(
        `/v2/vaults/${vaultId}/files/upload`,
        form({
          tableName: 'documents',
          columnName: 'scan',
          skyflowID: id,
          file: { name: 'v2.txt', type: 'text/plain', data: 'new' },
        }),
      );
      const stale = await fetch(url);
      expect(stale.status).toBe(404);
      expect(((await stale.json()) as any).error.http_code).toBe(404);
    });

    it('redacted file columns show neither the name nor a URL', async () => {
      const res = await upload(
        `/v2/vaults/${vaultId}/files/upload`,
        form({
          tableName: 'documents',
          columnName: 'secret_scan',
          file: { name: 'x-ray.png', type: 'image/png', data: 'png' },
        }),
      );
      const id = ((await res.json()) as any).skyflowID;
      const got = await t.request(
        'GET',
        `/v1/vaults/${vaultId}/documents/${id}?downloadURL=true&returnFileMetadata=true`,
      );
      expect(got.body).toEqual({ fields: { skyflow_id: id, secret_scan: '*REDACTED*' } });
      const plain = await t.request('GET', `/v1/vaults/${vaultId}/documents/${id}?redaction=PLAIN_TEXT`);
      expect(plain.body.fields.secret_scan).toBe('x-ray.png');
    });

    it('v1 upload accepts both part shapes: a part named after the column, or "file" with "columnName"', async () => {
      const id = (
        await t.request('POST', `/v1/vaults/${vaultId}/documents`, { body: { records: [{ fields: { title: 'a' } }] } })
      ).body.records[0].skyflow_id;
      const named = await upload(
        `/v1/vaults/${vaultId}/documents/${id}/files`,
        form({ scan: { name: 'one.txt', type: 'text/plain', data: 'one' } }),
      );
      expect(named.status).toBe(200);
      expect(await named.json()).toEqual({ skyflow_id: id });
      const generic = await upload(
        `/v1/vaults/${vaultId}/documents/${id}/files`,
        form({ columnName: 'secret_scan', file: { name: 'two.txt', type: 'text/plain', data: 'two' } }),
      );
      expect(generic.status).toBe(200);
      const got = await t.request('GET', `/v1/vaults/${vaultId}/documents/${id}?redaction=PLAIN_TEXT`);
      expect(got.body.fields).toMatchObject({ scan: 'one.txt', secret_scan: 'two.txt' });
    });

    it('deletes a file, keeping the record; scan status says files are not scanned', async () => {
      const res = await upload(
        `/v2/vaults/${vaultId}/files/upload`,
        form({ tableName: 'documents', columnName: 'scan', file: { name: 'd.txt', type: 'text/plain', data: 'd' } }),
      );
      const id = ((await res.json()) as any).skyflowID;
      const status = await t.request('GET', `/v1/vaults/${vaultId}/documents/${id}/files/scan/scan-status`);
      expect(status.body).toEqual({ av_scan_status: 'SCAN_NONE' });
      const del = await t.request('DELETE', `/v1/vaults/${vaultId}/documents/${id}/files/scan`);
      expect(del.body).toEqual({ skyflow_id: id, deleted: true });
      const again = await t.request('DELETE', `/v1/vaults/${vaultId}/documents/${id}/files/scan`);
      expect(again.body).toEqual({ skyflow_id: id, deleted: false });
      expect((await t.request('GET', `/v1/vaults/${vaultId}/documents/${id}`)).body).toEqual({
        fields: { skyflow_id: id },
      });
      const gone = await t.request('GET', `/v1/vaults/${vaultId}/documents/${id}/files/scan/scan-status`);
      expect(gone.body).toEqual({ av_scan_status: 'SCAN_FILE_NOT_FOUND' });
    });

    it('refuses files over the size limit (413), non-file columns, missing parts and non-multipart bodies', async () => {
      const big = await upload(
        `/v2/vaults/${vaultId}/files/upload`,
        form({
          tableName: 'documents',
          columnName: 'scan',
          file: { name: 'big.bin', type: 'application/octet-stream', data: Buffer.alloc(65 * 1024) },
        }),
      );
      expect(big.status).toBe(413);
      expect(((await big.json()) as any).error.http_code).toBe(413);
      const wrongColumn = await upload(
        `/v2/vaults/${vaultId}/files/upload`,
        form({ tableName: 'documents', columnName: 'title', file: { name: 'a.txt', type: 'text/plain', data: 'a' } }),
      );
      expect(wrongColumn.status).toBe(400);
      expect(((await wrongColumn.json()) as any).error.message).toMatch(/not a file column/);
      const noFile = await upload(
        `/v2/vaults/${vaultId}/files/upload`,
        form({ tableName: 'documents', columnName: 'scan' }),
      );
      expect(noFile.status).toBe(400);
      const json = await t.request('POST', `/v2/vaults/${vaultId}/files/upload`, { body: { tableName: 'documents' } });
      expect(json.status).toBe(400);
      const missingRecord = await upload(
        `/v1/vaults/${vaultId}/documents/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/files`,
        form({ scan: { name: 'a.txt', type: 'text/plain', data: 'a' } }),
      );
      expect(missingRecord.status).toBe(404);
      expect((await upload(`/v2/vaults/${vaultId}/files/upload`, form({ tableName: 'documents' }), null)).status).toBe(
        401,
      );
    });

    it('needs the right role: a viewer cannot upload', async () => {
      const roles = await t.request('GET', `/v1/roles?resource.type=VAULT&resource.ID=${vaultId}&name=VAULT_VIEWER`);
      const viewer = await t.request('POST', '/v1/serviceAccounts', {
        body: { serviceAccount: { name: 'file-viewer' }, roleIDs: [roles.body.roles[0].ID] },
      });
      const viewerToken = await tokenFor(t.url, viewer.body);
      const res = await upload(
        `/v2/vaults/${vaultId}/files/upload`,
        form({ tableName: 'documents', columnName: 'scan', file: { name: 'a.txt', type: 'text/plain', data: 'a' } }),
        viewerToken,
      );
      expect(res.status).toBe(403);
    });

    it.runIf(store === 'sqlite')('keeps file contents and names encrypted at rest', async () => {
      const db = readFileSync(path.join(t.dataDir, 'strongroom.db'));
      const wal = readFileSync(path.join(t.dataDir, 'strongroom.db-wal'));
      for (const needle of [CANARY, 'passport.pdf', 'lease.txt']) {
        expect(db.includes(needle), needle).toBe(false);
        expect(wal.includes(needle), needle).toBe(false);
      }
    });
  });
}
