import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_VAULT_SCHEMA } from '../../src/vault/demo-schema.js';
import { postgresAvailable } from '../support/postgres.js';
import { type Credentials, startTestServer, type TestServer, tokenFor } from '../support/server.js';

const schema = (fields: unknown[]) => ({
  schemas: [{ name: 'customers', fields }],
});
const field = (name: string, datatype = 'DT_STRING', tags: unknown[] = []) => ({ name, datatype, tags });

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`management API (${store})`, () => {
    let t: TestServer;

    beforeAll(async () => {
      t = await startTestServer({ store });
    });
    afterAll(async () => {
      await t?.close();
    });

    describe('vaults', () => {
      let vaultId: string;

      it('creates a vault and returns its ID', async () => {
        const res = await t.request('POST', '/v1/vaults', {
          body: {
            name: 'crm',
            description: 'Customer data',
            workspaceID: null,
            vaultSchema: schema([
              field('email', 'DT_STRING', [{ name: 'skyflow.options.unique', values: ['true'] }]),
              field('age', 'DT_INT32'),
            ]),
          },
        });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ ID: expect.stringMatching(/^[0-9a-f]{32}$/) });
        vaultId = res.body.ID;
      });

      it('returns the vault in the Skyflow shape, with skyflow_id added to each table', async () => {
        const res = await t.request('GET', `/v1/vaults/${vaultId}`);
        expect(res.status).toBe(200);
        expect(res.body.vault).toMatchObject({
          ID: vaultId,
          name: 'crm',
          description: 'Customer data',
          status: 'ACTIVE',
          workspaceID: expect.any(String),
          BasicAudit: {
            CreatedBy: t.adminCredentials.clientID,
            LastModifiedBy: t.adminCredentials.clientID,
            CreatedOn: expect.any(String),
            LastModifiedOn: expect.any(String),
          },
        });
        const fields = res.body.vault.schemas[0].fields.map((f: any) => f.name);
        expect(fields).toEqual(['skyflow_id', 'email', 'age']);
        const meta = await t.request('GET', `/v1/vaults/${vaultId}?fetchMetadataOnly=true`);
        expect(meta.body.vault.schemas).toEqual([]);
      });

      it('lists vaults with filters and pagination', async () => {
        const all = await t.request('GET', '/v1/vaults');
        expect(all.body.vaults.map((v: any) => v.name)).toEqual(['quickstart', 'crm']);
        const named = await t.request('GET', '/v1/vaults?filterOps.name=crm');
        expect(named.body.vaults.map((v: any) => v.ID)).toEqual([vaultId]);
        const paged = await t.request('GET', '/v1/vaults?offset=1&limit=1');
        expect(paged.body.vaults.map((v: any) => v.ID)).toEqual([vaultId]);
        const otherWorkspace = await t.request('GET', `/v1/vaults?workspaceID=${'0'.repeat(32)}`);
        expect(otherWorkspace.body.vaults).toEqual([]);
        const badLimit = await t.request('GET', '/v1/vaults?limit=abc');
        expect(badLimit.status).toBe(400);
      });

      it('creates the owner, editor and viewer roles of each vault', async () => {
        const res = await t.request('GET', `/v1/roles?resource.type=VAULT&resource.ID=${vaultId}`);
        expect(res.body.roles.map((r: any) => r.definition.name).sort()).toEqual([
          'VAULT_EDITOR',
          'VAULT_OWNER',
          'VAULT_VIEWER',
        ]);
        for (const role of res.body.roles)
          expect(role).toMatchObject({ type: 'SYSTEM', resource: { ID: vaultId, type: 'VAULT' } });
      });

      it('rejects an invalid schema with a 400 that names the field and the problem, storing nothing', async () => {
        const before = (await t.request('GET', '/v1/vaults')).body.vaults.length;
        const res = await t.request('POST', '/v1/vaults', {
          body: {
            name: 'broken',
            vaultSchema: schema([
              field('ssn', 'DT_STRING', [{ name: 'skyflow.options.default_token_policy', values: ['MAGIC'] }]),
            ]),
          },
        });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/vaultSchema\.schemas\[0\]\.fields\[0\].*customers\.ssn.*MAGIC/);
        expect(res.body.error.details[0]).toMatchObject({
          field: expect.stringContaining('fields[0]'),
          problem: expect.any(String),
        });
        expect((await t.request('GET', '/v1/vaults')).body.vaults.length).toBe(before);
      });

      it('rejects bad create requests with clear 400s', async () => {
        for (const body of [
          {},
          { name: '', vaultSchema: schema([]) },
          { name: 'x'.repeat(101), vaultSchema: schema([]) },
          { name: 'no-schema' },
          { name: 'template', vaultSchema: schema([]), templateID: 'abc' },
          { name: 'ok', vaultSchema: 'not an object' },
        ]) {
          const res = await t.request('POST', '/v1/vaults', { body });
          expect(res.status, JSON.stringify(body)).toBe(400);
          expect(res.body.error.http_code).toBe(400);
        }
      });

      it('updates name, description and schema; ID in the body must match the path', async () => {
        const res = await t.request('PATCH', `/v1/vaults/${vaultId}`, {
          body: {
            ID: vaultId,
            name: 'crm2',
            description: null,
            vaultSchema: schema([
              field('email', 'DT_STRING', [{ name: 'skyflow.options.unique', values: ['true'] }]),
              field('age', 'DT_INT32'),
              field('nickname'),
            ]),
          },
        });
        expect(res.status).toBe(200);
        const got = (await t.request('GET', `/v1/vaults/${vaultId}`)).body.vault;
        expect(got.name).toBe('crm2');
        expect(got.description).toBe('Customer data');
        expect(got.schemas[0].fields.map((f: any) => f.name)).toContain('nickname');
        const mismatch = await t.request('PATCH', `/v1/vaults/${vaultId}`, { body: { ID: 'f'.repeat(32), name: 'x' } });
        expect(mismatch.status).toBe(400);
      });

      it('refuses schema changes that would orphan or reinterpret stored values', async () => {
        const insert = await t.request('POST', `/v1/vaults/${vaultId}/customers`, {
          body: { records: [{ fields: { email: 'a@example.com', age: 41 } }] },
        });
        expect(insert.status).toBe(200);
        const dropColumn = await t.request('PATCH', `/v1/vaults/${vaultId}`, {
          body: { vaultSchema: schema([field('age', 'DT_INT32'), field('nickname')]) },
        });
        expect(dropColumn.status).toBe(400);
        expect(dropColumn.body.error.message).toMatch(/customers\.email.*holds values/);
        const retype = await t.request('PATCH', `/v1/vaults/${vaultId}`, {
          body: {
            vaultSchema: schema([
              field('email', 'DT_STRING', [{ name: 'skyflow.options.unique', values: ['true'] }]),
              field('age', 'DT_STRING'),
            ]),
          },
        });
        expect(retype.status).toBe(400);
        expect(retype.body.error.message).toMatch(/customers\.age.*datatype/);
        const dropTable = await t.request('PATCH', `/v1/vaults/${vaultId}`, {
          body: { vaultSchema: { schemas: [{ name: 'other', fields: [field('x')] }] } },
        });
        expect(dropTable.status).toBe(400);
        // Dropping an empty column is fine.
        const dropEmpty = await t.request('PATCH', `/v1/vaults/${vaultId}`, {
          body: {
            vaultSchema: schema([
              field('email', 'DT_STRING', [{ name: 'skyflow.options.unique', values: ['true'] }]),
              field('age', 'DT_INT32'),
            ]),
          },
        });
        expect(dropEmpty.status).toBe(200);
      });

      it('deletes a vault with its data, keys and roles', async () => {
        expect((await t.request('DELETE', `/v1/vaults/${vaultId}`)).status).toBe(200);
        expect((await t.request('GET', `/v1/vaults/${vaultId}`)).status).toBe(404);
        expect((await t.request('DELETE', `/v1/vaults/${vaultId}`)).status).toBe(404);
        const roles = await t.request('GET', `/v1/roles?resource.type=VAULT&resource.ID=${vaultId}`);
        expect(roles.body.roles).toEqual([]);
        expect(await t.server.services.store.vaultKeys.listForVault(vaultId)).toEqual([]);
        expect(await t.server.services.store.records.hasData(vaultId, 'customers')).toBe(false);
      });

      it('a pathological validation regex cannot stall the server (patterns run in linear time)', async () => {
        const created = await t.request('POST', '/v1/vaults', {
          body: {
            name: 'redos',
            vaultSchema: schema([
              field('code', 'DT_STRING', [{ name: 'skyflow.validation.regular_exp', values: ['^(a+)+$'] }]),
            ]),
          },
        });
        expect(created.status).toBe(200);
        const started = Date.now();
        const insert = t.request('POST', `/v1/vaults/${created.body.ID}/customers`, {
          body: { records: [{ fields: { code: `${'a'.repeat(30_000)}!` } }] },
        });
        const health = await t.request('GET', '/healthz', { token: null });
        expect(health.status).toBe(200);
        const res = await insert;
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/validation pattern/);
        expect(Date.now() - started).toBeLessThan(5000);
        await t.request('DELETE', `/v1/vaults/${created.body.ID}`);
      });

      it('answers 400 for malformed IDs and 404 for unknown ones', async () => {
        expect((await t.request('GET', '/v1/vaults/not-an-id')).status).toBe(400);
        expect((await t.request('GET', `/v1/vaults/${'a'.repeat(32)}`)).status).toBe(404);
      });
    });

    describe('service accounts', () => {
      let sa: Credentials;

      it('creates a service account and returns credentials.json once', async () => {
        const res = await t.request('POST', '/v1/serviceAccounts', {
          body: {
            serviceAccount: { name: 'billing', displayName: 'Billing', description: 'billing jobs' },
            clientConfiguration: { enforceContextID: false, enforceSignedDataTokens: null },
            apiKeyEnabled: null,
          },
        });
        expect(res.status).toBe(200);
        expect(Object.keys(res.body).sort()).toEqual(
          ['clientID', 'clientName', 'keyAlgorithm', 'keyID', 'privateKey', 'tokenURI'].sort(),
        );
        expect(res.body).toMatchObject({
          clientName: 'billing',
          keyAlgorithm: 'KEY_ALG_RSA_2048',
          tokenURI: `${t.url}/v1/auth/sa/oauth/token`,
          privateKey: expect.stringMatching(/^-----BEGIN PRIVATE KEY-----\n/),
        });
        const key = createPrivateKey(res.body.privateKey);
        expect(key.asymmetricKeyType).toBe('rsa');
        expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
        sa = res.body;
      });

      it('keeps only the public key', async () => {
        const res = await t.request('GET', `/v1/serviceAccounts/${sa.clientID}/keys/${sa.keyID}`);
        expect(res.status).toBe(200);
        const expected = createPublicKey(sa.privateKey).export({ type: 'spki', format: 'pem' });
        expect(res.body.publicKey).toBe(expected);
        if (store === 'sqlite') {
          const db = readFileSync(path.join(t.dataDir, 'strongroom.db'));
          const wal = readFileSync(path.join(t.dataDir, 'strongroom.db-wal'));
          const secret = sa.privateKey.split('\n')[5] as string;
          expect(db.includes(secret)).toBe(false);
          expect(wal.includes(secret)).toBe(false);
        }
      });

      it('gets, lists and updates service accounts in the Skyflow shape', async () => {
        const got = await t.request('GET', `/v1/serviceAccounts/${sa.clientID}`);
        expect(got.body).toMatchObject({
          serviceAccount: { ID: sa.clientID, name: 'billing', displayName: 'Billing', description: 'billing jobs' },
          clientConfiguration: { enforceContextID: false, enforceSignedDataTokens: false },
        });
        const patched = await t.request('PATCH', `/v1/serviceAccounts/${sa.clientID}`, {
          body: {
            ID: sa.clientID,
            serviceAccount: { description: 'nightly' },
            clientConfiguration: { enforceSignedDataTokens: true },
          },
        });
        expect(patched.body).toEqual({ ID: sa.clientID });
        const after = await t.request('GET', `/v1/serviceAccounts/${sa.clientID}`);
        expect(after.body.serviceAccount.description).toBe('nightly');
        expect(after.body.clientConfiguration).toEqual({ enforceContextID: false, enforceSignedDataTokens: true });
        const list = await t.request('GET', '/v1/serviceAccounts?name=billing');
        expect(list.body.serviceAccounts.map((s: any) => s.serviceAccount.ID)).toEqual([sa.clientID]);
      });

      it('manages several keys per account', async () => {
        const added = await t.request('POST', `/v1/serviceAccounts/${sa.clientID}/keys`);
        expect(added.status).toBe(200);
        expect(added.body.clientID).toBe(sa.clientID);
        const list = await t.request('GET', `/v1/serviceAccounts/${sa.clientID}/keys`);
        expect(list.body.keys.map((k: any) => k.keyID).sort()).toEqual([sa.keyID, added.body.keyID].sort());
        expect(JSON.stringify(list.body)).not.toContain('PRIVATE');
        // Both keys mint tokens.
        await tokenFor(t.url, sa);
        await tokenFor(t.url, added.body);
        expect((await t.request('DELETE', `/v1/serviceAccounts/${sa.clientID}/keys/${added.body.keyID}`)).status).toBe(
          200,
        );
        await expect(tokenFor(t.url, added.body)).rejects.toThrow(/401/);
        expect((await t.request('GET', `/v1/serviceAccounts/${sa.clientID}/keys/${added.body.keyID}`)).status).toBe(
          404,
        );
      });

      it('rejects bad requests', async () => {
        expect((await t.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: {} } })).status).toBe(400);
        expect((await t.request('POST', '/v1/serviceAccounts', { body: {} })).status).toBe(400);
        expect(
          (
            await t.request('POST', '/v1/serviceAccounts', {
              body: { serviceAccount: { name: 'x' }, roleIDs: ['f'.repeat(32)] },
            })
          ).status,
        ).toBe(400);
        expect((await t.request('GET', `/v1/serviceAccounts/${'f'.repeat(32)}`)).status).toBe(404);
        const self = await t.request('DELETE', `/v1/serviceAccounts/${t.adminCredentials.clientID}`);
        expect(self.status).toBe(400);
      });

      it('never lets the account lose its last active admin', async () => {
        const adminId = t.adminCredentials.clientID;
        const self = await t.request('PATCH', `/v1/serviceAccounts/${adminId}`, {
          body: { serviceAccount: { status: 'INACTIVE' } },
        });
        expect(self.status).toBe(400);
        const adminRole = (await t.request('GET', '/v1/roles?resource.type=ACCOUNT&name=ACCOUNT_ADMIN')).body.roles[0]
          .ID;
        const unassign = await t.request('POST', '/v1/roles/unassign', {
          body: { ID: adminRole, members: [{ ID: adminId, type: 'SERVICE_ACCOUNT' }] },
        });
        expect(unassign.status).toBe(400);
        expect(unassign.body.error.message).toMatch(/at least one active account admin/);
        // With a second admin, the first can step down.
        const second = await t.request('POST', '/v1/serviceAccounts', {
          body: { serviceAccount: { name: 'admin2' }, roleIDs: [adminRole] },
        });
        const secondToken = await tokenFor(t.url, second.body);
        const demote = await t.request('POST', '/v1/roles/unassign', {
          token: secondToken,
          body: { ID: adminRole, members: [{ ID: adminId, type: 'SERVICE_ACCOUNT' }] },
        });
        expect(demote.status).toBe(200);
        await t.request('POST', '/v1/roles/assign', {
          token: secondToken,
          body: { ID: adminRole, members: [{ ID: adminId, type: 'SERVICE_ACCOUNT' }] },
        });
      });

      it('deletes an account with its keys and role memberships', async () => {
        expect((await t.request('DELETE', `/v1/serviceAccounts/${sa.clientID}`)).status).toBe(200);
        expect((await t.request('GET', `/v1/serviceAccounts/${sa.clientID}`)).status).toBe(404);
        expect(await t.server.services.store.serviceAccountKeys.listForAccount(sa.clientID)).toEqual([]);
      });
    });

    describe('roles and permissions', () => {
      let vaultId: string;
      let roles: Record<string, string>;
      let viewer: { creds: Credentials; token: string };
      let owner: { creds: Credentials; token: string };

      beforeAll(async () => {
        vaultId = (await t.request('POST', '/v1/vaults', { body: { name: 'perm', vaultSchema: DEMO_VAULT_SCHEMA } }))
          .body.ID;
        const list = await t.request('GET', `/v1/roles?resource.type=VAULT&resource.ID=${vaultId}`);
        roles = Object.fromEntries(list.body.roles.map((r: any) => [r.definition.name, r.ID]));
        const mk = async (name: string, roleIDs: string[]) => {
          const creds = (
            await t.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: { name }, roleIDs } })
          ).body;
          return { creds, token: await tokenFor(t.url, creds) };
        };
        viewer = await mk('viewer', [roles.VAULT_VIEWER!]);
        owner = await mk('owner', [roles.VAULT_OWNER!]);
      });

      it('a vault viewer reads its vault but cannot change it or see others', async () => {
        expect((await t.request('GET', `/v1/vaults/${vaultId}`, { token: viewer.token })).status).toBe(200);
        const list = await t.request('GET', '/v1/vaults', { token: viewer.token });
        expect(list.body.vaults.map((v: any) => v.ID)).toEqual([vaultId]);
        const patch = await t.request('PATCH', `/v1/vaults/${vaultId}`, { token: viewer.token, body: { name: 'x' } });
        expect(patch.status).toBe(403);
        expect(patch.body.error).toMatchObject({ http_code: 403, grpc_code: 7, http_status: 'Forbidden' });
        expect(patch.body.error.message).toMatch(/vaults\.update/);
        expect((await t.request('DELETE', `/v1/vaults/${vaultId}`, { token: viewer.token })).status).toBe(403);
        const insert = await t.request('POST', `/v1/vaults/${vaultId}/persons`, {
          token: viewer.token,
          body: { records: [{ fields: { name: 'x' } }] },
        });
        expect(insert.status).toBe(403);
        expect((await t.request('GET', '/v1/serviceAccounts', { token: viewer.token })).status).toBe(403);
        expect(
          (
            await t.request('POST', '/v1/vaults', {
              token: viewer.token,
              body: { name: 'v', vaultSchema: DEMO_VAULT_SCHEMA },
            })
          ).status,
        ).toBe(403);
        const quickstart = (await t.request('GET', '/v1/vaults?filterOps.name=quickstart')).body.vaults[0].ID;
        expect((await t.request('GET', `/v1/vaults/${quickstart}`, { token: viewer.token })).status).toBe(403);
      });

      it('a service account can always read itself', async () => {
        const res = await t.request('GET', `/v1/serviceAccounts/${viewer.creds.clientID}`, { token: viewer.token });
        expect(res.status).toBe(200);
        const other = await t.request('GET', `/v1/serviceAccounts/${owner.creds.clientID}`, { token: viewer.token });
        expect(other.status).toBe(403);
      });

      it('a vault owner assigns its vault roles but not account roles', async () => {
        const target = (
          await t.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: { name: 'target' } } })
        ).body;
        const member = [{ ID: target.clientID, type: 'SERVICE_ACCOUNT' }];
        const assign = await t.request('POST', '/v1/roles/assign', {
          token: owner.token,
          body: { ID: roles.VAULT_EDITOR, members: member },
        });
        expect(assign.status).toBe(200);
        const members = await t.request('GET', `/v1/roles/${roles.VAULT_EDITOR}/members`, { token: owner.token });
        expect(members.body.members).toEqual([{ ID: target.clientID, type: 'SERVICE_ACCOUNT' }]);
        const memberRoles = await t.request('GET', `/v1/members/${target.clientID}/roles?member.type=SERVICE_ACCOUNT`);
        expect(memberRoles.body.roleToResource.map((r: any) => r.role.ID)).toEqual([roles.VAULT_EDITOR]);
        const admin = (await t.request('GET', '/v1/roles?resource.type=ACCOUNT&name=ACCOUNT_ADMIN')).body.roles[0].ID;
        const escalate = await t.request('POST', '/v1/roles/assign', {
          token: owner.token,
          body: { ID: admin, members: member },
        });
        expect(escalate.status).toBe(403);
        const byViewer = await t.request('POST', '/v1/roles/assign', {
          token: viewer.token,
          body: { ID: roles.VAULT_OWNER, members: [{ ID: viewer.creds.clientID, type: 'SERVICE_ACCOUNT' }] },
        });
        expect(byViewer.status).toBe(403);
        const unassign = await t.request('POST', '/v1/roles/unassign', {
          token: owner.token,
          body: { ID: roles.VAULT_EDITOR, members: member },
        });
        expect(unassign.status).toBe(200);
        const again = await t.request('POST', '/v1/roles/unassign', {
          body: { ID: roles.VAULT_EDITOR, members: member },
        });
        expect(again.status).toBe(400);
      });

      it('role lookups are scoped to what the caller may see', async () => {
        const mine = await t.request('GET', `/v1/roles/${roles.VAULT_OWNER}`, { token: owner.token });
        expect(mine.status).toBe(200);
        expect(mine.body.role.definition.permissions).toContain('vaults.update');
        const accountRoles = await t.request('GET', '/v1/roles?resource.type=ACCOUNT', { token: owner.token });
        expect(accountRoles.body.roles).toEqual([]);
        expect((await t.request('GET', `/v1/roles/${'c'.repeat(32)}`)).status).toBe(404);
        const badAssign = await t.request('POST', '/v1/roles/assign', {
          body: { ID: roles.VAULT_VIEWER, members: [{ ID: 'd'.repeat(32), type: 'SERVICE_ACCOUNT' }] },
        });
        expect(badAssign.status).toBe(400);
        const empty = await t.request('POST', '/v1/roles/assign', { body: { ID: roles.VAULT_VIEWER, members: [] } });
        expect(empty.status).toBe(400);
      });
    });
  });
}
