import { expect } from 'vitest';
import type { TestServer } from '../support/server.js';

/** Stores every Data API suite runs against. */
export const STORES = ['sqlite', 'postgres'] as const;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export interface WireTag {
  name: string;
  values: string[];
}
export interface WireField {
  name: string;
  datatype: string;
  tags: WireTag[];
}

/** `tag('options.unique', 'true')` → `{name: 'skyflow.options.unique', values: ['true']}`. */
export const tag = (name: string, ...values: string[]): WireTag => ({ name: `skyflow.${name}`, values });
export const field = (name: string, datatype: string, ...tags: WireTag[]): WireField => ({ name, datatype, tags });

export const tokenPolicy = (policy: string) => tag('options.default_token_policy', policy);
export const dlp = (policy: 'REDACT' | 'MASK' | 'PLAIN_TEXT') => tag('options.default_dlp_policy', policy);
export const unique = () => tag('options.unique', 'true');
export const group = (name: string) => tag('options.column_group', name);
export const operations = (...ops: string[]) => tag('options.operation', ...ops);

/** Creates a vault with the given tables over the admin's token and returns its ID. */
export async function createVault(
  t: TestServer,
  name: string,
  tables: readonly { name: string; fields: readonly WireField[] }[],
): Promise<string> {
  const res = await t.request('POST', '/v1/vaults', {
    body: { name, vaultSchema: { schemas: tables.map((table) => ({ name: table.name, fields: table.fields })) } },
  });
  if (res.status !== 200) throw new Error(`vault creation failed: ${res.status} ${res.text}`);
  return res.body.ID as string;
}

/** The IDs of a vault's three system roles, by name. */
export async function vaultRoles(t: TestServer, vaultId: string): Promise<Record<string, string>> {
  const list = await t.request('GET', `/v1/roles?resource.type=VAULT&resource.ID=${vaultId}`);
  return Object.fromEntries(list.body.roles.map((r: any) => [r.definition.name, r.ID]));
}

type Response = Awaited<ReturnType<TestServer['request']>>;

/**
 * Asserts the §3 error shape: status, JSON content type, a UUID `x-request-id`, and
 * `{"error": {grpc_code, http_code, http_status, message, details}}` with the canonical codes.
 */
export function expectError(res: Response, status: number, message?: RegExp): void {
  const grpc: Record<number, [number, string]> = {
    400: [3, 'Bad Request'],
    401: [16, 'Unauthorized'],
    403: [7, 'Forbidden'],
    404: [5, 'Not Found'],
  };
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('x-request-id')).toMatch(UUID);
  expect(res.body).toEqual({
    error: {
      grpc_code: grpc[status]?.[0] ?? expect.any(Number),
      http_code: status,
      http_status: grpc[status]?.[1] ?? expect.any(String),
      message: message ? expect.stringMatching(message) : expect.any(String),
      details: expect.any(Array),
    },
  });
}

export function expectOk(res: Response): void {
  expect(res.status, res.text).toBe(200);
  expect(res.headers.get('x-request-id')).toMatch(UUID);
}

/** A query string with repeated keys for arrays (`?a=1&a=2`), values URL-encoded. */
export function qs(params: Record<string, string | number | boolean | readonly string[] | undefined>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [String(value)];
    for (const v of values) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(v)}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

export interface InsertOptions {
  tokenization?: boolean;
  upsert?: string;
  homogeneous?: boolean;
  byot?: 'DISABLE' | 'ENABLE' | 'ENABLE_STRICT';
}

/** Data API calls on one vault, as one caller (the admin unless a token is given). */
export class DataApi {
  constructor(
    readonly t: TestServer,
    readonly vaultId: string,
    readonly token?: string | null,
  ) {}

  as(token: string | null): DataApi {
    return new DataApi(this.t, this.vaultId, token);
  }

  private call(method: string, path: string, body?: unknown): Promise<Response> {
    return this.t.request(method, `/v1/vaults/${this.vaultId}${path}`, {
      ...(body !== undefined && { body }),
      ...(this.token !== undefined && { token: this.token }),
    });
  }

  insert(
    table: string,
    records: readonly (
      | Record<string, unknown>
      | { fields: Record<string, unknown>; tokens?: Record<string, unknown> }
    )[],
    options: InsertOptions = {},
  ): Promise<Response> {
    const wrapped = records.map((r) => ('fields' in r && typeof r.fields === 'object' ? r : { fields: r }));
    return this.call('POST', `/${table}`, { records: wrapped, ...options });
  }

