import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAssertion, startTestServer, type TestServer } from '../support/server.js';

/*
 * The Data API as the official `skyflow-node@1.14.3` SDK uses it (Skyflow spec §9.3): insert (always through
 * the batch endpoint), detokenize (one request per token), getById, get (by IDs or by a unique column),
 * update and delete — against a Strongroom server over HTTPS, since v1 only takes an https vaultURL.
 *
 * The SDK runs in a child process (fixtures/skyflow-v1-driver.cjs) started with NODE_EXTRA_CA_CERTS, so it
 * trusts the server's self-signed certificate. Besides what the SDK resolves or rejects with, the driver
 * reports every HTTP request the SDK made, so the tests also pin what travels on the wire.
 */

const require = createRequire(import.meta.url);
const skyflowVersion = (require('skyflow-node/package.json') as { version: string }).version;
const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'skyflow-v1-driver.cjs');
const RESULT_MARKER = '@@skyflow-driver@@ ';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REQUEST_ID = / - requestId: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  status: number | string | null;
}
interface Answer {
  ok: boolean;
  result?: any;
  error?: any;
  requests: WireRequest[];
}

/** The SDK in its own process; `call` sends one command and waits for its answer. */
class SdkProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private stderr = '';

  constructor(certFile: string) {
    this.child = spawn(process.execPath, [DRIVER], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr.on('data', (chunk) => {
      this.stderr += chunk.toString();
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (!line.startsWith(RESULT_MARKER)) return;
      const answer = JSON.parse(line.slice(RESULT_MARKER.length)) as Answer & { id: number };
      this.pending.get(answer.id)?.resolve(answer);
      this.pending.delete(answer.id);
    });
    this.child.on('exit', (code) => {
      for (const { reject } of this.pending.values()) {
        reject(new Error(`SDK driver exited with ${code}: ${this.stderr}`));
      }
      this.pending.clear();
    });
  }

  call(op: string, ...args: unknown[]): Promise<Answer> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ id, op, args })}\n`);
    });
  }

  /** Calls the SDK and returns what it resolved with; fails the test when it rejected. */
  async ok(op: string, ...args: unknown[]): Promise<{ result: any; requests: WireRequest[] }> {
    const answer = await this.call(op, ...args);
    if (!answer.ok) throw new Error(`${op} rejected: ${JSON.stringify(answer.error)}`);
    return { result: answer.result, requests: answer.requests };
  }

  /** Calls the SDK and returns what it rejected with; fails the test when it resolved. */
  async fails(op: string, ...args: unknown[]): Promise<{ error: any; requests: WireRequest[] }> {
    const answer = await this.call(op, ...args);
    if (answer.ok) throw new Error(`${op} resolved: ${JSON.stringify(answer.result)}`);
    return { error: answer.error, requests: answer.requests };
  }

  close(): void {
    this.child.stdin.end();
  }
}

const tag = (name: string, ...values: string[]) => ({ name: `skyflow.${name}`, values });
const field = (name: string, datatype: string, ...tags: ReturnType<typeof tag>[]) => ({ name, datatype, tags });

/** A vault made for these tests: tokenized columns of several policies, unique columns, two tables. */
const SCHEMA = {
  schemas: [
    {
      name: 'customers',
      fields: [
        field(
          'email',
          'DT_STRING',
          tag('options.unique', 'true'),
          tag('options.default_token_policy', 'DETERMINISTIC_PRESERVE_EMAIL_DOMAIN'),
          tag('options.default_dlp_policy', 'MASK'),
          tag('options.find_pattern', '^(.).*?(.)?@(.+)$'),
          tag('options.replace_pattern', '${1}******${2}@${3}'),
        ),
        field('name', 'DT_STRING', tag('options.default_token_policy', 'NON_DETERMINISTIC_UUID')),
        field(
          'ssn',
          'DT_STRING',
          tag('options.default_token_policy', 'DETERMINISTIC_FPT'),
          tag('options.format_preserving_regex', '^[0-9]{3}-[0-9]{2}-[0-9]{4}$'),
          tag('options.default_dlp_policy', 'MASK'),
          tag('options.find_pattern', '^[0-9]{3}-[0-9]{2}-([0-9]{4})$'),
          tag('options.replace_pattern', 'XXX-XX-${1}'),
          tag('validation.regular_exp', '^[0-9]{3}-[0-9]{2}-[0-9]{4}$'),
        ),
        field('age', 'DT_INT32', tag('options.default_dlp_policy', 'PLAIN_TEXT')),
        field('tier', 'DT_STRING'),
      ],
    },
    {
      name: 'orders',
      fields: [
        field('order_ref', 'DT_STRING', tag('options.unique', 'true'), tag('options.default_dlp_policy', 'PLAIN_TEXT')),
        field(
          'card_number',
          'DT_STRING',
          tag('options.default_token_policy', 'DETERMINISTIC_PRESERVE_LEFT_6_RIGHT_4'),
          tag('options.default_dlp_policy', 'MASK'),
          tag('options.find_pattern', '^[0-9]*([0-9]{4})$'),
          tag('options.replace_pattern', 'XXXXXXXXXXXX${1}'),
        ),
        field('amount', 'DT_FLOAT64', tag('options.default_dlp_policy', 'PLAIN_TEXT')),
      ],
    },
  ],
  tags: [],
};

let counter = 0;
/** A fresh customer (unique email and SSN), so every test owns its records. */
function customer(overrides: Record<string, unknown> = {}) {
  counter += 1;
  const n = String(counter).padStart(4, '0');
  return {
    email: `user${n}.${process.pid}@example.com`,
    name: `Customer ${n}`,
    ssn: `${String(100 + counter).slice(-3)}-${String(counter % 100).padStart(2, '0')}-${n}`,
    age: 20 + counter,
    ...overrides,
  };
}
function order(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return { order_ref: `ORD-${process.pid}-${counter}`, card_number: '4111111111111111', amount: 12.5, ...overrides };
}

describe(`skyflow-node@${skyflowVersion} Data API against Strongroom over HTTPS`, () => {
  let t: TestServer;
  let vaultId: string;
  let sdk: SdkProcess;
  let token: string | undefined;

  /** A JSON request to the server as the admin, trusting the self-signed certificate (checks behind the SDK's back). */
  async function api(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: any }> {
    token ??= await post('/v1/auth/sa/oauth/token', {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: await signAssertion(t.adminCredentials),
    }).then((r) => r.body.accessToken as string);
    return send(method, urlPath, body, token);
  }
  const post = (urlPath: string, body: unknown) => send('POST', urlPath, body, undefined);
  function send(method: string, urlPath: string, body: unknown, bearer: string | undefined) {
    return new Promise<{ status: number; body: any }>((resolve, reject) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      const req = httpsRequest(`${t.url}${urlPath}`, { method, headers, ca: t.server.tls?.cert }, (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  const vaultUrl = (rest = '') => `${t.url}/v1/vaults/${vaultId}${rest}`;
  /** The requests the SDK sent to the Data API (token requests left out). */
  const dataRequests = (requests: WireRequest[]) => requests.filter((r) => r.url.startsWith(vaultUrl()));

  async function plainRecord(table: string, id: string | undefined) {
    expect(id).toBeTypeOf('string');
    const res = await api('GET', `/v1/vaults/${vaultId}/${table}/${id}?redaction=PLAIN_TEXT`);
    expect(res.status).toBe(200);
    return res.body.fields;
  }

  /** Inserts through the SDK with tokens; returns skyflow_id and tokens per record. */
  async function insertCustomers(...records: Record<string, unknown>[]) {
    const { result } = await sdk.ok('insert', { records: records.map((fields) => ({ table: 'customers', fields })) });
    return (result.records as { fields: Record<string, string> }[]).map((r) => r.fields);
  }

  beforeAll(async () => {
    t = await startTestServer({ config: { tlsSelfSigned: true } });
    expect(t.url.startsWith('https://')).toBe(true);
    const created = await api('POST', '/v1/vaults', { name: 'sdk-v1-compat', vaultSchema: SCHEMA });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    vaultId = created.body.ID;
    sdk = new SdkProcess(t.server.tls?.certFile as string);
    // A trailing slash, which the SDK strips (formatVaultURL).
    await sdk.ok('init', { vaultID: vaultId, vaultURL: `${t.url}/`, credentialsPath: t.adminCredentialsFile });
  });
  afterAll(async () => {
    sdk?.close();
    await t?.close();
  });

  it('is the pinned official release', () => {
    expect(skyflowVersion).toBe('1.14.3');
  });

  describe('insert', () => {
    it('with default options (tokens: true) returns {table, fields: {skyflow_id, …tokens}, request_index} per record, in order', async () => {
      const alice = customer({ tier: 'gold' });
      const ord = order();
      const { result, requests } = await sdk.ok('insert', {
        records: [
          { table: 'customers', fields: alice },
          { table: 'orders', fields: ord },
        ],
      });
      expect(result).toStrictEqual({
        records: [
          {
            table: 'customers',
            fields: {
              skyflow_id: expect.stringMatching(UUID),
              email: expect.any(String),
              name: expect.any(String),
              ssn: expect.any(String),
            },
            request_index: 0,
          },
          {
            table: 'orders',
            fields: { skyflow_id: expect.stringMatching(UUID), card_number: expect.any(String) },
            request_index: 1,
          },
        ],
      });
      const [c, o] = result.records.map((r: any) => r.fields);
      // Tokens have their policy's shape and are not the values.
      expect(c.email).toMatch(/@example\.com$/);
      expect(c.email).not.toBe(alice.email);
      expect(c.name).toMatch(UUID);
      expect(c.ssn).toMatch(/^[0-9]{3}-[0-9]{2}-[0-9]{4}$/);
      expect(c.ssn).not.toBe(alice.ssn);
      expect(o.card_number).toMatch(/^411111[0-9]{6}1111$/);
      expect(o.card_number).not.toBe(ord.card_number);

      // One request, to the batch endpoint, exactly as §5.2 says v1 builds it.
      const sent = dataRequests(requests);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ method: 'POST', url: vaultUrl(), status: 200 });
      expect(JSON.parse(sent[0]!.body!)).toStrictEqual({
        records: [
          { method: 'POST', quorum: true, tableName: 'customers', fields: alice, tokenization: true },
          { method: 'POST', quorum: true, tableName: 'orders', fields: ord, tokenization: true },
        ],
        continueOnError: false,
      });
      expect(sent[0]!.headers['content-type']).toBe('application/json');
      expect(JSON.parse(sent[0]!.headers['sky-metadata']!)).toMatchObject({ sdk_name_version: 'skyflow-node@1.14.3' });

      // The values were stored under the returned IDs.
      expect(await plainRecord('customers', c.skyflow_id)).toStrictEqual({ skyflow_id: c.skyflow_id, ...alice });
      expect(await plainRecord('orders', o.skyflow_id)).toStrictEqual({ skyflow_id: o.skyflow_id, ...ord });
    });

    it('with tokens: false returns {table, skyflow_id, request_index} and sends no tokenization flag', async () => {
      const bob = customer();
      const { result, requests } = await sdk.ok(
        'insert',
        {
          records: [
            { table: 'customers', fields: bob },
            { table: 'orders', fields: order() },
          ],
        },
        { tokens: false },
      );
      expect(result).toStrictEqual({
        records: [
          { table: 'customers', skyflow_id: expect.stringMatching(UUID), request_index: 0 },
          { table: 'orders', skyflow_id: expect.stringMatching(UUID), request_index: 1 },
        ],
      });
      const body = JSON.parse(dataRequests(requests)[0]!.body!);
      expect(body.records.map((r: any) => 'tokenization' in r)).toEqual([false, false]);
      expect(await plainRecord('customers', result.records[0].skyflow_id)).toMatchObject(bob);
    });

    it('with upsert [{table, column}] updates the record holding the unique value and inserts into other tables', async () => {
      const first = customer();
      const [before] = await insertCustomers(first);
      const changed = { ...first, name: 'Renamed Customer', age: 99 };
      const ord = order();
      const { result, requests } = await sdk.ok(
        'insert',
        {
          records: [
            { table: 'customers', fields: changed },
            { table: 'orders', fields: ord },
          ],
        },
        { upsert: [{ table: 'customers', column: 'email' }] },
      );
      expect(result.records).toHaveLength(2);
      const [c, o] = result.records.map((r: any) => r.fields);
      expect(c.skyflow_id).toBe(before!.skyflow_id);
      // Deterministic tokens stay; the non-deterministic name gets a new one.
      expect(c.email).toBe(before!.email);
      expect(c.ssn).toBe(before!.ssn);
      expect(c.name).toMatch(UUID);
      expect(c.name).not.toBe(before!.name);
      expect(o.skyflow_id).toMatch(UUID);
      // v1 sends the column for the named table and "" for every other table.
      const body = JSON.parse(dataRequests(requests)[0]!.body!);
      expect(body.records.map((r: any) => r.upsert)).toEqual(['email', '']);
      expect(await plainRecord('customers', c.skyflow_id)).toStrictEqual({ skyflow_id: c.skyflow_id, ...changed });
      expect(await plainRecord('orders', o.skyflow_id)).toStrictEqual({ skyflow_id: o.skyflow_id, ...ord });
    });

    it('with continueOnError: true resolves with the good records and an error per bad one (code, "- requestId")', async () => {
      const good = customer();
      const bad = customer({ ssn: 'not-an-ssn' });
      const { result, requests } = await sdk.ok(
        'insert',
        {
          records: [
            { table: 'customers', fields: good },
            { table: 'customers', fields: bad },
            { table: 'orders', fields: order() },
          ],
        },
        { continueOnError: true },
      );
      expect(result).toStrictEqual({
        records: [
          {
            table: 'customers',
            fields: {
              skyflow_id: expect.stringMatching(UUID),
              email: expect.any(String),
              name: expect.any(String),
              ssn: expect.any(String),
            },
            request_index: 0,
          },
          {
            table: 'orders',
            fields: { skyflow_id: expect.stringMatching(UUID), card_number: expect.any(String) },
            request_index: 2,
          },
        ],
        errors: [{ error: { code: 400, description: expect.stringMatching(REQUEST_ID), request_index: 1 } }],
      });
      expect(result.errors[0].error.description).toMatch(/customers\.ssn/);
      const sent = dataRequests(requests);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.status).toBe(200);
      expect(JSON.parse(sent[0]!.body!).continueOnError).toBe(true);
      expect(await plainRecord('customers', result.records[0].fields.skyflow_id)).toMatchObject(good);
      const lookup = await api(
        'GET',
        `/v1/vaults/${vaultId}/customers?column_name=email&column_values=${encodeURIComponent(bad.email)}`,
      );
      expect(lookup.status).toBe(404);
    });

    it('without continueOnError rejects with {error: {code, description}} and writes nothing', async () => {
      const good = customer();
      const { error } = await sdk.fails('insert', {
        records: [
          { table: 'customers', fields: good },
          { table: 'customers', fields: customer({ ssn: 'not-an-ssn' }) },
        ],
      });
      expect(error).toStrictEqual({
        error: { code: 400, description: expect.stringMatching(REQUEST_ID) },
        errorName: 'Error',
        errorMessage: expect.stringMatching(REQUEST_ID),
      });
      expect(error.error.description).toMatch(/customers\.ssn/);
      const lookup = await api(
        'GET',
        `/v1/vaults/${vaultId}/customers?column_name=email&column_values=${encodeURIComponent(good.email)}`,
      );
      expect(lookup.status).toBe(404);
    });
  });

  describe('detokenize', () => {
    it('sends one request per token (PLAIN_TEXT when no redaction is given) and returns {records: [{token, value}]} in order', async () => {
      const c = customer();
      const [tokens] = await insertCustomers(c);
      const ord = order({ card_number: '5500000000000004' });
      const inserted = await sdk.ok('insert', { records: [{ table: 'orders', fields: ord }] });
      const cardToken = inserted.result.records[0].fields.card_number as string;
      const { result, requests } = await sdk.ok('detokenize', {
        records: [
          { token: tokens!.email },
          { token: tokens!.ssn, redaction: 'MASKED' },
          { token: tokens!.name, redaction: 'REDACTED' },
          { token: cardToken, redaction: 'DEFAULT' },
          { token: tokens!.ssn, redaction: 'PLAIN_TEXT' },
        ],
      });
      expect(result).toStrictEqual({
        records: [
          { token: tokens!.email, value: c.email },
          { token: tokens!.ssn, value: `XXX-XX-${c.ssn.slice(-4)}` },
          { token: tokens!.name, value: '*REDACTED*' },
          { token: cardToken, value: 'XXXXXXXXXXXX0004' },
          { token: tokens!.ssn, value: c.ssn },
        ],
      });
      const sent = dataRequests(requests);
      expect(sent).toHaveLength(5);
      // v1 never caches the bearer token: every call asks getBearerToken (here: the token endpoint) once.
      expect(requests.filter((r) => r.url === t.adminCredentials.tokenURI)).toHaveLength(1);
      for (const r of sent) expect(r).toMatchObject({ method: 'POST', url: vaultUrl('/detokenize'), status: 200 });
      const bodies = sent
        .map((r) => JSON.parse(r.body!))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      const expected = [
        { detokenizationParameters: [{ token: tokens!.email, redaction: 'PLAIN_TEXT' }] },
        { detokenizationParameters: [{ token: tokens!.ssn, redaction: 'MASKED' }] },
        { detokenizationParameters: [{ token: tokens!.name, redaction: 'REDACTED' }] },
        { detokenizationParameters: [{ token: cardToken, redaction: 'DEFAULT' }] },
        { detokenizationParameters: [{ token: tokens!.ssn, redaction: 'PLAIN_TEXT' }] },
      ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      expect(bodies).toStrictEqual(expected);
    });

    it('an unknown token rejects with the good records and {token, error: {code, description}} for the bad one', async () => {
      const c = customer();
      const [tokens] = await insertCustomers(c);
      const { error } = await sdk.fails('detokenize', {
        records: [{ token: tokens!.email }, { token: 'no-such-token' }],
      });
      expect(error).toStrictEqual({
        records: [{ token: tokens!.email, value: c.email }],
        errors: [{ token: 'no-such-token', error: { code: 404, description: expect.stringMatching(REQUEST_ID) } }],
      });
    });

    it('only unknown tokens reject with {errors}', async () => {
      const { error } = await sdk.fails('detokenize', { records: [{ token: 'missing-1' }, { token: 'missing-2' }] });
      expect(error).toStrictEqual({
        errors: [
          { token: 'missing-1', error: { code: 404, description: expect.stringMatching(REQUEST_ID) } },
          { token: 'missing-2', error: { code: 404, description: expect.stringMatching(REQUEST_ID) } },
        ],
      });
    });
  });

  describe('getById', () => {
    it('returns {records: [{fields: {id, …}, table}]} per table with the redaction asked for', async () => {
      const a = customer({ tier: 'silver' });
      const b = customer();
      const [ta, tb] = await insertCustomers(a, b);
      const ord = order();
      const o = (await sdk.ok('insert', { records: [{ table: 'orders', fields: ord }] })).result.records[0].fields;
      const { result, requests } = await sdk.ok('getById', {
        records: [
          { ids: [ta!.skyflow_id, tb!.skyflow_id], table: 'customers', redaction: 'PLAIN_TEXT' },
          { ids: [o.skyflow_id], table: 'orders', redaction: 'REDACTED' },
        ],
      });
      expect(result).toStrictEqual({
        records: [
          { fields: { id: ta!.skyflow_id, ...a }, table: 'customers' },
          { fields: { id: tb!.skyflow_id, ...b }, table: 'customers' },
          {
            fields: { id: o.skyflow_id, order_ref: '*REDACTED*', card_number: '*REDACTED*', amount: '*REDACTED*' },
            table: 'orders',
          },
        ],
      });
      const urls = dataRequests(requests).map((r) => `${r.method} ${r.url}`);
      expect(urls.sort()).toEqual(
        [
          `GET ${vaultUrl(`/customers?skyflow_ids=${ta!.skyflow_id}&skyflow_ids=${tb!.skyflow_id}&redaction=PLAIN_TEXT`)}`,
          `GET ${vaultUrl(`/orders?skyflow_ids=${o.skyflow_id}&redaction=REDACTED`)}`,
        ].sort(),
      );
    });

    it('MASKED and DEFAULT redaction follow the column masks', async () => {
      const c = customer({ email: `mask.${process.pid}.ed@example.org` });
      const [tc] = await insertCustomers(c);
      const masked = await sdk.ok('getById', {
        records: [{ ids: [tc!.skyflow_id], table: 'customers', redaction: 'MASKED' }],
      });
      const fields = masked.result.records[0].fields;
      expect(fields).toMatchObject({
        id: tc!.skyflow_id,
        email: 'm******d@example.org',
        ssn: `XXX-XX-${c.ssn.slice(-4)}`,
      });
      expect(fields.name).not.toBe(c.name);
      const byDefault = await sdk.ok('getById', {
        records: [{ ids: [tc!.skyflow_id], table: 'customers', redaction: 'DEFAULT' }],
      });
      expect(byDefault.result.records[0].fields).toStrictEqual({
        id: tc!.skyflow_id,
        email: 'm******d@example.org',
        name: '*REDACTED*',
        ssn: `XXX-XX-${c.ssn.slice(-4)}`,
        age: c.age,
      });
    });

    it('a missing ID rejects with {errors: [{error: {code: 404, description}, ids}]}', async () => {
      const missing = '00000000-0000-4000-8000-000000000000';
      const { error } = await sdk.fails('getById', {
        records: [{ ids: [missing], table: 'customers', redaction: 'PLAIN_TEXT' }],
      });
      expect(error).toStrictEqual({
        errors: [{ error: { code: 404, description: expect.stringMatching(REQUEST_ID) }, ids: [missing] }],
      });
    });

    it('one failing table still returns the others: {records, errors}', async () => {
      const [tc] = await insertCustomers(customer());
      const { error } = await sdk.fails('getById', {
        records: [
          { ids: [tc!.skyflow_id], table: 'customers', redaction: 'PLAIN_TEXT' },
          { ids: [tc!.skyflow_id], table: 'no_such_table', redaction: 'PLAIN_TEXT' },
        ],
      });
      expect(error.records).toHaveLength(1);
      expect(error.records[0].fields.id).toBe(tc!.skyflow_id);
      expect(error.errors).toStrictEqual([
        { error: { code: 404, description: expect.stringMatching(REQUEST_ID) }, ids: [tc!.skyflow_id] },
      ]);
    });
  });

  describe('get', () => {
    it('by ids with {tokens: true} returns the tokens inside fields (query string ends in a dangling "&")', async () => {
      const c = customer();
      const [tc] = await insertCustomers(c);
      const { result, requests } = await sdk.ok(
        'get',
        { records: [{ ids: [tc!.skyflow_id], table: 'customers' }] },
        { tokens: true },
      );
      expect(result).toStrictEqual({
        records: [
          {
            fields: { id: tc!.skyflow_id, email: tc!.email, name: tc!.name, ssn: tc!.ssn, age: c.age },
            table: 'customers',
          },
        ],
      });
      expect(dataRequests(requests).map((r) => r.url)).toEqual([
        vaultUrl(`/customers?skyflow_ids=${tc!.skyflow_id}&tokenization=true&`),
      ]);
    });

    it('by ids with {tokens: false} and a redaction returns values', async () => {
      const c = customer();
      const [tc] = await insertCustomers(c);
      const { result, requests } = await sdk.ok(
        'get',
        { records: [{ ids: [tc!.skyflow_id], table: 'customers', redaction: 'PLAIN_TEXT' }] },
        { tokens: false },
      );
      expect(result).toStrictEqual({ records: [{ fields: { id: tc!.skyflow_id, ...c }, table: 'customers' }] });
      expect(dataRequests(requests).map((r) => r.url)).toEqual([
        vaultUrl(`/customers?skyflow_ids=${tc!.skyflow_id}&tokenization=false&redaction=PLAIN_TEXT`),
      ]);
    });

    it('by columnName/columnValues of a unique column (values URL-encoded) returns every matching record', async () => {
      const a = customer({ email: `plus+tag.${process.pid}@example.com` });
      const b = customer();
      const [ta, tb] = await insertCustomers(a, b);
      const { result, requests } = await sdk.ok('get', {
        records: [
          { table: 'customers', columnName: 'email', columnValues: [a.email, b.email], redaction: 'PLAIN_TEXT' },
        ],
      });
      expect(result).toStrictEqual({
        records: [
          { fields: { id: ta!.skyflow_id, ...a }, table: 'customers' },
          { fields: { id: tb!.skyflow_id, ...b }, table: 'customers' },
        ],
      });
      expect(dataRequests(requests).map((r) => r.url)).toEqual([
        vaultUrl(
          `/customers?column_name=email&column_values=${encodeURIComponent(a.email)}&column_values=${encodeURIComponent(b.email)}&redaction=PLAIN_TEXT`,
        ),
      ]);
    });

    it('by columnName/columnValues with {encodeURI: false} sends the values as they are', async () => {
      const ord = order({ order_ref: `REF/${process.pid}:A@B` });
      const o = (await sdk.ok('insert', { records: [{ table: 'orders', fields: ord }] })).result.records[0].fields;
      const { result, requests } = await sdk.ok(
        'get',
        { records: [{ table: 'orders', columnName: 'order_ref', columnValues: [ord.order_ref], redaction: 'MASKED' }] },
        { encodeURI: false },
      );
      expect(result.records).toHaveLength(1);
      expect(result.records[0]).toMatchObject({
        table: 'orders',
        fields: { id: o.skyflow_id, card_number: 'XXXXXXXXXXXX1111' },
      });
      expect(dataRequests(requests).map((r) => r.url)).toEqual([
        vaultUrl(`/orders?column_name=order_ref&column_values=${ord.order_ref}&redaction=MASKED`),
      ]);
    });

    it('by a column that cannot be looked up rejects with {errors: [{error: {code: 400, …}, columnName}]}', async () => {
      const { error } = await sdk.fails('get', {
        records: [{ table: 'customers', columnName: 'tier', columnValues: ['gold'], redaction: 'PLAIN_TEXT' }],
      });
      expect(error).toStrictEqual({
        errors: [{ error: { code: 400, description: expect.stringMatching(REQUEST_ID) }, columnName: 'tier' }],
      });
    });
  });

  describe('update', () => {
    it('with default options (tokens: true) returns {records: [{id, fields: tokens}]} and stores the values', async () => {
      const c = customer();
      const [tc] = await insertCustomers(c);
      const { result, requests } = await sdk.ok('update', {
        records: [{ id: tc!.skyflow_id, table: 'customers', fields: { name: 'Updated Name', age: 77 } }],
      });
      expect(result).toStrictEqual({
        records: [{ id: tc!.skyflow_id, fields: { name: expect.stringMatching(UUID) } }],
      });
      const sent = dataRequests(requests);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ method: 'PUT', url: vaultUrl(`/customers/${tc!.skyflow_id}`), status: 200 });
      expect(JSON.parse(sent[0]!.body!)).toStrictEqual({
        record: { fields: { name: 'Updated Name', age: 77 } },
        tokenization: true,
      });
      expect(await plainRecord('customers', tc!.skyflow_id)).toStrictEqual({
        skyflow_id: tc!.skyflow_id,
        ...c,
        name: 'Updated Name',
        age: 77,
      });
      const detok = await sdk.ok('detokenize', { records: [{ token: result.records[0].fields.name }] });
      expect(detok.result.records[0].value).toBe('Updated Name');
    });

    it('with tokens: false returns {records: [{id}]}', async () => {
      const [tc] = await insertCustomers(customer());
      const { result, requests } = await sdk.ok(
        'update',
        { records: [{ id: tc!.skyflow_id, table: 'customers', fields: { ssn: '555-55-5555' } }] },
        { tokens: false },
      );
      expect(result).toStrictEqual({ records: [{ id: tc!.skyflow_id }] });
      expect(JSON.parse(dataRequests(requests)[0]!.body!).tokenization).toBe(false);
      expect((await plainRecord('customers', tc!.skyflow_id)).ssn).toBe('555-55-5555');
    });

    it('several records, one missing: rejects with {records, errors: [{id, error: {code: 404, description}}]}', async () => {
      const [tc] = await insertCustomers(customer());
      const missing = '00000000-0000-4000-8000-000000000001';
      const { error } = await sdk.fails('update', {
        records: [
          { id: tc!.skyflow_id, table: 'customers', fields: { age: 50 } },
          { id: missing, table: 'customers', fields: { age: 51 } },
        ],
      });
      expect(error).toStrictEqual({
        records: [{ id: tc!.skyflow_id }],
        errors: [{ id: missing, error: { code: 404, description: expect.stringMatching(REQUEST_ID) } }],
      });
      expect((await plainRecord('customers', tc!.skyflow_id)).age).toBe(50);
    });
  });

  describe('delete', () => {
    it('deletes each record with its own request and returns {records: [{skyflow_id, deleted: true}]}', async () => {
      const [a, b] = await insertCustomers(customer(), customer());
      const { result, requests } = await sdk.ok('delete', {
        records: [
          { id: a!.skyflow_id, table: 'customers' },
          { id: b!.skyflow_id, table: 'customers' },
        ],
      });
      expect(result).toStrictEqual({
        records: [
          { skyflow_id: a!.skyflow_id, deleted: true },
          { skyflow_id: b!.skyflow_id, deleted: true },
        ],
      });
      const sent = dataRequests(requests);
      expect(sent.map((r) => `${r.method} ${r.url} ${r.status}`).sort()).toEqual(
        [
          `DELETE ${vaultUrl(`/customers/${a!.skyflow_id}`)} 200`,
          `DELETE ${vaultUrl(`/customers/${b!.skyflow_id}`)} 200`,
        ].sort(),
      );
      // v1 sends a JSON content type and an empty object as the body of a DELETE.
      expect(sent.map((r) => [r.headers['content-type'], r.body])).toEqual([
        ['application/json', '{}'],
        ['application/json', '{}'],
      ]);
      const gone = await sdk.fails('getById', {
        records: [{ ids: [a!.skyflow_id], table: 'customers', redaction: 'PLAIN_TEXT' }],
      });
      expect(gone.error.errors[0].error.code).toBe(404);
      // Their tokens went with them.
      const detok = await sdk.fails('detokenize', { records: [{ token: a!.name }] });
      expect(detok.error.errors[0].error.code).toBe(404);
    });

    it('a missing record rejects with {errors: [{id, error: {code: 404, description}}]}', async () => {
      const missing = '00000000-0000-4000-8000-000000000002';
      const { error } = await sdk.fails('delete', { records: [{ id: missing, table: 'customers' }] });
      expect(error).toStrictEqual({
        errors: [{ id: missing, error: { code: 404, description: expect.stringMatching(REQUEST_ID) } }],
      });
    });
  });
});
