import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { postgresAvailable } from '../support/postgres.js';
import { type Credentials, signAssertion, startTestServer, type TestServer, tokenFor } from '../support/server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits, if needed, so that the next `seconds` fall inside one window of `windowMs`. */
async function awayFromWindowEdge(windowMs: number, seconds: number): Promise<void> {
  const into = Date.now() % windowMs;
  if (into > windowMs - seconds * 1000) await sleep(windowMs - into + 50);
}

async function grant(url: string, credentials: Credentials) {
  return fetch(`${url}/v1/auth/sa/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: await signAssertion(credentials),
    }),
  });
}

async function expect429(res: Response, message: RegExp, maxRetryAfter: number) {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxRetryAfter);
  const body = (await res.json()) as { error: { http_code: number; http_status: string; message: string } };
  expect(body.error).toMatchObject({
    http_code: 429,
    http_status: 'Too Many Requests',
    message: expect.stringMatching(message),
  });
}

describe('rate limits (sqlite)', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('the token endpoint: per client address, then per service account; 429 with Retry-After', async () => {
    t = await startTestServer({ config: { demo: false, rateLimitTokenPerIp: 4, rateLimitTokenPerAccount: 2 } });
    await awayFromWindowEdge(60_000, 10);
    const other = (await t.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: { name: 'other' } } }))
      .body as Credentials;
    // The admin token fetched by t.request counts as the first request from this address.
    expect((await grant(t.url, t.adminCredentials)).status).toBe(200);
    await expect429(await grant(t.url, t.adminCredentials), /at most 2 tokens per minute per service account/, 60);
    expect((await grant(t.url, other)).status).toBe(200);
    await expect429(await grant(t.url, other), /at most 4 token requests per minute from one address/, 60);
    // Other routes are not affected.
    expect((await t.request('GET', '/v1/vaults')).status).toBe(200);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('the Data API: per principal per second, while management routes stay open', async () => {
    t = await startTestServer({ config: { demo: true, rateLimitDataPerPrincipal: 5 } });
    const vaultId = (await t.request('GET', '/v1/vaults')).body.vaults[0].ID as string;
    const token = await t.adminToken();
    await awayFromWindowEdge(1_000, 0.6);
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        fetch(`${t!.url}/v1/vaults/${vaultId}/persons?limit=1`, { headers: { authorization: `Bearer ${token}` } }),
      ),
    );
    const refused = results.filter((r) => r.status === 429);
    // One window lets 5 through; if the burst straddled two windows, 10 at most.
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(10);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    await expect429(refused[0] as Response, /at most 5 Data API requests per second per principal/, 1);
    expect((await t.request('GET', `/v1/vaults/${vaultId}`)).status).toBe(200);
    await sleep(1_100);
    expect((await t.request('GET', `/v1/vaults/${vaultId}/persons?limit=1`)).status).toBe(200);
  });

  it('the Data API: per client address, before authentication', async () => {
    t = await startTestServer({ config: { demo: true, rateLimitDataPerIp: 3 } });
    const vaultId = (await t.request('GET', '/v1/vaults')).body.vaults[0].ID as string;
    await awayFromWindowEdge(1_000, 0.6);
    const results = await Promise.all(Array.from({ length: 8 }, () => fetch(`${t!.url}/v1/vaults/${vaultId}/persons`)));
    // Without credentials these are 401s, until the address is over its limit.
    expect(results.filter((r) => r.status === 401).length).toBeLessThanOrEqual(6);
    const refused = results.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    await expect429(refused[0] as Response, /per second from one address/, 1);
  });

  it('0 turns a limit off', async () => {
    t = await startTestServer({ config: { demo: false, rateLimitTokenPerIp: 0, rateLimitTokenPerAccount: 0 } });
    for (let i = 0; i < 5; i++) expect((await grant(t.url, t.adminCredentials)).status).toBe(200);
  });
});

describe.skipIf(!(await postgresAvailable()))('rate limits across nodes (postgres)', () => {
  let a: TestServer;
  let b: RunningServer | undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'strongroom-rate-b-'));

  afterAll(async () => {
    await b?.close();
    await a?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a limit holds for the cluster: requests on one node count on the other', async () => {
    const limits = { rateLimitTokenPerIp: 0, rateLimitTokenPerAccount: 4 };
    a = await startTestServer({ store: 'postgres', config: { demo: false, ...limits } });
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
          ...limits,
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
    await awayFromWindowEdge(60_000, 10);
    const account = (await a.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: { name: 'shared' } } }))
      .body as Credentials;
    for (let i = 0; i < 3; i++) expect((await grant(a.url, account)).status).toBe(200);
    // Node A publishes its count; node B reads it on its next sync.
    await sleep(700);
    expect((await grant(b.url, account)).status).toBe(200);
    await expect429(await grant(b.url, account), /at most 4 tokens per minute per service account/, 60);
    expect(await tokenFor(a.url, a.adminCredentials)).toEqual(expect.any(String));
  });
});
