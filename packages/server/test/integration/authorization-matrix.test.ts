import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { decodeProtectedHeader, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createVault,
  DataApi,
  dlp,
  expectError,
  field,
  operations,
  tag,
  tokenPolicy,
  vaultRoles,
} from '../data-api/helpers.js';
import { decodePayload } from '../support/jwt.js';
import { postgresAvailable } from '../support/postgres.js';
import { type Credentials, startTestServer, type TestServer, tokenFor } from '../support/server.js';
import {
  CASES,
  type CaseName,
  DENY_RULES,
  EXCLUDED,
  type Fixtures,
  MASKED_RULES,
  MASKED_SSN,
  type MatrixRequest,
  type Outcome,
  type PrincipalName,
  ROWS,
  type Row,
  SSN,
  UNAUTHENTICATED,
} from './authorization-matrix.table.js';

/*
 * The authorization matrix (issue 4): every route of the server × every credential case, from the one
 * table in authorization-matrix.table.ts. One server, two vaults and one set of principals serve every
 * row; rows that change or delete something build their own target for each case.
 *
 * Runs on SQLite and on PostgreSQL (when it answers): about 75 s and 105 s on an idle 2-core machine, the
 * creation of fresh targets included.
 */

const TABLES = [
  {
    name: 'persons',
    fields: [
      field('name', 'DT_STRING', tokenPolicy('NON_DETERMINISTIC_UUID'), dlp('PLAIN_TEXT')),
      field(
        'ssn',
        'DT_STRING',
        tokenPolicy('DETERMINISTIC_UUID'),
        dlp('MASK'),
        tag('options.find_pattern', '^[0-9]{3}-[0-9]{2}-([0-9]{4})$'),
        tag('options.replace_pattern', 'XXX-XX-${1}'),
      ),
      field('country', 'DT_STRING', dlp('PLAIN_TEXT'), operations('EXACT_MATCH')),
      field('photo', 'DT_FILE_TYPE'),
    ],
  },
];

/** The bearer tokens of one principal: a valid one, one past its expiry, and one revoked. */
interface Tokens {
  readonly credentials: Credentials;
  readonly valid: string;
  readonly expired: string;
  readonly revoked: string;
}

type Response = Awaited<ReturnType<TestServer['request']>>;

const ecPublicKeyPem = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

const routeKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`authorization matrix (${store})`, () => {
    let t: TestServer;
    let fixtures: Fixtures;
    const tokens = {} as Record<PrincipalName, Tokens>;
    let counter = 0;
    const unique = (prefix: string) => `${prefix}-${++counter}-${randomUUID().slice(0, 8)}`;

    /** A request as the bootstrap admin that must succeed. */
    async function admin(method: string, path: string, body?: unknown): Promise<any> {
      const res = await t.request(method, path, body === undefined ? {} : { body });
      if (res.status >= 300) throw new Error(`fixture ${method} ${path} failed: ${res.status} ${res.text}`);
      return res.body;
    }

    /**
     * `token` re-signed with the server's own key under other times: with the default ones, a bearer
     * token the server issued an hour ago, now expired.
     */
    async function resignedCopyOf(token: string, iatOffset = -3700, expOffset = -100): Promise<string> {
      const { kid } = decodeProtectedHeader(token);
      const { store: s, keyring } = t.server.services;
      const row = (await s.signingKeys.list()).find((k) => k.kid === kid);
      if (!row) throw new Error('the signing key of a fresh token is not in the store');
      const jwk = JSON.parse(keyring.unwrap(['signing-key', row.kid], row.privateSealed).toString());
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ ...decodePayload(token), jti: randomUUID(), iat: now + iatOffset, exp: now + expOffset })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: row.kid })
        .sign(await importJWK(jwk, 'ES256'));
    }

    async function principal(name: PrincipalName, roleIDs: string[]): Promise<void> {
      const credentials = (await admin('POST', '/v1/serviceAccounts', {
        serviceAccount: { name: `matrix-${name}` },
        roleIDs,
      })) as Credentials;
      const valid = await tokenFor(t.url, credentials);
      const revoked = await tokenFor(t.url, credentials);
      await admin('POST', '/v1/auth/revoke', { token: revoked });
      tokens[name] = { credentials, valid, revoked, expired: await resignedCopyOf(valid) };
    }

    async function customRole(
      vaultId: string,
      rules: readonly string[],
    ): Promise<{ roleId: string; policyId?: string }> {
      const role = await admin('POST', '/v1/roles', {
        roleDefinition: { name: unique('role') },
        resource: { ID: vaultId, type: 'VAULT' },
      });
      if (rules.length === 0) return { roleId: role.ID };
      const policy = await admin('POST', '/v1/policies', {
        name: unique('policy'),
        resource: { ID: vaultId, type: 'VAULT' },
        ruleParams: rules.map((ruleExpression, i) => ({ name: `r${i}`, ruleExpression })),
        activated: true,
      });
      await admin('POST', '/v1/policies/assign', { ID: policy.ID, roleIDs: [role.ID] });
      return { roleId: role.ID, policyId: policy.ID };
    }

    /** Targets handed out for the current request, and those a refused request left unchanged. */
    let handedOut: (() => void)[] = [];
    const spareAccounts: Credentials[] = [];
    const spareUsers: string[] = [];
    async function reusable<T>(spare: T[], make: () => Promise<T>): Promise<T> {
      const item = spare.pop() ?? (await make());
      handedOut.push(() => spare.push(item));
      return item;
    }
    const newServiceAccount = async (): Promise<Credentials> =>
      admin('POST', '/v1/serviceAccounts', { serviceAccount: { name: unique('matrix-fresh') } });

    beforeAll(async () => {
      t = await startTestServer({
        store,
        // The matrix makes hundreds of requests from one address; rate limits have their own suite.
        config: {
          demo: false,
          rateLimitTokenPerIp: 0,
          rateLimitTokenPerAccount: 0,
          rateLimitDataPerIp: 0,
          rateLimitDataPerPrincipal: 0,
        },
      });
      const vaultId = await createVault(t, 'matrix-a', TABLES);
      const otherVaultId = await createVault(t, 'matrix-b', TABLES);
      const rolesA = (await vaultRoles(t, vaultId)) as Fixtures['vaultRoles'];
      const rolesB = await vaultRoles(t, otherVaultId);
      const accountRoles = await admin('GET', '/v1/roles?resource.type=ACCOUNT');
      const adminRole = accountRoles.roles.find((r: any) => r.definition.name === 'ACCOUNT_ADMIN').ID as string;
      const bare = await customRole(vaultId, []);
      const deny = await customRole(vaultId, DENY_RULES);
      const masked = await customRole(vaultId, MASKED_RULES);

      await principal('admin', [adminRole]);
      await principal('owner', [rolesA.VAULT_OWNER]);
      await principal('editor', [rolesA.VAULT_EDITOR]);
      await principal('viewer', [rolesA.VAULT_VIEWER]);
      await principal('bare', [bare.roleId]);
      await principal('other', [rolesB.VAULT_OWNER as string]);
      await principal('deny', [rolesA.VAULT_EDITOR, deny.roleId]);
      await principal('masked', [masked.roleId]);

      const api = new DataApi(t, vaultId);
      const [record] = await api.insertTokens('persons', [{ name: 'Ana Gomez', ssn: SSN, country: 'CO' }]);
      const target = (await admin('POST', '/v1/serviceAccounts', {
        serviceAccount: { name: 'matrix-target' },
      })) as Credentials;
      const apiKeyAccount = await admin('POST', '/v1/serviceAccounts', {
        serviceAccount: { name: 'matrix-api-keys' },
        apiKeyEnabled: true,
      });
      const registered = await admin('POST', `/v1/serviceAccounts/${target.clientID}/publicKeys`, {
        publicKey: ecPublicKeyPem(),
      });
      const run = await admin('POST', '/v1/detect/deidentify/file', {
        vault_id: vaultId,
        file: { base64: Buffer.from('Ana Gomez').toString('base64'), data_format: 'txt' },
      });
      const password = 'Matrix-Password-1';
      const email = `${unique('matrix-user')}@example.com`;
      const user = await admin('POST', '/v1/users', { email, password });
      // The rotation-status row reads the latest rotation of vault A.
      await admin('POST', `/v1/management/vaults/${vaultId}/keys/rotate`);
      await t.server.services.rotations.idle();

      const principalIds = Object.fromEntries(
        Object.entries(tokens).map(([name, tk]) => [name, tk.credentials.clientID]),
      ) as Record<PrincipalName, string>;
      fixtures = {
        vaultId,
        otherVaultId,
        recordId: record!.skyflow_id,
        ssnToken: record!.tokens.ssn as string,
        vaultRoles: rolesA,
        denyRoleId: deny.roleId,
        denyPolicyId: deny.policyId as string,
        principalIds,
        target,
        apiKeyAccount: { id: apiKeyAccount.clientID, apiKeyId: apiKeyAccount.apiKeyID },
        registeredKeyId: registered.keyID,
        runId: run.run_id,
        user: { id: user.user.ID, email, password },
        unique,
        async freshRecord() {
          const [id] = await api.insertIds('persons', [{ name: 'Fresh One', ssn: '999-88-7777', country: 'US' }]);
          const form = new FormData();
          form.append('photo', new Blob([Buffer.from('GIF89a-fresh')], { type: 'image/gif' }), 'fresh.gif');
          const res = await fetch(`${t.url}/v1/vaults/${vaultId}/persons/${id}/files`, {
            method: 'POST',
            headers: { authorization: `Bearer ${await t.adminToken()}` },
            body: form,
          });
          if (res.status !== 200) throw new Error(`fixture upload failed: ${res.status} ${await res.text()}`);
          return id as string;
        },
        freshServiceAccount: () => reusable(spareAccounts, newServiceAccount),
        newServiceAccount,
        async freshApiKey() {
          return (await admin('POST', `/v1/serviceAccounts/${apiKeyAccount.clientID}/apikey`, {})).apiKeyID;
        },
        async freshRegisteredKey() {
          return (
            await admin('POST', `/v1/serviceAccounts/${target.clientID}/publicKeys`, { publicKey: ecPublicKeyPem() })
          ).keyID;
        },
        async freshVault() {
          const id = await createVault(t, unique('matrix-fresh'), TABLES);
          const roles = await vaultRoles(t, id);
          const members = (...names: PrincipalName[]) =>
            names.map((n) => ({ ID: principalIds[n], type: 'SERVICE_ACCOUNT' }));
          await admin('POST', '/v1/roles/assign', { ID: roles.VAULT_OWNER, members: members('owner') });
          await admin('POST', '/v1/roles/assign', { ID: roles.VAULT_EDITOR, members: members('editor', 'deny') });
          await admin('POST', '/v1/roles/assign', { ID: roles.VAULT_VIEWER, members: members('viewer') });
          return id;
        },
        async freshRole() {
          return (await customRole(vaultId, [])).roleId;
        },
        async freshPolicy() {
          return (
            await admin('POST', '/v1/policies', {
              name: unique('matrix-policy'),
              resource: { ID: vaultId, type: 'VAULT' },
              ruleParams: [{ name: 'r', ruleExpression: 'ALLOW READ ON persons.name' }],
            })
          ).ID;
        },
        freshUser: () =>
          reusable(spareUsers, async () => {
            return (await admin('POST', '/v1/users', { email: `${unique('fresh')}@example.com`, password })).user.ID;
          }),
        freshTargetToken: () => tokenFor(t.url, target),
        async assignRole(roleId, serviceAccountId) {
          await admin('POST', '/v1/roles/assign', {
            ID: roleId,
            members: [{ ID: serviceAccountId, type: 'SERVICE_ACCOUNT' }],
          });
        },
        async assignPolicy(policyId, roleId) {
          await admin('POST', '/v1/policies/assign', { ID: policyId, roleIDs: [roleId] });
        },
      };
    });
    afterAll(async () => {
      await t?.close();
    });

    it('the table lists every route the server registers, and no route it does not', async () => {
      const res = await t.request('GET', '/openapi.json', { token: null });
      expect(res.status).toBe(200);
      const registered = new Set<string>();
      for (const [path, operations] of Object.entries(res.body.paths as Record<string, object>)) {
        for (const method of Object.keys(operations)) {
          if (method === 'head' || method === 'options') continue;
          registered.add(routeKey(method, path.replace(/\{([^}]+)\}/g, ':$1')));
        }
      }
      // The OpenAPI document leaves out hidden routes; the server still answers them.
      for (const key of Object.keys(EXCLUDED)) {
        const [method, url] = key.split(' ') as [string, string];
        expect(t.server.app.hasRoute({ method: method as 'GET', url }), `excluded route ${key} exists`).toBe(true);
        registered.add(key);
      }
      const listed = ROWS.map((row) => routeKey(row.method, row.path));
      const duplicates = listed.filter((key, i) => listed.indexOf(key) !== i);
      const inTable = new Set([...listed, ...Object.keys(EXCLUDED)]);
      const missing = [...registered].filter((key) => !inTable.has(key)).sort();
      const stale = [...inTable].filter((key) => !registered.has(key)).sort();
      expect(
        missing,
        'routes to add to ROWS in authorization-matrix.table.ts (or to EXCLUDED, with the reason)',
      ).toEqual([]);
      expect(stale, 'rows of the table for routes the server does not register').toEqual([]);
      expect(duplicates, 'routes listed twice').toEqual([]);
    });

    it('the expired tokens are refused for their expiry alone: the same copy with current times is accepted', async () => {
      const { valid } = tokens.owner;
      const current = await resignedCopyOf(valid, 0, 600);
      expect((await t.request('GET', '/v1/auth/whoami', { token: current })).status).toBe(200);
      expectError(await t.request('GET', '/v1/auth/whoami', { token: tokens.owner.expired }), 401);
    });

    /** The Authorization header of a case, or none. */
    async function credentialFor(row: Row, name: CaseName): Promise<string | null> {
      const mine = (p: PrincipalName) => (row.freshToken ? tokenFor(t.url, tokens[p].credentials) : tokens[p].valid);
      switch (name) {
        case 'no credentials':
          return null;
        case 'malformed bearer':
          return 'not.a-jwt';
        case 'expired bearer':
          return tokens[row.with].expired;
        case 'revoked bearer':
          return tokens[row.with].revoked;
        case "another vault's principal":
          return mine('other');
        case 'a role without the action':
          return mine(row.without);
        case 'a role with the action':
          return mine(row.with);
        case 'a DENY rule':
          return mine('deny');
        case 'a MASKED cap':
          return mine('masked');
      }
    }

    async function send(row: Row, request: MatrixRequest, token: string | null): Promise<Response> {
      if (!request.form) {
        return t.request(row.method, request.path, {
          token,
          ...(request.body !== undefined && { body: request.body }),
        });
      }
      const res = await fetch(`${t.url}${request.path}`, {
        method: row.method,
        headers: token === null ? {} : { authorization: `Bearer ${token}` },
        body: request.form,
      });
      const text = await res.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      return { status: res.status, headers: res.headers, body, text };
    }

    function expected(row: Row, name: CaseName): Outcome {
      if (UNAUTHENTICATED.includes(name)) {
        const status = row.unauthenticated ?? 401;
        return { status, ...(status === 401 && name === 'revoked bearer' && { message: /revoked/ }) };
      }
      const value = row.expect[name as keyof Row['expect']];
      return typeof value === 'number' ? { status: value } : value;
    }

    for (const row of ROWS) {
      for (const name of CASES) {
        it(`${row.method} ${row.path} [${row.kind}] × ${name}`, async () => {
          const want = expected(row, name);
          handedOut = [];
          const request = await row.build(fixtures);
          const res = await send(row, request, await credentialFor(row, name));
          if (res.status >= 400) for (const giveBack of handedOut) giveBack();
          if (want.status >= 400) {
            expectError(res, want.status, want.message);
            return;
          }
          expect(res.status, res.text).toBe(want.status);
          // Under a DENY or a cap, the plain value appears nowhere in the answer.
          if (row.ssnOf && want.ssn !== 'plain') expect(res.text).not.toContain(SSN);
          if (want.ssn) {
            const seen = row.ssnOf?.(res.body);
            if (!seen) throw new Error(`row ${row.method} ${row.path} expects redaction but has no ssnOf`);
            if (want.ssn === 'absent') expect(seen.present, res.text).toBe(false);
            else expect(seen.value, res.text).toBe(want.ssn === 'plain' ? SSN : MASKED_SSN);
          }
          want.check?.(res.body, fixtures);
        });
      }
    }
  });
}
