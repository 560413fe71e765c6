import { generateKeyPairSync } from 'node:crypto';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../data-api/helpers.js';
import { postgresAvailable } from '../support/postgres.js';
import { type Credentials, startTestServer, type TestServer, tokenFor } from '../support/server.js';

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`registered public keys (${store})`, () => {
    let t: TestServer;
    let account: Credentials;
    let accountToken: string;

    const whoami = (token: string) => t.request('GET', '/v1/auth/whoami', { token });
    const register = (publicKey: string, token?: string) =>
      t.request('POST', `/v1/serviceAccounts/${account.clientID}/publicKeys`, {
        body: { publicKey, name: 'laptop' },
        ...(token !== undefined && { token }),
      });

    beforeAll(async () => {
      t = await startTestServer({ store, config: { demo: false } });
      const created = await t.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: { name: 'signer' } } });
      account = created.body;
      accountToken = await tokenFor(t.url, account);
    });
    afterAll(async () => {
      await t?.close();
    });

    for (const alg of ['RS256', 'ES256', 'ES384'] as const) {
      it(`an account registers its own ${alg} key and calls the API with JWTs it signs`, async () => {
        const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
        const res = await register(await exportSPKI(publicKey), accountToken);
        expect(res.status, res.text).toBe(200);
        expect(res.body).toEqual({
          keyID: expect.stringMatching(/^pk_[0-9a-f]{32}$/),
          name: 'laptop',
          algorithm: alg,
          publicKey: expect.objectContaining({ kty: alg === 'RS256' ? 'RSA' : 'EC' }),
          createdOn: expect.any(String),
        });
        const now = Math.floor(Date.now() / 1000);
        const jwt = await new SignJWT({ ctx: { team: 'billing' } })
          .setProtectedHeader({ alg, kid: res.body.keyID, typ: 'JWT' })
          .setIssuer(account.clientID)
          .setIssuedAt(now)
          .setExpirationTime(now + 600)
          .sign(privateKey);
        const who = await whoami(jwt);
        expect(who.status, who.text).toBe(200);
        expect(who.body).toMatchObject({
          serviceAccountID: account.clientID,
          authMode: 'CLIENT_SIGNED_JWT',
          context: { team: 'billing' },
        });
      });
    }

    it('deleting the key stops its JWTs at once; listing never needs the private key', async () => {
      const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
      const created = await register(await exportSPKI(publicKey));
      const now = Math.floor(Date.now() / 1000);
      const jwt = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: created.body.keyID })
        .setIssuer(account.clientID)
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .sign(privateKey);
      expect((await whoami(jwt)).status).toBe(200);
      const list = await t.request('GET', `/v1/serviceAccounts/${account.clientID}/publicKeys`);
      expect(list.body.keys.map((k: { keyID: string }) => k.keyID)).toContain(created.body.keyID);
      const path = `/v1/serviceAccounts/${account.clientID}/publicKeys/${created.body.keyID}`;
      expect((await t.request('GET', path)).body.keyID).toBe(created.body.keyID);
      expect((await t.request('DELETE', path)).status).toBe(200);
      expectError(await whoami(jwt), 401, /key that signed this token was deleted|unknown key/);
      expectError(await t.request('GET', path), 404);
    });

    it('refuses keys that are weak, private, malformed or of another kind, and other accounts’ callers', async () => {
      const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
        type: 'spki',
        format: 'pem',
      });
      expectError(await register(weak as string), 400, /at least 2048 bits \(this one has 1024\)/);
      const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' });
      expectError(await register(ed as string), 400, /only RSA and EC/);
      const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({
        type: 'spki',
        format: 'pem',
      });
      expectError(await register(k1 as string), 400, /P-256 or P-384/);
      expectError(await register('-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----'), 400, /PEM public key/);
      const other = await t.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: { name: 'other' } } });
      const otherToken = await tokenFor(t.url, other.body as Credentials);
      const { publicKey } = await generateKeyPair('ES256', { extractable: true });
      expectError(await register(await exportSPKI(publicKey), otherToken), 403, /serviceAccounts.update/);
      // A private key pasted by mistake is refused, not quietly reduced to its public half.
      const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const pasted = await register(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
      expectError(pasted, 400, /is a private key\. Never send a private key/);
    });
  });
}
