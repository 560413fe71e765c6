import { randomBytes } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePayload, rawJws } from '../support/jwt.js';
import { postgresAvailable } from '../support/postgres.js';
import { type Credentials, startTestServer, type TestServer, tokenFor } from '../support/server.js';

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`authentication (${store})`, () => {
    let t: TestServer;
    let vaultId: string;
    let viewerRole: string;

    /** Signs a token with the server's own signing key, to craft claims the issuer would never mint. */
    async function forge(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
      const { store: s, keyring, issuer } = t.server.services;
      const [row] = await s.signingKeys.list();
      const jwk = JSON.parse(keyring.unwrap(['signing-key', row!.kid], row!.privateSealed).toString());
      const key = await importJWK(jwk, 'ES256');
      const nowS = Math.floor(Date.now() / 1000);
      return new SignJWT({ roles: [], ...claims })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: row!.kid, ...header })
        .setIssuer(issuer.issuer)
        .setAudience(issuer.issuer)
        .setSubject(t.adminCredentials.clientID)
        .setJti('jti-forged')
        .setIssuedAt((claims.iat as number) ?? nowS)
        .setExpirationTime((claims.exp as number) ?? nowS + 600)
        .sign(key);
    }

    const get = (token: string | null, headers?: Record<string, string>) =>
      t.request('GET', '/v1/vaults', { token, ...(headers && { headers }) });

    beforeAll(async () => {
      t = await startTestServer({ store });
      vaultId = (await t.request('GET', '/v1/vaults')).body.vaults[0].ID;
      const roles = await t.request('GET', `/v1/roles?resource.type=VAULT&resource.ID=${vaultId}&name=VAULT_VIEWER`);
      viewerRole = roles.body.roles[0].ID;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('every non-public route answers 401 in the error shape without credentials', async () => {
      for (const [method, path] of [
        ['GET', '/v1/auth/ping'],
        ['GET', '/v1/auth/whoami'],
        ['GET', '/v1/vaults'],
        ['POST', '/v1/vaults'],
        ['GET', `/v1/vaults/${vaultId}`],
        ['DELETE', `/v1/vaults/${vaultId}`],
        ['GET', '/v1/serviceAccounts'],
        ['GET', '/v1/roles'],
        ['POST', `/v1/vaults/${vaultId}/persons`],
      ] as const) {
        const res = await t.request(method, path, { token: null, ...(method === 'POST' && { body: {} }) });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.body).toEqual({
          error: {
            grpc_code: 16,
            http_code: 401,
            http_status: 'Unauthorized',
            message: expect.any(String),
            details: [],
          },
        });
      }
    });

    it('public routes need no credentials', async () => {
      for (const path of ['/healthz', '/readyz', '/openapi.json', '/.well-known/jwks.json']) {
        expect((await t.request('GET', path, { token: null })).status, path).toBe(200);
      }
    });

    it('ping answers what /healthz answers, but only to valid credentials', async () => {
      const res = await t.request('GET', '/v1/auth/ping');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
      expect((await t.request('GET', '/v1/auth/ping', { token: 'nope' })).status).toBe(401);
    });

    it('whoami reports the caller, its auth mode, effective roles and context', async () => {
      const created = await t.request('POST', '/v1/serviceAccounts', {
        body: { serviceAccount: { name: 'who' }, roleIDs: [viewerRole] },
      });
      const token = await tokenFor(t.url, created.body, undefined, { tenant: 'acme' });
      const res = await t.request('GET', '/v1/auth/whoami', { token });
      expect(res.body).toEqual({
        serviceAccountID: created.body.clientID,
        name: 'who',
        authMode: 'SERVICE_ACCOUNT_JWT',
        roleIDs: [viewerRole],
        context: { tenant: 'acme' },
      });
    });

    it('accepts the bearer scheme in any case and rejects other schemes', async () => {
      const token = await t.adminToken();
      expect((await get(null, { authorization: `bearer ${token}` })).status).toBe(200);
      expect((await get(null, { authorization: `BEARER ${token}` })).status).toBe(200);
      expect((await get(null, { authorization: `Basic ${token}` })).status).toBe(401);
      expect((await get(null, { authorization: 'Bearer' })).status).toBe(401);
      expect((await get(null, { authorization: `Bearer ${token} extra` })).status).toBe(401);
    });

    it('rejects tampered, foreign, unsigned, expired and over-long bearer tokens', async () => {
      const token = await t.adminToken();
      const [h, p, s] = token.split('.') as [string, string, string];
      const claims = decodePayload(token);
      const otherServer = await startTestServer({ store: 'sqlite' });
      try {
        const foreign = await tokenFor(otherServer.url, otherServer.adminCredentials);
        const nowS = Math.floor(Date.now() / 1000);
        for (const bad of [
          `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BA' : 'AA'}`,
          `${h}.${Buffer.from(JSON.stringify({ ...claims, roles: ['x'] })).toString('base64url')}.${s}`,
          foreign,
          rawJws({ alg: 'none', typ: 'JWT' }, claims),
          `${rawJws({ alg: 'none', typ: 'JWT' }, claims).split('.').slice(0, 2).join('.')}.`,
          await forge({ exp: nowS - 1, iat: nowS - 3601 }),
          await forge({ exp: nowS + 7200, iat: nowS }),
          await forge({}, { kid: 'f'.repeat(32) }),
          'x'.repeat(12000),
          'sky-abcde-0123456789abcdef0123456789abcdef',
        ]) {
          expect((await get(bad)).status).toBe(401);
        }
        // Headers beyond Node's limit are refused before routing, still in the error shape.
        const huge = await get('x'.repeat(20000));
        expect(huge.status).toBe(431);
        expect(huge.body.error.http_code).toBe(431);
        // The forging helper itself produces accepted tokens when the claims are sound.
        expect((await get(await forge({ roles: decodePayload(token).roles }))).status).toBe(200);
      } finally {
        await otherServer.close();
      }
    });

    it('a token loses a role as soon as the role is unassigned, and regains it when reassigned', async () => {
      const created = await t.request('POST', '/v1/serviceAccounts', {
        body: { serviceAccount: { name: 'viewer' }, roleIDs: [viewerRole] },
      });
      const sa: Credentials = created.body;
      const token = await tokenFor(t.url, sa);
      expect((await t.request('GET', `/v1/vaults/${vaultId}`, { token })).status).toBe(200);
      const members = { ID: viewerRole, members: [{ ID: sa.clientID, type: 'SERVICE_ACCOUNT' }] };
      expect((await t.request('POST', '/v1/roles/unassign', { body: members })).status).toBe(200);
      expect((await t.request('GET', `/v1/vaults/${vaultId}`, { token })).status).toBe(403);
      expect((await t.request('POST', '/v1/roles/assign', { body: members })).status).toBe(200);
      expect((await t.request('GET', `/v1/vaults/${vaultId}`, { token })).status).toBe(200);
    });

    describe('API keys', () => {
      let saId: string;
      let firstKey: string;
      let firstKeyId: string;

      beforeAll(async () => {
        const created = await t.request('POST', '/v1/serviceAccounts', {
          body: { serviceAccount: { name: 'ingest' }, apiKeyEnabled: true, roleIDs: [viewerRole] },
        });
        expect(created.status).toBe(200);
        expect(created.body).toEqual({
          clientID: expect.any(String),
          clientName: 'ingest',
          apiKeyID: expect.any(String),
          apiKey: expect.stringMatching(/^sky-[a-zA-Z0-9]{5}-[a-fA-F0-9]{32}$/),
        });
        saId = created.body.clientID;
        firstKey = created.body.apiKey;
        firstKeyId = created.body.apiKeyID;
      });

      it('authenticate as Authorization: Bearer with the service account roles', async () => {
        expect((await t.request('GET', `/v1/vaults/${vaultId}`, { token: firstKey })).status).toBe(200);
        const who = await t.request('GET', '/v1/auth/whoami', { token: firstKey });
        expect(who.body).toMatchObject({ serviceAccountID: saId, authMode: 'API_KEY', roleIDs: [viewerRole] });
        expect((await t.request('DELETE', `/v1/vaults/${vaultId}`, { token: firstKey })).status).toBe(403);
      });

      it('are never listed with their secret and are stored only as a hash', async () => {
        const list = await t.request('GET', `/v1/serviceAccounts/${saId}/apikey`);
        expect(list.status).toBe(200);
        expect(JSON.stringify(list.body)).not.toContain(firstKey.slice(10));
        expect(list.body.apiKeys[0]).toMatchObject({
          apiKeyID: firstKeyId,
          status: 'ACTIVE',
          hint: expect.any(String),
        });
        const row = await t.server.services.store.apiKeys.get(firstKeyId);
        expect(JSON.stringify(row)).not.toContain(firstKey.slice(10));
      });

      it('can be disabled and enabled again', async () => {
        const created = await t.request('POST', `/v1/serviceAccounts/${saId}/apikey`, { body: { name: 'temp' } });
        const key = created.body.apiKey;
        expect((await t.request('GET', '/v1/vaults', { token: key })).status).toBe(200);
        const disable = await t.request('PATCH', `/v1/serviceAccounts/${saId}/apikey/${created.body.apiKeyID}`, {
          body: { status: 'DISABLED' },
        });
        expect(disable.body.status).toBe('DISABLED');
        const refused = await t.request('GET', '/v1/vaults', { token: key });
        expect(refused.status).toBe(401);
        expect(refused.body.error.message).toBe('The request is unauthorized. The API key is disabled.');
        await t.request('PATCH', `/v1/serviceAccounts/${saId}/apikey/${created.body.apiKeyID}`, {
          body: { status: 'ACTIVE' },
        });
        expect((await t.request('GET', '/v1/vaults', { token: key })).status).toBe(200);
      });

      it('stop working when they expire', async () => {
        const expiresAt = new Date(Date.now() + 1500).toISOString();
        const created = await t.request('POST', `/v1/serviceAccounts/${saId}/apikey`, { body: { expiresAt } });
        expect(created.status).toBe(200);
        expect(created.body.expiresAt).toBe(expiresAt);
        expect((await t.request('GET', '/v1/vaults', { token: created.body.apiKey })).status).toBe(200);
        await new Promise((r) => setTimeout(r, 1700));
        const refused = await t.request('GET', '/v1/vaults', { token: created.body.apiKey });
        expect(refused.status).toBe(401);
        expect(refused.body.error.message).toBe('The request is unauthorized. The API key has expired.');
        const past = await t.request('POST', `/v1/serviceAccounts/${saId}/apikey`, {
          body: { expiresAt: '2001-01-01T00:00:00Z' },
        });
        expect(past.status).toBe(400);
      });

      it('show when they were last used', async () => {
        const created = await t.request('POST', `/v1/serviceAccounts/${saId}/apikey`, { body: { name: 'usage' } });
        const path = `/v1/serviceAccounts/${saId}/apikey/${created.body.apiKeyID}`;
        expect(created.body.lastUsedOn).toBeNull();
        expect((await t.request('GET', path)).body.lastUsedOn).toBeNull();
        const before = Date.now();
        expect((await t.request('GET', '/v1/vaults', { token: created.body.apiKey })).status).toBe(200);
        // Recorded as the key is verified, without holding up the request.
        let lastUsedOn: string | null = null;
        for (let i = 0; i < 50 && lastUsedOn === null; i++) {
          lastUsedOn = (await t.request('GET', path)).body.lastUsedOn;
          if (lastUsedOn === null) await new Promise((r) => setTimeout(r, 20));
        }
        expect(Date.parse(lastUsedOn as string)).toBeGreaterThanOrEqual(before - 5);
      });

      it('rotation replaces the secret at once', async () => {
        const rotated = await t.request('PUT', `/v1/serviceAccounts/${saId}/apikey/${firstKeyId}/rotate`);
        expect(rotated.status).toBe(200);
        expect(rotated.body.apiKeyID).toBe(firstKeyId);
        expect(rotated.body.apiKey).not.toBe(firstKey);
        expect((await t.request('GET', '/v1/vaults', { token: firstKey })).status).toBe(401);
        expect((await t.request('GET', '/v1/vaults', { token: rotated.body.apiKey })).status).toBe(200);
        firstKey = rotated.body.apiKey;
      });

      it('deleted keys and keys of deleted accounts stop working', async () => {
        expect((await t.request('DELETE', `/v1/serviceAccounts/${saId}/apikey/${firstKeyId}`)).status).toBe(200);
        expect((await t.request('GET', '/v1/vaults', { token: firstKey })).status).toBe(401);
        const another = await t.request('POST', `/v1/serviceAccounts/${saId}/apikey`);
        expect((await t.request('GET', '/v1/vaults', { token: another.body.apiKey })).status).toBe(200);
        expect((await t.request('DELETE', `/v1/serviceAccounts/${saId}`)).status).toBe(200);
        expect((await t.request('GET', '/v1/vaults', { token: another.body.apiKey })).status).toBe(401);
      });

      it('are refused for service accounts that use key pairs, and key pairs for API-key accounts', async () => {
        const admin = t.adminCredentials.clientID;
        const res = await t.request('POST', `/v1/serviceAccounts/${admin}/apikey`);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/not API-key enabled/);
        const apiOnly = await t.request('POST', '/v1/serviceAccounts', {
          body: { serviceAccount: { name: 'api-only' }, apiKeyEnabled: true },
        });
        const keys = await t.request('POST', `/v1/serviceAccounts/${apiOnly.body.clientID}/keys`);
        expect(keys.status).toBe(400);
      });

      it('unknown keys in the API-key format are 401, not 500', async () => {
        const random = `sky-AbCdE-${randomBytes(16).toString('hex')}`;
        expect((await t.request('GET', '/v1/vaults', { token: random })).status).toBe(401);
      });
    });
  });
}
