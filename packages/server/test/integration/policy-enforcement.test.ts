import { importPKCS8, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createVault,
  DataApi,
  dlp,
  expectError,
  expectOk,
  field,
  operations,
  tokenPolicy,
  unique,
  vaultRoles,
} from '../data-api/helpers.js';
import { postgresAvailable } from '../support/postgres.js';
import { type Credentials, startTestServer, type TestServer, tokenFor } from '../support/server.js';

/*
 * Policies enforced on every data path, through the one decision point: column rights and redaction
 * caps, DENY over ALLOW (and over system roles), row filters, request context, signed data tokens.
 * Every caller here is a real service account with a real bearer token from the token endpoint.
 */

const TABLES = [
  {
    name: 'persons',
    fields: [
      field('name', 'DT_STRING', tokenPolicy('NON_DETERMINISTIC_UUID'), dlp('PLAIN_TEXT')),
      field('ssn', 'DT_STRING', tokenPolicy('DETERMINISTIC_UUID'), dlp('MASK')),
      field('email', 'DT_STRING', tokenPolicy('DETERMINISTIC_UUID'), dlp('REDACT'), unique()),
      field('country', 'DT_STRING', dlp('PLAIN_TEXT'), operations('EXACT_MATCH')),
    ],
  },
];

const PEOPLE = [
  { name: 'Ana Gomez', ssn: '123-45-6789', email: 'ana@example.co', country: 'CO' },
  { name: 'Bob Smith', ssn: '987-65-4321', email: 'bob@example.us', country: 'US' },
  { name: 'Cruz Diaz', ssn: '555-12-3456', email: 'cruz@example.co', country: 'CO' },
];

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`policy enforcement (${store})`, () => {
    let t: TestServer;
    let vaultId: string;
    let admin: DataApi;
    let ids: string[];
    let tokens: Record<string, string>[];
    let counter = 0;

    /** A service account whose only role on the vault is a new custom role carrying one active policy. */
    async function agentWith(
      rules: string[],
      options: { ctx?: unknown; clientConfiguration?: Record<string, boolean>; systemRole?: string } = {},
    ): Promise<{ api: DataApi; credentials: Credentials; policyId: string; token: string }> {
      counter += 1;
      const role = await t.request('POST', '/v1/roles', {
        body: { roleDefinition: { name: `agent-${counter}` }, resource: { ID: vaultId, type: 'VAULT' } },
      });
      expect(role.status, role.text).toBe(200);
      const policy = await t.request('POST', '/v1/policies', {
        body: {
          name: `policy-${counter}`,
          resource: { ID: vaultId, type: 'VAULT' },
          ruleParams: rules.map((ruleExpression, i) => ({ name: `r${i}`, ruleExpression })),
          activated: true,
        },
      });
      expect(policy.status, policy.text).toBe(200);
      const assigned = await t.request('POST', '/v1/policies/assign', {
        body: { ID: policy.body.ID, roleIDs: [role.body.ID] },
      });
      expect(assigned.status, assigned.text).toBe(200);
      const roleIDs = [role.body.ID, ...(options.systemRole ? [options.systemRole] : [])];
      const sa = await t.request('POST', '/v1/serviceAccounts', {
        body: {
          serviceAccount: { name: `agent-${counter}` },
          roleIDs,
          ...(options.clientConfiguration && { clientConfiguration: options.clientConfiguration }),
        },
      });
      expect(sa.status, sa.text).toBe(200);
      const token = await tokenFor(t.url, sa.body, undefined, options.ctx);
      return { api: admin.as(token), credentials: sa.body, policyId: policy.body.ID, token };
    }

    const fieldsOf = (res: Awaited<ReturnType<DataApi['get']>>) =>
      (res.body.records as { fields: Record<string, unknown> }[]).map((r) => r.fields);

    beforeAll(async () => {
      t = await startTestServer({ store, config: { demo: false } });
      vaultId = await createVault(t, 'enforcement', TABLES);
      admin = new DataApi(t, vaultId);
      const inserted = await admin.insertTokens('persons', PEOPLE);
      ids = inserted.map((r: { skyflow_id: string }) => r.skyflow_id);
      tokens = inserted.map((r: { tokens: Record<string, string> }) => r.tokens);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('a custom role without a policy reads nothing: default deny, 403 on every data path', async () => {
      const { api } = await agentWith([]);
      expectError(await api.get('persons', { skyflow_ids: ids }), 403, /READ/);
      expectError(await api.getOne('persons', ids[0]!), 403);
      expectError(await api.detokenize([tokens[0]!.ssn!]), 403, /DETOKENIZATION/);
      expectError(await api.insert('persons', [{ name: 'X', ssn: '111-11-1111' }]), 403, /CREATE/);
      expectError(await api.update('persons', ids[0]!, { name: 'X' }), 403, /UPDATE/);
      expectError(await api.deleteOne('persons', ids[0]!), 403, /DELETE/);
      expectError(await api.query('SELECT name FROM persons'), 403);
      expectError(await api.tokenize([{ value: '123-45-6789', table: 'persons', column: 'ssn' }]), 403);
      expectError(await api.batch({ records: [{ method: 'GET', tableName: 'persons', ID: ids[0] }] }), 403, /READ/);
    });

    it('column rights and caps: allowed columns only, and a MASKED cap wins over a PLAIN_TEXT request', async () => {
      const { api } = await agentWith([
        'ALLOW READ ON persons.name, persons.country WITH REDACTION = PLAIN_TEXT',
        'ALLOW READ ON persons.ssn WITH REDACTION = MASKED',
      ]);
      const res = await api.get('persons', { skyflow_ids: [ids[0]!], redaction: 'PLAIN_TEXT' });
      expectOk(res);
      const [record] = fieldsOf(res);
      expect(record).toEqual({ skyflow_id: ids[0], name: 'Ana Gomez', country: 'CO', ssn: expect.any(String) });
      expect(record!.ssn).not.toBe('123-45-6789');
      expect(record!.ssn).toMatch(/6789$/);
      // Asking for more redaction than the cap is fine.
      const redacted = fieldsOf(await api.get('persons', { skyflow_ids: [ids[0]!], redaction: 'REDACTED' }))[0];
      expect(redacted!.name).not.toBe('Ana Gomez');
      // A column asked for by name that the caller may not read is refused outright.
      expectError(await api.get('persons', { skyflow_ids: [ids[0]!], fields: ['email'] }), 403, /persons\.email/);
      // Get by a column's values needs the right to read that column.
      expectError(await api.get('persons', { column_name: 'email', column_values: ['ana@example.co'] }), 403);
      const byCountry = await api.get('persons', { column_name: 'country', column_values: ['US'] });
      expectOk(byCountry);
      expect(fieldsOf(byCountry).map((r) => r.name)).toEqual(['Bob Smith']);
    });

    it('detokenize honours the column rights and caps, per token with continueOnError', async () => {
      const { api } = await agentWith(['ALLOW DETOKENIZATION ON persons.ssn WITH REDACTION = MASKED']);
      const res = await api.detokenize(
        [
          { token: tokens[0]!.ssn!, redaction: 'PLAIN_TEXT' },
          { token: tokens[0]!.email!, redaction: 'PLAIN_TEXT' },
        ],
        { continueOnError: true },
      );
      expectOk(res);
      expect(res.body.records[0]).toEqual({ token: tokens[0]!.ssn, valueType: 'STRING', value: expect.any(String) });
      expect(res.body.records[0].value).not.toBe('123-45-6789');
      expect(res.body.records[1]).toEqual({ token: tokens[0]!.email, error: expect.stringMatching(/denied/) });
      expect(res.text).not.toContain('ana@example.co');
      expectError(await api.detokenize([tokens[0]!.email!]), 403);
    });

    it('DENY wins over ALLOW and over the permissions of a system role', async () => {
      const editor = (await vaultRoles(t, vaultId)).VAULT_EDITOR!;
      const { api } = await agentWith(['DENY READ ON persons.ssn', 'DENY DETOKENIZATION ON persons.ssn'], {
        systemRole: editor,
      });
      const [record] = fieldsOf(await api.get('persons', { skyflow_ids: [ids[1]!], redaction: 'PLAIN_TEXT' }));
      expect(record).toEqual({ skyflow_id: ids[1], name: 'Bob Smith', email: 'bob@example.us', country: 'US' });
      expectError(await api.detokenize([tokens[1]!.ssn!]), 403, /DENY/);
      expect(await api.reveal(tokens[1]!.name!)).toBe('Bob Smith');
      expectError(await api.query('SELECT ssn FROM persons'), 403);
      expect(await api.rows(`SELECT name FROM persons WHERE country = 'US'`)).toEqual([{ name: 'Bob Smith' }]);
    });

    it('row filters: only the records the condition allows are visible, changeable or deletable', async () => {
      const { api } = await agentWith([
        "ALLOW READ ON persons.* WITH REDACTION = PLAIN_TEXT WHERE persons.country = 'CO'",
        "ALLOW UPDATE ON persons.name WHERE persons.country = 'CO'",
        "ALLOW DETOKENIZATION ON persons.ssn WITH REDACTION = PLAIN_TEXT WHERE persons.country = 'CO'",
      ]);
      const res = await api.get('persons', { skyflow_ids: ids, redaction: 'PLAIN_TEXT' });
      expectOk(res);
      expect(fieldsOf(res).map((r) => r.name)).toEqual(['Ana Gomez', 'Cruz Diaz']);
      expectError(await api.getOne('persons', ids[1]!), 404);
      const list = await api.get('persons', { limit: 25 });
      expect(fieldsOf(list).every((r) => r.country === 'CO')).toBe(true);
      expect(await api.rows('SELECT name FROM persons ORDER BY name')).toEqual([
        { name: 'Ana Gomez' },
        { name: 'Cruz Diaz' },
      ]);
      expect(await api.rows('SELECT COUNT(*) AS n FROM persons')).toEqual([{ n: 2 }]);
      expect(await api.reveal(tokens[0]!.ssn!)).toBe('123-45-6789');
      expectError(await api.detokenize([tokens[1]!.ssn!]), 403);
      expectOk(await api.update('persons', ids[2]!, { name: 'Cruz D.' }));
      expectError(await api.update('persons', ids[1]!, { name: 'Robert' }), 403);
      expect(fieldsOf(await admin.get('persons', { skyflow_ids: [ids[1]!], redaction: 'PLAIN_TEXT' }))[0]!.name).toBe(
        'Bob Smith',
      );
      expectError(await api.update('persons', ids[2]!, { country: 'US' }), 403, /UPDATE/);
      expectOk(await admin.update('persons', ids[2]!, { name: 'Cruz Diaz' }));
    });

    it('request context: a DENY that depends on ctx, and a missing key is a deny (never an error let through)', async () => {
      const rules = [
        'ALLOW READ ON persons.* WITH REDACTION = PLAIN_TEXT',
        "DENY READ ON persons.ssn WHERE request.context.role != 'investigator'",
      ];
      const investigator = await agentWith(rules, { ctx: { role: 'investigator' } });
      const clerk = await agentWith(rules, { ctx: { role: 'clerk' } });
      const none = await agentWith(rules);
      const read = (api: DataApi) => api.get('persons', { skyflow_ids: [ids[0]!], redaction: 'PLAIN_TEXT' });
      expect(fieldsOf(await read(investigator.api))[0]!.ssn).toBe('123-45-6789');
      expect(fieldsOf(await read(clerk.api))[0]).not.toHaveProperty('ssn');
      expect(fieldsOf(await read(none.api))[0]).not.toHaveProperty('ssn');
      expectError(await clerk.api.get('persons', { skyflow_ids: [ids[0]!], fields: ['ssn'] }), 403);
    });

    it('writes: CREATE per column, nothing stored when one column is refused; DELETE by rule', async () => {
      const { api } = await agentWith([
        'ALLOW CREATE ON persons.name, persons.country',
        'ALLOW READ ON persons.name WITH REDACTION = PLAIN_TEXT',
        'ALLOW DELETE ON persons.*',
        "DENY DELETE ON persons.* WHERE persons.country = 'US'",
      ]);
      const created = await api.insert('persons', [{ name: 'New One', country: 'CO' }]);
      expectOk(created);
      const newId = created.body.records[0].skyflow_id;
      expectError(await api.insert('persons', [{ name: 'Sneaky', ssn: '000-00-0000', country: 'CO' }]), 403);
      expect(await admin.rows(`SELECT COUNT(*) AS n FROM persons WHERE name = 'Sneaky'`)).toEqual([{ n: 0 }]);
      expectError(await api.deleteOne('persons', ids[1]!), 403, /DENY/);
      expectError(await api.deleteMany('persons', ['*']), 403, /row filter/);
      expectOk(await api.deleteOne('persons', newId));
    });

    it('query: a capped column may be selected but not filtered or sorted on', async () => {
      const { api } = await agentWith([
        'ALLOW READ ON persons.name, persons.country WITH REDACTION = PLAIN_TEXT',
        'ALLOW READ ON persons.ssn WITH REDACTION = MASKED',
      ]);
      const rows = await api.rows(`SELECT name, ssn FROM persons WHERE country = 'US'`);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.name).toBe('Bob Smith');
      expect(rows[0]!.ssn).not.toBe('987-65-4321');
      expectError(await api.query(`SELECT name FROM persons WHERE ssn = '987-65-4321'`), 403, /MASKED/);
      expectError(await api.query('SELECT email FROM persons'), 403);
    });

    it('tokenize needs TOKENIZATION on the column', async () => {
      const { api } = await agentWith(['ALLOW TOKENIZATION ON persons.ssn']);
      const ok = await api.tokenize([{ value: '123-45-6789', table: 'persons', column: 'ssn' }]);
      expectOk(ok);
      expect(ok.body.records[0].token).toBe(tokens[0]!.ssn);
      expectError(await api.tokenize([{ value: 'ana@example.co', table: 'persons', column: 'email' }]), 403);
    });

    it('policy changes apply at once: deactivating the policy takes the access away', async () => {
      const { api, policyId } = await agentWith(['ALLOW READ ON persons.name WITH REDACTION = PLAIN_TEXT']);
      expectOk(await api.get('persons', { skyflow_ids: [ids[0]!] }));
      const off = await t.request('PATCH', `/v1/policies/${policyId}/status`, { body: { status: 'INACTIVE' } });
      expect(off.status, off.text).toBe(200);
      expectError(await api.get('persons', { skyflow_ids: [ids[0]!] }), 403);
    });

    it('explain gives the same answer the data paths enforce', async () => {
      const { api, credentials } = await agentWith(['ALLOW READ ON persons.ssn WITH REDACTION = MASKED']);
      const explain = async (column: string) =>
        (
          await t.request('POST', '/v1/policies/explain', {
            body: { vaultID: vaultId, principalID: credentials.clientID, action: 'READ', column: `persons.${column}` },
          })
        ).body;
      expect(await explain('ssn')).toMatchObject({ decision: 'ALLOW', redaction: 'MASKED' });
      expect(await explain('name')).toMatchObject({ decision: 'DENY', redaction: null });
      expectError(await api.get('persons', { skyflow_ids: [ids[0]!], fields: ['name'] }), 403);
    });

    it('Detect asks the same decision point: rules without ON apply, and a MASKED cap masks re-identified values', async () => {
      const { token } = await agentWith(['ALLOW TOKENIZATION', 'ALLOW DETOKENIZATION WITH REDACTION = MASKED']);
      const text = 'Write to dana.reyes@example.org about the claim.';
      const de = await t.request('POST', '/v1/detect/deidentify/string', {
        token,
        body: { vault_id: vaultId, text, token_type: { default: 'vault_token' } },
      });
      expectOk(de);
      expect(de.body.processed_text).not.toContain('dana.reyes@example.org');
      const re = await t.request('POST', '/v1/detect/reidentify/string', {
        token,
        body: { vault_id: vaultId, text: de.body.processed_text, format: { plaintext: ['email_address'] } },
      });
      expectOk(re);
      expect(re.body.text).not.toContain('dana.reyes@example.org');
      expect(re.body.text).not.toBe(de.body.processed_text);
      // The admin (a system role) gets the plain value back; a role without the rule gets a 403.
      const plain = await t.request('POST', '/v1/detect/reidentify/string', {
        body: { vault_id: vaultId, text: de.body.processed_text },
      });
      expect(plain.body.text).toBe(text);
      const none = await agentWith(['ALLOW READ ON persons.name']);
      expectError(
        await t.request('POST', '/v1/detect/reidentify/string', {
          token: none.token,
          body: { vault_id: vaultId, text: de.body.processed_text },
        }),
        403,
      );
    });

    describe('signed data tokens (§4.8)', () => {
      async function sign(
        credentials: Credentials,
        tok: string,
        claims: Record<string, unknown> = {},
        ttlSeconds = 60,
      ): Promise<string> {
        const key = await importPKCS8(credentials.privateKey, 'RS256');
        const now = Math.floor(Date.now() / 1000);
        const jws = await new SignJWT({
          iss: 'sdk',
          key: credentials.keyID,
          aud: credentials.tokenURI,
          sub: credentials.clientID,
          tok,
          iat: now,
          exp: now + ttlSeconds,
          ...claims,
        })
          .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
          .sign(key);
        return `signed_token_${jws}`;
      }

      it("detokenizes a signed token of the caller's own key, and its ctx decides the policy", async () => {
        const rules = [
          'ALLOW DETOKENIZATION WITH REDACTION = PLAIN_TEXT',
          "DENY DETOKENIZATION ON persons.ssn WHERE request.context.purpose != 'fraud'",
        ];
        const { api, credentials } = await agentWith(rules, { ctx: { purpose: 'support' } });
        expectError(await api.detokenize([tokens[0]!.ssn!]), 403);
        const signed = await sign(credentials, tokens[0]!.ssn!, { ctx: { purpose: 'fraud' } });
        const res = await api.detokenize([{ token: signed, redaction: 'PLAIN_TEXT' }]);
        expectOk(res);
        expect(res.body.records).toEqual([{ token: signed, valueType: 'STRING', value: '123-45-6789' }]);
      });

      it('refuses a token signed by another account, an expired one, a bad signature and a wrong iss', async () => {
        const { api, credentials } = await agentWith(['ALLOW DETOKENIZATION WITH REDACTION = PLAIN_TEXT']);
        const other = await agentWith(['ALLOW DETOKENIZATION WITH REDACTION = PLAIN_TEXT']);
        const token = tokens[0]!.name!;
        expectError(await api.detokenize([await sign(other.credentials, token)]), 403, /sub must be the calling/);
        expectError(await api.detokenize([await sign(credentials, token, {}, -120)]), 403, /expired/);
        expectError(await api.detokenize([await sign(credentials, token, { iss: 'me' })]), 403, /iss/);
        const good = await sign(credentials, token);
        const tampered = `${good.slice(0, -6)}AAAAAA`;
        expectError(await api.detokenize([tampered]), 403, /signature/);
        const res = await api.detokenize([good]);
        expectOk(res);
        expect(res.body.records[0].value).toBe('Ana Gomez');
        expect(t.logs()).not.toContain(good.slice(-40));
      });

      it('get accepts record IDs as signed data tokens, and their ctx decides the read', async () => {
        const { api, credentials } = await agentWith(
          ["ALLOW READ ON persons.name WITH REDACTION = PLAIN_TEXT WHERE request.context.purpose == 'kyc'"],
          { ctx: { purpose: 'marketing' } },
        );
        expectError(await api.get('persons', { skyflow_ids: [ids[0]!] }), 403);
        const signed = await sign(credentials, ids[0]!, { ctx: { purpose: 'kyc' } });
        const res = await api.get('persons', { skyflow_ids: [signed], redaction: 'PLAIN_TEXT' });
        expectOk(res);
        expect(fieldsOf(res)).toEqual([{ skyflow_id: ids[0], name: 'Ana Gomez' }]);
        const other = await sign(credentials, ids[1]!, { ctx: { purpose: 'other' } });
        expectError(await api.get('persons', { skyflow_ids: [signed, other] }), 400, /same context/);
        expectError(await api.get('persons', { skyflow_ids: [await sign(credentials, ids[0]!, {}, -120)] }), 403);
      });

      it('enforceSignedDataTokens refuses unsigned tokens and accepts signed ones', async () => {
        const { api, credentials } = await agentWith(['ALLOW DETOKENIZATION WITH REDACTION = PLAIN_TEXT'], {
          clientConfiguration: { enforceSignedDataTokens: true },
        });
        expectError(await api.detokenize([tokens[2]!.ssn!]), 403, /only signed data tokens/);
        const res = await api.detokenize([
          { token: await sign(credentials, tokens[2]!.ssn!), redaction: 'PLAIN_TEXT' },
        ]);
        expectOk(res);
        expect(res.body.records[0].value).toBe('555-12-3456');
      });
    });
  });
}
