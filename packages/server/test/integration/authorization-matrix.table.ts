import { generateKeyPairSync } from 'node:crypto';
import { FILE_ENDPOINTS } from '../../src/detect/file-endpoints.js';
import { qs } from '../data-api/helpers.js';
import { type Credentials, signAssertion } from '../support/server.js';

/*
 * The one table of the authorization matrix (issue 4): every route the server registers, how to make a
 * valid request to it against the shared fixtures, what it needs, and what each credential case gets.
 * authorization-matrix.test.ts runs every (row, case) pair and checks that no route is missing here.
 */

/** The credential cases, in the order each row runs them. */
export const CASES = [
  'no credentials',
  'malformed bearer',
  'expired bearer',
  'revoked bearer',
  "another vault's principal",
  'a role without the action',
  'a role with the action',
  'a DENY rule',
  'a MASKED cap',
] as const;
export type CaseName = (typeof CASES)[number];

/** The four cases whose credential is not valid: every authenticated route answers them 401. */
export const UNAUTHENTICATED: readonly CaseName[] = CASES.slice(0, 4);

/**
 * The fixture principals, each a service account calling with a bearer token from the token endpoint.
 * Vault A is the vault under test; vault B is another vault.
 */
export type PrincipalName =
  /** ACCOUNT_ADMIN (a service account other than the bootstrap admin, which sets the fixtures up). */
  | 'admin'
  /** VAULT_OWNER on vault A. */
  | 'owner'
  /** VAULT_EDITOR on vault A. */
  | 'editor'
  /** VAULT_VIEWER on vault A. */
  | 'viewer'
  /** A custom role on vault A without permissions or policies. */
  | 'bare'
  /** VAULT_OWNER on vault B only: "another vault's principal". */
  | 'other'
  /** VAULT_EDITOR on vault A plus a custom role whose policy DENYs ssn and photo (and DELETE on persons). */
  | 'deny'
  /** A custom role on vault A whose policy allows every data action, reads capped at MASKED. */
  | 'masked';

/** The rules of the `deny` principal's policy (it also holds VAULT_EDITOR). */
export const DENY_RULES = [
  'DENY READ ON persons.ssn',
  'DENY DETOKENIZATION ON persons.ssn',
  'DENY CREATE ON persons.ssn, persons.photo',
  'DENY UPDATE ON persons.ssn, persons.photo',
  'DENY DELETE ON persons.*',
  'DENY TOKENIZATION ON persons.ssn',
];

/** The rules of the `masked` principal's policy (its only role). */
export const MASKED_RULES = [
  'ALLOW READ WITH REDACTION = MASKED',
  'ALLOW DETOKENIZATION WITH REDACTION = MASKED',
  'ALLOW CREATE',
  'ALLOW UPDATE',
  'ALLOW DELETE',
  'ALLOW TOKENIZATION',
];

/** The SSN of the fixture record, as stored and as its column's mask shows it. */
export const SSN = '123-45-6789';
export const MASKED_SSN = 'XXX-XX-6789';

/** What the fixtures give a row to build its request from. */
export interface Fixtures {
  readonly vaultId: string;
  readonly otherVaultId: string;
  /** A `persons` record (name, ssn, country) that no row changes. */
  readonly recordId: string;
  readonly ssnToken: string;
  /** IDs of vault A's system roles by name, and of the deny principal's custom role and policy. */
  readonly vaultRoles: Readonly<Record<'VAULT_OWNER' | 'VAULT_EDITOR' | 'VAULT_VIEWER', string>>;
  readonly denyRoleId: string;
  readonly denyPolicyId: string;
  readonly principalIds: Readonly<Record<PrincipalName, string>>;
  /** A service account without roles that rows read or change harmlessly. */
  readonly target: Credentials;
  /** An API-key-enabled service account and one of its API keys. */
  readonly apiKeyAccount: { readonly id: string; readonly apiKeyId: string };
  readonly registeredKeyId: string;
  /** A Detect run in vault A, started by the bootstrap admin. */
  readonly runId: string;
  /** A console user, and its password (for the login row). */
  readonly user: { readonly id: string; readonly email: string; readonly password: string };
  /*
   * The fresh* targets below are for rows that change or delete what they act on. A service account or
   * user handed out for a request that was refused (it changed nothing) is handed out again to the next
   * case: creating them costs a key pair or a password hash.
   */
  /** A fresh `persons` record with an ssn and a photo (for rows that change or delete one). */
  freshRecord(): Promise<string>;
  /** A service account without roles that no accepted request has changed (and its credentials). */
  freshServiceAccount(): Promise<Credentials>;
  /** A new service account without roles, never handed out again (for a build that changes it). */
  newServiceAccount(): Promise<Credentials>;
  /** A fresh API key of {@link apiKeyAccount}. */
  freshApiKey(): Promise<string>;
  /** A fresh registered public key of {@link target}. */
  freshRegisteredKey(): Promise<string>;
  /** A fresh vault whose system roles are held by the fixture principals as on vault A. */
  freshVault(): Promise<string>;
  /** A fresh custom role on vault A. */
  freshRole(): Promise<string>;
  /** A fresh (inactive, unassigned) policy on vault A. */
  freshPolicy(): Promise<string>;
  /** A console user without roles that no accepted request has changed. */
  freshUser(): Promise<string>;
  /** A fresh bearer token of {@link target}. */
  freshTargetToken(): Promise<string>;
  /** Assigns a role to a service account (as the bootstrap admin). */
  assignRole(roleId: string, serviceAccountId: string): Promise<void>;
  /** Assigns a policy to a role (as the bootstrap admin). */
  assignPolicy(policyId: string, roleId: string): Promise<void>;
  /** A name no other fixture uses. */
  unique(prefix: string): string;
}

/** One request: a JSON body, or a multipart form. */
export interface MatrixRequest {
  readonly path: string;
  readonly body?: unknown;
  readonly form?: FormData;
}

/** What the response shows of the fixture record's ssn. */
export type Seen = 'plain' | 'masked' | 'absent';

export interface Outcome {
  readonly status: number;
  /** For an error: what its message says. */
  readonly message?: RegExp;
  /** For reads of data: how the fixture record's ssn comes back. */
  readonly ssn?: Seen;
  /** A further check of a successful body (what a list lets the caller see). */
  readonly check?: (body: any, fixtures: Fixtures) => void;
}