  /** Inserts and returns the skyflow_ids (throws unless 200). */
  async insertIds(table: string, records: readonly Record<string, unknown>[], options: InsertOptions = {}) {
    const res = await this.insert(table, records, options);
    if (res.status !== 200) throw new Error(`insert failed: ${res.status} ${res.text}`);
    return (res.body.records as { skyflow_id: string }[]).map((r) => r.skyflow_id);
  }

  /** Inserts with tokenization and returns `{skyflow_id, tokens}` per record (throws unless 200). */
  async insertTokens(table: string, records: readonly Record<string, unknown>[], options: InsertOptions = {}) {
    const res = await this.insert(table, records, { tokenization: true, ...options });
    if (res.status !== 200) throw new Error(`insert failed: ${res.status} ${res.text}`);
    return res.body.records as { skyflow_id: string; tokens: Record<string, string> }[];
  }

  get(table: string, query: string | Parameters<typeof qs>[0] = ''): Promise<Response> {
    return this.call('GET', `/${table}${typeof query === 'string' ? query : qs(query)}`);
  }

  /** The fields of records by ID (PLAIN_TEXT unless told), in request order; throws unless 200. */
  async fields(table: string, ids: readonly string[], extra: Parameters<typeof qs>[0] = {}) {
    const res = await this.get(table, { skyflow_ids: ids, redaction: 'PLAIN_TEXT', ...extra });
    if (res.status !== 200) throw new Error(`get failed: ${res.status} ${res.text}`);
    return (res.body.records as { fields: Record<string, unknown> }[]).map((r) => r.fields);
  }

  getOne(table: string, id: string, query: string | Parameters<typeof qs>[0] = ''): Promise<Response> {
    return this.call('GET', `/${table}/${id}${typeof query === 'string' ? query : qs(query)}`);
  }

  update(
    table: string,
    id: string,
    fields: Record<string, unknown>,
    options: { tokenization?: boolean; byot?: string; tokens?: Record<string, unknown> } = {},
  ): Promise<Response> {
    const { tokens, ...rest } = options;
    return this.call('PUT', `/${table}/${id}`, { record: { fields, ...(tokens && { tokens }) }, ...rest });
  }

  deleteOne(table: string, id: string): Promise<Response> {
    return this.call('DELETE', `/${table}/${id}`);
  }

  deleteMany(table: string, ids: readonly string[]): Promise<Response> {
    return this.call('DELETE', `/${table}`, { skyflow_ids: ids });
  }

  batch(body: unknown): Promise<Response> {
    return this.call('POST', '', body);
  }

  detokenize(
    params: readonly (string | { token: string; redaction?: string })[],
    options: Record<string, unknown> = {},
  ) {
    return this.call('POST', '/detokenize', {
      detokenizationParameters: params.map((p) => (typeof p === 'string' ? { token: p } : p)),
      ...options,
    });
  }

  /** The detokenized value of one token with PLAIN_TEXT, or `undefined` when the token is unknown. */
  async reveal(token: string): Promise<string | undefined> {
    const res = await this.detokenize([{ token, redaction: 'PLAIN_TEXT' }], { continueOnError: true });
    if (res.status !== 200) throw new Error(`detokenize failed: ${res.status} ${res.text}`);
    const record = res.body.records[0];
    return record.error === undefined ? record.value : undefined;
  }

  tokenize(params: readonly { value: string; columnGroup?: string; table?: string; column?: string }[]) {
    return this.call('POST', '/tokenize', { tokenizationParameters: params });
  }

  query(sql: string): Promise<Response> {
    return this.call('POST', '/query', { query: sql });
  }

  /** The records' fields of a query (throws unless 200). */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const res = await this.query(sql);
    if (res.status !== 200) throw new Error(`query failed: ${res.status} ${res.text}`);
    return (res.body.records as { fields: Record<string, unknown> }[]).map((r) => r.fields);
  }
}

