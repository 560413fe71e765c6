import { exportSPKI, generateKeyPair, importJWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../data-api/helpers.js';
import { hs256, rawJws } from '../support/jwt.js';
import { type Credentials, startTestServer, type TestServer, tokenFor } from '../support/server.js';

/**
 * The JWT attack suite: every known way to get a forged, stale or malformed JWT accepted, tried against
 * both kinds of bearer JWT the server takes — its own tokens (ES256, from the token endpoint) and JWTs a
 * client signs with a registered public key. Each must be a 401 in the error shape, and the control (a
 * sound token of the same kind) must pass, so a refusal is never an accident of the test.
 */

interface Kind {
  readonly name: string;
  /** Signs claims with the real key of this kind (header overrides allowed). */
  sign(claims: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  /** Sound claims for this kind, valid for ten minutes. */
  claims(): JWTPayload;
  readonly kid: string;
  readonly alg: string;
  /** What an attacker could use as an HMAC secret: the public key, in the forms it is published. */
  readonly publicForms: readonly string[];
}

const nowS = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('JWT attack suite', () => {
  let t: TestServer;
  let account: Credentials;
  const kinds: Kind[] = [];

  beforeAll(async () => {
    t = await startTestServer({ config: { demo: false } });
    const created = await t.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: { name: 'target' } } });
    account = created.body;

    // The server's own tokens, signed with its real signing key.
    const { store, keyring, issuer } = t.server.services;
    const [row] = await store.signingKeys.list();
    const serverKey = await importJWK(
      JSON.parse(keyring.unwrap(['signing-key', row!.kid], row!.privateSealed).toString()),
      'ES256',
    );
    kinds.push({
      name: 'server-issued token',
      kid: row!.kid,
      alg: 'ES256',
      publicForms: [JSON.stringify(row!.publicJwk), JSON.stringify(row!.publicJwk, null, 2)],
      claims: () => ({
        iss: issuer.issuer,
        aud: issuer.issuer,
        sub: account.clientID,
        roles: [],
        jti: `jti-${Math.random()}`,
        iat: nowS(),
        exp: nowS() + 600,
      }),
      sign: (claims, header = {}) =>
        new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: row!.kid, ...header }).sign(serverKey),
    });

    // A client-signed JWT under a registered RS256 key.
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const registered = await t.request('POST', `/v1/serviceAccounts/${account.clientID}/publicKeys`, {
      body: { publicKey: pem },
    });
    expect(registered.status, registered.text).toBe(200);
    const kid = registered.body.keyID as string;
    kinds.push({
      name: 'client-signed JWT',
      kid,
      alg: 'RS256',
      publicForms: [pem, JSON.stringify(registered.body.publicKey)],
      claims: () => ({ iss: account.clientID, jti: `jti-${Math.random()}`, iat: nowS(), exp: nowS() + 600 }),
      sign: (claims, header = {}) =>
        new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid, ...header }).sign(privateKey),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const whoami = (token: string) => t.request('GET', '/v1/auth/whoami', { token });

  /** Each attack makes a token from a kind; all must be refused. */
  const attacks: [string, (k: Kind) => Promise<string | string[]>][] = [
    [
      'alg none, with and without a signature',
      async (k) => [
        rawJws({ alg: 'none', typ: 'JWT', kid: k.kid }, k.claims(), ''),
        rawJws({ alg: 'none', typ: 'JWT', kid: k.kid }, k.claims()),
        rawJws({ alg: 'NONE', kid: k.kid }, k.claims()),
      ],
    ],
    [
      'HS256 signed with the public key as the secret',
      async (k) =>
        k.publicForms.map((secret) => {
          const token = hs256(k.claims(), secret);
          const [, body, sig] = token.split('.');
          return `${b64({ alg: 'HS256', typ: 'JWT', kid: k.kid })}.${body}.${sig}`;
        }),
    ],
    [
      'signed with the wrong key under the right kid',
      async (k) => {
        const { privateKey } = await generateKeyPair(k.alg, { extractable: true });
        return new SignJWT(k.claims()).setProtectedHeader({ alg: k.alg, kid: k.kid }).sign(privateKey);
      },
    ],
    ['expired', async (k) => k.sign({ ...k.claims(), iat: nowS() - 1200, exp: nowS() - 1 })],
    ['not valid before a future nbf', async (k) => k.sign({ ...k.claims(), nbf: nowS() + 3600 })],
    ['a lifetime over one hour', async (k) => k.sign({ ...k.claims(), iat: nowS(), exp: nowS() + 3601 })],
    ['the wrong audience', async (k) => k.sign({ ...k.claims(), aud: 'https://evil.example/v1/auth/sa/oauth/token' })],
    [
      'an unknown key ID',
      async (k) => k.sign(k.claims(), { kid: k.kid.startsWith('pk_') ? `pk_${'f'.repeat(32)}` : 'f'.repeat(32) }),
    ],
    [
      'another algorithm than the key’s',
      async (k) => {
        const other = k.alg === 'RS256' ? 'PS256' : 'ES384';
        const { privateKey } = await generateKeyPair(other, { extractable: true });
        return new SignJWT(k.claims()).setProtectedHeader({ alg: other, kid: k.kid }).sign(privateKey);
      },
    ],
    [
      'malformed or non-canonical segments',
      async (k) => {
        const good = await k.sign(k.claims());
        const [h, p, s] = good.split('.') as [string, string, string];
        // A signature segment whose last character carries extra bits decodes to the same bytes.
        const tail = s.at(-1) as string;
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const sibling = alphabet[(alphabet.indexOf(tail) ^ 1) % 64] as string;
        return [
          `${h}.${p}.${s}.${s}`,
          `${h}.${p}`,
          `${h}=.${p}.${s}`,
          `${h}.${p}.${s}==`,
          `${h}.${p.slice(0, 10)} ${p.slice(10)}.${s}`,
          `${h.replace(/-/g, '+').replace(/_/g, '/')}x.${p}.${s}`,
          `${h}.${p}.${s.slice(0, -1)}${sibling}`,
          `.${p}.${s}`,
          `${h}..${s}`,
        ];
      },
    ],
    ['oversized', async (k) => k.sign({ ...k.claims(), pad: 'x'.repeat(9000) })],
    [
      'a revoked token replayed',
      async (k) => {
        const token = await k.sign(k.claims());
        expect((await whoami(token)).status).toBe(200);
        const res = await t.request('POST', '/v1/auth/revoke', {
          body: {
            jti: (JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { jti: string })
              .jti,
            serviceAccountID: account.clientID,
          },
        });
        expect(res.status, res.text).toBe(200);
        return token;
      },
    ],
  ];

  for (const kindIndex of [0, 1]) {
    describe(kindIndex === 0 ? 'server-issued tokens' : 'client-signed JWTs', () => {
      it('the control: a sound token of this kind is accepted', async () => {
        const k = kinds[kindIndex] as Kind;
        const res = await whoami(await k.sign(k.claims()));
        expect(res.status, res.text).toBe(200);
        expect(res.body.serviceAccountID).toBe(account.clientID);
      });

      for (const [name, make] of attacks) {
        it(`refuses ${name} with 401`, async () => {
          const k = kinds[kindIndex] as Kind;
          const made = await make(k);
          for (const token of Array.isArray(made) ? made : [made]) expectError(await whoami(token), 401);
        });
      }
    });
  }

  it('a token endpoint token and a real client-signed JWT still work after all that', async () => {
    expect((await whoami(await tokenFor(t.url, account))).status).toBe(200);
  });
});