type Expected = number | Outcome;

export interface Row {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route as the server registers it (Fastify template). */
  readonly path: string;
  /**
   * `data`: policies apply (the one decision point); `management`: permissions of roles
   * (`access.require`); `self`: any authenticated caller, about itself; `public`: no credentials needed.
   */
  readonly kind: 'data' | 'management' | 'self' | 'public';
  /** What the route needs, as the code checks it. */
  readonly needs: string;
  /** The principal of "a role with the action" (and whose token is expired or revoked in those cases). */
  readonly with: PrincipalName;
  /** The principal of "a role without the action". */
  readonly without: PrincipalName;
  /** Builds a valid request; runs once per case, so destructive rows make their own target each time. */
  readonly build: (fixtures: Fixtures) => Promise<MatrixRequest> | MatrixRequest;
  /** Expected outcome of the five cases with valid credentials. */
  readonly expect: Readonly<
    Record<
      | "another vault's principal"
      | 'a role without the action'
      | 'a role with the action'
      | 'a DENY rule'
      | 'a MASKED cap',
      Expected
    >
  >;
  /** Status of the four invalid-credential cases: 401, or a public route's own answer. */
  readonly unauthenticated?: number;
  /**
   * Each case calls with a token of its principal issued after the request was built (the request uses
   * the token up, or the build gave the principal a role, which only later tokens carry).
   */
  readonly freshToken?: boolean;
  /** Where the fixture record's ssn is in the body (rows with `ssn` outcomes). */
  readonly ssnOf?: (body: any) => { present: boolean; value: unknown };
}

/** Routes deliberately left out of the matrix, with the reason. */
export const EXCLUDED: Readonly<Record<string, string>> = {
  'GET /v1/files/:grant':
    'the signed, expiring download URL is its own credential (no Authorization is read); files.test.ts covers forged, expired and revoked grants',
  'GET /openapi.json': 'the public OpenAPI document (schema.hide); the completeness guard reads the route list from it',
};

const PERSONS = (f: Fixtures) => `/v1/vaults/${f.vaultId}/persons`;
const ssnField = (fields: Record<string, unknown> | undefined) => ({
  present: fields !== undefined && 'ssn' in fields,
  value: fields?.ssn,
});

/** An account-level permission: only an account admin holds it; a vault owner does not. */
const ACCOUNT_ADMIN_ONLY = {
  with: 'admin',
  without: 'owner',
  expect: {
    "another vault's principal": 403,
    'a role without the action': 403,
    'a role with the action': 200,
    'a DENY rule': 403,
    'a MASKED cap': 403,
  },
} as const;

/** A vault permission only VAULT_OWNER holds (not VAULT_EDITOR, so not the deny principal either). */
const VAULT_OWNER_ONLY = {
  with: 'owner',
  without: 'editor',
  expect: {
    "another vault's principal": 403,
    'a role without the action': 403,
    'a role with the action': 200,
    'a DENY rule': 403,
    'a MASKED cap': 403,
  },
} as const;

/** A role or policy looked up by ID: those who may not read it are told it does not exist (404). */
const VAULT_OWNER_ONLY_HIDDEN = {
  with: 'owner',
  without: 'editor',
  expect: {
    "another vault's principal": 404,
    'a role without the action': 404,
    'a role with the action': 200,
    'a DENY rule': 404,
    'a MASKED cap': 404,
  },
} as const;

/** Any authenticated caller. */
const ANY_CALLER = {
  with: 'owner',
  without: 'bare',
  expect: {
    "another vault's principal": 200,
    'a role without the action': 200,
    'a role with the action': 200,
    'a DENY rule': 200,
    'a MASKED cap': 200,
  },
} as const;

/** A public route: credentials, good or bad, change nothing. */
const PUBLIC = { ...ANY_CALLER, unauthenticated: 200 } as const;

/** Detect asks the one decision point with no table: system roles and rules without ON decide. */
const DETECT_TOKENIZE = {
  kind: 'data',
  needs: 'TOKENIZATION in the vault (system role tokens.tokenize, or a rule without ON)',
  with: 'editor',
  without: 'viewer',
  expect: {
    "another vault's principal": 403,
    'a role without the action': 403,
    'a role with the action': 200,
    // The deny principal's rules all name columns, and Detect's values are in no column.
    'a DENY rule': 200,
    // Its policy's ALLOW TOKENIZATION / ALLOW DETOKENIZATION … MASKED have no ON: they apply to Detect.
    'a MASKED cap': 200,
  },
} as const;

const DETECT_DETOKENIZE = {
  ...DETECT_TOKENIZE,
  needs: 'DETOKENIZATION in the vault (system role tokens.detokenize, or a rule without ON)',
  without: 'bare',
} as const;

const TEXT_FILE = Buffer.from('Call Ana Gomez at 555-010-2030.').toString('base64');

/**
 * The Detect de-identify file endpoints, each with a format it names. Runs are processed later, so the
 * bytes need not parse; formats the engine does not handle yet are refused with a 400 after the
 * authorization, so a caller allowed to ask learns that, and nobody else does.
 */
function detectFileRow(path: string, format: string, supported: boolean): Row {
  const allowed: Expected = supported ? 200 : { status: 400, message: /is not supported yet/ };
  return {
    method: 'POST',
    path,
    ...DETECT_TOKENIZE,
    needs: `${DETECT_TOKENIZE.needs}; ${format}${supported ? '' : ' (not supported yet: 400 once authorized)'}`,
    expect: {
      ...DETECT_TOKENIZE.expect,
      'a role with the action': allowed,
      'a DENY rule': allowed,
      'a MASKED cap': allowed,
    },
    build: (f) => ({ path, body: { vault_id: f.vaultId, file: { base64: TEXT_FILE, data_format: format } } }),
  };
}

