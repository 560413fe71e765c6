import { createPrivateKey, createPublicKey } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateBearerToken,
  generateBearerTokenFromCreds,
  generateSignedDataTokens,
  generateSignedDataTokensFromCreds,
  isExpired,
  LogLevel,
  SkyflowError,
} from '../src/index.js';
import { type SdkFixture, startSdkFixture } from './support/vault-fixture.js';

describe('service-account helpers against a real Strongroom server', () => {
  let f: SdkFixture;
  beforeAll(async () => {
    f = await startSdkFixture();
  });
  afterAll(() => f?.close());

  const whoami = async (token: string) => {
    const res = await fetch(`${f.url}/v1/auth/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as { serviceAccountID: string; roleIDs: string[]; context?: unknown };
  };

  describe('generateBearerToken', () => {
    it('exchanges a credentials file for a bearer token of the account', async () => {
      const res = await generateBearerToken(f.owner.credentialsPath);
      expect(res.tokenType).toBe('Bearer');
      expect(isExpired(res.accessToken)).toBe(false);
      expect((await whoami(res.accessToken)).serviceAccountID).toBe(f.owner.clientID);
    });

    it('scopes the token to roleIds (and skyflow-node’s roleIDs)', async () => {
      const viewer = f.roles.VAULT_VIEWER as string;
      expect(
        (await whoami((await generateBearerToken(f.owner.credentialsPath, { roleIds: [viewer] })).accessToken)).roleIDs,
      ).toEqual([viewer]);
      expect(
        (await whoami((await generateBearerToken(f.owner.credentialsPath, { roleIDs: [viewer] })).accessToken)).roleIDs,
      ).toEqual([viewer]);
    });

    it('signs ctx into the assertion, as a string or an object', async () => {
      const byString = await generateBearerTokenFromCreds(f.owner.credentialsString, { ctx: 'user_7' });
      expect((await whoami(byString.accessToken)).context).toBe('user_7');
      const byObject = await generateBearerTokenFromCreds(f.owner.credentialsString, {
        ctx: { role: 'admin', level: 2 },
      });
      expect((await whoami(byObject.accessToken)).context).toEqual({ role: 'admin', level: 2 });
    });

    it('refuses ctx keys outside ^[A-Za-z0-9_]+$ before sending anything', async () => {
      await expect(
        generateBearerTokenFromCreds(f.owner.credentialsString, { ctx: { 'user-id': 'x' } }),
      ).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
    });

    it('accepts the credential key spellings of the other SDKs (clientId, key_id, token_uri…)', async () => {
      const c = f.owner.credentials;
      const pythonic = { client_id: c.clientID, key_id: c.keyID, token_uri: c.tokenURI, private_key: c.privateKey };
      expect((await whoami((await generateBearerTokenFromCreds(pythonic)).accessToken)).serviceAccountID).toBe(
        c.clientID,
      );
    });

    it('reports the token endpoint’s refusal as a SkyflowError, and bad credentials without echoing them', async () => {
      const wrongAudience = await generateBearerToken(f.owner.credentialsPath, {
        tokenUri: `${f.url}/v1/auth/sa/oauth/token?x=1`,
        logLevel: LogLevel.OFF,
      }).catch((e: unknown) => e);
      expect(wrongAudience).toBeInstanceOf(SkyflowError);
      expect(wrongAudience).toMatchObject({ code: 'API_ERROR', httpCode: 401, message: expect.stringMatching(/aud/) });

      const secret = 'THIS-IS-SECRET';
      const broken = {
        ...f.owner.credentials,
        privateKey: `-----BEGIN PRIVATE KEY-----\n${secret}\n-----END PRIVATE KEY-----`,
      };
      const error = (await generateBearerTokenFromCreds(broken).catch((e: unknown) => e)) as SkyflowError;
      expect(error.code).toBe('INVALID_CREDENTIALS');
      expect(error.message).not.toContain(secret);
      const missing = (await generateBearerTokenFromCreds('{"clientID":"x"}').catch((e: unknown) => e)) as SkyflowError;
      expect(missing.message).toBe('The service account credentials have no keyID.');
    });
  });

  describe('generateSignedDataTokens', () => {
    it('produces signed_token_ + an RS256 JWS with the §4.8 claims, verifiable with the account’s public key', async () => {
      const before = Math.floor(Date.now() / 1000);
      const res = await generateSignedDataTokens(f.owner.credentialsPath, {
        dataTokens: ['tok-1', 'tok-2'],
        timeToLive: 90,
        ctx: { user: 'u1' },
      });
      expect(res.map((r) => r.token)).toEqual(['tok-1', 'tok-2']);
      const publicKey = createPublicKey(createPrivateKey(f.owner.credentials.privateKey));
      for (const { token, signedToken } of res) {
        expect(signedToken.startsWith('signed_token_')).toBe(true);
        const jws = signedToken.slice('signed_token_'.length);
        expect(decodeProtectedHeader(jws)).toEqual({ alg: 'RS256', typ: 'JWT' });
        const { payload } = await jwtVerify(jws, publicKey, { algorithms: ['RS256'] });
        expect(payload).toEqual({
          iss: 'sdk',
          key: f.owner.credentials.keyID,
          aud: f.owner.credentials.tokenURI,
          sub: f.owner.clientID,
          tok: token,
          iat: expect.any(Number),
          exp: (payload.iat as number) + 90,
          ctx: { user: 'u1' },
        });
        expect(payload.iat).toBeGreaterThanOrEqual(before);
      }
    });

    it('defaults to 60 seconds, omits ctx when not given, and reads credentials from a string', async () => {
      const [res] = await generateSignedDataTokensFromCreds(f.owner.credentialsString, { dataTokens: ['t'] });
      const { payload } = await jwtVerify(
        res!.signedToken.slice('signed_token_'.length),
        createPublicKey(createPrivateKey(f.owner.credentials.privateKey)),
      );
      expect((payload.exp as number) - (payload.iat as number)).toBe(60);
      expect(payload).not.toHaveProperty('ctx');
    });

    it('rejects empty token lists, bad time-to-live and bad ctx keys', async () => {
      for (const options of [
        { dataTokens: [] },
        { dataTokens: ['t'], timeToLive: 0 },
        { dataTokens: ['t'], timeToLive: 1.5 },
        { dataTokens: ['t'], ctx: { 'a.b': 1 } },
      ]) {
        await expect(generateSignedDataTokensFromCreds(f.owner.credentialsString, options)).rejects.toMatchObject({
          code: 'INVALID_INPUT',
        });
      }
    });
  });
});
