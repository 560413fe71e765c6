import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { signAssertion, startTestServer, type TestServer } from '../support/server.js';

/*
 * The Data API (Skyflow spec §5) spoken as raw JSON, byte for byte the way the v2 SDKs send it — the Node
 * v2 SDK (Fern-generated, skyflow-node 2.x) and the Python v2 SDK (Fern + httpx) — and the way the v1 Node
 * SDK hand-builds its query strings, with every tolerance rule of §2.3: explicit nulls, empty objects,
 * unknown fields, repeated query keys, `column_name=` empty, a dangling `&`, unencoded values, GET with a
 * JSON content type and no body (or `{}`), `sky-metadata` and `X-Fern-*` headers. Responses are checked
 * where §5 says an SDK breaks otherwise: exact key names and nesting, numeric `Status`, string `value`,
 * record order, the error shape, `Content-Type` and `x-request-id`.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const NODE_V2_HEADERS: Record<string, string> = {
  'X-Fern-Language': 'JavaScript',
  'X-Fern-SDK-Name': 'skyflow',
  'X-Fern-SDK-Version': '2.1.1',
  'X-Fern-Runtime': 'node',
  'X-Fern-Runtime-Version': 'v20.19.0',
  'User-Agent': 'skyflow/2.1.1',
  'sky-metadata': JSON.stringify({
    sdk_name_version: 'skyflow-node@2.1.1',
    sdk_client_device_model: 'linux x64',
    sdk_client_os_details: 'linux-6.1',
    sdk_runtime_details: 'Node@v20.19.0',
  }),
  // Node v2 sends it on every request, GET and DELETE included, body or not.
  'Content-Type': 'application/json',
};
const PYTHON_HEADERS: Record<string, string> = {
  'X-Fern-Language': 'Python',
  'X-Fern-SDK-Name': 'skyflow',
  'X-Fern-SDK-Version': '2.0.0',
  'User-Agent': 'python-httpx/0.28.1',
  'sky-metadata': JSON.stringify({
    sdk_name_version: 'skyflow-python@2.0.0',
    sdk_client_device_model: 'Linux',
    sdk_client_os_details: 'Linux-6.1-x86_64',
    sdk_runtime_details: 'Python 3.12.3 (main, Apr 10 2024) [GCC 13.2.0]',
  }),
  'Content-Type': 'application/json',
};
const NODE_V1_HEADERS: Record<string, string> = {
  'content-type': 'application/json',
  'sky-metadata': JSON.stringify({
    sdk_name_version: 'skyflow-node@1.14.3',
    sdk_client_device_model: 'linux  x64',
    sdk_client_os_details: '#1 SMP',
    sdk_runtime_details: 'Node@v20.19.0',
  }),
  'User-Agent': 'axios/1.15.0',
};

/** JSON as Python's `json.dumps` writes it by default: `", "` and `": "` separators, non-ASCII as `\uXXXX`. */
function pyJson(value: unknown): string {
  const quote = (s: string) =>
    JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const dump = (v: unknown): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'string') return quote(v);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (Array.isArray(v)) return `[${v.map(dump).join(', ')}]`;
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, item]) => `${quote(k)}: ${dump(item)}`)
      .join(', ')}}`;
  };
  return dump(value);
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  body: any;
}

const tag = (name: string, ...values: string[]) => ({ name: `skyflow.${name}`, values });
const field = (name: string, datatype: string, ...tags: ReturnType<typeof tag>[]) => ({ name, datatype, tags });

const SCHEMA = {
  schemas: [
    {
      name: 'customers',
      fields: [
        field(
          'email',
          'DT_STRING',
          tag('options.unique', 'true'),
          tag('options.default_token_policy', 'DETERMINISTIC_UUID'),
          tag('options.column_group', 'emails'),
          tag('options.default_dlp_policy', 'MASK'),
          tag('options.find_pattern', '^(.).*?(.)?@(.+)$'),
          tag('options.replace_pattern', '${1}******${2}@${3}'),
        ),
        field(
          'name',
          'DT_STRING',
          tag('options.default_token_policy', 'NON_DETERMINISTIC_UUID'),
          tag('options.default_dlp_policy', 'MASK'),
          tag('options.find_pattern', '^(.).*(.{2})$'),
          tag('options.replace_pattern', '${1}***${2}'),
        ),
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
        field(
          'age',
          'DT_INT32',
          tag('options.default_token_policy', 'NON_DETERMINISTIC_UUID'),
          tag('options.default_dlp_policy', 'PLAIN_TEXT'),
        ),
        field(
          'profile',
          'DT_EMBEDDED',
          tag('options.default_token_policy', 'NON_DETERMINISTIC_UUID'),
          tag('options.default_dlp_policy', 'PLAIN_TEXT'),
        ),
        field('active', 'DT_BOOL', tag('options.default_dlp_policy', 'PLAIN_TEXT')),
        field('notes', 'DT_STRING'),
      ],
    },
    {
      name: 'orders',
      fields: [
        field('ref', 'DT_STRING', tag('options.unique', 'true'), tag('options.default_dlp_policy', 'PLAIN_TEXT')),
        field('amount', 'DT_FLOAT64', tag('options.default_dlp_policy', 'PLAIN_TEXT')),
      ],
    },
    { name: 'scratch', fields: [field('label', 'DT_STRING', tag('options.default_dlp_policy', 'PLAIN_TEXT'))] },
  ],
  tags: [],
};
/** What the email column's mask (`^(.).*?(.)?@(.+)$` → `${1}******${2}@${3}`) makes of an address. */
function maskedEmail(email: string): string {
  const [local, domain] = email.split('@') as [string, string];
  return `${local[0]}******${local.length > 1 ? local.slice(-1) : ''}@${domain}`;
}

/** Columns of `customers` that have a token policy, in schema order. */
const TOKENIZED = ['email', 'name', 'ssn', 'age', 'profile'];

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`raw Skyflow JSON (${store})`, () => {
    let t: TestServer;
    let vaultId: string;
    let token: string;
    let counter = 0;

    /**
     * One HTTP request with exactly these bytes: the path is sent as written (no encoding), the body as
     * given (also on GET), and the bearer token added unless `token` is null.
     */
    function send(
      method: string,
      path: string,
      options: { headers?: Record<string, string>; body?: string; token?: string | null } = {},
    ): Promise<RawResponse> {
      const headers: Record<string, string> = { ...options.headers };
      const bearer = options.token === undefined ? token : options.token;
      if (bearer !== null) headers.Authorization = `Bearer ${bearer}`;
      if (options.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(options.body));
      const url = new URL(t.url);
      return new Promise((resolve, reject) => {
        const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              body = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
          });
        });
        req.on('error', reject);
        req.end(options.body);
      });
    }
    const vault = (rest = '') => `/v1/vaults/${vaultId}${rest}`;

    /** A 200 with a JSON content type and a request ID; returns the parsed body. */
    function expectOk(res: RawResponse): any {
      expect(
        res.status,
        `${res.text}\n${t
          .logs()
          .split('\n')
          .filter((l) => l.includes(String(res.headers['x-request-id'])))
          .join('\n')}`,
      ).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['x-request-id']).toMatch(UUID);
      return res.body;
    }

    /** Skyflow's error shape (§3.1), exactly: these five keys, http_code equal to the status. */
    function expectError(res: RawResponse, status: number): string {
      const kinds: Record<number, [number, string]> = {
        400: [3, 'Bad Request'],
        401: [16, 'Unauthorized'],
        404: [5, 'Not Found'],
      };
      expect(res.status, res.text).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['x-request-id']).toMatch(UUID);
      const [grpc, reason] = kinds[status] ?? [];
      expect(res.body).toStrictEqual({
        error: {
          grpc_code: grpc,
          http_code: status,
          http_status: reason,
          message: expect.any(String),
          details: expect.any(Array),
        },
      });
      expect(Object.keys(res.body.error)).toEqual(['grpc_code', 'http_code', 'http_status', 'message', 'details']);
      expect(res.body.error.message.length).toBeGreaterThan(0);
      return res.body.error.message;
    }

    function customer(overrides: Record<string, unknown> = {}) {
      counter += 1;
      const n = String(counter).padStart(4, '0');
      return {
        email: `person${n}@example.com`,
        name: `Person Number ${n}`,
        ssn: `${String(200 + counter).slice(-3)}-${String(counter % 100).padStart(2, '0')}-${n}`,
        age: 30 + counter,
        profile: { tier: 'gold', tags: ['a', 'b'], score: counter },
        active: counter % 2 === 0,
        notes: `note ${n}`,
        ...overrides,
      };
    }

    /** Inserts through the insert endpoint with tokens (as the Node v2 SDK would); skyflow_id and tokens per record. */
    async function insert(
      ...records: Record<string, unknown>[]
    ): Promise<{ skyflow_id: string; tokens: Record<string, string> }[]> {
      const res = await send('POST', vault('/customers'), {
        headers: NODE_V2_HEADERS,
        body: JSON.stringify({ records: records.map((fields) => ({ fields })), tokenization: true }),
      });
      return expectOk(res).records;
    }

    async function plain(table: string, id: string): Promise<Record<string, unknown>> {
      return expectOk(await send('GET', vault(`/${table}/${id}?redaction=PLAIN_TEXT`))).fields;
    }

    beforeAll(async () => {
      t = await startTestServer({ store });
      token = await t.adminToken();
      const created = await t.request('POST', '/v1/vaults', { body: { name: 'raw-json', vaultSchema: SCHEMA } });
      expect(created.status, created.text).toBe(200);
      vaultId = created.body.ID;
    });
    afterAll(async () => {
      await t?.close();
    });

    describe('token endpoint', () => {
      it('accepts the Python body ("scope": null) with its bogus "Authorization: Bearer token" header', async () => {
        const assertion = await signAssertion(t.adminCredentials, { omit: ['iat'] });
        const res = await send('POST', '/v1/auth/sa/oauth/token', {
          token: 'token',
          headers: PYTHON_HEADERS,
          body: pyJson({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion, scope: null }),
        });
        const body = expectOk(res);
        expect(body).toStrictEqual({ accessToken: expect.any(String), tokenType: 'Bearer' });
        expectOk(await send('GET', vault('/customers?limit=1'), { token: body.accessToken, headers: PYTHON_HEADERS }));
      });

      it('accepts the Node v2 request with an empty "Authorization: Bearer " header', async () => {
        const assertion = await signAssertion(t.adminCredentials);
        const res = await send('POST', '/v1/auth/sa/oauth/token', {
          token: '',
          headers: NODE_V2_HEADERS,
          body: JSON.stringify({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
        });
        expect(expectOk(res)).toStrictEqual({ accessToken: expect.any(String), tokenType: 'Bearer' });
      });
    });

    describe('insert — POST /v1/vaults/{vaultID}/{table}', () => {
      it('Python body (explicit nulls, byot "DISABLE", tokenization true) → {"records":[{"skyflow_id","tokens"}]} in request order', async () => {
        const a = customer({ name: 'Zoë Ångström' });
        const b = customer();
        const res = await send('POST', vault('/customers'), {
          headers: PYTHON_HEADERS,
          body: pyJson({
            records: [
              { fields: a, tokens: null },
              { fields: b, tokens: null },
            ],
            tokenization: true,
            upsert: null,
            homogeneous: false,
            byot: 'DISABLE',
          }),
        });
        const body = expectOk(res);
        expect(body).toStrictEqual({
          records: [
            { skyflow_id: expect.stringMatching(UUID), tokens: expect.any(Object) },
            { skyflow_id: expect.stringMatching(UUID), tokens: expect.any(Object) },
          ],
        });
        expect(res.text).toMatch(/^\{"records":\[\{"skyflow_id":"[0-9a-f-]{36}","tokens":\{/);
        for (const record of body.records) {
          // Tokens for the tokenized columns only, each a string.
          expect(Object.keys(record.tokens).sort()).toEqual([...TOKENIZED].sort());
          for (const value of Object.values(record.tokens)) expect(typeof value).toBe('string');
        }
        expect(body.records[0].tokens.ssn).toMatch(/^[0-9]{3}-[0-9]{2}-[0-9]{4}$/);
        // Record i of the response is record i of the request.
        expect(await plain('customers', body.records[0].skyflow_id)).toStrictEqual({
          skyflow_id: body.records[0].skyflow_id,
          ...a,
        });
        expect(await plain('customers', body.records[1].skyflow_id)).toStrictEqual({
          skyflow_id: body.records[1].skyflow_id,
          ...b,
        });
      });

      it('Node v2 body without tokenization → exactly {"records":[{"skyflow_id":…}]}, no tokens key', async () => {
        const res = await send('POST', vault('/customers'), {
          headers: NODE_V2_HEADERS,
          body: JSON.stringify({ records: [{ fields: customer() }, { fields: customer() }] }),
        });
        const body = expectOk(res);
        const [a, b] = body.records.map((r: any) => r.skyflow_id);
        expect(res.text).toBe(`{"records":[{"skyflow_id":"${a}"},{"skyflow_id":"${b}"}]}`);
      });

      it('Node v2 upsert on the unique column (charset in Content-Type) updates the existing record and keeps its ID', async () => {
        const c = customer();
        const [first] = await insert(c);
        const res = await send('POST', vault('/customers'), {
          // Java's OkHttp adds a charset parameter.
          headers: { ...NODE_V2_HEADERS, 'Content-Type': 'application/json; charset=utf-8' },
          body: JSON.stringify({
            records: [{ fields: { ...c, name: 'Upserted Name' } }],
            tokenization: false,
            upsert: 'email',
          }),
        });
        expect(res.text).toBe(`{"records":[{"skyflow_id":"${first!.skyflow_id}"}]}`);
        expect((await plain('customers', first!.skyflow_id)).name).toBe('Upserted Name');
      });

      it('byot "ENABLE" stores the token given; "tokens": {} means no tokens, even with byot "DISABLE"', async () => {
        const own = '7d5f1b8e-3c1a-4e9b-9f4e-2b6a1c0d9e8f';
        const a = customer();
        const b = customer();
        const res = await send('POST', vault('/customers'), {
          headers: PYTHON_HEADERS,
          body: pyJson({
            records: [
              { fields: a, tokens: { name: own } },
              { fields: b, tokens: {} },
            ],
            tokenization: true,
            upsert: null,
            homogeneous: false,
            byot: 'ENABLE',
          }),
        });
        const body = expectOk(res);
        expect(body.records[0].tokens.name).toBe(own);
        expect(body.records[1].tokens.name).toMatch(UUID);
        expect(body.records[1].tokens.name).not.toBe(own);

        const disabled = await send('POST', vault('/customers'), {
          headers: NODE_V2_HEADERS,
          body: JSON.stringify({ records: [{ fields: customer(), tokens: {} }], tokenization: false, byot: 'DISABLE' }),
        });
        expect(expectOk(disabled).records).toHaveLength(1);
      });

      it('byot "ENABLE_STRICT" with a token for every field stores exactly those tokens', async () => {
        const email = 'c3a1f0de-52b4-4c8e-8a57-0f6d2e9b7a11';
        const name = '9e2d7c55-1b3f-4a6e-9d80-4f1a2b3c4d5e';
        const c = customer();
        const res = await send('POST', vault('/customers'), {
          headers: PYTHON_HEADERS,
          body: pyJson({
            records: [{ fields: { email: c.email, name: c.name }, tokens: { email, name } }],
            tokenization: true,
            upsert: null,
            homogeneous: false,
            byot: 'ENABLE_STRICT',
          }),
        });
        const [record] = expectOk(res).records;
        expect(record).toStrictEqual({ skyflow_id: expect.stringMatching(UUID), tokens: { email, name } });
        const detok = await send('POST', vault('/detokenize'), {
          headers: PYTHON_HEADERS,
          body: pyJson({
            detokenizationParameters: [{ token: name, redaction: 'PLAIN_TEXT' }],
            continueOnError: false,
          }),
        });
        expect(expectOk(detok).records[0].value).toBe(c.name);
      });

      it('an invalid value is a 400 in the error shape naming the column, and nothing is written', async () => {
        const good = customer();
        const res = await send('POST', vault('/customers'), {
          headers: PYTHON_HEADERS,
          body: pyJson({
            records: [
              { fields: good, tokens: null },
              { fields: customer({ ssn: 'nope' }), tokens: null },
            ],
            tokenization: true,
            upsert: null,
            homogeneous: false,
            byot: 'DISABLE',
          }),
        });
        expect(expectError(res, 400)).toMatch(/customers\.ssn/);
        expectError(
          await send('GET', vault(`/customers?column_name=email&column_values=${encodeURIComponent(good.email)}`)),
          404,
        );
      });
    });

    describe('batch — POST /v1/vaults/{vaultID}', () => {
      it('continueOnError true (Python body) → {"vaultID","responses":[{"Status":200,"Body":…},{"Status":400,"Body":{"error":"…"}}]}', async () => {
        const good = customer();
        const item = (fields: unknown, tableName = 'customers') => ({
          fields,
          tableName,
          method: 'POST',
          tokenization: true,
          upsert: null,
          tokens: null,
        });
        const res = await send('POST', vault(), {
          headers: PYTHON_HEADERS,
          body: pyJson({
            records: [item(good), item(customer({ ssn: 'bad' })), item({ label: 'x' }, 'no_such_table')],
            continueOnError: true,
            byot: 'DISABLE',
          }),
        });
        const body = expectOk(res);
        expect(body).toStrictEqual({
          vaultID: vaultId,
          responses: [
            {
              Status: 200,
              Body: { records: [{ skyflow_id: expect.stringMatching(UUID), tokens: expect.any(Object) }] },
            },
            { Status: 400, Body: { error: expect.any(String) } },
            { Status: 400, Body: { error: expect.any(String) } },
          ],
        });
        expect(Object.keys(body.responses[0].Body.records[0].tokens).sort()).toEqual([...TOKENIZED].sort());
        const id = body.responses[0].Body.records[0].skyflow_id;
        expect(
          res.text.startsWith(
            `{"vaultID":"${vaultId}","responses":[{"Status":200,"Body":{"records":[{"skyflow_id":"${id}","tokens":{`,
          ),
        ).toBe(true);
        expect(res.text).toContain('{"Status":400,"Body":{"error":"');
        expect(body.responses[1].Body.error).toMatch(/customers\.ssn/);
        expect(await plain('customers', id)).toStrictEqual({ skyflow_id: id, ...good });
      });

      it('continueOnError true (Node v2 body, tokenization false, upsert) → Body without tokens; all items failing is still HTTP 200', async () => {
        const existing = customer();
        const [old] = await insert(existing);
        const res = await send('POST', vault(), {
          headers: NODE_V2_HEADERS,
          body: JSON.stringify({
            records: [
              { fields: customer(), tableName: 'customers', tokenization: false, method: 'POST' },
              {
                fields: { ...existing, notes: 'upserted' },
                tableName: 'customers',
                tokenization: false,
                method: 'POST',
                upsert: 'email',
              },
            ],
            continueOnError: true,
          }),
        });
        const id = expectOk(res).responses[0].Body.records[0].skyflow_id;
        expect(res.text).toBe(
          `{"vaultID":"${vaultId}","responses":[{"Status":200,"Body":{"records":[{"skyflow_id":"${id}"}]}},{"Status":200,"Body":{"records":[{"skyflow_id":"${old!.skyflow_id}"}]}}]}`,
        );
        expect((await plain('customers', old!.skyflow_id)).notes).toBe('upserted');

        const allBad = await send('POST', vault(), {
          headers: NODE_V2_HEADERS,
          body: JSON.stringify({
            records: [
              { fields: customer({ age: 'old' }), tableName: 'customers', tokenization: false, method: 'POST' },
              { fields: { nope: 1 }, tableName: 'customers', tokenization: false, method: 'POST' },
            ],
            continueOnError: true,
          }),
        });
        expect(expectOk(allBad)).toStrictEqual({
          vaultID: vaultId,
          responses: [
            { Status: 400, Body: { error: expect.any(String) } },
            { Status: 400, Body: { error: expect.any(String) } },
          ],
        });
      });

      it('continueOnError false (Node v1 body: quorum, upsert "") → plain sub-responses for POST, GET, PUT and DELETE', async () => {
        const [kept, doomed] = await insert(customer(), customer());
        const fresh = customer();
        const res = await send('POST', vault(), {
          headers: NODE_V1_HEADERS,
          body: JSON.stringify({
            records: [
              { method: 'POST', quorum: true, tableName: 'customers', fields: fresh, upsert: '', tokenization: true },
              { method: 'GET', tableName: 'customers', ID: kept!.skyflow_id, redaction: 'PLAIN_TEXT' },
              {
                method: 'PUT',
                tableName: 'customers',
                ID: kept!.skyflow_id,
                fields: { notes: 'changed', name: 'New Name' },
                tokenization: true,
              },
              { method: 'DELETE', tableName: 'customers', ID: doomed!.skyflow_id },
            ],
            continueOnError: false,
          }),
        });
        const body = expectOk(res);
        expect(body).toStrictEqual({
          vaultID: vaultId,
          responses: [
            { records: [{ skyflow_id: expect.stringMatching(UUID), tokens: expect.any(Object) }] },
            { records: [{ fields: expect.objectContaining({ skyflow_id: kept!.skyflow_id }) }] },
            { skyflow_id: kept!.skyflow_id, tokens: { name: expect.stringMatching(UUID) } },
            { skyflow_id: doomed!.skyflow_id, deleted: true },
          ],
        });
        expect(res.text).not.toContain('"Status"');
        expect(res.text).toContain(`{"skyflow_id":"${doomed!.skyflow_id}","deleted":true}`);
        expect(await plain('customers', body.responses[0].records[0].skyflow_id)).toMatchObject(fresh);
        expect(await plain('customers', kept!.skyflow_id)).toMatchObject({ notes: 'changed', name: 'New Name' });
        expectError(await send('GET', vault(`/customers/${doomed!.skyflow_id}`)), 404);
      });

      it('continueOnError false with a failing item is an error and writes nothing (one transaction)', async () => {
        const good = customer();
        const res = await send('POST', vault(), {
          headers: NODE_V1_HEADERS,
          body: JSON.stringify({
            records: [
              { method: 'POST', quorum: true, tableName: 'customers', fields: good, tokenization: true },
              {
                method: 'POST',
                quorum: true,
                tableName: 'customers',
                fields: customer({ ssn: 'bad' }),
                tokenization: true,
              },
            ],
            continueOnError: false,
          }),
        });
        expect(expectError(res, 400)).toMatch(/customers\.ssn/);
        expectError(
          await send('GET', vault(`/customers?column_name=email&column_values=${encodeURIComponent(good.email)}`)),
          404,
        );
      });

      it('explicit nulls and empty objects in batch items (Python GET/PUT/DELETE) are absent', async () => {
        const [r] = await insert(customer());
        const res = await send('POST', vault(), {
          headers: PYTHON_HEADERS,
          body: pyJson({
            records: [
              {
                method: 'GET',
                tableName: 'customers',
                ID: r!.skyflow_id,
                redaction: null,
                tokenization: null,
                fields: null,
                tokens: null,
                upsert: null,
                batchID: null,
              },
              {
                method: 'PUT',
                tableName: 'customers',
                ID: r!.skyflow_id,
                fields: { notes: 'n' },
                tokens: {},
                tokenization: false,
                redaction: null,
              },
            ],
            continueOnError: false,
            byot: null,
          }),
        });
        const body = expectOk(res);
        expect(body.responses[0].records[0].fields.skyflow_id).toBe(r!.skyflow_id);
        expect(body.responses[1]).toStrictEqual({ skyflow_id: r!.skyflow_id });
      });
    });

    describe('get — GET /v1/vaults/{vaultID}/{table}', () => {
      it('Node v2: repeated skyflow_ids, empty column_name=, Content-Type json and no body → skyflow_id inside fields, JSON types kept', async () => {
        const a = customer();
        const b = customer();
        const [ra, rb] = await insert(a, b);
        const res = await send(
          'GET',
          vault(
            `/customers?skyflow_ids=${rb!.skyflow_id}&skyflow_ids=${ra!.skyflow_id}&redaction=PLAIN_TEXT&tokenization=false&column_name=`,
          ),
          { headers: NODE_V2_HEADERS },
        );
        const body = expectOk(res);
        expect(body).toStrictEqual({
          records: [{ fields: { skyflow_id: rb!.skyflow_id, ...b } }, { fields: { skyflow_id: ra!.skyflow_id, ...a } }],
        });
        expect(res.text.startsWith(`{"records":[{"fields":{`)).toBe(true);
      });

      it('tokenization=true puts the tokens inside fields (Python: repeated keys, no redaction)', async () => {
        const c = customer();
        const [r] = await insert(c);
        const res = await send('GET', vault(`/customers?skyflow_ids=${r!.skyflow_id}&tokenization=true`), {
          headers: PYTHON_HEADERS,
        });
        const body = expectOk(res);
        expect(body.records).toHaveLength(1);
        expect(body.records[0].fields).toStrictEqual({
          skyflow_id: r!.skyflow_id,
          ...r!.tokens,
          active: c.active,
          notes: '*REDACTED*',
        });
      });

      it('repeated fields=, downloadURL=false and returnFileMetadata=false (Python) limit the columns; skyflow_id is always there', async () => {
        const c = customer();
        const [r] = await insert(c);
        const res = await send(
          'GET',
          vault(
            `/customers?skyflow_ids=${r!.skyflow_id}&redaction=PLAIN_TEXT&tokenization=false&fields=ssn&fields=age&downloadURL=false&returnFileMetadata=false`,
          ),
          { headers: PYTHON_HEADERS },
        );
        expect(expectOk(res)).toStrictEqual({
          records: [{ fields: { skyflow_id: r!.skyflow_id, ssn: c.ssn, age: c.age } }],
        });
      });

      it('column_name + repeated column_values (httpx-encoded, non-ASCII too) finds records by a unique column', async () => {
        const a = customer({ email: `zoë+${counter}@example.com` });
        const b = customer();
        const [ra, rb] = await insert(a, b);
        const res = await send(
          'GET',
          vault(
            `/customers?column_name=email&column_values=${encodeURIComponent(a.email)}&column_values=${encodeURIComponent(b.email)}&redaction=MASKED`,
          ),
          { headers: PYTHON_HEADERS },
        );
        const body = expectOk(res);
        expect(body.records.map((r: any) => r.fields.skyflow_id).sort()).toEqual(
          [ra!.skyflow_id, rb!.skyflow_id].sort(),
        );
        const fa = body.records.find((r: any) => r.fields.skyflow_id === ra!.skyflow_id).fields;
        expect(fa.email).toBe(maskedEmail(a.email));
        expect(fa.ssn).toBe(`XXX-XX-${a.ssn.slice(-4)}`);
      });

      it('Node v1 query strings: unencoded values, a dangling "&", and a "{}" body on GET', async () => {
        const c = customer();
        const [r] = await insert(c);
        const o = { ref: `R/${counter}:x@y`, amount: 9.75 };
        const order = expectOk(
          await send('POST', vault('/orders'), {
            headers: NODE_V2_HEADERS,
            body: JSON.stringify({ records: [{ fields: o }] }),
          }),
        ).records[0].skyflow_id;

        const tokens = await send('GET', vault(`/customers?skyflow_ids=${r!.skyflow_id}&tokenization=true&`), {
          headers: NODE_V1_HEADERS,
          body: '{}',
        });
        expect(expectOk(tokens).records[0].fields).toMatchObject({ skyflow_id: r!.skyflow_id, ...r!.tokens });

        const values = await send(
          'GET',
          vault(`/customers?skyflow_ids=${r!.skyflow_id}&tokenization=false&redaction=PLAIN_TEXT`),
          {
            headers: NODE_V1_HEADERS,
            body: '{}',
          },
        );
        expect(expectOk(values).records[0].fields).toStrictEqual({ skyflow_id: r!.skyflow_id, ...c });

        const byRef = await send('GET', vault(`/orders?column_name=ref&column_values=${o.ref}&`), {
          headers: NODE_V1_HEADERS,
          body: '{}',
        });
        expect(expectOk(byRef)).toStrictEqual({ records: [{ fields: { skyflow_id: order, ...o } }] });
      });

      it('one record — GET /{table}/{ID} → {"fields":{…}}', async () => {
        const c = customer();
        const [r] = await insert(c);
        const res = await send('GET', vault(`/customers/${r!.skyflow_id}?redaction=REDACTED`), {
          headers: NODE_V2_HEADERS,
        });
        const body = expectOk(res);
        expect(body).toStrictEqual({
          fields: {
            skyflow_id: r!.skyflow_id,
            email: '*REDACTED*',
            name: '*REDACTED*',
            ssn: '*REDACTED*',
            age: '*REDACTED*',
            profile: '*REDACTED*',
            active: '*REDACTED*',
            notes: '*REDACTED*',
          },
        });
      });

      it('unknown IDs are a 404 in the error shape', async () => {
        expectError(
          await send('GET', vault('/customers?skyflow_ids=00000000-0000-4000-8000-000000000000'), {
            headers: NODE_V2_HEADERS,
          }),
          404,
        );
        expectError(
          await send('GET', vault('/customers/00000000-0000-4000-8000-000000000000'), { headers: NODE_V2_HEADERS }),
          404,
        );
      });
    });

    describe('update — PUT /v1/vaults/{vaultID}/{table}/{ID}', () => {
      it('Python body (tokens null, tokenization false, byot "DISABLE") → exactly {"skyflow_id":…}', async () => {
        const [r] = await insert(customer());
        const res = await send('PUT', vault(`/customers/${r!.skyflow_id}`), {
          headers: PYTHON_HEADERS,
          body: pyJson({
            record: { fields: { name: 'Chloë', age: 41 }, tokens: null },
            tokenization: false,
            byot: 'DISABLE',
          }),
        });
        expectOk(res);
        expect(res.text).toBe(`{"skyflow_id":"${r!.skyflow_id}"}`);
        expect(await plain('customers', r!.skyflow_id)).toMatchObject({ name: 'Chloë', age: 41 });
      });

      it('tokenization true → exactly {"skyflow_id":…,"tokens":{…}} with the updated tokenized columns', async () => {
        const [r] = await insert(customer());
        const res = await send('PUT', vault(`/customers/${r!.skyflow_id}`), {
          headers: NODE_V2_HEADERS,
          body: JSON.stringify({
            record: { fields: { name: 'Renamed', notes: 'plain column' }, tokens: {} },
            tokenization: true,
            byot: 'DISABLE',
          }),
        });
        const body = expectOk(res);
        expect(res.text).toBe(`{"skyflow_id":"${r!.skyflow_id}","tokens":{"name":"${body.tokens.name}"}}`);
        expect(body.tokens.name).toMatch(UUID);
      });

      it('Node v1 body ({record: {fields}, tokenization: true}); a missing record is a 404', async () => {
        const [r] = await insert(customer());
        const res = await send('PUT', vault(`/customers/${r!.skyflow_id}`), {
          headers: NODE_V1_HEADERS,
          body: JSON.stringify({ record: { fields: { ssn: '999-88-7777' } }, tokenization: true }),
        });
        expect(expectOk(res)).toStrictEqual({
          skyflow_id: r!.skyflow_id,
          tokens: { ssn: expect.stringMatching(/^[0-9]{3}-[0-9]{2}-[0-9]{4}$/) },
        });
        expectError(
          await send('PUT', vault('/customers/00000000-0000-4000-8000-000000000000'), {
            headers: NODE_V1_HEADERS,
            body: JSON.stringify({ record: { fields: { notes: 'x' } }, tokenization: true }),
          }),
          404,
        );
      });
    });

    describe('delete', () => {
      it('single (Node v1: Content-Type json, body "{}") → exactly {"skyflow_id":…,"deleted":true}; again → 404', async () => {
        const [r] = await insert(customer());
        const res = await send('DELETE', vault(`/customers/${r!.skyflow_id}`), {
          headers: NODE_V1_HEADERS,
          body: '{}',
        });
        expectOk(res);
        expect(res.text).toBe(`{"skyflow_id":"${r!.skyflow_id}","deleted":true}`);
        expectError(
          await send('DELETE', vault(`/customers/${r!.skyflow_id}`), { headers: NODE_V1_HEADERS, body: '{}' }),
          404,
        );
      });

      it('bulk (Node v2 / Python body {"skyflow_ids":[…]}) → {"RecordIDResponse":[…]}; ["*"] → {"RecordIDResponse":["*"]}', async () => {
        const [a, b] = await insert(customer(), customer());
        const res = await send('DELETE', vault('/customers'), {
          headers: PYTHON_HEADERS,
          body: pyJson({ skyflow_ids: [a!.skyflow_id, b!.skyflow_id] }),
        });
        const body = expectOk(res);
        expect(Object.keys(body)).toEqual(['RecordIDResponse']);
        expect([...body.RecordIDResponse].sort()).toEqual([a!.skyflow_id, b!.skyflow_id].sort());
        expect(res.text).toMatch(/^\{"RecordIDResponse":\["[0-9a-f-]{36}","[0-9a-f-]{36}"\]\}$/);
        expectError(await send('GET', vault(`/customers/${a!.skyflow_id}`)), 404);

        for (const label of ['one', 'two']) {
          expectOk(
            await send('POST', vault('/scratch'), {
              headers: NODE_V2_HEADERS,
              body: JSON.stringify({ records: [{ fields: { label } }] }),
            }),
          );
        }
        const all = await send('DELETE', vault('/scratch'), {
          headers: NODE_V2_HEADERS,
          body: JSON.stringify({ skyflow_ids: ['*'] }),
        });
        expectOk(all);
        expect(all.text).toBe('{"RecordIDResponse":["*"]}');
        expect(expectOk(await send('GET', vault('/scratch'), { headers: NODE_V2_HEADERS }))).toStrictEqual({
          records: [],
        });
      });
    });

    describe('detokenize — POST /v1/vaults/{vaultID}/detokenize', () => {
      it('Python body → {"records":[{"token","valueType","value"}]} aligned with the request, value always a string', async () => {
        const c = customer({ age: 42, profile: { plan: 'pro', seats: 3 } });
        const [r] = await insert(c);
        const tk = r!.tokens;
        const res = await send('POST', vault('/detokenize'), {
          headers: PYTHON_HEADERS,
          body: pyJson({
            detokenizationParameters: [
              { token: tk.email, redaction: 'PLAIN_TEXT' },
              { token: tk.ssn, redaction: 'MASKED' },
              { token: tk.age, redaction: 'PLAIN_TEXT' },
              { token: tk.profile, redaction: 'PLAIN_TEXT' },
              { token: tk.name, redaction: 'DEFAULT' },
              { token: tk.name, redaction: 'REDACTED' },
            ],
            continueOnError: false,
          }),
        });
        const body = expectOk(res);
        expect(body).toStrictEqual({
          records: [
            { token: tk.email, valueType: 'STRING', value: c.email },
            { token: tk.ssn, valueType: 'STRING', value: `XXX-XX-${c.ssn.slice(-4)}` },
            { token: tk.age, valueType: 'INTEGER', value: '42' },
            { token: tk.profile, valueType: 'JSON', value: JSON.stringify(c.profile) },
            { token: tk.name, valueType: 'STRING', value: `P***${c.name.slice(-2)}` },
            { token: tk.name, valueType: 'STRING', value: '*REDACTED*' },
          ],
        });
        for (const record of body.records) expect(Object.keys(record)).toEqual(['token', 'valueType', 'value']);
      });

      it('Node v1 body (one token, redaction PLAIN_TEXT) and Node v2 body (redaction DEFAULT, downloadURL false)', async () => {
        const c = customer();
        const [r] = await insert(c);
        const v1 = await send('POST', vault('/detokenize'), {
          headers: NODE_V1_HEADERS,
          body: JSON.stringify({ detokenizationParameters: [{ token: r!.tokens.ssn, redaction: 'PLAIN_TEXT' }] }),
        });
        expect(v1.text).toBe(`{"records":[{"token":"${r!.tokens.ssn}","valueType":"STRING","value":"${c.ssn}"}]}`);
        const v2 = await send('POST', vault('/detokenize'), {
          headers: NODE_V2_HEADERS,
          body: JSON.stringify({
            detokenizationParameters: [{ token: r!.tokens.email, redaction: 'DEFAULT' }],
            continueOnError: false,
            downloadURL: false,
          }),
        });
        expect(expectOk(v2)).toStrictEqual({
          records: [{ token: r!.tokens.email, valueType: 'STRING', value: maskedEmail(c.email) }],
        });
      });

      it('continueOnError true → HTTP 200, an "error" (and no value) on the failing record', async () => {
        const c = customer();
        const [r] = await insert(c);
        const res = await send('POST', vault('/detokenize'), {
          headers: NODE_V2_HEADERS,
          body: JSON.stringify({
            detokenizationParameters: [
              { token: 'not-a-token', redaction: 'DEFAULT' },
              { token: r!.tokens.email, redaction: 'PLAIN_TEXT' },
            ],
            continueOnError: true,
            downloadURL: false,
          }),
        });
        expect(expectOk(res)).toStrictEqual({
          records: [
            { token: 'not-a-token', error: expect.any(String) },
            { token: r!.tokens.email, valueType: 'STRING', value: c.email },
          ],
        });
      });

      it('continueOnError false with an unknown token is an error in the error shape', async () => {
        const res = await send('POST', vault('/detokenize'), {
          headers: PYTHON_HEADERS,
          body: pyJson({
            detokenizationParameters: [{ token: 'not-a-token', redaction: 'DEFAULT' }],
            continueOnError: false,
          }),
        });
        expectError(res, 404);
      });
    });

    describe('tokenize — POST /v1/vaults/{vaultID}/tokenize', () => {
      it('{value, columnGroup} → exactly {"records":[{"token":…}]}, the token the value already has', async () => {
        const a = customer();
        const b = customer();
        const [ra, rb] = await insert(a, b);
        const res = await send('POST', vault('/tokenize'), {
          headers: PYTHON_HEADERS,
          body: pyJson({
            tokenizationParameters: [
              { value: b.email, columnGroup: 'emails' },
              { value: a.email, columnGroup: 'emails' },
            ],
          }),
        });
        expectOk(res);
        expect(res.text).toBe(`{"records":[{"token":"${rb!.tokens.email}"},{"token":"${ra!.tokens.email}"}]}`);
      });
    });

    describe('query — POST /v1/vaults/{vaultID}/query', () => {
      it('{"query": …} → {"records":[{"fields":{…}}]} with no tokens', async () => {
        const c = customer();
        const [r] = await insert(c);
        const res = await send('POST', vault('/query'), {
          headers: PYTHON_HEADERS,
          body: pyJson({
            query: `SELECT skyflow_id, age, active, ssn FROM customers WHERE skyflow_id = '${r!.skyflow_id}'`,
          }),
        });
        expectOk(res);
        expect(res.text).toBe(
          `{"records":[{"fields":${JSON.stringify({ skyflow_id: r!.skyflow_id, age: c.age, active: c.active, ssn: `XXX-XX-${c.ssn.slice(-4)}` })}}]}`,
        );
      });
    });

    describe('errors', () => {
      it('every failure is {"error":{grpc_code,http_code,http_status,message,details}} with JSON content type and x-request-id', async () => {
        expectError(
          await send('POST', vault('/customers'), {
            headers: NODE_V2_HEADERS,
            body: JSON.stringify({ records: [{ fields: { nope: 1 } }] }),
          }),
          400,
        );
        expectError(await send('GET', vault('/customers?redaction=SOMETIMES'), { headers: NODE_V2_HEADERS }), 400);
        expectError(
          await send('POST', vault('/detokenize'), {
            headers: NODE_V2_HEADERS,
            body: '{"detokenizationParameters": "x"}',
          }),
          400,
        );
        expectError(await send('POST', vault('/customers'), { headers: PYTHON_HEADERS, body: '{"records": [' }), 400);
        expectError(
          await send(
            'GET',
            vault(
              '/customers?skyflow_ids=00000000-0000-4000-8000-000000000000&column_name=email&column_values=a%40b.c',
            ),
            {
              headers: NODE_V2_HEADERS,
            },
          ),
          400,
        );
        expectError(await send('GET', vault('/no_such_table?limit=1'), { headers: NODE_V2_HEADERS }), 404);
        expectError(
          await send('POST', vault('/no_such_table'), {
            headers: NODE_V2_HEADERS,
            body: JSON.stringify({ records: [{ fields: { a: 1 } }] }),
          }),
          404,
        );
        expectError(await send('GET', vault('/customers'), { headers: NODE_V2_HEADERS, token: null }), 401);
        expectError(await send('GET', vault('/customers'), { headers: NODE_V2_HEADERS, token: 'not-a-jwt' }), 401);
      });
    });
  });
}