/** A format per file endpoint, and whether the engine handles it today. */
const FILE_FORMAT_OF: Readonly<Record<string, readonly [string, boolean]>> = {
  file: ['txt', true],
  'file/text': ['txt', true],
  'file/structured_text': ['json', true],
  'file/document': ['docx', true],
  'file/document/pdf': ['pdf', false],
  'file/image': ['png', false],
  'file/spreadsheet': ['csv', true],
  'file/presentation': ['pptx', false],
  'file/audio': ['mp3', false],
};

function photoForm(extra: Record<string, string>, part = 'file'): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(extra)) form.append(key, value);
  form.append(part, new Blob([Buffer.from('GIF89a-matrix')], { type: 'image/gif' }), 'photo.gif');
  return form;
}

const ecPublicKey = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** A data read of the fixture record: plain for a system role, left out under DENY, masked under the cap. */
const READ_OUTCOMES = {
  "another vault's principal": 403,
  'a role without the action': 403,
  'a role with the action': { status: 200, ssn: 'plain' },
  'a DENY rule': { status: 200, ssn: 'absent' },
  'a MASKED cap': { status: 200, ssn: 'masked' },
} as const;

/** A data write touching ssn or photo: refused by the DENY, allowed (uncapped: writes have no cap) by the masked policy. */
const WRITE_OUTCOMES = {
  "another vault's principal": 403,
  'a role without the action': 403,
  'a role with the action': 200,
  'a DENY rule': 403,
  'a MASKED cap': 200,
} as const;

