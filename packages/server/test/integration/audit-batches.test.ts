import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVault, DataApi, dlp, field, tokenPolicy } from '../data-api/helpers.js';
import { postgresAvailable } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';

// Entries of concurrent requests are written together (group commit): one caller's odd input must not
// make the write, and so the other callers' requests, fail.
for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`audit batches (${store})`, () => {
    let t: TestServer;
    let api: DataApi;
    let vaultId: string;
    let token: string;

    beforeAll(async () => {
      t = await startTestServer({ store, config: { demo: false } });
      vaultId = await createVault(t, 'batches', [
        {
          name: 'persons',
          fields: [field('name', 'DT_STRING', tokenPolicy('NON_DETERMINISTIC_UUID'), dlp('PLAIN_TEXT'))],
        },
      ]);
      api = new DataApi(t, vaultId);
      const [record] = await api.insertTokens('persons', [{ name: 'Batch Person' }]);
      token = record?.tokens.name as string;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('stores the entries of requests that carried NUL or a lone surrogate next to the others, and the chain verifies', async () => {
      // What the deletes themselves answer does not matter here (a NUL is no record ID); their entries do.
      const [, , ...plain] = await Promise.all([
        t.request('DELETE', `/v1/vaults/${vaultId}/persons`, { body: { skyflow_ids: ['a\u0000b'] } }),
        t.request('DELETE', `/v1/vaults/${vaultId}/persons`, { body: { skyflow_ids: ['c\ud800d'] } }),
        ...Array.from({ length: 8 }, () => api.detokenize([{ token, redaction: 'PLAIN_TEXT' }])),
      ]);
      for (const res of plain) expect(res.status).toBe(200);
      const events = await t.request('GET', `/v1/audit/events?filterOps.vaultID=${vaultId}&limit=100`);
      const ids = (events.body as { event: { resourceIDs: string[] }[] }).event.flatMap((e) => e.resourceIDs);
      expect(ids).toContain('RECORD/a\uFFFDb');
      // Stored as sent (SQLite) or as U+FFFD (PostgreSQL); its link hashed the UTF-8 of U+FFFD either way.
      expect(ids.some((id) => id === 'RECORD/c\ud800d' || id === 'RECORD/c\uFFFDd')).toBe(true);
      const { verifyAuditLog } = await import('../../src/audit/verify-log.js');
      const { services } = t.server;
      expect(await verifyAuditLog(services.store, services.keyring.serverKey(['audit-chain']))).toMatchObject({
        ok: true,
      });
    });
  });
}
