import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createVault, DataApi, expectError, expectOk, PEOPLE_TABLES, STORES, UUID, UUID_V4 } from './helpers.js';

const MISSING = '00000000-0000-4000-8000-000000000000';

for (const store of STORES) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`Data API: batch (${store})`, () => {
    let t: TestServer;
    let api: DataApi;

    beforeAll(async () => {
      t = await startTestServer({ store });
      api = new DataApi(t, await createVault(t, 'batch', PEOPLE_TABLES));
    });
    afterAll(async () => {
      await t?.close();
    });

    async function usernameExists(username: string): Promise<boolean> {
      const res = await api.get('people', { column_name: 'username', column_values: [username] });
      if (res.status === 404) return false;
      expectOk(res);
      return res.body.records.length > 0;
    }

    describe('continueOnError false (one transaction, plain sub-responses)', () => {
      it('answers each method with its own endpoint’s shape, in request order', async () => {
        const [toUpdate, toRead, toDelete] = await api.insertIds('people', [
          { username: 'b-upd', age: 1 },
          { username: 'b-read', age: 2, ssn: '555-44-3333' },
          { username: 'b-del' },
        ]);
        const res = await api.batch({
          records: [
            {
              method: 'POST',
              tableName: 'people',
              fields: { username: 'b-new', name: 'Batch New' },
              tokenization: true,
            },
            { method: 'POST', tableName: 'people', fields: { username: 'b-new-2' } },
            { method: 'PUT', tableName: 'people', ID: toUpdate, fields: { age: 10 } },
            { method: 'GET', tableName: 'people', ID: toRead, redaction: 'PLAIN_TEXT' },
            { method: 'GET', tableName: 'people', ID: toRead },
            { method: 'DELETE', tableName: 'people', ID: toDelete },
          ],
          continueOnError: false,
        });
        expectOk(res);
        expect(res.body).toEqual({
          vaultID: api.vaultId,
          responses: [
            {
              records: [{ skyflow_id: expect.stringMatching(UUID), tokens: { name: expect.stringMatching(UUID_V4) } }],
            },
            { records: [{ skyflow_id: expect.stringMatching(UUID) }] },
            { skyflow_id: toUpdate },
            { records: [{ fields: { skyflow_id: toRead, username: 'b-read', age: 2, ssn: '555-44-3333' } }] },
            { records: [{ fields: { skyflow_id: toRead, username: 'b-read', age: 2, ssn: 'XXX-XX-3333' } }] },
            { skyflow_id: toDelete, deleted: true },
          ],
        });
        const created = res.body.responses[0].records[0];
        expect(await api.reveal(created.tokens.name)).toBe('Batch New');
        const [updated] = await api.fields('people', [toUpdate!]);
        expect(updated!.age).toBe(10);
        expectError(await api.getOne('people', toDelete!), 404);
      });

      it('continueOnError absent means false', async () => {
        const res = await api.batch({
          records: [{ method: 'POST', tableName: 'people', fields: { username: 'b-def' } }],
        });
        expectOk(res);
        expect(res.body.responses).toEqual([{ records: [{ skyflow_id: expect.stringMatching(UUID) }] }]);
      });

      it('runs operations in order inside the transaction: a GET sees an earlier PUT', async () => {
        const [id] = await api.insertIds('people', [{ username: 'b-seq', age: 1 }]);
        const res = await api.batch({
          records: [
            { method: 'PUT', tableName: 'people', ID: id, fields: { age: 2 } },
            { method: 'GET', tableName: 'people', ID: id, redaction: 'PLAIN_TEXT' },
            { method: 'DELETE', tableName: 'people', ID: id },
          ],
        });
        expectOk(res);
        expect(res.body.responses[1]).toEqual({ records: [{ fields: { skyflow_id: id, username: 'b-seq', age: 2 } }] });
        expectError(await api.getOne('people', id!), 404);
      });

      it('a failing third operation leaves nothing of the first two (400 in the error shape)', async () => {
        const [id, doomed] = await api.insertIds('people', [{ username: 'b-tx', age: 1 }, { username: 'b-tx-del' }]);
        const res = await api.batch({
          records: [
            {
              method: 'POST',
              tableName: 'people',
              fields: { username: 'b-tx-new', name: 'Never' },
              tokenization: true,
            },
            { method: 'PUT', tableName: 'people', ID: id, fields: { age: 2 } },
            { method: 'DELETE', tableName: 'people', ID: doomed },
            { method: 'POST', tableName: 'people', fields: { username: 'b-tx-bad', ssn: 'invalid' } },
          ],
          continueOnError: false,
        });
        expectError(res, 400, /people\.ssn/);
        expect(await usernameExists('b-tx-new')).toBe(false);
        expect(await usernameExists('b-tx-bad')).toBe(false);
        const [fields] = await api.fields('people', [id!]);
        expect(fields!.age).toBe(1);
        expectOk(await api.getOne('people', doomed!));
      });

      it('a unique clash between two operations of the batch fails it all', async () => {
        const res = await api.batch({
          records: [
            { method: 'POST', tableName: 'people', fields: { username: 'b-clash' } },
            { method: 'POST', tableName: 'people', fields: { username: 'b-clash' } },
          ],
        });
        expectError(res, 400, /people\.username/);
        expect(await usernameExists('b-clash')).toBe(false);
      });

      it('a missing record fails the batch with 404 and rolls back the rest', async () => {
        const res = await api.batch({
          records: [
            { method: 'POST', tableName: 'people', fields: { username: 'b-404' } },
            { method: 'DELETE', tableName: 'people', ID: MISSING },
          ],
        });
        expectError(res, 404);
        expect(await usernameExists('b-404')).toBe(false);
      });

      it('an unknown table fails the batch with 404 before anything runs', async () => {
        const res = await api.batch({
          records: [
            { method: 'POST', tableName: 'people', fields: { username: 'b-notable' } },
            { method: 'POST', tableName: 'nosuchtable', fields: { x: 1 } },
          ],
        });
        expectError(res, 404, /nosuchtable/);
        expect(await usernameExists('b-notable')).toBe(false);
      });

      it.each([
        ['GET without ID', { method: 'GET', tableName: 'people' }, /ID/],
        ['PUT without ID', { method: 'PUT', tableName: 'people', fields: { age: 1 } }, /ID/],
        ['DELETE without ID', { method: 'DELETE', tableName: 'people' }, /ID/],
        ['POST with an ID', { method: 'POST', tableName: 'people', ID: MISSING, fields: { age: 1 } }, /ID/],
      ])('%s is a 400', async (_what, item, message) => {
        const res = await api.batch({
          records: [{ method: 'POST', tableName: 'people', fields: { username: `b-bad-${_what}` } }, item],
        });
        expectError(res, 400, message);
        expect(await usernameExists(`b-bad-${_what}`)).toBe(false);
      });

      it('works across tables, and shares deterministic tokens of a column group within the batch', async () => {
        const res = await api.batch({
          records: [
            { method: 'POST', tableName: 'people', fields: { email: 'batch-grp@example.com' }, tokenization: true },
            { method: 'POST', tableName: 'contacts', fields: { email: 'batch-grp@example.com' }, tokenization: true },
          ],
        });
        expectOk(res);
        const [p, c] = res.body.responses.map((r: any) => r.records[0].tokens.email);
        expect(p).toMatch(/@example\.com$/);
        expect(c).toBe(p);
      });

      it('applies the top-level byot to every operation', async () => {
        const token = '7c5f1b5f-9bad-4e3a-8c8b-2d4e5f6a7b8c';
        const refused = await api.batch({
          records: [{ method: 'POST', tableName: 'people', fields: { name: 'B Byot' }, tokens: { name: token } }],
        });
        expectError(refused, 400, /byot/);
        const res = await api.batch({
          records: [
            {
              method: 'POST',
              tableName: 'people',
              fields: { name: 'B Byot' },
              tokens: { name: token },
              tokenization: true,
            },
          ],
          byot: 'ENABLE',
        });
        expectOk(res);
        expect(res.body.responses[0].records[0].tokens).toEqual({ name: token });
        expect(await api.reveal(token)).toBe('B Byot');
      });

      it('upserts inside a batch', async () => {
        const [id] = await api.insertIds('people', [{ username: 'b-ups', age: 1 }]);
        const res = await api.batch({
          records: [{ method: 'POST', tableName: 'people', fields: { username: 'b-ups', age: 2 }, upsert: 'username' }],
        });
        expectOk(res);
        expect(res.body.responses[0].records[0].skyflow_id).toBe(id);
        const [fields] = await api.fields('people', [id!]);
        expect(fields!.age).toBe(2);
      });
    });

    describe('continueOnError true (per-item Status and Body)', () => {
      it('wraps results as {"Status":200,"Body":…} and failures as {"Status":400,"Body":{"error":…}}, HTTP 200', async () => {
        const [id] = await api.insertIds('people', [{ username: 'c-read', age: 7 }]);
        const res = await api.batch({
          records: [
            { method: 'POST', tableName: 'people', fields: { username: 'c-ok', name: 'Kept' }, tokenization: true },
            { method: 'POST', tableName: 'people', fields: { username: 'c-bad', ssn: 'SECRET-bad' } },
            { method: 'GET', tableName: 'people', ID: id, redaction: 'PLAIN_TEXT' },
            { method: 'GET', tableName: 'people' },
            { method: 'GET', tableName: 'people', ID: MISSING },
            { method: 'PUT', tableName: 'people', ID: id, fields: { age: 8 } },
            { method: 'POST', tableName: 'nosuchtable', fields: { x: 1 } },
          ],
          continueOnError: true,
        });
        expectOk(res);
        expect(res.body.vaultID).toBe(api.vaultId);
        const r = res.body.responses;
        expect(r).toHaveLength(7);
        expect(r[0]).toEqual({
          Status: 200,
          Body: { records: [{ skyflow_id: expect.stringMatching(UUID), tokens: { name: expect.any(String) } }] },
        });
        expect(r[1]).toEqual({ Status: 400, Body: { error: expect.stringMatching(/people\.ssn/) } });
        expect(JSON.stringify(r[1])).not.toContain('SECRET-bad');
        expect(r[2]).toEqual({
          Status: 200,
          Body: { records: [{ fields: { skyflow_id: id, username: 'c-read', age: 7 } }] },
        });
        expect(r[3]).toEqual({ Status: 400, Body: { error: expect.stringMatching(/ID/) } });
        expect(r[4]).toEqual({ Status: 400, Body: { error: expect.any(String) } });
        expect(r[5]).toEqual({ Status: 200, Body: { skyflow_id: id } });
        expect(r[6]).toEqual({ Status: 400, Body: { error: expect.stringMatching(/nosuchtable/) } });
        for (const item of r) expect(typeof item.Status).toBe('number');
        // Successful items are committed; failed ones left nothing.
        expect(await usernameExists('c-ok')).toBe(true);
        expect(await usernameExists('c-bad')).toBe(false);
        expect(await api.reveal(r[0].Body.records[0].tokens.name)).toBe('Kept');
        const [fields] = await api.fields('people', [id!]);
        expect(fields!.age).toBe(8);
      });

      it('answers HTTP 200 even when every item fails', async () => {
        const res = await api.batch({
          records: [
            { method: 'DELETE', tableName: 'people', ID: MISSING },
            { method: 'PUT', tableName: 'people', ID: MISSING, fields: { age: 1 } },
          ],
          continueOnError: true,
        });
        expectOk(res);
        expect(res.body.responses).toEqual([
          { Status: 400, Body: { error: expect.any(String) } },
          { Status: 400, Body: { error: expect.any(String) } },
        ]);
      });

      it('commits each item on its own: a later unique clash does not undo an earlier insert', async () => {
        const res = await api.batch({
          records: [
            { method: 'POST', tableName: 'people', fields: { username: 'c-twin' } },
            { method: 'POST', tableName: 'people', fields: { username: 'c-twin' } },
            { method: 'DELETE', tableName: 'people', ID: MISSING },
          ],
          continueOnError: true,
        });
        expectOk(res);
        expect(res.body.responses.map((r: any) => r.Status)).toEqual([200, 400, 400]);
        expect(res.body.responses[1].Body.error).toMatch(/people\.username/);
        expect(await usernameExists('c-twin')).toBe(true);
      });

      it('accepts Node v2’s insert shape', async () => {
        const res = await api.batch({
          records: [
            { fields: { username: 'v2-a' }, tableName: 'people', tokenization: false, method: 'POST' },
            { fields: { username: 'v2-b', name: 'V Two' }, tableName: 'people', tokenization: true, method: 'POST' },
          ],
          continueOnError: true,
        });
        expectOk(res);
        expect(res.body.responses).toEqual([
          { Status: 200, Body: { records: [{ skyflow_id: expect.stringMatching(UUID) }] } },
          {
            Status: 200,
            Body: { records: [{ skyflow_id: expect.stringMatching(UUID), tokens: { name: expect.any(String) } }] },
          },
        ]);
      });
    });

    describe('Node v1 (skyflow-node 1.14.3) insert shape', () => {
      it('{method, quorum:true, tableName, fields, upsert:"", tokenization:true} inserts and returns tokens', async () => {
        const res = await api.batch({
          records: [
            {
              method: 'POST',
              quorum: true,
              tableName: 'people',
              fields: { username: 'v1-a', email: 'v1@example.com', age: '33' },
              upsert: '',
              tokenization: true,
            },
            { method: 'POST', quorum: true, tableName: 'contacts', fields: { label: 'v1' } },
          ],
          continueOnError: false,
        });
        expectOk(res);
        const [first, second] = res.body.responses;
        expect(first.records[0]).toEqual({
          skyflow_id: expect.stringMatching(UUID),
          tokens: { email: expect.stringMatching(/@example\.com$/) },
        });
        expect(second.records[0]).toEqual({ skyflow_id: expect.stringMatching(UUID) });
        const [fields] = await api.fields('people', [first.records[0].skyflow_id]);
        expect(fields).toMatchObject({ username: 'v1-a', email: 'v1@example.com', age: 33 });
      });

      it('with an upsert column updates the record holding the value', async () => {
        const [id] = await api.insertIds('people', [{ username: 'v1-ups', age: 1 }]);
        const res = await api.batch({
          records: [
            {
              method: 'POST',
              quorum: true,
              tableName: 'people',
              fields: { username: 'v1-ups', age: 2 },
              upsert: 'username',
              tokenization: true,
            },
          ],
          continueOnError: false,
        });
        expectOk(res);
        expect(res.body.responses[0].records[0].skyflow_id).toBe(id);
      });
    });

    describe('request errors', () => {
      it('refuses an empty batch, more than 25 operations, and unknown methods (400)', async () => {
        expectError(await api.batch({ records: [] }), 400);
        const many = Array.from({ length: 26 }, (_, i) => ({
          method: 'POST',
          tableName: 'people',
          fields: { username: `b-many-${i}` },
        }));
        expectError(await api.batch({ records: many }), 400, /25/);
        expect(await usernameExists('b-many-0')).toBe(false);
        expectError(await api.batch({ records: [{ method: 'PATCH', tableName: 'people' }] }), 400);
        expectError(await api.batch({ records: [{ method: 'POST' }] }), 400);
        expectError(await api.batch({}), 400);
      });

      it('answers 404 for an unknown vault', async () => {
        const other = new DataApi(t, 'e'.repeat(32));
        expectError(
          await other.batch({ records: [{ method: 'POST', tableName: 'people', fields: { username: 'x' } }] }),
          404,
        );
      });
    });
  });
}