/** Luhn check over the digits of a string. */
export function luhnValid(text: string): boolean {
  const digits = text.replace(/\D/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * A table with every token policy, each redaction style and every datatype: the `people` table most
 * Data API suites use. Deterministic `email` shares the column group `emails` with `contacts.email`.
 */
export const PEOPLE_FIELDS: readonly WireField[] = [
  field(
    'name',
    'DT_STRING',
    tokenPolicy('NON_DETERMINISTIC_UUID'),
    dlp('MASK'),
    tag('options.find_pattern', '^(.).*(.{2})$'),
    tag('options.replace_pattern', '${1}***${2}'),
    operations('EXACT_MATCH'),
  ),
  field(
    'email',
    'DT_STRING',
    tokenPolicy('DETERMINISTIC_PRESERVE_EMAIL_DOMAIN'),
    dlp('MASK'),
    tag('options.find_pattern', '^(.).*?(.)?@(.+)$'),
    tag('options.replace_pattern', '${1}******${2}@${3}'),
    tag('validation.regular_exp', '^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$'),
    group('emails'),
    unique(),
  ),
  field(
    'ssn',
    'DT_STRING',
    tokenPolicy('DETERMINISTIC_FPT'),
    tag('options.format_preserving_regex', '^[0-9]{3}-[0-9]{2}-[0-9]{4}$'),
    dlp('MASK'),
    tag('options.find_pattern', '^[0-9]{3}-[0-9]{2}-([0-9]{4})$'),
    tag('options.replace_pattern', 'XXX-XX-${1}'),
    tag('validation.regular_exp', '^[0-9]{3}-[0-9]{2}-[0-9]{4}$'),
    operations('EXACT_MATCH'),
  ),
  field(
    'card',
    'DT_STRING',
    tokenPolicy('DETERMINISTIC_PRESERVE_LEFT_6_RIGHT_4'),
    tag('options.data_type', 'skyflow.CardNumber'),
    dlp('MASK'),
    tag('validation.regular_exp', '^[0-9]{12,19}$'),
  ),
  field(
    'phone',
    'DT_STRING',
    tokenPolicy('NON_DETERMINISTIC_PRESERVE_RIGHT_4'),
    tag('options.token_prefix', '99'),
    tag('options.token_separator', '_'),
    dlp('REDACT'),
  ),
  field('account', 'DT_STRING', tokenPolicy('DETERMINISTIC_PRESERVE_RIGHT_4'), dlp('PLAIN_TEXT')),
  field('code', 'DT_STRING', tokenPolicy('NON_DETERMINISTIC_FPT'), dlp('PLAIN_TEXT')),
  field(
    'ref',
    'DT_STRING',
    tokenPolicy('FORMAT_PRESERVING_TOKEN'),
    tag('options.format_preserving_regex', '^REF-[A-Z]{4}-[0-9]{3}$'),
    dlp('PLAIN_TEXT'),
  ),
  field('nick', 'DT_STRING', tokenPolicy('RANDOM_TOKEN'), dlp('PLAIN_TEXT')),
  field('member', 'DT_STRING', tokenPolicy('DETERMINISTIC_UUID'), dlp('REDACT')),
  field(
    'otp',
    'DT_STRING',
    tokenPolicy('NON_DETERMINISTIC_TRANSIENT_UUID'),
    tag('options.ttl', '5'),
    dlp('PLAIN_TEXT'),
  ),
  field('pin', 'DT_INT32', tokenPolicy('DETERMINISTIC_UUID'), dlp('PLAIN_TEXT')),
  field('age', 'DT_INT32', dlp('PLAIN_TEXT'), operations('EXACT_MATCH', 'ORDER', 'AGGREGATION')),
  field('balance', 'DT_INT64', dlp('PLAIN_TEXT'), operations('ORDER', 'AGGREGATION')),
  field('score', 'DT_FLOAT64', tokenPolicy('NON_DETERMINISTIC_UUID'), dlp('PLAIN_TEXT')),
  field('active', 'DT_BOOL', tokenPolicy('RANDOM_TOKEN'), dlp('PLAIN_TEXT')),
  field('born', 'DT_DATE', tokenPolicy('DETERMINISTIC_UUID'), dlp('MASK')),
  field('profile', 'DT_EMBEDDED', tokenPolicy('NON_DETERMINISTIC_UUID'), dlp('PLAIN_TEXT')),
  field('note', 'DT_STRING'),
  field('username', 'DT_STRING', unique(), dlp('PLAIN_TEXT')),
  field('photo', 'DT_FILE_TYPE'),
];

export const CONTACTS_FIELDS: readonly WireField[] = [
  field(
    'email',
    'DT_STRING',
    tokenPolicy('DETERMINISTIC_PRESERVE_EMAIL_DOMAIN'),
    dlp('MASK'),
    tag('options.find_pattern', '^(.).*?(.)?@(.+)$'),
    tag('options.replace_pattern', '${1}******${2}@${3}'),
    tag('validation.regular_exp', '^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$'),
    group('emails'),
  ),
  field('label', 'DT_STRING', dlp('PLAIN_TEXT')),
];

export const PEOPLE_TABLES = [
  { name: 'people', fields: PEOPLE_FIELDS },
  { name: 'contacts', fields: CONTACTS_FIELDS },
] as const;

/** Tokenized columns of `people` (those that get tokens with tokenization:true). */
export const TOKENIZED_PEOPLE_COLUMNS = PEOPLE_FIELDS.filter((f) =>
  f.tags.some((t) => t.name === 'skyflow.options.default_token_policy'),
).map((f) => f.name);
