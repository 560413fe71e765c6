import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function expectErrorShape(body: any, httpCode: number) {
  expect(body).toEqual({
    error: {
      grpc_code: expect.any(Number),
      http_code: httpCode,
      http_status: expect.any(String),
      message: expect.any(String),
      details: expect.any(Array),
    },
  });
}

describe('HTTP conventions', () => {
  let t: TestServer;
  let vaultId: string;

  beforeAll(async () => {
    t = await startTestServer({ config: { maxBodyBytes: 4096 } });
    vaultId = (await t.request('GET', '/v1/vaults')).body.vaults[0].ID;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends a fresh x-request-id on every response, success or failure', async () => {
    const responses = [
      await t.request('GET', '/healthz', { token: null }),
      await t.request('GET', '/v1/vaults'),
      await t.request('GET', '/v1/vaults', { token: null }),
      await t.request('GET', '/nowhere'),
      await t.request('PUT', '/v1/vaults'),
      await t.request('POST', '/v1/vaults', { body: {} }),
    ];
    const ids = responses.map((r) => r.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('answers unknown routes with 404 and wrong methods with 405 and Allow, in the error shape', async () => {
    const missing = await t.request('GET', '/v2/nothing/here');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/application\/json/);
    expectErrorShape(missing.body, 404);
    expect(missing.body.error).toMatchObject({ grpc_code: 5, http_status: 'Not Found' });

    const wrong = await t.request('PUT', `/v1/vaults/${vaultId}`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST, PATCH, DELETE');
    expectErrorShape(wrong.body, 405);
  });

  it('refuses bodies over the configured limit with 413', async () => {
    const res = await t.request('POST', `/v1/vaults/${vaultId}/persons`, {
      body: { records: [{ fields: { name: 'x'.repeat(8000) } }] },
    });
    expect(res.status).toBe(413);
    expectErrorShape(res.body, 413);
  });

  it('answers URLs that do not decode, and over-long path parameters, in the error shape', async () => {
    const bad = await t.request('GET', '/v1/vaults/%zz');
    expect(bad.status).toBe(400);
    expectErrorShape(bad.body, 400);
    expect(bad.headers.get('x-request-id')).toMatch(UUID);
    expect(bad.text).not.toContain('%zz');
    const long = await t.request('GET', `/v1/vaults/${'a'.repeat(600)}`);
    expect([400, 404, 414]).toContain(long.status);
    expectErrorShape(long.body, long.status);
    expect(long.headers.get('x-request-id')).toMatch(UUID);
  });

  it('refuses text/plain bodies with 415, like every other non-JSON type', async () => {
    const res = await t.request('POST', '/v1/vaults', { rawBody: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
    expectErrorShape(res.body, 415);
  });

  it('refuses values and names with unpaired UTF-16 surrogates instead of altering them', async () => {
    const lone = 'ab\ud800cd';
    const value = await t.request('POST', `/v1/vaults/${vaultId}/persons`, {
      body: { records: [{ fields: { name: lone } }] },
    });
    expect(value.status).toBe(400);
    expect(value.body.error.message).toMatch(/surrogate/);
    const name = await t.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: { name: lone } } });
    expect(name.status).toBe(400);
  });

  it('documents the error shape for every route in OpenAPI', async () => {
    const res = await t.request('GET', '/openapi.json', { token: null });
    const responses = res.body.paths['/v1/vaults'].get.responses;
    expect(responses['4XX']).toBeDefined();
    expect(responses['5XX']).toBeDefined();
  });

  it('refuses unsupported content types with 415 and malformed JSON with 400', async () => {
    const xml = await t.request('POST', '/v1/vaults', {
      rawBody: '<vault/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(xml.status).toBe(415);
    expectErrorShape(xml.body, 415);
    const broken = await t.request('POST', '/v1/vaults', {
      rawBody: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toMatch(/not valid JSON/);
    const poisoned = await t.request('POST', '/v1/vaults', {
      rawBody: '{"name":"x","__proto__":{"admin":true}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(poisoned.status).toBe(400);
  });

  it('treats an empty JSON body as no body (SDKs send Content-Type on GET and DELETE)', async () => {
    const res = await t.request('GET', '/v1/vaults', {
      rawBody: undefined,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    const created = await t.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: { name: 'tmp' } } });
    const del = await t.request('DELETE', `/v1/serviceAccounts/${created.body.clientID}`, {
      headers: { 'content-type': 'application/json' },
    });
    expect(del.status).toBe(200);
  });

  it('validation errors name the field in the error shape', async () => {
    const res = await t.request('POST', `/v1/vaults/${vaultId}/persons`, { body: { records: [{ fieldz: {} }] } });
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 400);
    expect(res.body.error.message).toMatch(/body\.records\[0\]\.fields/);
    expect(res.body.error.details[0].field).toBe('body.records[0].fields');
  });

  it('refuses NUL characters in URLs and names, and absurd offsets, with 400', async () => {
    expect((await t.request('GET', '/v1/vaults?filterOps.name=a%00b')).status).toBe(400);
    const nulName = await t.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: { name: 'a\u0000b' } } });
    expect(nulName.status).toBe(400);
    expect(nulName.body.error.message).toMatch(/NUL/);
    expect((await t.request('GET', '/v1/vaults?offset=100000000000000000000')).status).toBe(400);
  });

  it('tolerates nulls, unknown fields, trailing and duplicate slashes', async () => {
    const res = await t.request('POST', `/v1/vaults/${vaultId}/persons`, {
      body: {
        records: [{ fields: { name: 'Nully', phone_number: null }, tokens: null, quorum: true }],
        tokenization: null,
        upsert: null,
        byot: null,
        futureFlag: 1,
      },
    });
    expect(res.status).toBe(200);
    expect((await t.request('GET', '/v1/vaults/')).status).toBe(200);
    expect((await t.request('GET', `//v1//vaults/${vaultId}`)).status).toBe(200);
  });

  it('serves OpenAPI 3.1 built from the route schemas', async () => {
    const res = await t.request('GET', '/openapi.json', { token: null });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    for (const path of [
      '/v1/auth/sa/oauth/token',
      '/v1/vaults',
      '/v1/vaults/{vaultID}',
      '/v1/serviceAccounts',
      '/v1/serviceAccounts/{ID}/apikey/{keyID}/rotate',
      '/v1/roles/assign',
      '/v1/vaults/{vaultID}/{tableName}',
    ]) {
      expect(res.body.paths[path], path).toBeDefined();
    }
    const token = res.body.paths['/v1/auth/sa/oauth/token'].post;
    expect(token.requestBody.content['application/json'].schema.properties.assertion).toBeDefined();
    expect(res.body.paths['/openapi.json']).toBeUndefined();
  });

  it('reports liveness and readiness', async () => {
    expect((await t.request('GET', '/healthz', { token: null })).body).toEqual({ status: 'ok' });
    expect((await t.request('GET', '/readyz', { token: null })).body).toEqual({ status: 'ready', store: 'sqlite' });
  });

  it('logs one line per request with the route pattern, never URLs, headers, bodies or secrets', async () => {
    const canary = 'CANARY-4111-1111-1111-1111';
    const email = 'canary.person@example.com';
    await t.request('POST', `/v1/vaults/${vaultId}/persons`, {
      body: { records: [{ fields: { name: canary, email } }] },
    });
    await t.request('POST', `/v1/vaults/${vaultId}/persons`, { body: { records: [{ fields: { ssn: canary } }] } });
    const created = await t.request('POST', '/v1/serviceAccounts', {
      body: { serviceAccount: { name: 'logged' }, apiKeyEnabled: true },
    });
    await t.request('GET', `/v1/vaults?filterOps.name=${encodeURIComponent(canary)}`, { token: created.body.apiKey });
    await t.request('GET', '/v1/vaults', { token: 'garbage-token' });
    const logs = t.logs();
    const token = await t.adminToken();
    for (const secret of [
      canary,
      email,
      token,
      token.split('.')[2]!,
      created.body.apiKey,
      t.adminCredentials.privateKey.split('\n')[3]!,
      'garbage-token',
    ]) {
      expect(logs.includes(secret), `logs contain ${secret.slice(0, 12)}…`).toBe(false);
    }
    const lines = logs
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const requestLines = lines.filter((l) => l.msg === 'request');
    expect(requestLines.some((l) => l.route === '/v1/vaults/:vaultID/:tableName' && l.status === 200)).toBe(true);
    for (const line of requestLines) {
      expect(line).not.toHaveProperty('url');
      expect(line.requestId).toMatch(UUID);
    }
  });
});
