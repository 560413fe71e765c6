import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVault, dlp, expectError, field, vaultRoles } from '../data-api/helpers.js';
import { postgresAvailable } from '../support/postgres.js';
import { type Credentials, startTestServer, type TestServer, tokenFor } from '../support/server.js';

const TABLES = [
  {
    name: 'persons',
    fields: [
      field('name', 'DT_STRING', dlp('PLAIN_TEXT')),
      field('ssn', 'DT_STRING', dlp('MASK')),
      field('region', 'DT_STRING', dlp('PLAIN_TEXT')),
    ],
  },
];

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`policies and custom roles (${store})`, () => {
    let t: TestServer;
    let vaultId: string;
    let roleId: string;
    let agent: Credentials;

    const policy = (name: string, rules: string[], extra: Record<string, unknown> = {}) => ({
      name,
      resource: { ID: vaultId, type: 'VAULT' },
      ruleParams: rules.map((ruleExpression, i) => ({ name: `rule-${i + 1}`, ruleExpression })),
      ...extra,
    });
    const explain = (body: Record<string, unknown>) =>
      t.request('POST', '/v1/policies/explain', { body: { vaultID: vaultId, principalID: agent.clientID, ...body } });

    beforeAll(async () => {
      t = await startTestServer({ store, config: { demo: false } });
      vaultId = await createVault(t, 'policies', TABLES);
      const role = await t.request('POST', '/v1/roles', {
        body: {
          roleDefinition: { name: 'support', description: 'Support agents', permissions: ['vaults.read'] },
          resource: { ID: vaultId, type: 'VAULT' },
        },
      });
      expect(role.status, role.text).toBe(200);
      roleId = role.body.ID;
      const sa = await t.request('POST', '/v1/serviceAccounts', {
        body: { serviceAccount: { name: 'agent' }, roleIDs: [roleId] },
      });
      expect(sa.status, sa.text).toBe(200);
      agent = sa.body;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('custom roles: created on a vault with allowed permissions only, listed, changed and refused names', async () => {
      const got = await t.request('GET', `/v1/roles/${roleId}`);
      expect(got.body.role).toMatchObject({
        ID: roleId,
        type: 'CUSTOM',
        definition: {
          name: 'support',
          displayName: 'support',
          description: 'Support agents',
          permissions: ['vaults.read'],
        },
        resource: { ID: vaultId, type: 'VAULT' },
      });
      const listed = await t.request('GET', `/v1/roles?resource.type=VAULT&resource.ID=${vaultId}&type=CUSTOM`);
      expect(listed.body.roles.map((r: { ID: string }) => r.ID)).toEqual([roleId]);
      const body = (definition: Record<string, unknown>) => ({
        roleDefinition: definition,
        resource: { ID: vaultId, type: 'VAULT' },
      });
      expectError(
        await t.request('POST', '/v1/roles', { body: body({ name: 'x', permissions: ['records.read'] }) }),
        400,
        /"records.read" cannot be given to a custom role .*data access comes from policies/,
      );
      expectError(await t.request('POST', '/v1/roles', { body: body({ name: 'VAULT_OWNER' }) }), 400, /system role/);
      expectError(await t.request('POST', '/v1/roles', { body: body({ name: 'support' }) }), 409, /already has a role/);
      const patched = await t.request('PATCH', `/v1/roles/${roleId}`, {
        body: { roleDefinition: { name: 'support', permissions: ['vaults.read', 'policies.read'] } },
      });
      expect(patched.status).toBe(200);
      expect((await t.request('GET', `/v1/roles/${roleId}`)).body.role.definition.permissions).toEqual([
        'vaults.read',
        'policies.read',
      ]);
      const system = (await vaultRoles(t, vaultId)).VAULT_VIEWER;
      expectError(await t.request('DELETE', `/v1/roles/${system}`), 400, /system role/);
    });

    it('creates, reads and lists a policy with its rules in Skyflow’s shape; inactive unless activated', async () => {
      const created = await t.request('POST', '/v1/policies', {
        body: policy('support-read', ['ALLOW READ ON persons.name, persons.ssn WITH REDACTION = MASKED']),
      });
      expect(created.status, created.text).toBe(200);
      const got = await t.request('GET', `/v1/policies/${created.body.ID}`);
      expect(got.body.policy).toEqual({
        ID: created.body.ID,
        name: 'support-read',
        displayName: 'support-read',
        description: '',
        namespace: vaultId,
        status: 'INACTIVE',
        BasicAudit: expect.objectContaining({ CreatedBy: t.adminCredentials.clientID }),
        resource: { ID: vaultId, type: 'VAULT' },
        rules: [
          {
            ID: expect.any(String),
            name: 'rule-1',
            ruleExpression: 'ALLOW READ ON persons.name, persons.ssn WITH REDACTION = MASKED',
            actions: ['records.read'],
            resources: [`vault:${vaultId}/table:persons/column:name`, `vault:${vaultId}/table:persons/column:ssn`],
            resourceType: 'COLUMN',
            dlpFormat: 'MASKED',
          },
        ],
      });
      const listed = await t.request('GET', `/v1/policies?resource.ID=${vaultId}&resource.type=VAULT`);
      expect(listed.body.policies.map((p: { name: string }) => p.name)).toContain('support-read');
      const structured = await t.request('POST', '/v1/policies', {
        body: {
          name: 'structured',
          resource: { ID: vaultId, type: 'VAULT' },
          ruleParams: [
            {
              name: 'cols',
              columnRuleParams: {
                vaultID: vaultId,
                columns: ['persons.region'],
                actions: ['READ', 'UPDATE'],
                redaction: 'PLAIN_TEXT',
              },
            },
            {
              name: 'table',
              tableRuleParams: { vaultID: vaultId, tableName: 'persons', action: 'DELETE', effect: 'DENY' },
            },
          ],
        },
      });
      expect(structured.status, structured.text).toBe(200);
      const rules = (await t.request('GET', `/v1/policies/${structured.body.ID}`)).body.policy.rules;
      expect(rules.map((r: { name: string; ruleExpression: string }) => [r.name, r.ruleExpression])).toEqual([
        ['cols#1', 'ALLOW READ ON persons.region WITH REDACTION = PLAIN_TEXT'],
        ['cols#2', 'ALLOW UPDATE ON persons.region'],
        ['table', 'DENY DELETE ON persons.*'],
      ]);
    });

    it('refuses bad rules with a 400 naming the rule and the problem, and storing nothing', async () => {
      const before = (await t.request('GET', `/v1/policies?resource.ID=${vaultId}`)).body.policies.length;
      expectError(
        await t.request('POST', '/v1/policies', {
          body: policy('bad', ['ALLOW READ ON persons.name', 'ALLOW READ ON persons.ssn WITH REDACTION = HIDDEN']),
        }),
        400,
        /ruleParams\[1\] \("rule-2"\): expected a redaction .* at position 44, found "HIDDEN"/,
      );
      expectError(
        await t.request('POST', '/v1/policies', { body: policy('bad', ['ALLOW READ ON persons.dob']) }),
        400,
        /column "persons.dob" is not in the vault schema/,
      );
      expectError(
        await t.request('POST', '/v1/policies', { body: policy('bad', ["ALLOW READ WHERE role == 'x'"]) }),
        400,
        /neither request.context, principal, nor a column/,
      );
      expectError(
        await t.request('POST', '/v1/policies', { body: policy('support-read', ['ALLOW TOKENIZATION']) }),
        409,
        /already has a policy named "support-read"/,
      );
      expect((await t.request('GET', `/v1/policies?resource.ID=${vaultId}`)).body.policies.length).toBe(before);
    });

    it('assigns to custom roles only, and explain gives the decision, the redaction and the rules behind it', async () => {
      const created = await t.request('POST', '/v1/policies', {
        body: policy(
          'support',
          [
            'ALLOW READ ON persons.* WITH REDACTION = MASKED',
            "ALLOW READ ON persons.ssn WITH REDACTION = PLAIN_TEXT WHERE request.context.purpose == 'fraud'",
            'DENY READ ON persons.region',
          ],
          { activated: true },
        ),
      });
      const policyId = created.body.ID;
      const viewer = (await vaultRoles(t, vaultId)).VAULT_VIEWER;
      expectError(
        await t.request('POST', '/v1/policies/assign', { body: { ID: policyId, roleIDs: [viewer] } }),
        400,
        /system role with fixed permissions/,
      );
      expect(
        (await t.request('POST', '/v1/policies/assign', { body: { ID: policyId, roleIDs: [roleId] } })).status,
      ).toBe(200);
      expect((await t.request('GET', `/v1/policies/${policyId}/roles`)).body).toEqual({ roles: [{ ID: roleId }] });
      expect(
        (await t.request('GET', `/v1/roles/${roleId}/policies`)).body.policies.map((p: { ID: string }) => p.ID),
      ).toContain(policyId);

      const masked = await explain({ action: 'READ', column: 'persons.ssn', context: { purpose: 'support' } });
      expect(masked.body).toEqual({
        decision: 'ALLOW',
        redaction: 'MASKED',
        reason: 'READ on persons.ssn is allowed',
        rules: [
          { policyID: policyId, name: 'rule-1', ruleExpression: 'ALLOW READ ON persons.* WITH REDACTION = MASKED' },
        ],
      });
      const plain = await explain({ action: 'READ', column: 'persons.ssn', context: { purpose: 'fraud' } });
      expect(plain.body).toMatchObject({ decision: 'ALLOW', redaction: 'PLAIN_TEXT' });
      const noContext = await explain({ action: 'READ', column: 'persons.ssn' });
      expect(noContext.body).toMatchObject({
        decision: 'DENY',
        reason: expect.stringMatching(/could not be evaluated/),
      });
      const denied = await explain({ action: 'READ', column: 'persons.region', context: { purpose: 'fraud' } });
      expect(denied.body).toMatchObject({
        decision: 'DENY',
        reason: 'READ on persons.region is denied by a DENY rule',
      });
      expect((await explain({ action: 'DELETE', column: 'persons.name' })).body).toMatchObject({
        decision: 'DENY',
        reason: 'no rule allows DELETE on persons.name',
        rules: [],
      });
      expectError(await explain({ action: 'READ', column: 'persons.dob' }), 400, /not in the vault schema/);

      // Deactivated, the policy no longer counts; unassigned, neither.
      await t.request('PATCH', `/v1/policies/${policyId}/status`, { body: { ID: policyId, status: 'INACTIVE' } });
      expect((await explain({ action: 'READ', column: 'persons.name' })).body.decision).toBe('DENY');
      await t.request('PATCH', `/v1/policies/${policyId}/status`, { body: { ID: policyId, status: 'ACTIVE' } });
      expect((await explain({ action: 'READ', column: 'persons.name' })).body.decision).toBe('ALLOW');
      await t.request('POST', '/v1/policies/unassign', { body: { ID: policyId, roleIDs: [roleId] } });
      expect((await explain({ action: 'READ', column: 'persons.name' })).body.decision).toBe('DENY');
    });

    it('updates replace the rules; deleting a policy or a role removes their assignments', async () => {
      const created = await t.request('POST', '/v1/policies', {
        body: policy('temp', ['ALLOW READ ON persons.name'], { activated: true }),
      });
      const policyId = created.body.ID;
      const role = await t.request('POST', '/v1/roles', {
        body: { roleDefinition: { name: 'temp-role' }, resource: { ID: vaultId, type: 'VAULT' } },
      });
      await t.request('POST', '/v1/policies/assign', { body: { ID: policyId, roleIDs: [role.body.ID] } });
      const updated = await t.request('PATCH', `/v1/policies/${policyId}`, {
        body: policy('temp', ['ALLOW READ ON persons.region', 'ALLOW TOKENIZATION']),
      });
      expect(updated.status, updated.text).toBe(200);
      const after = (await t.request('GET', `/v1/policies/${policyId}`)).body.policy;
      expect(after.rules.map((r: { ruleExpression: string }) => r.ruleExpression)).toEqual([
        'ALLOW READ ON persons.region',
        'ALLOW TOKENIZATION',
      ]);
      expect(after.status).toBe('ACTIVE');
      expect((await t.request('DELETE', `/v1/roles/${role.body.ID}`)).status).toBe(200);
      expect((await t.request('GET', `/v1/policies/${policyId}/roles`)).body.roles).toEqual([]);
      expect((await t.request('DELETE', `/v1/policies/${policyId}`)).status).toBe(200);
      expectError(await t.request('GET', `/v1/policies/${policyId}`), 404);
    });

    it('needs the vault owner’s (or the admin’s) permissions to manage, and hides other vaults’ policies', async () => {
      const roles = await vaultRoles(t, vaultId);
      const make = async (name: string, roleIDs: string[]) => {
        const sa = await t.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: { name }, roleIDs } });
        return tokenFor(t.url, sa.body as Credentials);
      };
      const owner = await make('owner', [roles.VAULT_OWNER as string]);
      const editor = await make('editor', [roles.VAULT_EDITOR as string]);
      const byOwner = await t.request('POST', '/v1/policies', {
        body: policy('by-owner', ['ALLOW TOKENIZATION']),
        token: owner,
      });
      expect(byOwner.status, byOwner.text).toBe(200);
      expectError(
        await t.request('POST', '/v1/policies', { body: policy('by-editor', ['ALLOW TOKENIZATION']), token: editor }),
        403,
        /policies.manage/,
      );
      expectError(await t.request('GET', `/v1/policies/${byOwner.body.ID}`, { token: editor }), 404);
      const other = await createVault(t, 'other', TABLES);
      const otherPolicy = await t.request('POST', '/v1/policies', {
        body: { ...policy('elsewhere', ['ALLOW TOKENIZATION']), resource: { ID: other, type: 'VAULT' } },
      });
      expect(otherPolicy.status).toBe(200);
      const ownersList = await t.request('GET', '/v1/policies', { token: owner });
      expect(ownersList.body.policies.every((p: { resource: { ID: string } }) => p.resource.ID === vaultId)).toBe(true);
      expectError(await t.request('GET', '/v1/policies', { token: null }), 401);
    });
  });
}
