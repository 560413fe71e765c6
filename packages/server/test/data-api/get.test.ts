import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createVault, DataApi, dlp, expectError, expectOk, field, PEOPLE_TABLES, STORES, UUID } from './helpers.js';

const JON = {
  name: 'Jonathan Smith',
  email: 'jon@example.com',
  ssn: '123-45-6789',
  card: '4111111111111111',
  phone: '+1 555 123 4567',
  member: 'M-100',
  age: 30,
  note: 'secret note',
  username: 'jon',
  born: '1990-04-15',
  profile: { likes: ['tea'] },
};
const MARY = {
  name: 'Mary Major',
  email: 'mary+vip@example.org',
  ssn: '987-65-4321',
  age: 30,
  username: 'mary & co/?',
};

for (const store of STORES) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`Data API: get (${store})`, () => {
    let t: TestServer;
    let api: DataApi;
    let jon: { skyflow_id: string; tokens: Record<string, string> };
    let mary: { skyflow_id: string; tokens: Record<string, string> };
    let pageIds: string[];

    beforeAll(async () => {
      t = await startTestServer({ store });
      api = new DataApi(
        t,
        await createVault(t, 'get', [
          ...PEOPLE_TABLES,
          { name: 'pages', fields: [field('n', 'DT_INT32', dlp('PLAIN_TEXT'))] },
        ]),
      );
      [jon, mary] = (await api.insertTokens('people', [JON, MARY])) as [typeof jon, typeof mary];
      pageIds = [
        ...(await api.insertIds(
          'pages',
          Array.from({ length: 15 }, (_, n) => ({ n })),
        )),
        ...(await api.insertIds(
          'pages',
          Array.from({ length: 15 }, (_, n) => ({ n: n + 15 })),
        )),
      ];
    });
    afterAll(async () => {
      await t?.close();
    });

    describe('by skyflow_ids', () => {
      it('puts skyflow_id inside fields, and nothing beside fields', async () => {
        const res = await api.get('people', { skyflow_ids: [jon.skyflow_id], redaction: 'PLAIN_TEXT' });
        expectOk(res);
        expect(res.body).toEqual({ records: [{ fields: { skyflow_id: jon.skyflow_id, ...JON } }] });
      });

      it('applies each column’s default redaction with DEFAULT, and DEFAULT is the default', async () => {
        const expected = {
          skyflow_id: jon.skyflow_id,
          name: 'J***th', // MASK with the column's patterns
          email: 'j******n@example.com',
          ssn: 'XXX-XX-6789',
          card: 'XXXXXXXXXXXX1111', // MASK without patterns: the built-in card mask
          phone: '*REDACTED*', // REDACT
          member: '*REDACTED*',
          age: 30, // PLAIN_TEXT keeps the number
          note: '*REDACTED*', // no default_dlp_policy: REDACT
          username: 'jon',
          born: 'XXXX-04-15', // built-in date mask
          profile: { likes: ['tea'] },
        };
        for (const query of [{ redaction: 'DEFAULT' }, {}]) {
          const res = await api.get('people', { skyflow_ids: [jon.skyflow_id], ...query });
          expectOk(res);
          expect(res.body.records[0].fields).toEqual(expected);
        }
      });

      it('REDACTED redacts every column of every datatype, but never skyflow_id', async () => {
        const res = await api.get('people', { skyflow_ids: [jon.skyflow_id], redaction: 'REDACTED' });
        expectOk(res);
        const { skyflow_id, ...rest } = res.body.records[0].fields;
        expect(skyflow_id).toBe(jon.skyflow_id);
        expect(Object.keys(rest).sort()).toEqual(Object.keys(JON).sort());
        for (const value of Object.values(rest)) expect(value).toBe('*REDACTED*');
      });

      it('MASKED masks every column and never shows a whole value', async () => {
        const res = await api.get('people', { skyflow_ids: [jon.skyflow_id], redaction: 'MASKED' });
        expectOk(res);
        const fields = res.body.records[0].fields;
        expect(fields).toMatchObject({
          skyflow_id: jon.skyflow_id,
          name: 'J***th',
          email: 'j******n@example.com',
          ssn: 'XXX-XX-6789',
          card: 'XXXXXXXXXXXX1111',
          born: 'XXXX-04-15',
          profile: '*REDACTED*',
        });
        for (const [column, value] of Object.entries(JON)) {
          expect(typeof fields[column], column).toBe('string');
          expect(fields[column], column).not.toContain(typeof value === 'string' ? value : JSON.stringify(value));
        }
      });

      it('tokenization=true puts the tokens of tokenized columns in fields, other columns as redacted', async () => {
        const res = await api.get('people', { skyflow_ids: [jon.skyflow_id], tokenization: 'true' });
        expectOk(res);
        expect(res.body.records).toEqual([
          {
            fields: {
              skyflow_id: jon.skyflow_id,
              ...jon.tokens,
              age: 30,
              note: '*REDACTED*',
              username: 'jon',
            },
          },
        ]);
        expect(Object.keys(jon.tokens).sort()).toEqual(
          ['name', 'email', 'ssn', 'card', 'phone', 'member', 'born', 'profile'].sort(),
        );
      });

      it('reads repeated query keys as lists (skyflow_ids=a&skyflow_ids=b, fields=x&fields=y)', async () => {
        const res = await api.get(
          'people',
          `?skyflow_ids=${mary.skyflow_id}&skyflow_ids=${jon.skyflow_id}&fields=username&fields=age&redaction=PLAIN_TEXT`,
        );
        expectOk(res);
        expect(res.body.records).toEqual([
          { fields: { skyflow_id: mary.skyflow_id, username: MARY.username, age: 30 } },
          { fields: { skyflow_id: jon.skyflow_id, username: 'jon', age: 30 } },
        ]);
      });

      it('fields=skyflow_id alone returns just the IDs', async () => {
        const res = await api.get('people', { skyflow_ids: [jon.skyflow_id], fields: ['skyflow_id'] });
        expectOk(res);
        expect(res.body.records).toEqual([{ fields: { skyflow_id: jon.skyflow_id } }]);
      });

      it('treats an empty column_name= as absent (what Node v2 sends with ids)', async () => {
        const res = await api.get('people', `?skyflow_ids=${jon.skyflow_id}&column_name=&redaction=PLAIN_TEXT`);
        expectOk(res);
        expect(res.body.records.map((r: any) => r.fields.username)).toEqual(['jon']);
      });

      it('tolerates Content-Type: application/json without a body on GET (Node v2)', async () => {
        const res = await t.request('GET', `/v1/vaults/${api.vaultId}/people?skyflow_ids=${jon.skyflow_id}`, {
          headers: { 'content-type': 'application/json' },
        });
        expectOk(res);
        expect(res.body.records).toHaveLength(1);
      });

      it('tolerates downloadURL and returnFileMetadata flags', async () => {
        const res = await api.get('people', {
          skyflow_ids: [jon.skyflow_id],
          downloadURL: 'false',
          returnFileMetadata: 'false',
        });
        expectOk(res);
      });

      it('leaves out IDs that do not exist, and answers 404 when none does', async () => {
        const missing = '00000000-0000-4000-8000-000000000000';
        const some = await api.get('people', { skyflow_ids: [missing, jon.skyflow_id], fields: ['username'] });
        expectOk(some);
        expect(some.body.records).toEqual([{ fields: { skyflow_id: jon.skyflow_id, username: 'jon' } }]);
        expectError(await api.get('people', { skyflow_ids: [missing] }), 404);
        // A record of another table is not a record of this one.
        expectError(await api.get('pages', { skyflow_ids: [jon.skyflow_id] }), 404);
      });

      it('refuses an unknown field (400 naming it)', async () => {
        const res = await api.get('people', { skyflow_ids: [jon.skyflow_id], fields: ['username', 'shoe_size'] });
        expectError(res, 400, /shoe_size/);
      });

      it('refuses an unknown redaction level (400)', async () => {
        expectError(await api.get('people', { skyflow_ids: [jon.skyflow_id], redaction: 'SOME' }), 400);
        expectError(await api.get('people', { skyflow_ids: [jon.skyflow_id], redaction: 'plain_text' }), 400);
      });

      it('answers 404 for an unknown table', async () => {
        expectError(await api.get('nosuch', { skyflow_ids: [jon.skyflow_id] }), 404, /nosuch/);
      });
    });

    describe('by column_name and column_values', () => {
      it('finds records by values of a unique column, URL-encoded as Node v1 sends them (dangling &)', async () => {
        const values = [MARY.email, JON.email].map(encodeURIComponent);
        const res = await api.get(
          'people',
          `?column_name=email&column_values=${values[0]}&column_values=${values[1]}&redaction=PLAIN_TEXT&`,
        );
        expectOk(res);
        expect(res.body.records.map((r: any) => r.fields.skyflow_id)).toEqual([mary.skyflow_id, jon.skyflow_id]);
        expect(res.body.records[0].fields.email).toBe(MARY.email);
      });

      it('finds values holding &, / and ? when encoded', async () => {
        const res = await api.get(
          'people',
          `?column_name=username&column_values=${encodeURIComponent(MARY.username)}&fields=username`,
        );
        expectOk(res);
        expect(res.body.records).toEqual([{ fields: { skyflow_id: mary.skyflow_id, username: MARY.username } }]);
      });

      it('looks up EXACT_MATCH columns too, reading the text as the column’s type', async () => {
        const byAge = await api.get('people', { column_name: 'age', column_values: ['30'], fields: ['username'] });
        expectOk(byAge);
        expect(byAge.body.records.map((r: any) => r.fields.skyflow_id).sort()).toEqual(
          [jon.skyflow_id, mary.skyflow_id].sort(),
        );
        const byName = await api.get('people', { column_name: 'name', column_values: [JON.name] });
        expectOk(byName);
        expect(byName.body.records.map((r: any) => r.fields.skyflow_id)).toEqual([jon.skyflow_id]);
      });

      it('returns each record once even when several values match it', async () => {
        const res = await api.get('people', {
          column_name: 'email',
          column_values: [JON.email, JON.email],
          fields: ['username'],
        });
        expectOk(res);
        expect(res.body.records).toHaveLength(1);
      });

      it('redacts and filters fields like a get by ID', async () => {
        const res = await api.get('people', { column_name: 'email', column_values: [JON.email], fields: ['ssn'] });
        expectOk(res);
        expect(res.body.records).toEqual([{ fields: { skyflow_id: jon.skyflow_id, ssn: 'XXX-XX-6789' } }]);
      });

      it('answers 404 when no record holds any of the values (or a value the column could never hold)', async () => {
        expectError(await api.get('people', { column_name: 'email', column_values: ['nobody@example.com'] }), 404);
        expectError(await api.get('people', { column_name: 'age', column_values: ['not-a-number'] }), 404);
      });

      it('refuses a column that is neither unique nor EXACT_MATCH (400)', async () => {
        const res = await api.get('people', { column_name: 'note', column_values: ['secret note'] });
        expectError(res, 400, /people\.note.*cannot be looked up/);
        expect(res.text).not.toContain('secret note');
      });

      it('refuses skyflow_ids together with column_name (400)', async () => {
        const res = await api.get('people', {
          skyflow_ids: [jon.skyflow_id],
          column_name: 'email',
          column_values: [JON.email],
        });
        expectError(res, 400, /skyflow_ids.*column_name/);
      });

      it('refuses column_name without column_values and column_values without column_name (400)', async () => {
        expectError(await api.get('people', { column_name: 'email' }), 400, /column_values/);
        expectError(await api.get('people', { column_values: [JON.email] }), 400, /column_name/);
      });

      it('refuses an unknown column (400)', async () => {
        expectError(await api.get('people', { column_name: 'shoe_size', column_values: ['1'] }), 400, /shoe_size/);
      });
    });

    describe('pages of a table', () => {
      const sorted = () => [...pageIds].sort();

      it('without IDs returns the first 25 records in skyflow_id order', async () => {
        const res = await api.get('pages');
        expectOk(res);
        expect(res.body.records.map((r: any) => r.fields.skyflow_id)).toEqual(sorted().slice(0, 25));
        for (const record of res.body.records) expect(record.fields.skyflow_id).toMatch(UUID);
      });

      it('pages with offset and limit', async () => {
        const page = await api.get('pages', { offset: 5, limit: 10 });
        expectOk(page);
        expect(page.body.records.map((r: any) => r.fields.skyflow_id)).toEqual(sorted().slice(5, 15));
        const last = await api.get('pages', { offset: 25, limit: 25 });
        expect(last.body.records.map((r: any) => r.fields.skyflow_id)).toEqual(sorted().slice(25));
        const beyond = await api.get('pages', { offset: 100 });
        expectOk(beyond);
        expect(beyond.body.records).toEqual([]);
      });

      it('pages backwards with order_by=DESCENDING', async () => {
        const res = await api.get('pages', { order_by: 'DESCENDING', limit: 7, offset: 2 });
        expectOk(res);
        expect(res.body.records.map((r: any) => r.fields.skyflow_id)).toEqual(sorted().reverse().slice(2, 9));
        const asc = await api.get('pages', { order_by: 'ASCENDING', limit: 3 });
        expect(asc.body.records.map((r: any) => r.fields.skyflow_id)).toEqual(sorted().slice(0, 3));
      });

      it('every record of a full walk appears exactly once, with its values', async () => {
        const seen: number[] = [];
        for (let offset = 0; offset < 30; offset += 8) {
          const res = await api.get('pages', { offset, limit: 8, redaction: 'PLAIN_TEXT' });
          seen.push(...res.body.records.map((r: any) => r.fields.n));
        }
        expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      });

      it('refuses a limit over 25, and limits or offsets that are not whole numbers (400)', async () => {
        expectError(await api.get('pages', { limit: 26 }), 400, /limit/);
        expectError(await api.get('pages', { limit: 'ten' }), 400, /limit/);
        expectError(await api.get('pages', { offset: '-1' }), 400, /offset/);
        expectError(await api.get('pages', { order_by: 'SIDEWAYS' }), 400);
      });
    });

    describe('one record by ID', () => {
      it('returns its fields with redaction, fields and tokenization', async () => {
        const plain = await api.getOne('people', jon.skyflow_id, { redaction: 'PLAIN_TEXT' });
        expectOk(plain);
        expect(plain.body).toEqual({ fields: { skyflow_id: jon.skyflow_id, ...JON } });
        const masked = await api.getOne('people', jon.skyflow_id, '?fields=ssn&fields=age');
        expect(masked.body).toEqual({ fields: { skyflow_id: jon.skyflow_id, ssn: 'XXX-XX-6789', age: 30 } });
        const tokens = await api.getOne('people', jon.skyflow_id, { tokenization: 'true', fields: ['email'] });
        expect(tokens.body).toEqual({ fields: { skyflow_id: jon.skyflow_id, email: jon.tokens.email } });
      });

      it('answers 404 for an unknown ID, and for an ID of another table', async () => {
        expectError(await api.getOne('people', '00000000-0000-4000-8000-000000000000'), 404);
        expectError(await api.getOne('people', pageIds[0]!), 404);
      });

      it('refuses an unknown field (400)', async () => {
        expectError(await api.getOne('people', jon.skyflow_id, { fields: ['shoe_size'] }), 400, /shoe_size/);
      });
    });
  });
}
