import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { expectError } from '../data-api/helpers.js';
import { postgresAvailable } from '../support/postgres.js';
import { type Credentials, startTestServer, type TestServer, tokenFor } from '../support/server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`bearer token revocation (${store})`, () => {
    let t: TestServer;
    let member: Credentials;

    const whoami = (token: string) => t.request('GET', '/v1/auth/whoami', { token });

    beforeAll(async () => {
      t = await startTestServer({ store, config: { demo: false } });
      const created = await t.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: { name: 'member' } } });
      member = created.body;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('an admin revokes one token: it is refused at once, with a message that says so; others keep working', async () => {
      const victim = await tokenFor(t.url, member);
      const other = await tokenFor(t.url, member);
      expect((await whoami(victim)).status).toBe(200);
      const res = await t.request('POST', '/v1/auth/revoke', { body: { token: victim } });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ revoked: true });
      expectError(await whoami(victim), 401, /has been revoked/);
      expect((await whoami(other)).status).toBe(200);
      // Revoking again is harmless.
      expect((await t.request('POST', '/v1/auth/revoke', { body: { token: victim } })).status).toBe(200);
    });

    it('a service account revokes its own token (sign-out) but not another account’s', async () => {
      const own = await tokenFor(t.url, member);
      const admins = await t.adminToken();
      expectError(
        await t.request('POST', '/v1/auth/revoke', { body: { token: admins }, token: own }),
        403,
        /serviceAccounts.update/,
      );
      expect((await t.request('POST', '/v1/auth/revoke', { body: { token: own }, token: own })).status).toBe(200);
      expectError(await whoami(own), 401, /revoked/);
      expect((await whoami(admins)).status).toBe(200);
    });

    it('revokes by jti (as the audit log shows it)', async () => {
      const token = await tokenFor(t.url, member);
      const { jti } = decodeJwt(token);
      const res = await t.request('POST', '/v1/auth/revoke', { body: { jti, serviceAccountID: member.clientID } });
      expect(res.status, res.text).toBe(200);
      expectError(await whoami(token), 401, /revoked/);
    });

    it('revokes every token of a service account; tokens issued afterwards work', async () => {
      const first = await tokenFor(t.url, member);
      const second = await tokenFor(t.url, member);
      expect((await whoami(first)).status).toBe(200);
      const res = await t.request('POST', `/v1/serviceAccounts/${member.clientID}/revokeTokens`);
      expect(res.status, res.text).toBe(200);
      expectError(await whoami(first), 401, /revoked/);
      expectError(await whoami(second), 401, /revoked/);
      // Token times have one-second resolution: a token from the next second is new.
      await sleep(1100);
      expect((await whoami(await tokenFor(t.url, member))).status).toBe(200);
    });

    it('refuses malformed requests and tokens it did not issue', async () => {
      expectError(await t.request('POST', '/v1/auth/revoke', { body: { token: 'not-a-token' } }), 400, /not a valid/);
      expectError(await t.request('POST', '/v1/auth/revoke', { body: {} }), 400);
      expectError(
        await t.request('POST', '/v1/auth/revoke', { body: { jti: 'x', serviceAccountID: 'f'.repeat(32) } }),
        404,
      );
      expectError(await t.request('POST', '/v1/auth/revoke', { body: { token: 'x' }, token: null }), 401);
    });
  });
}

describe.skipIf(!(await postgresAvailable()))('revocation across nodes (postgres)', () => {
  let a: TestServer;
  let b: RunningServer | undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'strongroom-node-b-'));

  beforeAll(async () => {
    a = await startTestServer({ store: 'postgres', config: { demo: false } });
    const rootKey = a.config.rootKey;
    if (rootKey.kind !== 'inline') throw new Error('test servers use an inline root key');
    b = await startServer(
      loadConfig({
        flags: {
          port: 0,
          host: '127.0.0.1',
          dataDir,
          rootKey: rootKey.value,
          databaseUrl: a.config.databaseUrl,
          demo: false,
        },
        env: {},
      }),
      {
        logger: createLogger(
          'silent',
          new Writable({
            write(_c, _e, done) {
              done();
            },
          }),
        ),
      },
    );
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a token revoked on one node is refused on another within one second', async () => {
    const token = await tokenFor(a.url, a.adminCredentials);
    const onB = () => fetch(`${b!.url}/v1/auth/whoami`, { headers: { authorization: `Bearer ${token}` } });
    // Node B has verified and cached the token.
    expect((await onB()).status).toBe(200);
    expect((await onB()).status).toBe(200);
    const other = await tokenFor(a.url, a.adminCredentials);
    const revoked = await a.request('POST', '/v1/auth/revoke', { body: { token }, token: other });
    expect(revoked.status).toBe(200);
    const start = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - start < 3000) {
      status = (await onB()).status;
      if (status === 200) await sleep(20);
    }
    const elapsed = Date.now() - start;
    expect(status).toBe(401);
    expect(elapsed).toBeLessThan(1000);
  });
});
