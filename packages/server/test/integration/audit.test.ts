import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditFileOf } from '../../src/store/sqlite-audit-file.js';
import { createVault, DataApi, dlp, expectError, field, tokenPolicy, vaultRoles } from '../data-api/helpers.js';
import { POSTGRES_URL, postgresAvailable } from '../support/postgres.js';
import { type Credentials, startTestServer, type TestServer, tokenFor } from '../support/server.js';

const SECRET_SSN = '987-65-4329';
const SECRET_NAME = 'Audit Canary Person';

/** Runs SQL on the server's store behind its back: the way a real fault (or an attacker) would arrive. */
async function sqlOnStore(t: TestServer, statements: string[]): Promise<void> {
  const url = t.config.databaseUrl;
  if (url.startsWith('sqlite:')) {
    // The SQLite store keeps its audit log in a file of its own.
    const db = new BetterSqlite3(auditFileOf(url.slice('sqlite:'.length)));
    try {
      for (const statement of statements) db.exec(statement);
    } finally {
      db.close();
    }
    return;
  }
  const schema = new URL(url).searchParams.get('schema') as string;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`set search_path to "${schema}"`);
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`the audit log (${store})`, () => {
    let t: TestServer;
    let vaultId: string;
    let api: DataApi;
    let recordId: string;
    let tokens: Record<string, string>;

    const events = async (query: string, token?: string) => {
      const res = await t.request('GET', `/v1/audit/events${query}`, token === undefined ? {} : { token });
      expect(res.status, res.text).toBe(200);
      return res.body as { event: any[]; nextOps: { changeID: string; timestamp: string } };
    };

    beforeAll(async () => {
      t = await startTestServer({ store, config: { demo: false } });
      vaultId = await createVault(t, 'audited', [
        {
          name: 'persons',
          fields: [
            field('name', 'DT_STRING', tokenPolicy('NON_DETERMINISTIC_UUID'), dlp('PLAIN_TEXT')),
            field('ssn', 'DT_STRING', tokenPolicy('DETERMINISTIC_UUID'), dlp('PLAIN_TEXT')),
          ],
        },
      ]);
      api = new DataApi(t, vaultId);
      const [record] = await api.insertTokens('persons', [{ name: SECRET_NAME, ssn: SECRET_SSN }]);
      recordId = record!.skyflow_id;
      tokens = record!.tokens;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('records each data access with actor, auth mode, action, resource IDs, result and request ID', async () => {
      const read = await api.getOne('persons', recordId, { redaction: 'PLAIN_TEXT' });
      expect(read.status).toBe(200);
      const requestId = read.headers.get('x-request-id') as string;
      const [entry] = (await events(`?filterOps.context.requestID=${requestId}`)).event;
      expect(entry).toEqual({
        context: {
          changeID: expect.stringMatching(/^\d+$/),
          requestID: requestId,
          traceID: requestId,
          sessionID: '',
          actor: t.adminCredentials.clientID,
          actorType: 'SERVICE_ACCOUNT',
          accessType: 'API',
          ipAddress: '127.0.0.1',
          origin: '',
          authMode: 'SERVICE_ACCOUNT_JWT',
          jwtID: expect.any(String),
          bearerTokenContextID: '',
        },
        request: {
          data: { content: '' },
          apiName: 'GET /v1/vaults/:vaultID/:tableName/:ID',
          workspaceID: '',
          vaultID: vaultId,
          tags: [],
          timestamp: expect.any(String),
          actionType: 'READ',
          resourceType: 'RECORD',
          httpInfo: { URI: `/v1/vaults/${vaultId}/persons/${recordId}`, method: 'GET' },
        },
        response: { code: 200, message: '', data: '', timestamp: expect.any(String) },
        parentAccountID: '',
        accountID: '',
        resourceIDs: [`VAULT/${vaultId}`, `RECORD/${recordId}`],
      });

      const detok = await api.detokenize([{ token: tokens.ssn!, redaction: 'PLAIN_TEXT' }]);
      const [d] = (await events(`?filterOps.context.requestID=${detok.headers.get('x-request-id')}`)).event;
      expect(d.request).toMatchObject({
        actionType: 'READ',
        resourceType: 'TOKEN',
        apiName: 'POST /v1/vaults/:vaultID/detokenize',
      });
      const missing = await api.getOne('persons', '00000000-0000-4000-8000-000000000000');
      const [m] = (await events(`?filterOps.context.requestID=${missing.headers.get('x-request-id')}`)).event;
      expect(m.response).toMatchObject({ code: 404, message: expect.stringMatching(/wasn't found/) });
    });

    it('never holds a value, a token or a secret', async () => {
      await api.get('persons', { column_name: 'ssn', column_values: [SECRET_SSN], redaction: 'PLAIN_TEXT' });
      await api.tokenize([{ value: SECRET_SSN, table: 'persons', column: 'ssn' }]);
      await api.query(`SELECT * FROM persons WHERE ssn = '${SECRET_SSN}'`);
      const all = JSON.stringify((await events('?limit=100')).event);
      for (const secret of [SECRET_SSN, SECRET_NAME, tokens.ssn!, tokens.name!, t.adminCredentials.privateKey]) {
        expect(all).not.toContain(secret);
      }
      // Query strings (which can carry values) are left out of the URI.
      expect(all).not.toContain('column_values');
    });

    it('filters by vault, action and time, pages with afterOps.changeID, and sorts either way', async () => {
      const reads = await events(`?filterOps.vaultID=${vaultId}&filterOps.actionType=READ&limit=2`);
      expect(reads.event).toHaveLength(2);
      expect(reads.event.every((e) => e.request.actionType === 'READ' && e.request.vaultID === vaultId)).toBe(true);
      const next = await events(
        `?filterOps.vaultID=${vaultId}&filterOps.actionType=READ&limit=2&afterOps.changeID=${reads.nextOps.changeID}`,
      );
      expect(Number(next.event[0].context.changeID)).toBeGreaterThan(Number(reads.nextOps.changeID));
      const newest = await events('?sortOps.orderBy=DESCENDING&limit=3');
      const seqs = newest.event.map((e) => Number(e.context.changeID));
      expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
      const future = new Date(Date.now() + 3600_000).toISOString();
      expect((await events(`?filterOps.startTime=${future}`)).event).toEqual([]);
      expectError(await t.request('GET', '/v1/audit/events?filterOps.startTime=yesterday'), 400, /RFC 3339/);
    });

    it('vault owners read their vault’s entries only; other roles cannot read the log', async () => {
      const roles = await vaultRoles(t, vaultId);
      const make = async (name: string, roleIDs: string[]) => {
        const sa = await t.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: { name }, roleIDs } });
        return tokenFor(t.url, sa.body as Credentials);
      };
      const owner = await make('auditor-owner', [roles.VAULT_OWNER as string]);
      const viewer = await make('auditor-viewer', [roles.VAULT_VIEWER as string]);
      const seen = await events('?limit=100', owner);
      expect(seen.event.length).toBeGreaterThan(0);
      expect(seen.event.every((e) => e.request.vaultID === vaultId)).toBe(true);
      expectError(await t.request('GET', '/v1/audit/events', { token: viewer }), 403, /audit.read/);
      expectError(await t.request('GET', `/v1/audit/events?filterOps.vaultID=${vaultId}`, { token: viewer }), 403);
    });

    it('fails closed: when the entry cannot be written, the request fails and returns no data', async () => {
      const failing =
        store === 'sqlite'
          ? [`CREATE TRIGGER audit_down BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'disk failure'); END`]
          : [
              `CREATE FUNCTION audit_down() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk failure'; END $$ LANGUAGE plpgsql`,
              'CREATE TRIGGER audit_down BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_down()',
            ];
      await sqlOnStore(t, failing);
      try {
        const res = await api.getOne('persons', recordId, { redaction: 'PLAIN_TEXT' });
        expectError(res, 500, /could not be recorded in the audit log/);
        expect(res.text).not.toContain(SECRET_NAME);
        const detok = await api.detokenize([{ token: tokens.ssn!, redaction: 'PLAIN_TEXT' }]);
        expectError(detok, 500, /audit log/);
        expect(detok.text).not.toContain(SECRET_SSN);
      } finally {
        await sqlOnStore(
          t,
          store === 'sqlite'
            ? ['DROP TRIGGER audit_down']
            : ['DROP TRIGGER audit_down ON audit_events', 'DROP FUNCTION audit_down()'],
        );
      }
      expect((await api.getOne('persons', recordId, { redaction: 'PLAIN_TEXT' })).body.fields.name).toBe(SECRET_NAME);
    });

    it('the chain the server wrote verifies, and breaks where the table is edited', async () => {
      const { verifyAuditLog } = await import('../../src/audit/verify-log.js');
      const { services } = t.server;
      const key = services.keyring.serverKey(['audit-chain']);
      const intact = await verifyAuditLog(services.store, key);
      expect(intact.ok).toBe(true);
      if (!intact.ok) return;
      expect(intact.entries).toBeGreaterThan(10);
      await sqlOnStore(t, ['UPDATE audit_events SET status_code = 299 WHERE seq = 3']);
      expect(await verifyAuditLog(services.store, key)).toMatchObject({
        ok: false,
        problem: { kind: 'modified', seq: 3 },
      });
    });
  });
}
