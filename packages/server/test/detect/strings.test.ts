import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataApi, expectError, expectOk } from '../data-api/helpers.js';
import { postgresAvailable } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { DetectApi, detectVault, tokenWithRole, VAULT_PLACEHOLDER } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`Detect text endpoints (${store})`, () => {
    let t: TestServer;
    let vaultId: string;
    let api: DetectApi;

    beforeAll(async () => {
      t = await startTestServer({ store, config: { demo: false } });
      vaultId = await detectVault(t);
      api = new DetectApi(t, vaultId);
    });
    afterAll(async () => {
      await t?.close();
    });

    describe('de-identify (§6.2)', () => {
      it('replaces entities with numbered placeholders by default and reports where they were', async () => {
        const text = 'Jane Doe met John Smith. Email jane@example.com.';
        const res = await api.deidentify(text);
        expectOk(res);
        expect(res.body.processed_text).toBe('[NAME_1] met [NAME_2]. Email [EMAIL_ADDRESS_1].');
        expect(res.body.word_count).toBe(7);
        expect(res.body.character_count).toBe(text.length);
        expect(res.body.entities).toHaveLength(3);
        for (const e of res.body.entities) {
          expect(text.slice(e.location.start_index, e.location.end_index)).toBe(e.value);
          expect(res.body.processed_text.slice(e.location.start_index_processed, e.location.end_index_processed)).toBe(
            `[${e.token}]`,
          );
          expect(Object.keys(e).sort()).toEqual(['entity_scores', 'entity_type', 'location', 'token', 'value']);
        }
        expect(res.body.entities[2]).toMatchObject({
          token: 'EMAIL_ADDRESS_1',
          value: 'jane@example.com',
          entity_type: 'email_address',
        });
      });

      it('writes entity_only placeholders', async () => {
        const res = await api.deidentify('Email jane@example.com now', { token_type: { default: 'entity_only' } });
        expectOk(res);
        expect(res.body.processed_text).toBe('Email [EMAIL_ADDRESS] now');
      });

      it('stores vault_token values in the vault: UUID tokens, the same for the same value and type', async () => {
        const first = await api.deidentify('SSN 536-22-1234 and jane@example.com', {
          token_type: { default: 'vault_token' },
        });
        expectOk(first);
        const placeholders = [...first.body.processed_text.matchAll(VAULT_PLACEHOLDER)].map((m) => [m[1], m[2]]);
        expect(placeholders.map(([type]) => type)).toEqual(['SSN', 'EMAIL_ADDRESS']);
        for (const e of first.body.entities) expect(e.token).toMatch(UUID);
        const again = await api.deidentify('Once more: jane@example.com, 536-22-1234', {
          token_type: { default: 'vault_token' },
        });
        expectOk(again);
        const tokens = Object.fromEntries(first.body.entities.map((e: any) => [e.value, e.token]));
        for (const e of again.body.entities) expect(e.token).toBe(tokens[e.value]);
      });

      it('mixes formats per entity type (lists win over the default)', async () => {
        const res = await api.deidentify('Jane Doe, jane@example.com, 536-22-1234', {
          token_type: { default: 'entity_only', entity_unq_counter: ['email_address'], vault_token: ['ssn'] },
        });
        expectOk(res);
        expect(res.body.processed_text).toMatch(/^\[NAME\], \[EMAIL_ADDRESS_1\], \[SSN_[0-9a-f-]{36}\]$/);
      });

      it('allow_regex keeps matches in plain text and restrict_regex blanks them', async () => {
        const allowed = await api.deidentify('Write to jane@example.com or ops@example.com', {
          allow_regex: ['ops@example\\.com'],
        });
        expectOk(allowed);
        expect(allowed.body.processed_text).toBe('Write to [EMAIL_ADDRESS_1] or ops@example.com');
        const restricted = await api.deidentify('Project Bluebird starts now', { restrict_regex: ['Bluebird'] });
        expectOk(restricted);
        expect(restricted.body.processed_text).toBe('Project [RESTRICTED] starts now');
        expectError(await api.deidentify('x', { allow_regex: ['(unclosed'] }), 400, /invalid regular expression/);
      });

      it('shifts dates by one offset within the range, in their own format', async () => {
        const res = await api.deidentify('Admitted 2022-03-14, discharged 2022-03-20.', {
          transformations: { shift_dates: { min_days: 10, max_days: 10 } },
        });
        expectOk(res);
        expect(res.body.processed_text).toBe('Admitted 2022-03-24, discharged 2022-03-30.');
      });

      it('takes the SDKs’ empty objects and explicit nulls as "not set"', async () => {
        const node = await api.deidentify('Email jane@example.com', {
          token_type: {},
          transformations: { shift_dates: {} },
          entity_types: [],
          allow_regex: [],
        });
        expectOk(node);
        expect(node.body.processed_text).toBe('Email [EMAIL_ADDRESS_1]');
        const python = await api.deidentify('Email jane@example.com', {
          configuration_id: null,
          entity_types: null,
          token_type: { default: null, vault_token: null, entity_unq_counter: null, entity_only: null },
          allow_regex: null,
          restrict_regex: null,
          transformations: { shift_dates: { min_days: null, max_days: null, entity_types: null } },
          unknown_field: true,
        });
        expectOk(python);
        expect(python.body.processed_text).toBe('Email [EMAIL_ADDRESS_1]');
      });

      it('finds only the entity types asked for', async () => {
        const res = await api.deidentify('Jane Doe, jane@example.com', { entity_types: ['email_address'] });
        expectOk(res);
        expect(res.body.processed_text).toBe('Jane Doe, [EMAIL_ADDRESS_1]');
      });

      it('refuses an unknown entity type, naming it', async () => {
        expectError(
          await api.deidentify('x', { entity_types: ['email_address', 'favourite_colour'] }),
          400,
          /"favourite_colour" is not a Detect entity type/,
        );
        expectError(
          await api.deidentify('x', { token_type: { vault_token: ['shoe_size'] } }),
          400,
          /"shoe_size" is not a Detect entity type/,
        );
      });

      it('refuses a missing text, an unknown token format and a configuration_id', async () => {
        expectError(await api.post('/v1/detect/deidentify/string', {}), 400, /text/);
        expectError(await api.deidentify('x', { token_type: { default: 'hash' } }), 400, /token_type\.default/);
        expectError(await api.deidentify('x', { configuration_id: 'cfg-1' }), 400, /configuration_id is not supported/);
      });
    });

    describe('re-identify (§6.3)', () => {
      let processed: string;
      beforeAll(async () => {
        const res = await api.deidentify('Jane Doe (jane@example.com) SSN 536-22-1234', {
          token_type: { default: 'vault_token' },
        });
        expectOk(res);
        processed = res.body.processed_text;
      });

      it('restores vault tokens in plain text by default', async () => {
        const res = await api.reidentify(processed);
        expectOk(res);
        expect(res.body).toEqual({ text: 'Jane Doe (jane@example.com) SSN 536-22-1234' });
        expectOk(await api.reidentify(processed, {}));
      });

      it('masks or redacts per entity type', async () => {
        const res = await api.reidentify(processed, { masked: ['ssn'], redacted: ['email_address'], plaintext: null });
        expectOk(res);
        expect(res.body.text).toBe('Jane Doe ([EMAIL_ADDRESS]) SSN XXX-XX-1234');
      });

      it('leaves unknown tokens, counters and tokens of another entity type as they are', async () => {
        const ssnToken = [...processed.matchAll(VAULT_PLACEHOLDER)].find((m) => m[1] === 'SSN')?.[2] as string;
        const text = `[NAME_1] [SSN_8d6a2c6a-0cbe-4f4b-9d9c-3e5f6a7b8c9d] [EMAIL_ADDRESS_${ssnToken}]`;
        const res = await api.reidentify(text);
        expectOk(res);
        expect(res.body.text).toBe(text);
      });

      it('keeps Detect tokens out of the Data API: detokenize answers "Token not found."', async () => {
        const token = [...processed.matchAll(VAULT_PLACEHOLDER)][0]?.[2] as string;
        const res = await new DataApi(t, vaultId).detokenize([{ token, redaction: 'PLAIN_TEXT' }], {
          continueOnError: true,
        });
        expectOk(res);
        expect(res.body.records[0]).toMatchObject({ token, error: 'Token not found.' });
      });

      it('does not find another vault’s tokens', async () => {
        const other = new DetectApi(t, await detectVault(t, 'other'));
        const res = await other.reidentify(processed);
        expectOk(res);
        expect(res.body.text).toBe(processed);
      });
    });

    describe('access', () => {
      it('without credentials: 401', async () => {
        expectError(await api.as(null).deidentify('jane@example.com'), 401);
        expectError(await api.as(null).reidentify('x'), 401);
      });

      it('a viewer may re-identify but not de-identify (tokens.tokenize), whatever the token type', async () => {
        const { token } = await tokenWithRole(t, vaultId, 'VAULT_VIEWER');
        const viewer = api.as(token);
        for (const token_type of [{ default: 'vault_token' }, { default: 'entity_unq_counter' }]) {
          expectError(
            await viewer.deidentify('jane@example.com', { token_type }),
            403,
            /tokens\.tokenize|TOKENIZATION/,
          );
        }
        const stored = await api.deidentify('jane@example.com', { token_type: { default: 'vault_token' } });
        const res = await viewer.reidentify(stored.body.processed_text);
        expectOk(res);
        expect(res.body.text).toBe('jane@example.com');
      });

      it('a caller with no role on the vault is refused both, and an unknown vault is a 404', async () => {
        const other = await detectVault(t, 'someone-elses');
        const { token } = await tokenWithRole(t, other, 'VAULT_OWNER');
        expectError(await api.as(token).deidentify('x'), 403);
        expectError(await api.as(token).reidentify('x'), 403);
        expectError(await new DetectApi(t, '0'.repeat(32)).deidentify('x'), 404);
        expectError(await new DetectApi(t, 'not-a-vault').deidentify('x'), 400);
      });
    });

    it('is audited without values', async () => {
      const marker = 'audit.canary.detect@example.com';
      expectOk(await api.deidentify(`mail ${marker}`, { token_type: { default: 'vault_token' } }));
      const res = await t.request('GET', `/v1/audit/events?filterOps.vaultID=${vaultId}&sortOps.orderBy=DESCENDING`);
      expectOk(res);
      const detectEvents = res.body.event.filter((e: any) => e.request.apiName.startsWith('POST /v1/detect/'));
      expect(detectEvents.length).toBeGreaterThan(0);
      expect(detectEvents[0]).toMatchObject({
        request: { apiName: 'POST /v1/detect/deidentify/string', actionType: 'EXECUTE', resourceType: 'DETECT' },
      });
      expect(JSON.stringify(res.body)).not.toContain(marker);
    });
  });
}

describe('Detect is rate-limited like the Data API', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ config: { demo: false, rateLimitDataPerPrincipal: 2 } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 with Retry-After once the per-principal limit is reached', async () => {
    const api = new DetectApi(t, await detectVault(t));
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await api.deidentify('jane@example.com'));
    const limited = answers.find((res) => res.status === 429);
    expect(limited, answers.map((res) => res.status).join(',')).toBeDefined();
    expect(limited?.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
