import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExpirySweeper } from '../../src/vault/records/expiry-sweeper.js';
import { postgresAvailable } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  createVault,
  DataApi,
  dlp,
  expectError,
  expectOk,
  field,
  group,
  luhnValid,
  PEOPLE_TABLES,
  STORES,
  tokenPolicy,
  UUID_V4,
} from './helpers.js';

const UNKNOWN_TOKEN = '8d6a2c6a-0cbe-4f4b-9d9c-3e5f6a7b8c9d';

for (const store of STORES) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`Data API: tokens (${store})`, () => {
    let t: TestServer;
    let api: DataApi;

    beforeAll(async () => {
      t = await startTestServer({ store });
      api = new DataApi(
        t,
        await createVault(t, 'tokens', [
          ...PEOPLE_TABLES,
          {
            name: 'pairs',
            fields: [
              field('a', 'DT_STRING', tokenPolicy('DETERMINISTIC_UUID'), dlp('PLAIN_TEXT')),
              field('b', 'DT_STRING', tokenPolicy('DETERMINISTIC_UUID'), dlp('PLAIN_TEXT')),
              field('g1', 'DT_STRING', tokenPolicy('DETERMINISTIC_FPT'), dlp('PLAIN_TEXT'), group('codes')),
            ],
          },
          {
            name: 'others',
            fields: [
              field('a', 'DT_STRING', tokenPolicy('DETERMINISTIC_UUID'), dlp('PLAIN_TEXT')),
              field('g2', 'DT_STRING', tokenPolicy('DETERMINISTIC_FPT'), dlp('PLAIN_TEXT'), group('codes')),
            ],
          },
        ]),
      );
    });
    afterAll(async () => {
      await t?.close();
    });

    describe('token shapes', () => {
      it('gives each token policy its shape', async () => {
        const [record] = await api.insertTokens('people', [
          {
            name: 'Alan Turing',
            email: 'alan.turing@bletchley.uk',
            ssn: '123-45-6789',
            card: '4111111111111111',
            phone: '+1 555 123 4567',
            account: 'ACC-99887766',
            code: 'AB-1234',
            ref: 'whatever',
            nick: 'prof',
            member: 'M-1912',
            otp: '424242',
            pin: 1912,
          },
        ]);
        const tokens = record!.tokens;
        expect(tokens.name).toMatch(UUID_V4); // NON_DETERMINISTIC_UUID
        expect(tokens.member).toMatch(UUID_V4); // DETERMINISTIC_UUID
        expect(tokens.otp).toMatch(UUID_V4); // NON_DETERMINISTIC_TRANSIENT_UUID
        expect(tokens.pin).toMatch(UUID_V4); // DETERMINISTIC_UUID on a number
        // DETERMINISTIC_PRESERVE_EMAIL_DOMAIN: random local part of the same length, same domain.
        expect(tokens.email).toMatch(/^[0-9a-z]{11}@bletchley\.uk$/);
        // DETERMINISTIC_FPT with a regex: matches the regex.
        expect(tokens.ssn).toMatch(/^[0-9]{3}-[0-9]{2}-[0-9]{4}$/);
        expect(tokens.ssn).not.toBe('123-45-6789');
        // FORMAT_PRESERVING_TOKEN with a regex: matches it whatever the value.
        expect(tokens.ref).toMatch(/^REF-[A-Z]{4}-[0-9]{3}$/);
        // NON_DETERMINISTIC_FPT without a regex: the value's shape.
        expect(tokens.code).toMatch(/^[A-Z]{2}-[0-9]{4}$/);
        expect(tokens.code).not.toBe('AB-1234');
        // RANDOM_TOKEN.
        expect(tokens.nick).toMatch(/^[0-9a-z]{24}$/);
        // NON_DETERMINISTIC_PRESERVE_RIGHT_4 with prefix "99" and separator "_".
        expect(tokens.phone).toMatch(/^99_[0-9]{11}_4567$/);
        // DETERMINISTIC_PRESERVE_RIGHT_4 without prefix: a random middle then the last 4.
        expect(tokens.account).toMatch(/^[0-9a-z]{8}7766$/);
      });

      it.each([
        ['4111111111111111'],
        ['5555555555554444'],
        ['378282246310005'],
        ['6011000990139424'],
        ['4000056655665556123'],
        ['123456789012'],
      ])('card token for %s keeps the left 6 and right 4 and is Luhn-valid', async (card) => {
        const [record] = await api.insertTokens('people', [{ card }]);
        const token = record!.tokens.card!;
        expect(token).toHaveLength(card.length);
        expect(token).toMatch(/^[0-9]+$/);
        expect(token.slice(0, 6)).toBe(card.slice(0, 6));
        expect(token.slice(-4)).toBe(card.slice(-4));
        expect(token).not.toBe(card);
        expect(luhnValid(token)).toBe(true);
        expect(await api.reveal(token)).toBe(card);
      });
    });

    describe('deterministic and non-deterministic tokens', () => {
      it('the same value in the same column gets the same token across requests, and within one', async () => {
        const values = { ssn: '222-22-2222', card: '4012888888881881', email: 'same@example.com', member: 'M-9' };
        const [first] = await api.insertTokens('people', [values]);
        const [, second] = await api.insertTokens('people', [{ ssn: '999-99-9999' }, { ...values, email: undefined }]);
        const [third, fourth] = await api.insertTokens('contacts', [
          { email: 'same@example.com' },
          { email: 'same@example.com' },
        ]);
        expect(second!.tokens.ssn).toBe(first!.tokens.ssn);
        expect(second!.tokens.card).toBe(first!.tokens.card);
        expect(second!.tokens.member).toBe(first!.tokens.member);
        // people.email and contacts.email share the column group "emails".
        expect(third!.tokens.email).toBe(first!.tokens.email);
        expect(fourth!.tokens.email).toBe(first!.tokens.email);
      });

      it('numbers get the same deterministic token whether sent as numbers or numeric strings', async () => {
        const [a, b] = await api.insertTokens('people', [{ pin: 77 }, { pin: '77' }]);
        expect(a!.tokens.pin).toBe(b!.tokens.pin);
      });

      it('different values get different tokens', async () => {
        const records = await api.insertTokens(
          'people',
          Array.from({ length: 10 }, (_, i) => ({
            ssn: `333-33-${String(3000 + i)}`,
            member: `D-${i}`,
            email: `diff${i}@example.com`,
          })),
        );
        for (const column of ['ssn', 'member', 'email']) {
          expect(new Set(records.map((r) => r.tokens[column])).size, column).toBe(10);
        }
      });

      it('columns outside a column group do not share tokens, even in the same table', async () => {
        const [p] = await api.insertTokens('pairs', [{ a: 'same', b: 'same', g1: 'AB12' }]);
        const [o] = await api.insertTokens('others', [{ a: 'same', g2: 'AB12' }]);
        expect(p!.tokens.a).not.toBe(p!.tokens.b);
        expect(o!.tokens.a).not.toBe(p!.tokens.a);
        // g1 and g2 share the group "codes" across tables.
        expect(o!.tokens.g2).toBe(p!.tokens.g1);
        expect(p!.tokens.g1).toMatch(/^[A-Z]{2}[0-9]{2}$/);
      });

      it('non-deterministic policies give the same value a new token every time', async () => {
        const value = {
          name: 'Same Name',
          phone: '+44 20 7946 0000',
          code: 'ZZ-0000',
          nick: 'same',
          otp: '000000',
          score: 1.5,
          active: true,
          profile: { same: true },
          ref: 'x',
        };
        const records = await api.insertTokens('people', [value, value, value]);
        const more = await api.insertTokens('people', [value]);
        for (const column of Object.keys(value)) {
          const tokens = [...records, ...more].map((r) => r.tokens[column]);
          expect(new Set(tokens).size, column).toBe(4);
        }
      });
    });

    describe('transient values (NON_DETERMINISTIC_TRANSIENT_UUID)', () => {
      it('are readable right after insert, by get and by detokenize', async () => {
        const [record] = await api.insertTokens('people', [{ otp: '918273', username: 'otp-read' }]);
        const [fields] = await api.fields('people', [record!.skyflow_id]);
        expect(fields!.otp).toBe('918273');
        expect(await api.reveal(record!.tokens.otp!)).toBe('918273');
      });

      it('expire after the ttl given in minutes (5 here), restarting on update', async () => {
        const before = Date.now();
        const [record] = await api.insertTokens('people', [{ otp: '111111', username: 'otp-ttl' }]);
        const after = Date.now();
        const { store: s } = t.server.services;
        const [cell] = await s.records.cells(api.vaultId, 'people', [record!.skyflow_id], ['otp']);
        expect(cell!.expiresAt).toBeGreaterThanOrEqual(before + 5 * 60_000);
        expect(cell!.expiresAt).toBeLessThanOrEqual(after + 5 * 60_000);
        const [other] = await s.records.cells(api.vaultId, 'people', [record!.skyflow_id], ['username']);
        expect(other!.expiresAt).toBeNull();
        await new Promise((resolve) => setTimeout(resolve, 5));
        expectOk(await api.update('people', record!.skyflow_id, { otp: '222222' }));
        const [renewed] = await s.records.cells(api.vaultId, 'people', [record!.skyflow_id], ['otp']);
        expect(renewed!.expiresAt).toBeGreaterThan(cell!.expiresAt!);
      });

      it('once expired, the value is gone from get and query while the rest of the record stays', async () => {
        const [record] = await api.insertTokens('people', [{ otp: '654321', username: 'otp-expired', age: 3 }]);
        const id = record!.skyflow_id;
        const { store: s } = t.server.services;
        // Move the stored cell's expiry into the past (the same sealed value, only the expiry changes).
        const [cell] = await s.records.cells(api.vaultId, 'people', [id], ['otp']);
        await s.records.putCells(
          api.vaultId,
          'people',
          id,
          [
            {
              column: 'otp',
              value: cell!.value,
              keyVersion: cell!.keyVersion,
              lookupIndex: null,
              uniqueIndex: null,
              tokenHash: cell!.tokenHash,
              expiresAt: Date.now() - 1000,
            },
          ],
          Date.now(),
        );
        const [fields] = await api.fields('people', [id]);
        expect(fields).toEqual({ skyflow_id: id, username: 'otp-expired', age: 3 });
        const tokenized = await api.get('people', { skyflow_ids: [id], tokenization: 'true' });
        expect(tokenized.body.records[0].fields.otp).toBeUndefined();
        const rows = await api.rows(`SELECT otp, username FROM people WHERE username = 'otp-expired'`);
        expect(rows).toEqual([{ otp: null, username: 'otp-expired' }]);
        const nulls = await api.rows(`SELECT COUNT(*) FROM people WHERE username = 'otp-expired' AND otp IS NULL`);
        expect(nulls).toEqual([{ 'COUNT(*)': 1 }]);
      });

      it('the sweeper removes expired values and their tokens from the store, and nothing else', async () => {
        const [record] = await api.insertTokens('people', [{ otp: '135790', username: 'otp-swept', age: 4 }]);
        const id = record!.skyflow_id;
        const { store: s, logger } = t.server.services;
        // The server's sweeper code, with a clock six minutes ahead: past the 5-minute ttl.
        const later = new ExpirySweeper(s, logger, 60_000, () => Date.now() + 6 * 60_000);
        const swept = await later.sweep();
        expect(swept.cells).toBeGreaterThanOrEqual(1);
        expect(swept.tokens).toBeGreaterThanOrEqual(1);
        expect(await s.records.cells(api.vaultId, 'people', [id], ['otp'])).toEqual([]);
        expect(await api.reveal(record!.tokens.otp!)).toBeUndefined();
        const [fields] = await api.fields('people', [id]);
        expect(fields).toEqual({ skyflow_id: id, username: 'otp-swept', age: 4 });
        // A sweep at the real time finds nothing more to remove: unexpired values stay.
        const [fresh] = await api.insertTokens('people', [{ otp: '246801', username: 'otp-fresh' }]);
        expect(await t.server.services.sweeper.sweep()).toEqual({ cells: 0, tokens: 0 });
        expect(await api.reveal(fresh!.tokens.otp!)).toBe('246801');
      });
    });

    describe('tokenize', () => {
      it('returns the existing deterministic token, by column group and by table and column, in input order', async () => {
        const [person] = await api.insertTokens('people', [
          { email: 'tok@example.com', ssn: '444-44-4444', member: 'T-1', pin: 4242, card: '4242424242424242' },
        ]);
        const res = await api.tokenize([
          { value: '444-44-4444', table: 'people', column: 'ssn' },
          { value: 'tok@example.com', columnGroup: 'emails' },
          { value: 'tok@example.com', table: 'contacts', column: 'email' },
          { value: 'T-1', table: 'people', column: 'member' },
          { value: '4242', table: 'people', column: 'pin' },
          { value: '4242424242424242', table: 'people', column: 'card' },
        ]);
        expectOk(res);
        expect(res.body).toEqual({
          records: [
            { token: person!.tokens.ssn },
            { token: person!.tokens.email },
            { token: person!.tokens.email },
            { token: person!.tokens.member },
            { token: person!.tokens.pin },
            { token: person!.tokens.card },
          ],
        });
      });

      it('tolerates the Node/Python shape {value, columnGroup} and nulls', async () => {
        await api.insertTokens('contacts', [{ email: 'grp@example.com' }]);
        const res = await t.request('POST', `/v1/vaults/${api.vaultId}/tokenize`, {
          body: { tokenizationParameters: [{ value: 'grp@example.com', columnGroup: 'emails', table: null }] },
        });
        expectOk(res);
        expect(res.body.records[0].token).toMatch(/^[0-9a-z]{3}@example\.com$/);
      });

      it('answers 404 for a value that was never stored, and stores nothing', async () => {
        const res = await api.tokenize([{ value: '777-77-7777', table: 'people', column: 'ssn' }]);
        expectError(res, 404);
        expect(res.text).not.toContain('777-77-7777');
        const again = await api.tokenize([{ value: '777-77-7777', table: 'people', column: 'ssn' }]);
        expectError(again, 404);
        expectError(await api.tokenize([{ value: 'not-a-number', table: 'people', column: 'pin' }]), 404);
      });

      it('fails as a whole when one value has no token (404)', async () => {
        await api.insertTokens('people', [{ ssn: '454-54-5454' }]);
        const res = await api.tokenize([
          { value: '454-54-5454', table: 'people', column: 'ssn' },
          { value: '000-00-0000', table: 'people', column: 'ssn' },
        ]);
        expectError(res, 404, /tokenizationParameters\[1\]/);
      });

      it.each([
        ['a non-deterministic column', { value: 'x', table: 'people', column: 'name' }, /deterministic/],
        ['a column that is not tokenized', { value: '1', table: 'people', column: 'age' }, /deterministic/],
        ['an unknown column group', { value: 'x', columnGroup: 'nogroup' }, /nogroup/],
        ['an unknown column', { value: 'x', table: 'people', column: 'nope' }, /people\.nope/],
        ['an unknown table', { value: 'x', table: 'nope', column: 'ssn' }, /nope/],
        ['neither group nor column', { value: 'x' }, /columnGroup/],
        ['a table without a column', { value: 'x', table: 'people' }, /columnGroup/],
      ])('refuses %s (400)', async (_what, param, message) => {
        expectError(await api.tokenize([param]), 400, message);
      });

      it('refuses an empty or malformed request (400)', async () => {
        expectError(await api.tokenize([]), 400);
        const res = await t.request('POST', `/v1/vaults/${api.vaultId}/tokenize`, {
          body: { tokenizationParameters: [{ value: 42, columnGroup: 'emails' }] },
        });
        expectError(res, 400);
      });
    });

    describe('detokenize', () => {
      let typed: { skyflow_id: string; tokens: Record<string, string> };

      beforeAll(async () => {
        [typed] = (await api.insertTokens('people', [
          {
            name: 'Detok Person',
            ssn: '123-45-6789',
            pin: 42,
            score: 2.5,
            active: true,
            born: '1990-04-15',
            profile: { a: 1, b: [true, null] },
            member: 'M-DETOK',
            card: '5105105105105100',
          },
        ])) as [typeof typed];
      });

      it('returns records aligned with the input, value always a string, valueType per datatype', async () => {
        const order = ['profile', 'pin', 'name', 'active', 'score', 'born', 'ssn'];
        const res = await api.detokenize(order.map((c) => ({ token: typed.tokens[c]!, redaction: 'PLAIN_TEXT' })));
        expectOk(res);
        expect(res.body).toEqual({
          records: [
            { token: typed.tokens.profile, valueType: 'JSON', value: '{"a":1,"b":[true,null]}' },
            { token: typed.tokens.pin, valueType: 'INTEGER', value: '42' },
            { token: typed.tokens.name, valueType: 'STRING', value: 'Detok Person' },
            { token: typed.tokens.active, valueType: 'BOOL', value: 'true' },
            { token: typed.tokens.score, valueType: 'FLOAT', value: '2.5' },
            { token: typed.tokens.born, valueType: 'DATE', value: '1990-04-15' },
            { token: typed.tokens.ssn, valueType: 'STRING', value: '123-45-6789' },
          ],
        });
      });

      it('reports a JSON array as ARRAY', async () => {
        const [record] = await api.insertTokens('people', [{ profile: [1, 'two'] }]);
        const res = await api.detokenize([{ token: record!.tokens.profile!, redaction: 'PLAIN_TEXT' }]);
        expect(res.body.records[0]).toEqual({ token: record!.tokens.profile, valueType: 'ARRAY', value: '[1,"two"]' });
      });

      it('applies redaction per token; DEFAULT (and absent) is the column’s default', async () => {
        const res = await api.detokenize([
          { token: typed.tokens.ssn!, redaction: 'MASKED' },
          { token: typed.tokens.ssn!, redaction: 'REDACTED' },
          { token: typed.tokens.ssn!, redaction: 'DEFAULT' },
          { token: typed.tokens.ssn! },
          { token: typed.tokens.pin! },
          { token: typed.tokens.born! },
          { token: typed.tokens.member! },
          { token: typed.tokens.card! },
          { token: typed.tokens.name! },
        ]);
        expectOk(res);
        expect(res.body.records.map((r: any) => [r.value, r.valueType])).toEqual([
          ['XXX-XX-6789', 'STRING'],
          ['*REDACTED*', 'STRING'],
          ['XXX-XX-6789', 'STRING'], // ssn: MASK
          ['XXX-XX-6789', 'STRING'],
          ['42', 'INTEGER'], // pin: PLAIN_TEXT
          ['XXXX-04-15', 'STRING'], // born: MASK (built-in date mask)
          ['*REDACTED*', 'STRING'], // member: REDACT
          ['XXXXXXXXXXXX5100', 'STRING'], // card: MASK (built-in card mask)
          ['D***on', 'STRING'], // name: MASK with the column's pattern
        ]);
      });

      it('with continueOnError true reports unknown tokens per record, with an error and no value', async () => {
        const res = await api.detokenize(
          [
            { token: typed.tokens.name!, redaction: 'PLAIN_TEXT' },
            { token: UNKNOWN_TOKEN },
            { token: '123-45-6789' },
            { token: typed.tokens.pin!, redaction: 'PLAIN_TEXT' },
          ],
          { continueOnError: true },
        );
        expectOk(res);
        expect(res.body.records).toEqual([
          { token: typed.tokens.name, valueType: 'STRING', value: 'Detok Person' },
          { token: UNKNOWN_TOKEN, error: expect.any(String) },
          { token: '123-45-6789', error: expect.any(String) },
          { token: typed.tokens.pin, valueType: 'INTEGER', value: '42' },
        ]);
      });

      it('with continueOnError false (or absent) fails the whole request with 404, revealing nothing', async () => {
        for (const options of [{ continueOnError: false }, {}]) {
          const res = await api.detokenize(
            [{ token: typed.tokens.name!, redaction: 'PLAIN_TEXT' }, UNKNOWN_TOKEN],
            options,
          );
          expectError(res, 404);
          expect(res.text).not.toContain('Detok Person');
          expect(res.text).not.toContain(typed.tokens.name);
        }
      });

      it('refuses a malformed signed data token (403), per record with continueOnError', async () => {
        const signed = `signed_token_${'a'.repeat(40)}`;
        expectError(await api.detokenize([signed]), 403, /[Ss]igned data token rejected/);
        const res = await api.detokenize([signed, { token: typed.tokens.pin!, redaction: 'PLAIN_TEXT' }], {
          continueOnError: true,
        });
        expectOk(res);
        expect(res.body.records).toEqual([
          { token: signed, error: expect.stringMatching(/[Ss]igned/) },
          { token: typed.tokens.pin, valueType: 'INTEGER', value: '42' },
        ]);
      });

      it('a value passed as a token, or a token of another vault, reveals nothing', async () => {
        const other = new DataApi(t, await createVault(t, 'tokens-other', PEOPLE_TABLES));
        const [foreign] = await other.insertTokens('people', [{ name: 'Foreign Person', ssn: '123-45-6789' }]);
        const res = await api.detokenize([foreign!.tokens.name!, foreign!.tokens.ssn!, 'Detok Person'], {
          continueOnError: true,
        });
        expectOk(res);
        for (const record of res.body.records) {
          expect(Object.keys(record).sort()).toEqual(['error', 'token']);
          expect(record.error).not.toMatch(/Foreign|Detok|123-45/);
        }
        // Both vaults tokenize 123-45-6789 deterministically, but with their own keys.
        expect(foreign!.tokens.ssn).not.toBe(typed.tokens.ssn);
      });

      it('accepts Node v1’s one-token PLAIN_TEXT requests and tolerates downloadURL', async () => {
        const res = await api.detokenize([{ token: typed.tokens.name!, redaction: 'PLAIN_TEXT' }], {
          downloadURL: false,
        });
        expectOk(res);
        expect(res.body.records).toEqual([{ token: typed.tokens.name, valueType: 'STRING', value: 'Detok Person' }]);
      });

      it('refuses an empty or malformed request (400)', async () => {
        expectError(await api.detokenize([]), 400);
        expectError(await api.detokenize([{ token: typed.tokens.name!, redaction: 'SOMETIMES' }]), 400);
        expectError(await api.detokenize(['']), 400);
        const res = await t.request('POST', `/v1/vaults/${api.vaultId}/detokenize`, { body: { tokens: ['x'] } });
        expectError(res, 400);
      });

      it('answers 404 for an unknown vault', async () => {
        expectError(await new DataApi(t, 'd'.repeat(32)).detokenize([typed.tokens.name!]), 404);
      });
    });
  });
}
