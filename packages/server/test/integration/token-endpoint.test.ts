import { readFileSync } from 'node:fs';
import { createLocalJWKSet, importPKCS8, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePayload, hs256, rawJws, rs256, rsaKeyPair } from '../support/jwt.js';
import { postgresAvailable } from '../support/postgres.js';
import { type Credentials, signAssertion, startTestServer, type TestServer } from '../support/server.js';

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`token endpoint (${store})`, () => {
    let t: TestServer;
    let creds: Credentials;
    let now: number;

    const grant = (assertion: unknown, extra: Record<string, unknown> = {}) =>
      t.request('POST', '/v1/auth/sa/oauth/token', { token: null, body: { grant_type: GRANT, assertion, ...extra } });

    const expectRejected = async (assertion: string, why?: RegExp) => {
      const res = await grant(assertion);
      expect(res.status, `${res.text}`).toBe(401);
      expect(res.body.error).toMatchObject({ http_code: 401, grpc_code: 16, http_status: 'Unauthorized' });
      if (why) expect(res.body.error.message).toMatch(why);
    };

    beforeAll(async () => {
      t = await startTestServer({ store });
      creds = t.adminCredentials;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('grants a 60-minute ES256 bearer token for a valid assertion, verifiable with the JWKS', async () => {
      now = Math.floor(Date.now() / 1000);
      const res = await grant(await signAssertion(creds));
      expect(res.status).toBe(200);
      expect(res.body.tokenType).toBe('Bearer');
      const jwks = await t.request('GET', '/.well-known/jwks.json', { token: null });
      const { payload, protectedHeader } = await jwtVerify(res.body.accessToken, createLocalJWKSet(jwks.body));
      expect(protectedHeader.alg).toBe('ES256');
      expect(payload.sub).toBe(creds.clientID);
      expect(payload.exp! - payload.iat!).toBe(3600);
      expect(Math.abs(payload.iat! - now)).toBeLessThan(5);
      expect(typeof payload.jti).toBe('string');
      expect(Array.isArray(payload.roles) && payload.roles.length).toBe(1);
    });

    it('accepts an assertion without iat (as Python and Go SDKs send it)', async () => {
      const res = await grant(await signAssertion(creds, { omit: ['iat'] }));
      expect(res.status).toBe(200);
    });

    it('accepts an assertion that expired less than 60 seconds ago (clock skew)', async () => {
      const res = await grant(await signAssertion(creds, { claims: { exp: Math.floor(Date.now() / 1000) - 30 } }));
      expect(res.status).toBe(200);
    });

    it('accepts the form-encoded OAuth request shape', async () => {
      const body = new URLSearchParams({ grant_type: GRANT, assertion: await signAssertion(creds) });
      const res = await fetch(`${t.url}/v1/auth/sa/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      expect(res.status).toBe(200);
    });

    it('ignores the meaningless Authorization header SDKs send to the token endpoint', async () => {
      const assertion = await signAssertion(creds);
      for (const authorization of ['Bearer ', 'Bearer token']) {
        const res = await t.request('POST', '/v1/auth/sa/oauth/token', {
          token: null,
          headers: { authorization },
          body: { grant_type: GRANT, assertion },
        });
        expect(res.status).toBe(200);
      }
    });

    it('rejects a missing assertion or an unsupported grant type with 400', async () => {
      const missing = await t.request('POST', '/v1/auth/sa/oauth/token', { token: null, body: { grant_type: GRANT } });
      expect(missing.status).toBe(400);
      expect(missing.body.error.message).toMatch(/assertion/);
      const wrongGrant = await grant(await signAssertion(creds), { grant_type: 'client_credentials' });
      expect(wrongGrant.status).toBe(400);
      expect(wrongGrant.body.error.message).toMatch(/grant_type/);
    });

    describe('rejects every malformed or hostile assertion with 401', () => {
      it('strings that are not a strict compact JWS', async () => {
        const valid = await signAssertion(creds);
        const [h, p, s] = valid.split('.') as [string, string, string];
        for (const bad of [
          'not-a-jwt',
          `${h}.${p}`,
          `${h}.${p}.${s}.${s}`,
          `${h}.${p}.`,
          `.${p}.${s}`,
          `${h} .${p}.${s}`,
          `${h}.${p}.${s}=`,
          `${h}.${p}.${s.slice(0, 10)}+${s.slice(11)}`,
          `${h}.${p}.${s.slice(0, 10)}/${s.slice(11)}`,
          ` ${valid}`,
          `${valid}\n`,
          `${h}.${p}.${s}B`, // 343 characters leave 2 unused bits, and "B" sets one: not canonical
          `${h}.${p}.${'A'.repeat(17000)}`,
        ]) {
          await expectRejected(bad, /compact JWS/);
        }
      });

      it('alg none, with or without a signature', async () => {
        const claims = decodePayload(await signAssertion(creds));
        await expectRejected(`${rawJws({ alg: 'none', typ: 'JWT' }, claims).split('.').slice(0, 2).join('.')}.`);
        await expectRejected(rawJws({ alg: 'none', typ: 'JWT' }, claims), /alg/);
        await expectRejected(rawJws({ alg: 'NONE' }, claims), /alg/);
      });

      it('HS256 signed with the service account public key (algorithm confusion)', async () => {
        const claims = decodePayload(await signAssertion(creds));
        const key = await t.request('GET', `/v1/serviceAccounts/${creds.clientID}/keys/${creds.keyID}`);
        expect(key.status).toBe(200);
        await expectRejected(hs256(claims, key.body.publicKey), /alg/);
      });

      it('other RSA algorithms with the right key', async () => {
        const key = await importPKCS8(creds.privateKey, 'PS256');
        const now = Math.floor(Date.now() / 1000);
        for (const alg of ['PS256', 'RS512']) {
          const k = alg === 'PS256' ? key : await importPKCS8(creds.privateKey, alg);
          const jws = await new SignJWT({ key: creds.keyID })
            .setProtectedHeader({ alg })
            .setIssuer(creds.clientID)
            .setSubject(creds.clientID)
            .setAudience(creds.tokenURI)
            .setExpirationTime(now + 600)
            .sign(k);
          await expectRejected(jws, /alg/);
        }
      });

      it('a signature by a key that is not registered, even with a matching embedded jwk', async () => {
        const stranger = rsaKeyPair();
        await expectRejected(await signAssertion({ ...creds, privateKey: stranger.privateKey }), /signature/);
        const { createPublicKey } = await import('node:crypto');
        const jwk = createPublicKey(stranger.publicKey).export({ format: 'jwk' });
        await expectRejected(
          await signAssertion({ ...creds, privateKey: stranger.privateKey }, { header: { jwk } }),
          /signature/,
        );
      });

      it('a tampered payload or signature', async () => {
        const valid = await signAssertion(creds);
        const [h, p, s] = valid.split('.') as [string, string, string];
        const claims = decodePayload(valid);
        const tampered = Buffer.from(JSON.stringify({ ...claims, exp: (claims.exp as number) + 10 })).toString(
          'base64url',
        );
        await expectRejected(`${h}.${tampered}.${s}`, /signature/);
        const flipped = `${s.slice(0, 20)}${s[20] === 'A' ? 'B' : 'A'}${s.slice(21)}`;
        await expectRejected(`${h}.${p}.${flipped}`, /signature/);
      });

      it('unknown service account, unknown key, or a key of another account', async () => {
        const other = await t.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: { name: 'other' } } });
        expect(other.status).toBe(200);
        await expectRejected(await signAssertion(creds, { claims: { iss: 'f'.repeat(32), sub: 'f'.repeat(32) } }));
        await expectRejected(await signAssertion(creds, { claims: { key: 'e'.repeat(32) } }));
        await expectRejected(await signAssertion(creds, { claims: { key: other.body.keyID } }));
        await expectRejected(await signAssertion(creds, { claims: { key: 'not-an-id' } }), /key/);
        await expectRejected(await signAssertion(creds, { omit: ['key'] }), /key/);
        await expectRejected(await signAssertion(creds, { omit: ['iss'] }), /iss/);
        await expectRejected(await signAssertion(creds, { claims: { iss: 42 } }), /iss/);
      });

      it('wrong or missing audience', async () => {
        await expectRejected(
          await signAssertion(creds, { claims: { aud: 'https://manage.skyflowapis.com/v1/auth/sa/oauth/token' } }),
          /aud/,
        );
        await expectRejected(await signAssertion(creds, { omit: ['aud'] }), /aud/);
      });

      it('missing, expired, non-numeric or far-future exp', async () => {
        const nowS = Math.floor(Date.now() / 1000);
        await expectRejected(await signAssertion(creds, { omit: ['exp'] }), /exp/);
        await expectRejected(await signAssertion(creds, { claims: { exp: nowS - 120 } }), /expired/);
        await expectRejected(await signAssertion(creds, { claims: { exp: String(nowS + 600) } }), /exp/);
        await expectRejected(await signAssertion(creds, { claims: { exp: nowS + 3600 + 300 } }), /one hour/);
        await expectRejected(await signAssertion(creds, { claims: { exp: nowS + 10 * 365 * 86400 } }), /one hour/);
      });

      it('iat in the future, nbf in the future, or sub different from iss', async () => {
        const nowS = Math.floor(Date.now() / 1000);
        await expectRejected(await signAssertion(creds, { claims: { iat: nowS + 600 } }), /iat/);
        await expectRejected(await signAssertion(creds, { claims: { nbf: nowS + 600 } }), /nbf/);
        await expectRejected(await signAssertion(creds, { claims: { sub: 'a'.repeat(32) } }), /sub/);
      });

      it('a critical header the server does not understand', async () => {
        const claims = decodePayload(await signAssertion(creds));
        // The same hand-made signing is accepted without the critical header.
        expect((await grant(rs256({ alg: 'RS256', typ: 'JWT' }, claims, creds.privateKey))).status).toBe(200);
        await expectRejected(rs256({ alg: 'RS256', typ: 'JWT', crit: ['b64'], b64: false }, claims, creds.privateKey));
        await expectRejected(rs256({ alg: 'RS256', typ: 'JWT', crit: ['x-custom'] }, claims, creds.privateKey));
      });

      it('header or payload that are not JSON objects', async () => {
        const sig = (await signAssertion(creds)).split('.')[2] as string;
        const enc = (s: string) => Buffer.from(s).toString('base64url');
        await expectRejected(`${enc('not json')}.${enc('{}')}.${sig}`);
        await expectRejected(`${enc('{"alg":"RS256"}')}.${enc('[1,2]')}.${sig}`);
        await expectRejected(`${enc('{"alg":"RS256"}')}.${enc('"text"')}.${sig}`);
      });

      it('a bearer token presented as an assertion', async () => {
        await expectRejected(await t.adminToken(), /alg/);
      });
    });

    describe('scope and context', () => {
      let sa: Credentials;
      let roles: { viewer: string; editor: string };

      beforeAll(async () => {
        const vaultId = (await t.request('GET', '/v1/vaults')).body.vaults[0].ID as string;
        const list = await t.request('GET', `/v1/roles?resource.type=VAULT&resource.ID=${vaultId}`);
        const byName = Object.fromEntries(list.body.roles.map((r: any) => [r.definition.name, r.ID]));
        roles = { viewer: byName.VAULT_VIEWER, editor: byName.VAULT_EDITOR };
        const created = await t.request('POST', '/v1/serviceAccounts', {
          body: { serviceAccount: { name: 'scoped' }, roleIDs: [roles.viewer, roles.editor] },
        });
        expect(created.status).toBe(200);
        sa = created.body;
      });

      it('without scope the token carries every assigned role', async () => {
        const res = await grant(await signAssertion(sa));
        expect((decodePayload(res.body.accessToken).roles as string[]).sort()).toEqual(
          [roles.viewer, roles.editor].sort(),
        );
      });

      it('scope narrows the roles, tolerating the spacing each SDK uses', async () => {
        for (const scope of [`role:${roles.viewer}`, ` role:${roles.viewer}`, `role:${roles.viewer} `]) {
          const res = await grant(await signAssertion(sa), { scope });
          expect(res.status).toBe(200);
          expect(decodePayload(res.body.accessToken).roles).toEqual([roles.viewer]);
        }
        const nullScope = await grant(await signAssertion(sa), { scope: null });
        expect(nullScope.status).toBe(200);
      });

      it('scope naming a role that is not assigned is refused with 403; a malformed scope with 400', async () => {
        const notMine = await grant(await signAssertion(sa), { scope: `role:${'a'.repeat(32)}` });
        expect(notMine.status).toBe(403);
        const malformed = await grant(await signAssertion(sa), { scope: 'admin' });
        expect(malformed.status).toBe(400);
      });

      it('ctx given as a string or an object lands in the token', async () => {
        const asString = await grant(await signAssertion(sa, { claims: { ctx: 'user_42' } }));
        expect(decodePayload(asString.body.accessToken)).toMatchObject({
          ctx: 'user_42',
          context_identifier: 'user_42',
        });
        const asObject = await grant(await signAssertion(sa, { claims: { ctx: { role: 'admin', level: 3 } } }));
        expect(decodePayload(asObject.body.accessToken).ctx).toEqual({ role: 'admin', level: 3 });
      });

      it('ctx with keys outside ^[a-zA-Z0-9_]+$ or nested values makes the assertion invalid (401)', async () => {
        await expectRejected(await signAssertion(sa, { claims: { ctx: { 'bad-key': 1 } } }), /ctx key/);
        await expectRejected(await signAssertion(sa, { claims: { ctx: { a: { b: 1 } } } }), /ctx value/);
        await expectRejected(await signAssertion(sa, { claims: { ctx: [1] } }), /ctx must be/);
      });

      it('a service account that enforces context cannot get a token without ctx', async () => {
        const patched = await t.request('PATCH', `/v1/serviceAccounts/${sa.clientID}`, {
          body: { clientConfiguration: { enforceContextID: true } },
        });
        expect(patched.status).toBe(200);
        await expectRejected(await signAssertion(sa), /requires context/);
        const withCtx = await grant(await signAssertion(sa, { claims: { ctx: 'abc' } }));
        expect(withCtx.status).toBe(200);
      });
    });

    describe('keys and accounts that change', () => {
      it('a rotated key stops working for new grants and for the tokens it minted', async () => {
        const created = await t.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: { name: 'rot' } } });
        const sa: Credentials = created.body;
        const token = (await grant(await signAssertion(sa))).body.accessToken;
        expect((await t.request('GET', `/v1/serviceAccounts/${sa.clientID}`, { token })).status).toBe(200);
        const rotated = await t.request('PUT', `/v1/serviceAccounts/${sa.clientID}/keys/${sa.keyID}/rotate`);
        expect(rotated.status).toBe(200);
        expect(rotated.body.keyID).not.toBe(sa.keyID);
        await expectRejected(await signAssertion(sa));
        expect((await t.request('GET', `/v1/serviceAccounts/${sa.clientID}`, { token })).status).toBe(401);
        expect((await grant(await signAssertion(rotated.body))).status).toBe(200);
      });

      it('an inactive or deleted service account cannot get tokens and its tokens stop working', async () => {
        const created = await t.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: { name: 'gone' } } });
        const sa: Credentials = created.body;
        const token = (await grant(await signAssertion(sa))).body.accessToken;
        await t.request('PATCH', `/v1/serviceAccounts/${sa.clientID}`, {
          body: { serviceAccount: { status: 'INACTIVE' } },
        });
        await expectRejected(await signAssertion(sa));
        expect((await t.request('GET', `/v1/serviceAccounts/${sa.clientID}`, { token })).status).toBe(401);
        await t.request('PATCH', `/v1/serviceAccounts/${sa.clientID}`, {
          body: { serviceAccount: { status: 'ACTIVE' } },
        });
        expect((await grant(await signAssertion(sa))).status).toBe(200);
        expect((await t.request('DELETE', `/v1/serviceAccounts/${sa.clientID}`)).status).toBe(200);
        await expectRejected(await signAssertion(sa));
        expect((await t.request('GET', `/v1/vaults`, { token })).status).toBe(401);
      });
    });

    it('the admin credentials file on disk is the one the server issued', () => {
      const onDisk = JSON.parse(readFileSync(t.adminCredentialsFile, 'utf8'));
      expect(onDisk).toEqual(creds);
      expect(onDisk.tokenURI).toBe(`${t.url}/v1/auth/sa/oauth/token`);
    });
  });
}
