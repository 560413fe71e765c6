import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type Credentials,
  GetRequest,
  generateBearerToken,
  InsertRequest,
  LogLevel,
  Skyflow,
  type SkyflowConfig,
} from '../src/index.js';
import { type SdkFixture, startSdkFixture } from './support/vault-fixture.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('credentials against a real Strongroom server', () => {
  let f: SdkFixture;
  beforeAll(async () => {
    f = await startSdkFixture();
  });
  afterAll(() => f?.close());

  const client = (config: Omit<SkyflowConfig, 'vaultConfigs'> & { own?: Credentials }) =>
    new Skyflow({
      vaultConfigs: [{ vaultId: f.vaultId, vaultURL: f.url, ...(config.own && { credentials: config.own }) }],
      logLevel: LogLevel.OFF,
      ...config,
    });
  const insertOne = (c: Skyflow) => c.vault().insert(new InsertRequest('persons', [{ age: 1 }]));

  it('an API key', async () => {
    const res = await insertOne(client({ skyflowCredentials: { apiKey: f.apiKey } }));
    expect(res.insertedFields[0]?.skyflowId).toMatch(UUID);
  });

  it('a bearer token given as it is', async () => {
    const { accessToken } = await generateBearerToken(f.owner.credentialsPath);
    expect((await insertOne(client({ skyflowCredentials: { token: accessToken } }))).insertedFields).toHaveLength(1);
  });

  it('a credentials file path, and a credentials string', async () => {
    expect(
      (await insertOne(client({ skyflowCredentials: { path: f.owner.credentialsPath } }))).insertedFields,
    ).toHaveLength(1);
    const fromString = client({ skyflowCredentials: { credentialsString: f.owner.credentialsString } });
    expect((await insertOne(fromString)).insertedFields).toHaveLength(1);
  });

  it('SKYFLOW_CREDENTIALS when no config has credentials', async () => {
    vi.stubEnv('SKYFLOW_CREDENTIALS', f.owner.credentialsString);
    try {
      expect((await insertOne(client({}))).insertedFields).toHaveLength(1);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('precedence: per-config over client-wide over environment', async () => {
    vi.stubEnv('SKYFLOW_CREDENTIALS', '{"not":"credentials"}');
    try {
      const broken = { path: '/nonexistent/credentials.json' };
      // Per-config wins over a broken client-wide and a broken environment.
      expect(
        (await insertOne(client({ own: { apiKey: f.apiKey }, skyflowCredentials: broken }))).insertedFields,
      ).toHaveLength(1);
      // Client-wide wins over a broken environment.
      expect((await insertOne(client({ skyflowCredentials: { apiKey: f.apiKey } }))).insertedFields).toHaveLength(1);
      // The environment is used, and is what fails, when nothing else is given.
      await expect(insertOne(client({}))).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
      // The client-wide credentials are used, and are what fails, when the config has none.
      await expect(insertOne(client({ skyflowCredentials: broken }))).rejects.toMatchObject({
        code: 'INVALID_CREDENTIALS',
        message: expect.stringMatching(/could not be read \(ENOENT\)/),
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('refuses credentials of two kinds when the config is added', () => {
    expect(() => client({ skyflowCredentials: { apiKey: f.apiKey, path: 'x' } as unknown as Credentials })).toThrow(
      /exactly one kind/,
    );
  });

  it('roles narrow generated tokens: a viewer-scoped token can read but not insert', async () => {
    const viewer = client({
      skyflowCredentials: { path: f.owner.credentialsPath, roles: [f.roles.VAULT_VIEWER as string] },
    });
    await expect(insertOne(viewer)).rejects.toMatchObject({ httpCode: 403 });
    expect((await viewer.vault().get(new GetRequest('persons'), { limit: 1 })).data).toHaveLength(1);
  });

  it('context is signed into the assertion: an account that enforces context needs it', async () => {
    const contextual = await f.serviceAccount('sdk-context', { enforceContextID: true });
    await expect(insertOne(client({ skyflowCredentials: { path: contextual.credentialsPath } }))).rejects.toMatchObject(
      {
        code: 'API_ERROR',
        httpCode: 401,
        message: expect.stringMatching(/context/),
      },
    );
    const withContext = client({
      skyflowCredentials: { path: contextual.credentialsPath, context: { user_id: 'u-42' } },
    });
    expect((await insertOne(withContext)).insertedFields).toHaveLength(1);
  });

  it('a getBearerToken callback: called once, its token cached, and called again after a 401', async () => {
    const { accessToken } = await generateBearerToken(f.owner.credentialsPath);
    // A token that looks valid for an hour but that the server refuses (its signature is wrong).
    const [h, p] = accessToken.split('.');
    const forged = `${h}.${p}.AAAA`;
    const getBearerToken = vi.fn<() => Promise<string>>().mockResolvedValueOnce(forged).mockResolvedValue(accessToken);
    const c = client({ skyflowCredentials: { getBearerToken } });
    expect((await insertOne(c)).insertedFields).toHaveLength(1);
    expect(getBearerToken).toHaveBeenCalledTimes(2);
    await insertOne(c);
    await insertOne(c);
    expect(getBearerToken).toHaveBeenCalledTimes(2);
  });

  it('after a 401 a generated token is renewed once: a rotated key is picked up from the credentials file', async () => {
    const sa = await f.serviceAccount('sdk-rotating');
    const c = client({ skyflowCredentials: { path: sa.credentialsPath } });
    await insertOne(c);
    const rotated = await f.t.request('PUT', `/v1/serviceAccounts/${sa.clientID}/keys/${sa.credentials.keyID}/rotate`);
    expect(rotated.status).toBe(200);
    writeFileSync(sa.credentialsPath, JSON.stringify(rotated.body));
    // The cached token died with the old key: the call gets a 401, renews from the file and succeeds.
    expect((await insertOne(c)).insertedFields).toHaveLength(1);
  });

  it('a 401 that a fresh token does not fix is reported, after exactly one renewal', async () => {
    const getBearerToken = vi.fn(async () => 'opaque-and-wrong');
    const c = client({ skyflowCredentials: { getBearerToken } });
    await expect(insertOne(c)).rejects.toMatchObject({ code: 'API_ERROR', httpCode: 401, grpcCode: 16 });
    expect(getBearerToken).toHaveBeenCalledTimes(2);
  });

  it('an API key or a static token is not renewed after a 401', async () => {
    await expect(
      insertOne(client({ skyflowCredentials: { apiKey: `sky-abcde-${'0'.repeat(32)}` } })),
    ).rejects.toMatchObject({
      httpCode: 401,
    });
  });
});
