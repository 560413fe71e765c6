import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`server on ${store}`, () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer({ store });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers readyz with its store kind', async () => {
      const res = await t.request('GET', '/readyz', { token: null });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ready', store });
    });

    it('lists the demo vault for the bootstrap admin', async () => {
      const res = await t.request('GET', '/v1/vaults');
      expect(res.status).toBe(200);
      expect(res.body.vaults.map((v: { name: string }) => v.name)).toEqual(['quickstart']);
    });
  });
}
