import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  createVault,
  DataApi,
  expectError,
  expectOk,
  PEOPLE_TABLES,
  STORES,
  TOKENIZED_PEOPLE_COLUMNS,
  UUID,
  UUID_V4,
} from './helpers.js';

for (const store of STORES) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`Data API: insert (${store})`, () => {
    let t: TestServer;
    let api: DataApi;

    beforeAll(async () => {
      t = await startTestServer({ store });
      api = new DataApi(t, await createVault(t, 'insert', PEOPLE_TABLES));
    });
    afterAll(async () => {
      await t?.close();
    });

    /** IDs of the records whose username is one of `names` (empty when none). */
    async function idsByUsername(...names: string[]): Promise<string[]> {
      const res = await api.get('people', { column_name: 'username', column_values: names, redaction: 'PLAIN_TEXT' });
      if (res.status === 404) return [];
      expectOk(res);
      return res.body.records.map((r: any) => r.fields.skyflow_id);
    }

    describe('responses', () => {
      it('answers one skyflow_id per record, in request order, and no tokens without tokenization', async () => {
        const res = await api.insert('people', [
          { username: 'order-a' },
          { username: 'order-b' },
          { username: 'order-c' },
        ]);
        expectOk(res);
        expect(res.body.records).toHaveLength(3);
        for (const record of res.body.records) expect(record).toEqual({ skyflow_id: expect.stringMatching(UUID) });
        const ids = res.body.records.map((r: any) => r.skyflow_id);
        expect(new Set(ids).size).toBe(3);
        const fields = await api.fields('people', ids);
        expect(fields.map((f) => f.username)).toEqual(['order-a', 'order-b', 'order-c']);
        // Read back in the opposite order: get follows the order of the requested IDs.
        const reversed = await api.fields('people', [...ids].reverse());
        expect(reversed.map((f) => f.username)).toEqual(['order-c', 'order-b', 'order-a']);
      });

      it('tokenization:false (explicit) returns no tokens either', async () => {
        const res = await api.insert('people', [{ name: 'Tokenless', username: 'tok-false' }], { tokenization: false });
        expectOk(res);
        expect(res.body.records[0]).toEqual({ skyflow_id: expect.stringMatching(UUID) });
      });

      it('tokenization:true returns tokens for exactly the tokenized columns that were written', async () => {
        const res = await api.insert(
          'people',
          [
            { name: 'Ada Lovelace', email: 'ada@example.com', age: 36, note: 'x', username: 'ada' },
            { ssn: '123-45-6789', username: 'no-name' },
            { username: 'nothing-tokenized', age: 1 },
          ],
          { tokenization: true },
        );
        expectOk(res);
        const [a, b, c] = res.body.records;
        expect(Object.keys(a.tokens).sort()).toEqual(['email', 'name']);
        expect(a.tokens.name).toMatch(UUID_V4);
        expect(a.tokens.email).toMatch(/@example\.com$/);
        expect(Object.keys(b.tokens)).toEqual(['ssn']);
        // A record without tokenized values carries no tokens object at all.
        expect(c).toEqual({ skyflow_id: expect.stringMatching(UUID) });
      });

      it('every tokenized column of the schema gets a token, and no other column does', async () => {
        const res = await api.insert(
          'people',
          [
            {
              name: 'Grace Hopper',
              email: 'grace@navy.mil',
              ssn: '321-54-9876',
              card: '4111111111111111',
              phone: '+1 555 123 4567',
              account: 'ACC-99887766',
              code: 'AB-1234',
              ref: 'anything',
              nick: 'amazing grace',
              member: 'M-1',
              otp: '123456',
              pin: 1234,
              age: 85,
              balance: 10,
              score: 9.5,
              active: true,
              born: '1906-12-09',
              profile: { rank: 'Rear Admiral' },
              note: 'COBOL',
              username: 'grace',
            },
          ],
          { tokenization: true },
        );
        expectOk(res);
        expect(Object.keys(res.body.records[0].tokens).sort()).toEqual([...TOKENIZED_PEOPLE_COLUMNS].sort());
        for (const token of Object.values(res.body.records[0].tokens)) expect(typeof token).toBe('string');
      });
    });

    describe('values and datatypes', () => {
      it('keeps datatypes: numbers, booleans, dates and JSON come back as they went in', async () => {
        const profile = { tags: ['a', 'b'], nested: { n: 1.5, ok: false, none: null } };
        const [id] = await api.insertIds('people', [
          {
            username: 'typed',
            age: 42,
            balance: 9_007_199_254_740_991,
            pin: 7,
            score: 0.125,
            active: false,
            born: '1990-04-15',
            profile,
          },
        ]);
        const [fields] = await api.fields('people', [id!]);
        expect(fields).toEqual({
          skyflow_id: id,
          username: 'typed',
          age: 42,
          balance: 9_007_199_254_740_991,
          pin: 7,
          score: 0.125,
          active: false,
          born: '1990-04-15',
          profile,
        });
      });

      it('accepts numeric strings for numeric columns and "true"/"false" for booleans, storing them typed', async () => {
        const [id] = await api.insertIds('people', [
          { username: 'strings', age: '42', balance: '-12', score: '2.5e1', pin: '0012', active: 'true' },
        ]);
        const [fields] = await api.fields('people', [id!]);
        expect(fields).toMatchObject({ age: 42, balance: -12, score: 25, pin: 12, active: true });
        expect(typeof fields!.age).toBe('number');
      });

      it('a value breaking the validation regex is a 400 naming the column, never echoing the value', async () => {
        const secret = 'SSN-SECRET-4242';
        const res = await api.insert('people', [{ ssn: secret, username: 'bad-ssn' }]);
        expectError(res, 400, /people\.ssn/);
        expect(res.text).not.toContain(secret);
        expect(res.body.error.message).toMatch(/validation pattern/);
        expect(t.logs()).not.toContain(secret);
      });

      it.each([
        ['age', 'forty-two-SECRET', /people\.age.*whole number/],
        ['age', 1.5, /people\.age.*whole number/],
        ['age', 2 ** 31, /people\.age.*32-bit/],
        ['balance', 2 ** 53, /people\.balance/],
        ['score', 'NaN-SECRET', /people\.score.*number/],
        ['active', 'yes-SECRET', /people\.active.*true or false/],
        ['born', '1990-02-30', /people\.born.*date/],
        ['born', 19900215, /people\.born.*date/],
        ['name', 12345, /people\.name.*string/],
        ['email', 'not-an-email-SECRET', /people\.email.*validation/],
        ['card', '4111-SECRET', /people\.card.*validation/],
      ])('%s = %j is a 400 naming the column and the rule', async (column, value, message) => {
        const res = await api.insert('people', [{ [column]: value, username: `bad-${column}` }]);
        expectError(res, 400, message);
        if (typeof value === 'string') expect(res.text).not.toContain(value);
        expect(res.body.error.details).toEqual([{ column: `people.${column}`, problem: expect.any(String) }]);
      });

      it('stores nothing when the third of three records is invalid', async () => {
        const res = await api.insert('people', [
          { username: 'half-1', email: 'half1@example.com', name: 'Half One' },
          { username: 'half-2', email: 'half2@example.com', name: 'Half Two' },
          { username: 'half-3', ssn: 'nope' },
        ]);
        expectError(res, 400, /people\.ssn/);
        expect(await idsByUsername('half-1', 'half-2', 'half-3')).toEqual([]);
        const byEmail = await api.get('people', { column_name: 'email', column_values: ['half1@example.com'] });
        expectError(byEmail, 404);
        // The deterministic email value got no token either.
        const tokenize = await api.tokenize([{ value: 'half1@example.com', columnGroup: 'emails' }]);
        expectError(tokenize, 404);
        // And the same records go in once fixed.
        const fixed = await api.insert('people', [
          { username: 'half-1', email: 'half1@example.com' },
          { username: 'half-2', email: 'half2@example.com' },
          { username: 'half-3', ssn: '111-22-3333' },
        ]);
        expectOk(fixed);
      });

      it('skips null values: they are not stored and the record is still created', async () => {
        const res = await api.insert(
          'people',
          [{ username: 'nulls', note: null, age: null, name: null, email: null }],
          { tokenization: true },
        );
        expectOk(res);
        expect(res.body.records[0]).toEqual({ skyflow_id: expect.stringMatching(UUID) });
        const [fields] = await api.fields('people', [res.body.records[0].skyflow_id]);
        expect(fields).toEqual({ skyflow_id: res.body.records[0].skyflow_id, username: 'nulls' });
      });
    });

    describe('unique columns and upsert', () => {
      it('refuses a value of a unique column that another record holds (400), storing nothing', async () => {
        await api.insertIds('people', [{ username: 'taken', age: 1 }]);
        const res = await api.insert('people', [{ username: 'fresh-unique' }, { username: 'taken', age: 2 }]);
        expectError(res, 400, /people\.username/);
        expect(res.text).not.toContain('taken');
        expect(await idsByUsername('fresh-unique')).toEqual([]);
      });

      it('refuses two records of one request sharing a unique value (400)', async () => {
        const res = await api.insert('people', [{ username: 'twin' }, { username: 'twin' }]);
        expectError(res, 400, /people\.username/);
        expect(await idsByUsername('twin')).toEqual([]);
      });

      it('enforces uniqueness on a tokenized unique column too', async () => {
        await api.insertIds('people', [{ email: 'unique@example.com', username: 'u-email-1' }]);
        const res = await api.insert('people', [{ email: 'unique@example.com', username: 'u-email-2' }]);
        expectError(res, 400, /people\.email/);
        expect(res.text).not.toContain('unique@example.com');
      });

      it('upsert updates the record holding the unique value (same skyflow_id) and inserts otherwise', async () => {
        const [existing] = await api.insertIds('people', [{ username: 'ups', age: 1, note: 'kept', name: 'Old' }]);
        const res = await api.insert(
          'people',
          [
            { username: 'ups', age: 2, name: 'New' },
            { username: 'ups-new', age: 3 },
          ],
          { upsert: 'username', tokenization: true },
        );
        expectOk(res);
        const [updated, inserted] = res.body.records;
        expect(updated.skyflow_id).toBe(existing);
        expect(updated.tokens).toEqual({ name: expect.stringMatching(UUID_V4) });
        expect(inserted.skyflow_id).not.toBe(existing);
        expect(inserted.skyflow_id).toMatch(UUID);
        const [a, b] = await api.fields('people', [existing!, inserted.skyflow_id]);
        // Replace per field: the fields given are replaced, the others kept.
        expect(a).toEqual({ skyflow_id: existing, username: 'ups', age: 2, name: 'New', note: 'kept' });
        expect(b).toEqual({ skyflow_id: inserted.skyflow_id, username: 'ups-new', age: 3 });
        expect(await idsByUsername('ups')).toEqual([existing]);
      });

      it('upsert on a tokenized unique column keeps the deterministic token of the value', async () => {
        const [first] = await api.insertTokens('people', [{ email: 'upsert@example.com', age: 10 }]);
        const res = await api.insert('people', [{ email: 'upsert@example.com', age: 11 }], {
          upsert: 'email',
          tokenization: true,
        });
        expectOk(res);
        expect(res.body.records[0]).toEqual({ skyflow_id: first!.skyflow_id, tokens: first!.tokens });
        expect(await api.reveal(first!.tokens.email!)).toBe('upsert@example.com');
        const [fields] = await api.fields('people', [first!.skyflow_id]);
        expect(fields!.age).toBe(11);
      });

      it('upsert refuses two records of the request with the same value (400)', async () => {
        const res = await api.insert('people', [{ username: 'ups-twin' }, { username: 'ups-twin' }], {
          upsert: 'username',
        });
        expectError(res, 400, /username/);
        expect(await idsByUsername('ups-twin')).toEqual([]);
      });

      it.each([
        ['a non-unique column', 'note'],
        ['an unknown column', 'nonexistent'],
        ['skyflow_id', 'skyflow_id'],
      ])('upsert on %s is a 400', async (_what, column) => {
        const res = await api.insert('people', [{ username: `ups-${column}`, note: 'n' }], { upsert: column });
        expectError(res, 400, /upsert/);
        expect(await idsByUsername(`ups-${column}`)).toEqual([]);
      });

      it('upsert without a value for the upsert column is a 400', async () => {
        const res = await api.insert('people', [{ note: 'no username' }], { upsert: 'username' });
        expectError(res, 400, /people\.username/);
      });

      it('an empty upsert string means no upsert (as Node v1 sends it)', async () => {
        const res = await api.insert('people', [{ username: 'empty-upsert' }], { upsert: '' });
        expectOk(res);
      });
    });

    describe('homogeneous', () => {
      it('accepts records with the same fields in any key order', async () => {
        const res = await api.insert(
          'people',
          [
            { username: 'homo-1', age: 1 },
            { age: 2, username: 'homo-2' },
          ],
          { homogeneous: true },
        );
        expectOk(res);
      });

      it('refuses records with different fields (400), storing nothing', async () => {
        const res = await api.insert('people', [{ username: 'hetero-1', age: 1 }, { username: 'hetero-2' }], {
          homogeneous: true,
        });
        expectError(res, 400, /homogeneous/);
        expect(await idsByUsername('hetero-1', 'hetero-2')).toEqual([]);
      });

      it('cannot be combined with upsert (400)', async () => {
        const res = await api.insert('people', [{ username: 'homo-ups' }], { homogeneous: true, upsert: 'username' });
        expectError(res, 400, /homogeneous.*upsert/);
        expect(await idsByUsername('homo-ups')).toEqual([]);
      });
    });

    describe('bring your own token (byot)', () => {
      const ownToken = '0b8e4a8e-2a3c-4d6f-9b1a-5c7d8e9f0a1b';

      it('refuses tokens when byot is DISABLE, explicitly or by default (400)', async () => {
        for (const byot of ['DISABLE', undefined] as const) {
          const res = await api.insert(
            'people',
            [{ fields: { name: 'Byot', username: `byot-off-${byot}` }, tokens: { name: ownToken } }],
            byot ? { byot } : {},
          );
          expectError(res, 400, /byot/);
          expect(await idsByUsername(`byot-off-${byot}`)).toEqual([]);
        }
      });

      it('ENABLE stores a supplied token: get with tokenization returns it and it detokenizes', async () => {
        const res = await api.insert(
          'people',
          [
            {
              fields: { name: 'Own Token', email: 'own@example.com', username: 'byot-on' },
              tokens: { name: ownToken },
            },
          ],
          { byot: 'ENABLE', tokenization: true },
        );
        expectOk(res);
        const record = res.body.records[0];
        expect(record.tokens.name).toBe(ownToken);
        // A column without a supplied token gets a generated one.
        expect(record.tokens.email).toMatch(/@example\.com$/);
        const got = await api.get('people', { skyflow_ids: [record.skyflow_id], tokenization: 'true' });
        expectOk(got);
        expect(got.body.records[0].fields).toMatchObject({ name: ownToken, email: record.tokens.email });
        expect(await api.reveal(ownToken)).toBe('Own Token');
      });

      it('refuses a supplied token that is already in use (400)', async () => {
        const res = await api.insert(
          'people',
          [{ fields: { name: 'Someone Else', username: 'byot-reuse' }, tokens: { name: ownToken } }],
          { byot: 'ENABLE' },
        );
        expectError(res, 400, /people\.name.*in use/);
        expect(await idsByUsername('byot-reuse')).toEqual([]);
        expect(await api.reveal(ownToken)).toBe('Own Token');
      });

      it('refuses the same supplied token for two values of one request (400)', async () => {
        const token = '1c9f5b9f-3b4d-4e7a-8c2b-6d8e9f0a1b2c';
        const res = await api.insert(
          'people',
          [
            { fields: { name: 'First', username: 'byot-dup-1' }, tokens: { name: token } },
            { fields: { name: 'Second', username: 'byot-dup-2' }, tokens: { name: token } },
          ],
          { byot: 'ENABLE' },
        );
        expectError(res, 400, /in use/);
        expect(await api.reveal(token)).toBeUndefined();
      });

      it.each([
        ['name', 'not-a-uuid', /people\.name.*UUID/],
        ['ssn', '12-345-678', /people\.ssn.*format_preserving_regex/],
        ['ref', 'REF-abcd-123', /people\.ref.*format_preserving_regex/],
        ['phone', '55_1234', /people\.phone.*token_prefix/],
        ['name', '', /people\.name.*empty/],
      ])('refuses a supplied %s token of the wrong shape (%j) with a 400', async (column, token, message) => {
        const values: Record<string, string> = {
          name: 'Shape',
          ssn: '555-66-7777',
          ref: 'r',
          phone: '+1 555 000 1111',
        };
        const res = await api.insert(
          'people',
          [{ fields: { [column]: values[column], username: `byot-shape-${column}` }, tokens: { [column]: token } }],
          { byot: 'ENABLE' },
        );
        expectError(res, 400, message);
        expect(await idsByUsername(`byot-shape-${column}`)).toEqual([]);
      });

      it('refuses a token for a column that is not tokenized, or a token without its value (400)', async () => {
        const notTokenized = await api.insert(
          'people',
          [{ fields: { username: 'byot-plain' }, tokens: { username: 'tok' } }],
          { byot: 'ENABLE' },
        );
        expectError(notTokenized, 400, /username.*not tokenized/);
        const withoutValue = await api.insert(
          'people',
          [{ fields: { username: 'byot-novalue' }, tokens: { name: '2d0a6c0a-4c5e-4f8b-9d3c-7e9f0a1b2c3d' } }],
          { byot: 'ENABLE' },
        );
        expectError(withoutValue, 400, /people\.name/);
      });

      it('ENABLE_STRICT refuses a record missing a token for one of its fields (400)', async () => {
        const res = await api.insert(
          'people',
          [
            {
              fields: { name: 'Strict', email: 'strict@example.com' },
              tokens: { name: '3e1b7d1b-5d6f-4a9c-8e4d-8f0a1b2c3d4e' },
            },
          ],
          { byot: 'ENABLE_STRICT' },
        );
        expectError(res, 400, /ENABLE_STRICT.*people\.email/);
        expect(await api.reveal('3e1b7d1b-5d6f-4a9c-8e4d-8f0a1b2c3d4e')).toBeUndefined();
      });

      it('ENABLE_STRICT stores records whose every field has its token', async () => {
        const tokens = { name: '4f2c8e2c-6e7a-4b0d-9f5e-9a1b2c3d4e5f', ssn: '999-88-7777' };
        const res = await api.insert('people', [{ fields: { name: 'Strict Two', ssn: '111-11-1111' }, tokens }], {
          byot: 'ENABLE_STRICT',
          tokenization: true,
        });
        expectOk(res);
        expect(res.body.records[0].tokens).toEqual(tokens);
        expect(await api.reveal(tokens.ssn)).toBe('111-11-1111');
      });

      it('refuses a supplied token for a deterministic value that already has another token (400)', async () => {
        const [first] = await api.insertTokens('people', [{ ssn: '222-33-4444' }]);
        const res = await api.insert(
          'people',
          [{ fields: { ssn: '222-33-4444', username: 'byot-det' }, tokens: { ssn: '000-00-0001' } }],
          { byot: 'ENABLE' },
        );
        expectError(res, 400, /people\.ssn/);
        // Supplying the value's own deterministic token is fine.
        const same = await api.insert(
          'people',
          [{ fields: { ssn: '222-33-4444', username: 'byot-det' }, tokens: { ssn: first!.tokens.ssn } }],
          { byot: 'ENABLE', tokenization: true },
        );
        expectOk(same);
        expect(same.body.records[0].tokens.ssn).toBe(first!.tokens.ssn);
      });
    });

    describe('concurrent requests', () => {
      const parallel = <T>(n: number, fn: (i: number) => Promise<T>) =>
        Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

      it('of the same unique value: exactly one succeeds, the others are 400s (never 5xx)', async () => {
        for (let round = 0; round < 3; round++) {
          const results = await parallel(6, () => api.insert('people', [{ username: `race-${round}` }]));
          const statuses = results.map((r) => r.status).sort();
          expect(statuses).toEqual([200, 400, 400, 400, 400, 400]);
          for (const res of results.filter((r) => r.status === 400)) expectError(res, 400, /people\.username/);
          expect(await idsByUsername(`race-${round}`)).toHaveLength(1);
        }
      });

      it('of the same new deterministic value: all succeed with one shared token', async () => {
        for (let round = 0; round < 3; round++) {
          const email = `race-${round}@example.com`;
          const results = await parallel(6, () => api.insert('contacts', [{ email }], { tokenization: true }));
          expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
          const tokens = new Set(results.map((r) => r.body.records[0].tokens.email));
          expect(tokens.size).toBe(1);
          expect(await api.reveal([...tokens][0]!)).toBe(email);
        }
      });

      it('upserting the same new unique value: one record, every request answers its ID', async () => {
        const results = await parallel(5, (i) =>
          api.insert('people', [{ username: 'race-upsert', age: i }], { upsert: 'username' }),
        );
        expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
        const ids = new Set(results.map((r) => r.body.records[0].skyflow_id));
        expect(ids.size).toBe(1);
        expect(await idsByUsername('race-upsert')).toEqual([...ids]);
      });
    });

    describe('request errors', () => {
      it('refuses an unknown column (400 naming it), storing nothing', async () => {
        const res = await api.insert('people', [{ username: 'unknown-col', shoe_size: 44 }]);
        expectError(res, 400, /shoe_size/);
        expect(await idsByUsername('unknown-col')).toEqual([]);
      });

      it('refuses skyflow_id among the fields (400)', async () => {
        const res = await api.insert('people', [
          { skyflow_id: '5a3d9f3d-7f8b-4c1e-8a6f-0b2c3d4e5f6a', username: 'own-id' },
        ]);
        expectError(res, 400, /skyflow_id/);
        expect(await idsByUsername('own-id')).toEqual([]);
      });

      it('refuses a value for a DT_FILE_TYPE column (400: files go through the files endpoints)', async () => {
        const res = await api.insert('people', [{ username: 'file', photo: 'aGVsbG8=' }]);
        expectError(res, 400, /people\.photo.*files/);
        expect(await idsByUsername('file')).toEqual([]);
      });

      it('takes 25 records but refuses 26 (400), storing nothing', async () => {
        const records = (n: number, prefix: string) =>
          Array.from({ length: n }, (_, i) => ({ username: `${prefix}-${i}` }));
        const ok = await api.insert('people', records(25, 'batch25'));
        expectOk(ok);
        expect(ok.body.records).toHaveLength(25);
        const tooMany = await api.insert('people', records(26, 'batch26'));
        expectError(tooMany, 400, /25/);
        expect(await idsByUsername('batch26-0', 'batch26-25')).toEqual([]);
      });

      it('refuses an empty or malformed records list (400)', async () => {
        for (const body of [
          { records: [] },
          {},
          { records: [{}] },
          { records: [{ fields: 'x' }] },
          { records: 'x' },
          { records: [{ fields: {} }], byot: 'SOMETIMES' },
          { records: [{ fields: {} }], tokenization: 'yes' },
        ]) {
          const res = await t.request('POST', `/v1/vaults/${api.vaultId}/people`, { body });
          expectError(res, 400);
        }
      });

      it('answers 404 for an unknown table or vault', async () => {
        expectError(await api.insert('nosuchtable', [{ a: 1 }]), 404, /nosuchtable/);
        const other = new DataApi(t, 'f'.repeat(32));
        expectError(await other.insert('people', [{ username: 'x' }]), 404);
      });

      it('tolerates unknown request fields and nulls for optional ones (as Python sends)', async () => {
        const res = await t.request('POST', `/v1/vaults/${api.vaultId}/people`, {
          body: {
            records: [{ fields: { username: 'tolerant' }, tokens: null }],
            tokenization: null,
            upsert: null,
            homogeneous: false,
            byot: 'DISABLE',
            somethingNew: { x: 1 },
          },
        });
        expectOk(res);
        expect(res.body.records[0]).toEqual({ skyflow_id: expect.stringMatching(UUID) });
      });
    });
  });
}