export const ROWS: readonly Row[] = [
  // ---- public routes: a bad Authorization header changes nothing ----
  { method: 'GET', path: '/healthz', kind: 'public', needs: 'nothing', ...PUBLIC, build: () => ({ path: '/healthz' }) },
  { method: 'GET', path: '/readyz', kind: 'public', needs: 'nothing', ...PUBLIC, build: () => ({ path: '/readyz' }) },
  {
    method: 'GET',
    path: '/.well-known/jwks.json',
    kind: 'public',
    needs: 'nothing',
    ...PUBLIC,
    build: () => ({ path: '/.well-known/jwks.json' }),
  },
  {
    method: 'POST',
    path: '/v1/auth/sa/oauth/token',
    kind: 'public',
    needs: 'a valid assertion (the Authorization header SDKs send here is ignored)',
    ...PUBLIC,
    build: async (f) => ({
      path: '/v1/auth/sa/oauth/token',
      body: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await signAssertion(f.target) },
    }),
  },
  {
    method: 'POST',
    path: '/v1/auth/login',
    kind: 'public',
    needs: "a user's email and password",
    ...PUBLIC,
    build: (f) => ({ path: '/v1/auth/login', body: { email: f.user.email, password: f.user.password } }),
  },

  // ---- the caller about itself ----
  {
    method: 'GET',
    path: '/v1/auth/ping',
    kind: 'self',
    needs: 'any credentials',
    ...ANY_CALLER,
    build: () => ({ path: '/v1/auth/ping' }),
  },
  {
    method: 'GET',
    path: '/v1/auth/whoami',
    kind: 'self',
    needs: 'any credentials',
    ...ANY_CALLER,
    build: () => ({ path: '/v1/auth/whoami' }),
  },
  {
    method: 'POST',
    path: '/v1/auth/logout',
    kind: 'self',
    needs: "any bearer token (revokes the caller's own)",
    ...ANY_CALLER,
    freshToken: true,
    build: () => ({ path: '/v1/auth/logout' }),
  },
  {
    method: 'POST',
    path: '/v1/auth/revoke',
    kind: 'management',
    needs: "serviceAccounts.update on the account (for another account's token)",
    ...ACCOUNT_ADMIN_ONLY,
    build: async (f) => ({ path: '/v1/auth/revoke', body: { token: await f.freshTargetToken() } }),
  },

  // ---- vaults ----
  {
    method: 'POST',
    path: '/v1/vaults',
    kind: 'management',
    needs: 'vaults.create on the account',
    ...ACCOUNT_ADMIN_ONLY,
    build: (f) => ({
      path: '/v1/vaults',
      body: {
        name: f.unique('matrix-vault'),
        vaultSchema: { schemas: [{ name: 't', fields: [{ name: 'c', datatype: 'DT_STRING', tags: [] }] }] },
      },
    }),
  },
  {
    method: 'GET',
    path: '/v1/vaults',
    kind: 'management',
    needs: 'any credentials; lists the vaults the caller may read (vaults.read)',
    with: 'viewer',
    without: 'bare',
    expect: {
      "another vault's principal": {
        status: 200,
        check: (body, f) => expectIds(body.vaults, { has: [f.otherVaultId], hasNot: [f.vaultId] }),
      },
      // The list holds only the vaults the caller may read: a role on vault A without vaults.read does
      // not show it (as GET /v1/vaults/A is a 403 for it).
      'a role without the action': {
        status: 200,
        check: (body, f) => expectIds(body.vaults, { hasNot: [f.vaultId] }),
      },
      'a role with the action': {
        status: 200,
        check: (body, f) => expectIds(body.vaults, { exactly: [f.vaultId] }),
      },
      'a DENY rule': { status: 200, check: (body, f) => expectIds(body.vaults, { exactly: [f.vaultId] }) },
      // Data rights from policies without vaults.read: the vault is usable but not listed.
      'a MASKED cap': { status: 200, check: (body, f) => expectIds(body.vaults, { hasNot: [f.vaultId] }) },
    },
    build: () => ({ path: '/v1/vaults?limit=100' }),
  },
  {
    method: 'GET',
    path: '/v1/vaults/:vaultID',
    kind: 'management',
    needs: 'vaults.read on the vault',
    with: 'viewer',
    without: 'bare',
    expect: {
      "another vault's principal": 403,
      'a role without the action': 403,
      'a role with the action': 200,
      'a DENY rule': 200,
      'a MASKED cap': 403,
    },
    build: (f) => ({ path: `/v1/vaults/${f.vaultId}` }),
  },
  {
    method: 'PATCH',
    path: '/v1/vaults/:vaultID',
    kind: 'management',
    needs: 'vaults.update on the vault',
    ...VAULT_OWNER_ONLY,
    build: (f) => ({ path: `/v1/vaults/${f.vaultId}`, body: { description: f.unique('described') } }),
  },
  {
    method: 'DELETE',
    path: '/v1/vaults/:vaultID',
    kind: 'management',
    needs: 'vaults.delete on the vault',
    ...VAULT_OWNER_ONLY,
    // A bearer token carries the roles its account held when it was issued: the roles on the fresh vault
    // count only in a token issued after them.
    freshToken: true,
    build: async (f) => ({ path: `/v1/vaults/${await f.freshVault()}` }),
  },
  {
    method: 'POST',
    path: '/v1/management/vaults/:vaultID/keys/rotate',
    kind: 'management',
    needs: 'keys.rotate on the vault',
    ...VAULT_OWNER_ONLY,
    expect: { ...VAULT_OWNER_ONLY.expect, 'a role with the action': 202 },
    build: (f) => ({ path: `/v1/management/vaults/${f.vaultId}/keys/rotate` }),
  },
  {
    method: 'GET',
    path: '/v1/management/vaults/:vaultID/keys/rotation',
    kind: 'management',
    needs: 'vaults.read on the vault',
    with: 'viewer',
    without: 'bare',
    expect: {
      "another vault's principal": 403,
      'a role without the action': 403,
      'a role with the action': 200,
      'a DENY rule': 200,
      'a MASKED cap': 403,
    },
    build: (f) => ({ path: `/v1/management/vaults/${f.vaultId}/keys/rotation` }),
  },
  {
    method: 'GET',
    path: '/v1/audit/events',
    kind: 'management',
    needs: 'audit.read on the vault asked for',
    ...VAULT_OWNER_ONLY,
    build: (f) => ({ path: `/v1/audit/events?filterOps.vaultID=${f.vaultId}&limit=5` }),
  },

  // ---- records and tokens (policies apply) ----
  {
    method: 'POST',
    path: '/v1/vaults/:vaultID/:tableName',
    kind: 'data',
    needs: 'CREATE on each column written',
    with: 'editor',
    without: 'viewer',
    expect: WRITE_OUTCOMES,
    build: (f) => ({
      path: PERSONS(f),
      body: { records: [{ fields: { name: 'Matrix Insert', ssn: '111-22-3333', country: 'CO' } }] },
    }),
  },
  {
    method: 'GET',
    path: '/v1/vaults/:vaultID/:tableName',
    kind: 'data',
    needs: 'READ per column',
    with: 'editor',
    without: 'bare',
    expect: READ_OUTCOMES,
    ssnOf: (body) => ssnField(body.records?.[0]?.fields),
    build: (f) => ({ path: `${PERSONS(f)}${qs({ skyflow_ids: [f.recordId], redaction: 'PLAIN_TEXT' })}` }),
  },
  {
    method: 'GET',
    path: '/v1/vaults/:vaultID/:tableName/:ID',
    kind: 'data',
    needs: 'READ per column',
    with: 'editor',
    without: 'bare',
    expect: READ_OUTCOMES,
    ssnOf: (body) => ssnField(body.fields),
    build: (f) => ({ path: `${PERSONS(f)}/${f.recordId}?redaction=PLAIN_TEXT` }),
  },
  {
    method: 'PUT',
    path: '/v1/vaults/:vaultID/:tableName/:ID',
    kind: 'data',
    needs: 'UPDATE on each column written',
    with: 'editor',
    without: 'viewer',
    expect: WRITE_OUTCOMES,
    build: async (f) => ({
      path: `${PERSONS(f)}/${await f.freshRecord()}`,
      body: { record: { fields: { ssn: '222-33-4444' } } },
    }),
  },
  {
    method: 'DELETE',
    path: '/v1/vaults/:vaultID/:tableName/:ID',
    kind: 'data',
    needs: 'DELETE on the table',
    with: 'editor',
    without: 'viewer',
    expect: WRITE_OUTCOMES,
    build: async (f) => ({ path: `${PERSONS(f)}/${await f.freshRecord()}` }),
  },
  {
    method: 'DELETE',
    path: '/v1/vaults/:vaultID/:tableName',
    kind: 'data',
    needs: 'DELETE on the table',
    with: 'editor',
    without: 'viewer',
    expect: WRITE_OUTCOMES,
    build: async (f) => ({ path: PERSONS(f), body: { skyflow_ids: [await f.freshRecord()] } }),
  },
  {
    method: 'POST',
    path: '/v1/vaults/:vaultID',
    kind: 'data',
    needs: 'per item: READ per column (here a batch GET)',
    with: 'editor',
    without: 'bare',
    expect: READ_OUTCOMES,
    ssnOf: (body) => ssnField(body.responses?.[0]?.records?.[0]?.fields),
    build: (f) => ({
      path: `/v1/vaults/${f.vaultId}`,
      body: { records: [{ method: 'GET', tableName: 'persons', ID: f.recordId, redaction: 'PLAIN_TEXT' }] },
    }),
  },
  {
    method: 'POST',
    path: '/v1/vaults/:vaultID/detokenize',
    kind: 'data',
    needs: "DETOKENIZATION on the token's column",
    with: 'editor',
    without: 'bare',
    expect: { ...READ_OUTCOMES, 'a DENY rule': 403 },
    ssnOf: (body) => ({ present: body.records?.[0]?.value !== undefined, value: body.records?.[0]?.value }),
    build: (f) => ({
      path: `/v1/vaults/${f.vaultId}/detokenize`,
      body: { detokenizationParameters: [{ token: f.ssnToken, redaction: 'PLAIN_TEXT' }] },
    }),
  },
  {
    method: 'POST',
    path: '/v1/vaults/:vaultID/tokenize',
    kind: 'data',
    needs: 'TOKENIZATION on the column',
    with: 'editor',
    without: 'viewer',
    expect: {
      ...WRITE_OUTCOMES,
      'a role with the action': {
        status: 200,
        check: (body, f) => expectEqual(body.records, [{ token: f.ssnToken }]),
      },
    },
    build: (f) => ({
      path: `/v1/vaults/${f.vaultId}/tokenize`,
      body: { tokenizationParameters: [{ value: SSN, table: 'persons', column: 'ssn' }] },
    }),
  },
  {
    method: 'POST',
    path: '/v1/vaults/:vaultID/query',
    kind: 'data',
    needs: 'READ per column used (capped columns only in SELECT)',
    with: 'editor',
    without: 'bare',
    expect: {
      ...READ_OUTCOMES,
      // Query takes no redaction parameter: every column comes back with its configured redaction (ssn
      // masks), so the cap shows on name, which is configured PLAIN_TEXT.
      'a role with the action': {
        status: 200,
        ssn: 'masked',
        check: (body) => expectEqual(body.records?.[0]?.fields?.name, 'Ana Gomez'),
      },
      'a MASKED cap': {
        status: 200,
        ssn: 'masked',
        check: (body) => expectEqual(body.records?.[0]?.fields?.name, 'A***ez'),
      },
      // A column named in the query that a DENY refuses is a 403 (as with `fields`), not left out.
      'a DENY rule': 403,
    },
    ssnOf: (body) => ssnField(body.records?.[0]?.fields),
    build: (f) => ({
      path: `/v1/vaults/${f.vaultId}/query`,
      body: { query: `SELECT name, ssn FROM persons WHERE skyflow_id = '${f.recordId}'` },
    }),
  },

  // ---- files (policies apply) ----
  {
    method: 'POST',
    path: '/v2/vaults/:vaultID/files/upload',
    kind: 'data',
    needs: 'CREATE on the file column (new record)',
    with: 'editor',
    without: 'viewer',
    expect: WRITE_OUTCOMES,
    build: (f) => ({
      path: `/v2/vaults/${f.vaultId}/files/upload`,
      form: photoForm({ tableName: 'persons', columnName: 'photo' }),
    }),
  },
  {
    method: 'POST',
    path: '/v1/vaults/:vaultID/:tableName/:ID/files',
    kind: 'data',
    needs: 'UPDATE on the file column',
    with: 'editor',
    without: 'viewer',
    expect: WRITE_OUTCOMES,
    build: async (f) => ({ path: `${PERSONS(f)}/${await f.freshRecord()}/files`, form: photoForm({}, 'photo') }),
  },
  {
    method: 'DELETE',
    path: '/v1/vaults/:vaultID/:tableName/:ID/files/:columnName',
    kind: 'data',
    needs: 'UPDATE on the file column',
    with: 'editor',
    without: 'viewer',
    expect: WRITE_OUTCOMES,
    build: async (f) => ({ path: `${PERSONS(f)}/${await f.freshRecord()}/files/photo` }),
  },
  {
    method: 'GET',
    path: '/v1/vaults/:vaultID/:tableName/:ID/files/:columnName/scan-status',
    kind: 'data',
    needs: 'READ on the table',
    with: 'viewer',
    without: 'bare',
    expect: {
      "another vault's principal": 403,
      'a role without the action': 403,
      'a role with the action': 200,
      'a DENY rule': 200,
      'a MASKED cap': 200,
    },
    build: (f) => ({ path: `${PERSONS(f)}/${f.recordId}/files/photo/scan-status` }),
  },

  // ---- Detect ----
  {
    method: 'POST',
    path: '/v1/detect/deidentify/string',
    ...DETECT_TOKENIZE,
    build: (f) => ({
      path: '/v1/detect/deidentify/string',
      body: { vault_id: f.vaultId, text: 'Ana Gomez, SSN 123-45-6789, ana@example.com' },
    }),
  },
  {
    method: 'POST',
    path: '/v1/detect/reidentify/string',
    ...DETECT_DETOKENIZE,
    build: (f) => ({ path: '/v1/detect/reidentify/string', body: { vault_id: f.vaultId, text: 'Hello [NAME_1]' } }),
  },
  ...FILE_ENDPOINTS.map((endpoint) => {
    const [format, supported] = FILE_FORMAT_OF[endpoint.name] ?? ['txt', true];
    return detectFileRow(endpoint.path, format, supported);
  }),
  {
    method: 'GET',
    path: '/v1/detect/runs/:run_id',
    ...DETECT_TOKENIZE,
    needs: 'tokens.tokenize on the vault, and tokens.detokenize for a run someone else started',
    build: (f) => ({ path: `/v1/detect/runs/${f.runId}?vault_id=${f.vaultId}` }),
  },
  {
    method: 'POST',
    path: '/v1/detect/reidentify/file',
    ...DETECT_DETOKENIZE,
    build: (f) => ({
      path: '/v1/detect/reidentify/file',
      body: { vault_id: f.vaultId, file: { base64: TEXT_FILE, data_format: 'txt' } },
    }),
  },

  // ---- service accounts, their keys, API keys and registered keys ----
  {
    method: 'POST',
    path: '/v1/serviceAccounts',
    kind: 'management',
    needs: 'serviceAccounts.create on the account',
    ...ACCOUNT_ADMIN_ONLY,
    build: (f) => ({ path: '/v1/serviceAccounts', body: { serviceAccount: { name: f.unique('matrix-sa') } } }),
  },
  {
    method: 'GET',
    path: '/v1/serviceAccounts',
    kind: 'management',
    needs: 'serviceAccounts.read on the account',
    ...ACCOUNT_ADMIN_ONLY,
    build: () => ({ path: '/v1/serviceAccounts' }),
  },
  {
    method: 'GET',
    path: '/v1/serviceAccounts/:ID',
    kind: 'management',
    needs: 'serviceAccounts.read on the account (or being that account)',
    ...ACCOUNT_ADMIN_ONLY,
    build: (f) => ({ path: `/v1/serviceAccounts/${f.target.clientID}` }),
  },
  {
    method: 'PATCH',
    path: '/v1/serviceAccounts/:ID',
    kind: 'management',
    needs: 'serviceAccounts.update on the account',
    ...ACCOUNT_ADMIN_ONLY,
    build: (f) => ({
      path: `/v1/serviceAccounts/${f.target.clientID}`,
      body: { serviceAccount: { description: f.unique('described') } },
    }),
  },
  {
    method: 'DELETE',
    path: '/v1/serviceAccounts/:ID',
    kind: 'management',
    needs: 'serviceAccounts.delete on the account',
    ...ACCOUNT_ADMIN_ONLY,
    build: async (f) => ({ path: `/v1/serviceAccounts/${(await f.freshServiceAccount()).clientID}` }),
  },
  {
    method: 'GET',
    path: '/v1/serviceAccounts/:ID/keys',
    kind: 'management',
    needs: 'serviceAccounts.read on the account (or being that account)',
    ...ACCOUNT_ADMIN_ONLY,
    build: (f) => ({ path: `/v1/serviceAccounts/${f.target.clientID}/keys` }),
  },
  {
    method: 'POST',
    path: '/v1/serviceAccounts/:ID/keys',
    kind: 'management',
    needs: 'serviceAccounts.update on the account',
    ...ACCOUNT_ADMIN_ONLY,
    build: async (f) => ({ path: `/v1/serviceAccounts/${(await f.freshServiceAccount()).clientID}/keys` }),
  },
  {
    method: 'GET',
    path: '/v1/serviceAccounts/:ID/keys/:keyID',
    kind: 'management',
    needs: 'serviceAccounts.read on the account (or being that account)',
    ...ACCOUNT_ADMIN_ONLY,
    build: (f) => ({ path: `/v1/serviceAccounts/${f.target.clientID}/keys/${f.target.keyID}` }),
  },
  {
    method: 'DELETE',
    path: '/v1/serviceAccounts/:ID/keys/:keyID',
    kind: 'management',
    needs: 'serviceAccounts.update on the account',
    ...ACCOUNT_ADMIN_ONLY,
    build: async (f) => {
      const account = await f.freshServiceAccount();
      return { path: `/v1/serviceAccounts/${account.clientID}/keys/${account.keyID}` };
    },
  },
  {
    method: 'PUT',
    path: '/v1/serviceAccounts/:ID/keys/:keyID/rotate',
    kind: 'management',
    needs: 'serviceAccounts.update on the account',
    ...ACCOUNT_ADMIN_ONLY,
    build: async (f) => {
      const account = await f.freshServiceAccount();
      return { path: `/v1/serviceAccounts/${account.clientID}/keys/${account.keyID}/rotate` };
    },
  },
  {
    method: 'POST',
    path: '/v1/serviceAccounts/:ID/revokeTokens',
    kind: 'management',
    needs: 'serviceAccounts.update on the account (or being that account)',
    ...ACCOUNT_ADMIN_ONLY,
    build: async (f) => ({ path: `/v1/serviceAccounts/${(await f.freshServiceAccount()).clientID}/revokeTokens` }),
  },
  {
    method: 'POST',
    path: '/v1/serviceAccounts/:ID/apikey',
    kind: 'management',
    needs: 'serviceAccounts.update on the account',
    ...ACCOUNT_ADMIN_ONLY,
    build: (f) => ({ path: `/v1/serviceAccounts/${f.apiKeyAccount.id}/apikey`, body: { name: f.unique('key') } }),
  },
  {
    method: 'GET',
    path: '/v1/serviceAccounts/:ID/apikey',
    kind: 'management',
    needs: 'serviceAccounts.read on the account (or being that account)',
    ...ACCOUNT_ADMIN_ONLY,
    build: (f) => ({ path: `/v1/serviceAccounts/${f.apiKeyAccount.id}/apikey` }),
  },
  {
    method: 'GET',
    path: '/v1/serviceAccounts/:ID/apikey/:keyID',
    kind: 'management',
    needs: 'serviceAccounts.read on the account (or being that account)',
    ...ACCOUNT_ADMIN_ONLY,
    build: (f) => ({ path: `/v1/serviceAccounts/${f.apiKeyAccount.id}/apikey/${f.apiKeyAccount.apiKeyId}` }),
  },
  {
    method: 'PATCH',
    path: '/v1/serviceAccounts/:ID/apikey/:keyID',
    kind: 'management',
    needs: 'serviceAccounts.update on the account',
    ...ACCOUNT_ADMIN_ONLY,
    build: async (f) => ({
      path: `/v1/serviceAccounts/${f.apiKeyAccount.id}/apikey/${await f.freshApiKey()}`,
      body: { status: 'DISABLED' },
    }),
  },
  {
    method: 'PUT',
    path: '/v1/serviceAccounts/:ID/apikey/:keyID/rotate',
    kind: 'management',
    needs: 'serviceAccounts.update on the account',
    ...ACCOUNT_ADMIN_ONLY,
    build: async (f) => ({ path: `/v1/serviceAccounts/${f.apiKeyAccount.id}/apikey/${await f.freshApiKey()}/rotate` }),
  },
  {
    method: 'DELETE',
    path: '/v1/serviceAccounts/:ID/apikey/:keyID',
    kind: 'management',
    needs: 'serviceAccounts.update on the account',
    ...ACCOUNT_ADMIN_ONLY,
    build: async (f) => ({ path: `/v1/serviceAccounts/${f.apiKeyAccount.id}/apikey/${await f.freshApiKey()}` }),
  },
  {
    method: 'POST',
    path: '/v1/serviceAccounts/:ID/publicKeys',
    kind: 'management',
    needs: 'serviceAccounts.update on the account (or being that account)',
    ...ACCOUNT_ADMIN_ONLY,
    build: (f) => ({ path: `/v1/serviceAccounts/${f.target.clientID}/publicKeys`, body: { publicKey: ecPublicKey() } }),
  },
  {
    method: 'GET',
    path: '/v1/serviceAccounts/:ID/publicKeys',
    kind: 'management',
    needs: 'serviceAccounts.read on the account (or being that account)',
    ...ACCOUNT_ADMIN_ONLY,
    build: (f) => ({ path: `/v1/serviceAccounts/${f.target.clientID}/publicKeys` }),
  },
  {
    method: 'GET',
    path: '/v1/serviceAccounts/:ID/publicKeys/:keyID',
    kind: 'management',
    needs: 'serviceAccounts.read on the account (or being that account)',
    ...ACCOUNT_ADMIN_ONLY,
    build: (f) => ({ path: `/v1/serviceAccounts/${f.target.clientID}/publicKeys/${f.registeredKeyId}` }),
  },
  {
    method: 'DELETE',
    path: '/v1/serviceAccounts/:ID/publicKeys/:keyID',
    kind: 'management',
    needs: 'serviceAccounts.update on the account (or being that account)',
    ...ACCOUNT_ADMIN_ONLY,
    build: async (f) => ({
      path: `/v1/serviceAccounts/${f.target.clientID}/publicKeys/${await f.freshRegisteredKey()}`,
    }),
  },

  // ---- users ----
  {
    method: 'POST',
    path: '/v1/users',
    kind: 'management',
    needs: 'users.manage on the account',
    ...ACCOUNT_ADMIN_ONLY,
    build: (f) => ({
      path: '/v1/users',
      body: { email: `${f.unique('user')}@example.com`, password: 'Matrix-Password-1' },
    }),
  },
  {
    method: 'GET',
    path: '/v1/users',
    kind: 'management',
    needs: 'users.read on the account',
    ...ACCOUNT_ADMIN_ONLY,
    build: () => ({ path: '/v1/users' }),
  },
  {
    method: 'GET',
    path: '/v1/users/:ID',
    kind: 'management',
    needs: 'users.read on the account (or being that user)',
    ...ACCOUNT_ADMIN_ONLY,
    build: (f) => ({ path: `/v1/users/${f.user.id}` }),
  },
  {
    method: 'PATCH',
    path: '/v1/users/:ID',
    kind: 'management',
    needs: 'users.manage on the account (or being that user, for its own name and password)',
    ...ACCOUNT_ADMIN_ONLY,
    build: (f) => ({ path: `/v1/users/${f.user.id}`, body: { displayName: f.unique('Matrix User') } }),
  },
  {
    method: 'DELETE',
    path: '/v1/users/:ID',
    kind: 'management',
    needs: 'users.manage on the account',
    ...ACCOUNT_ADMIN_ONLY,
    build: async (f) => ({ path: `/v1/users/${await f.freshUser()}` }),
  },
  {
    method: 'POST',
    path: '/v1/users/:ID/revokeTokens',
    kind: 'management',
    needs: 'users.manage on the account (or being that user)',
    ...ACCOUNT_ADMIN_ONLY,
    build: async (f) => ({ path: `/v1/users/${await f.freshUser()}/revokeTokens` }),
  },

  // ---- roles ----
  {
    method: 'GET',
    path: '/v1/roles',
    kind: 'management',
    needs: 'any credentials; lists the roles the caller holds roles.read for',
    with: 'owner',
    without: 'editor',
    expect: {
      "another vault's principal": { status: 200, check: (body) => expectIds(body.roles, { exactly: [] }) },
      'a role without the action': { status: 200, check: (body) => expectIds(body.roles, { exactly: [] }) },
      'a role with the action': {
        status: 200,
        check: (body, f) => expectIds(body.roles, { has: [f.vaultRoles.VAULT_VIEWER, f.denyRoleId] }),
      },
      'a DENY rule': { status: 200, check: (body) => expectIds(body.roles, { exactly: [] }) },
      'a MASKED cap': { status: 200, check: (body) => expectIds(body.roles, { exactly: [] }) },
    },
    build: (f) => ({ path: `/v1/roles?resource.type=VAULT&resource.ID=${f.vaultId}` }),
  },
  {
    method: 'POST',
    path: '/v1/roles',
    kind: 'management',
    needs: 'roles.manage on the vault',
    ...VAULT_OWNER_ONLY,
    build: (f) => ({
      path: '/v1/roles',
      body: { roleDefinition: { name: f.unique('matrix-role') }, resource: { ID: f.vaultId, type: 'VAULT' } },
    }),
  },
  {
    method: 'GET',
    path: '/v1/roles/:ID',
    kind: 'management',
    needs: 'roles.read on the vault',
    ...VAULT_OWNER_ONLY_HIDDEN,
    build: (f) => ({ path: `/v1/roles/${f.vaultRoles.VAULT_VIEWER}` }),
  },
  {
    method: 'PATCH',
    path: '/v1/roles/:ID',
    kind: 'management',
    needs: 'roles.manage on the vault (roles.read to see the role at all)',
    ...VAULT_OWNER_ONLY_HIDDEN,
    build: async (f) => ({
      path: `/v1/roles/${await f.freshRole()}`,
      body: { roleDefinition: { name: f.unique('renamed-role') } },
    }),
  },
  {
    method: 'DELETE',
    path: '/v1/roles/:ID',
    kind: 'management',
    needs: 'roles.manage on the vault (roles.read to see the role at all)',
    ...VAULT_OWNER_ONLY_HIDDEN,
    build: async (f) => ({ path: `/v1/roles/${await f.freshRole()}` }),
  },
  {
    method: 'GET',
    path: '/v1/roles/:ID/members',
    kind: 'management',
    needs: 'roles.read on the vault',
    ...VAULT_OWNER_ONLY_HIDDEN,
    build: (f) => ({ path: `/v1/roles/${f.vaultRoles.VAULT_VIEWER}/members` }),
  },
  {
    method: 'POST',
    path: '/v1/roles/assign',
    kind: 'management',
    needs: 'roles.assign on the vault',
    ...VAULT_OWNER_ONLY,
    build: async (f) => ({
      path: '/v1/roles/assign',
      body: {
        ID: f.vaultRoles.VAULT_VIEWER,
        members: [{ ID: (await f.freshServiceAccount()).clientID, type: 'SERVICE_ACCOUNT' }],
      },
    }),
  },
  {
    method: 'POST',
    path: '/v1/roles/unassign',
    kind: 'management',
    needs: 'roles.assign on the vault',
    ...VAULT_OWNER_ONLY,
    build: async (f) => {
      const member = (await f.newServiceAccount()).clientID;
      await f.assignRole(f.vaultRoles.VAULT_VIEWER, member);
      return {
        path: '/v1/roles/unassign',
        body: { ID: f.vaultRoles.VAULT_VIEWER, members: [{ ID: member, type: 'SERVICE_ACCOUNT' }] },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/members/:ID/roles',
    kind: 'management',
    needs: 'any credentials; shows the roles the caller holds roles.read for',
    with: 'owner',
    without: 'editor',
    expect: {
      "another vault's principal": { status: 200, check: (body) => expectEqual(body.roleToResource, []) },
      'a role without the action': { status: 200, check: (body) => expectEqual(body.roleToResource, []) },
      'a role with the action': {
        status: 200,
        check: (body, f) =>
          expectIds(
            body.roleToResource.map((r: { role: unknown }) => r.role),
            { exactly: [f.vaultRoles.VAULT_VIEWER] },
          ),
      },
      'a DENY rule': { status: 200, check: (body) => expectEqual(body.roleToResource, []) },
      'a MASKED cap': { status: 200, check: (body) => expectEqual(body.roleToResource, []) },
    },
    build: (f) => ({ path: `/v1/members/${f.principalIds.viewer}/roles` }),
  },
  {
    method: 'GET',
    path: '/v1/roles/:ID/policies',
    kind: 'management',
    needs: 'roles.read and policies.read on the vault',
    ...VAULT_OWNER_ONLY_HIDDEN,
    build: (f) => ({ path: `/v1/roles/${f.denyRoleId}/policies` }),
  },

  // ---- policies ----
  {
    method: 'POST',
    path: '/v1/policies',
    kind: 'management',
    needs: 'policies.manage on the vault',
    ...VAULT_OWNER_ONLY,
    build: (f) => ({
      path: '/v1/policies',
      body: {
        name: f.unique('matrix-policy'),
        resource: { ID: f.vaultId, type: 'VAULT' },
        ruleParams: [{ name: 'r', ruleExpression: 'ALLOW READ ON persons.name' }],
      },
    }),
  },
  {
    method: 'GET',
    path: '/v1/policies',
    kind: 'management',
    needs: 'any credentials; lists the policies the caller holds policies.read for',
    with: 'owner',
    without: 'editor',
    expect: {
      "another vault's principal": { status: 200, check: (body) => expectIds(body.policies, { exactly: [] }) },
      'a role without the action': { status: 200, check: (body) => expectIds(body.policies, { exactly: [] }) },
      'a role with the action': {
        status: 200,
        check: (body, f) => expectIds(body.policies, { has: [f.denyPolicyId] }),
      },
      'a DENY rule': { status: 200, check: (body) => expectIds(body.policies, { exactly: [] }) },
      'a MASKED cap': { status: 200, check: (body) => expectIds(body.policies, { exactly: [] }) },
    },
    build: (f) => ({ path: `/v1/policies?resource.ID=${f.vaultId}&limit=100` }),
  },
  {
    method: 'POST',
    path: '/v1/policies/explain',
    kind: 'management',
    needs: 'policies.read on the vault',
    ...VAULT_OWNER_ONLY,
    build: (f) => ({
      path: '/v1/policies/explain',
      body: { vaultID: f.vaultId, principalID: f.principalIds.deny, action: 'READ', column: 'persons.ssn' },
    }),
  },
  {
    method: 'GET',
    path: '/v1/policies/:ID',
    kind: 'management',
    needs: 'policies.read on the vault',
    ...VAULT_OWNER_ONLY_HIDDEN,
    build: (f) => ({ path: `/v1/policies/${f.denyPolicyId}` }),
  },
  {
    method: 'PATCH',
    path: '/v1/policies/:ID',
    kind: 'management',
    needs: 'policies.manage on the vault (policies.read to see the policy at all)',
    ...VAULT_OWNER_ONLY_HIDDEN,
    build: async (f) => ({
      path: `/v1/policies/${await f.freshPolicy()}`,
      body: {
        name: f.unique('renamed-policy'),
        resource: { ID: f.vaultId, type: 'VAULT' },
        ruleParams: [{ name: 'r', ruleExpression: 'ALLOW READ ON persons.country' }],
      },
    }),
  },
  {
    method: 'DELETE',
    path: '/v1/policies/:ID',
    kind: 'management',
    needs: 'policies.manage on the vault (policies.read to see the policy at all)',
    ...VAULT_OWNER_ONLY_HIDDEN,
    build: async (f) => ({ path: `/v1/policies/${await f.freshPolicy()}` }),
  },
  {
    method: 'PATCH',
    path: '/v1/policies/:ID/status',
    kind: 'management',
    needs: 'policies.manage on the vault (policies.read to see the policy at all)',
    ...VAULT_OWNER_ONLY_HIDDEN,
    build: async (f) => ({ path: `/v1/policies/${await f.freshPolicy()}/status`, body: { status: 'ACTIVE' } }),
  },
  {
    method: 'POST',
    path: '/v1/policies/assign',
    kind: 'management',
    needs: 'policies.manage on the vault (policies.read to see the policy at all)',
    ...VAULT_OWNER_ONLY_HIDDEN,
    build: async (f) => ({
      path: '/v1/policies/assign',
      body: { ID: await f.freshPolicy(), roleIDs: [await f.freshRole()] },
    }),
  },
  {
    method: 'POST',
    path: '/v1/policies/unassign',
    kind: 'management',
    needs: 'policies.manage on the vault (policies.read to see the policy at all)',
    ...VAULT_OWNER_ONLY_HIDDEN,
    build: async (f) => {
      const policy = await f.freshPolicy();
      const role = await f.freshRole();
      await f.assignPolicy(policy, role);
      return { path: '/v1/policies/unassign', body: { ID: policy, roleIDs: [role] } };
    },
  },
  {
    method: 'GET',
    path: '/v1/policies/:ID/roles',
    kind: 'management',
    needs: 'policies.read on the vault',
    ...VAULT_OWNER_ONLY_HIDDEN,
    build: (f) => ({ path: `/v1/policies/${f.denyPolicyId}/roles` }),
  },
];

/** Asserts which IDs a list holds (items with `ID`). */
function expectIds(
  items: readonly { ID: string }[] | undefined,
  want: { has?: readonly string[]; hasNot?: readonly string[]; exactly?: readonly string[] },
): void {
  const ids = (items ?? []).map((item) => item.ID);
  const fail = (what: string) => {
    throw new Error(`${what}; the list holds ${JSON.stringify(ids)}`);
  };
  if (want.exactly && JSON.stringify([...ids].sort()) !== JSON.stringify([...want.exactly].sort())) {
    fail(`expected exactly ${JSON.stringify(want.exactly)}`);
  }
  for (const id of want.has ?? []) if (!ids.includes(id)) fail(`expected ${id} in the list`);
  for (const id of want.hasNot ?? []) if (ids.includes(id)) fail(`expected ${id} not to be in the list`);
}

function expectEqual(actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}
