import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVault, DataApi, dlp, field, tokenPolicy } from '../data-api/helpers.js';
import { type Credentials, startTestServer, type TestServer, tokenFor } from '../support/server.js';
import { cliEnv, killChildren, removeTempDirs, runCli, SPAWN_TIMEOUT, tempDir } from './helpers.js';

/*
 * `strongroom roles` and `strongroom policies` against a real server: everything a vault owner does to give
 * a service account column-level access goes through the CLI, and the data API proves it is enforced.
 */

const TABLES = [
  {
    name: 'persons',
    fields: [
      field('name', 'DT_STRING', tokenPolicy('NON_DETERMINISTIC_UUID'), dlp('PLAIN_TEXT')),
      field('ssn', 'DT_STRING', tokenPolicy('DETERMINISTIC_UUID'), dlp('MASK')),
      field('email', 'DT_STRING', tokenPolicy('DETERMINISTIC_UUID'), dlp('REDACT')),
    ],
  },
];
const SSN = '123-45-6789';

describe('strongroom roles and policies', () => {
  let t: TestServer;
  let cwd: string;
  let vaultId: string;
  let admin: DataApi;
  let recordId: string;
  let tokens: Record<string, string>;
  const cli = (...args: string[]) => runCli([...args, '--credentials', t.adminCredentialsFile], { cwd, env: cliEnv() });
  /** Runs the CLI with --json, expects success and returns the parsed output. */
  const cliJson = async (...args: string[]) => {
    const result = await cli(...args, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout);
  };

  beforeAll(async () => {
    t = await startTestServer({ config: { demo: false } });
    cwd = tempDir();
    vaultId = await createVault(t, 'people', TABLES);
    admin = new DataApi(t, vaultId);
    const [inserted] = await admin.insertTokens('persons', [{ name: 'Ana Gomez', ssn: SSN, email: 'ana@example.co' }]);
    recordId = inserted!.skyflow_id;
    tokens = inserted!.tokens;
  });
  afterAll(async () => {
    await killChildren();
    await t?.close();
    removeTempDirs();
  });

  it(
    'a custom role with a policy made through the CLI gives a service account exactly the columns and caps its rules say',
    async () => {
      const role = await cliJson('roles', 'create', '--vault', vaultId, '--name', 'support', '--description', 'agents');
      expect(role.ID).toMatch(/^[0-9a-f]{32}$/);
      const custom = await cliJson('roles', 'list', '--vault', vaultId, '--type', 'CUSTOM');
      expect(custom.roles.map((r: { ID: string }) => r.ID)).toEqual([role.ID]);

      const rulesFile = path.join(cwd, 'support.rules');
      writeFileSync(
        rulesFile,
        [
          '# what support agents see',
          'ALLOW READ ON persons.ssn WITH REDACTION = MASKED',
          '',
          'ALLOW DETOKENIZATION ON persons.ssn WITH REDACTION = MASKED',
        ].join('\n'),
      );
      const created = await cli(
        'policies',
        'create',
        '--vault',
        vaultId,
        '--name',
        'support-policy',
        '--rule',
        'ALLOW READ ON persons.name WITH REDACTION = PLAIN_TEXT',
        '--rules-file',
        rulesFile,
        '--activate',
      );
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const policyId = /^Created policy ([0-9a-f]{32}) \(support-policy\) with 3 rule\(s\), active$/m.exec(
        created.stdout,
      )?.[1] as string;
      expect(policyId).toBeDefined();

      const assigned = await cli('policies', 'assign', policyId, '--role', role.ID);
      expect(assigned.code).toBe(0);
      expect(assigned.stdout).toBe(`Assigned policy ${policyId} to ${role.ID}\n`);

      const sa = await cli('sa', 'create', '--name', 'agent', '--role', role.ID, '--out', 'agent.json');
      expect(sa.code).toBe(0);
      const credentials = JSON.parse(readFileSync(path.join(cwd, 'agent.json'), 'utf8')) as Credentials;
      const agent = admin.as(await tokenFor(t.url, credentials));

      const got = await agent.get('persons', `?skyflow_ids=${recordId}&redaction=PLAIN_TEXT`);
      expect(got.status, got.text).toBe(200);
      const fields = got.body.records[0].fields;
      expect(fields.name).toBe('Ana Gomez');
      expect(fields.ssn).not.toBe(SSN);
      expect(fields.ssn).toMatch(/6789$/);
      expect(fields).not.toHaveProperty('email');
      const detokenized = await agent.detokenize([{ token: tokens.ssn as string, redaction: 'PLAIN_TEXT' }]);
      expect(detokenized.status, detokenized.text).toBe(200);
      expect(detokenized.body.records[0].value).toMatch(/6789$/);
      expect(detokenized.body.records[0].value).not.toBe(SSN);
      expect((await agent.detokenize([tokens.email as string])).status).toBe(403);

      // explain agrees with what the data path did, naming the deciding rule.
      const explainSsn = await cli(
        'policies',
        'explain',
        '--vault',
        vaultId,
        '--action',
        'READ',
        '--column',
        'persons.ssn',
        '--principal',
        credentials.clientID,
      );
      expect(explainSsn.code).toBe(0);
      expect(explainSsn.stdout).toContain('decision: ALLOW\nredaction: MASKED\n');
      expect(explainSsn.stdout).toContain(`${policyId} rule-2: ALLOW READ ON persons.ssn WITH REDACTION = MASKED`);
      const explainEmail = await cliJson(
        'policies',
        'explain',
        '--vault',
        vaultId,
        '--action',
        'read',
        '--column',
        'persons.email',
        '--principal',
        credentials.clientID,
        '--context',
        '{"purpose":"support"}',
      );
      expect(explainEmail).toMatchObject({ decision: 'DENY', redaction: null, reason: expect.any(String) });

      const shown = await cliJson('roles', 'get', role.ID);
      expect(shown.members).toEqual([{ ID: credentials.clientID, type: 'SERVICE_ACCOUNT' }]);
      expect(shown.policies).toEqual([{ ID: policyId, name: 'support-policy', status: 'ACTIVE' }]);

      // Deactivating the policy takes the access away at once; activating gives it back.
      expect((await cli('policies', 'deactivate', policyId)).stdout).toBe(`Policy ${policyId} is inactive\n`);
      expect((await agent.get('persons', `?skyflow_ids=${recordId}`)).status).toBe(403);
      expect((await agent.detokenize([tokens.ssn as string])).status).toBe(403);
      const afterDeactivate = await cliJson(
        'policies',
        'explain',
        '--vault',
        vaultId,
        '--action',
        'READ',
        '--column',
        'persons.ssn',
        '--principal',
        credentials.clientID,
      );
      expect(afterDeactivate.decision).toBe('DENY');
      expect((await cli('policies', 'activate', policyId)).code).toBe(0);
      expect((await agent.get('persons', `?skyflow_ids=${recordId}`)).status).toBe(200);

      // Unassigning the role from the service account takes the access away too.
      const unassigned = await cli('roles', 'unassign', role.ID, '--sa', credentials.clientID);
      expect(unassigned.stdout).toBe(`Removed role ${role.ID} from ${credentials.clientID}\n`);
      expect((await agent.get('persons', `?skyflow_ids=${recordId}`)).status).toBe(403);
      expect((await cli('roles', 'assign', role.ID, '--sa', credentials.clientID)).code).toBe(0);
      expect((await agent.get('persons', `?skyflow_ids=${recordId}`)).status).toBe(200);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'get, list, update, unassign and delete show and change policies and roles',
    async () => {
      const role = await cliJson('roles', 'create', '--vault', vaultId, '--name', 'auditors');
      const { ID: policyId } = await cliJson(
        'policies',
        'create',
        '--vault',
        vaultId,
        '--name',
        'audit-policy',
        '--rule',
        'ALLOW READ ON persons.name',
      );
      expect((await cliJson('policies', 'get', policyId)).policy.status).toBe('INACTIVE');
      await cliJson('policies', 'assign', policyId, '--role', role.ID);

      const updated = await cli(
        'policies',
        'update',
        policyId,
        '--description',
        'read-only',
        '--rule',
        'ALLOW READ ON persons.email WITH REDACTION = REDACTED',
        '--rule',
        'DENY READ ON persons.ssn',
      );
      expect(updated.stderr).toBe('');
      expect(updated.stdout).toBe(`Updated policy ${policyId}\n`);
      const shown = await cli('policies', 'get', policyId);
      expect(shown.stdout).toBe(
        [
          `${policyId}  audit-policy  INACTIVE  2 rule(s)`,
          `vault: ${vaultId}`,
          'description: read-only',
          `roles: ${role.ID}`,
          'rules:',
          '  rule-1: ALLOW READ ON persons.email WITH REDACTION = REDACTED',
          '  rule-2: DENY READ ON persons.ssn',
          '',
        ].join('\n'),
      );
      // A rename keeps the rules.
      await cliJson('policies', 'update', policyId, '--name', 'auditors-policy');
      const renamed = (await cliJson('policies', 'get', policyId)).policy;
      expect(renamed.name).toBe('auditors-policy');
      expect(renamed.rules.map((r: { ruleExpression: string }) => r.ruleExpression)).toEqual([
        'ALLOW READ ON persons.email WITH REDACTION = REDACTED',
        'DENY READ ON persons.ssn',
      ]);

      const listed = await cli('policies', 'list', '--vault', vaultId);
      expect(listed.stdout).toContain(`${policyId}  auditors-policy  INACTIVE  2 rule(s)`);

      await cliJson('policies', 'unassign', policyId, '--role', role.ID);
      expect((await cliJson('roles', 'get', role.ID)).policies).toEqual([]);
      expect((await cli('policies', 'delete', policyId)).stdout).toBe(`Deleted policy ${policyId}\n`);
      const gone = await cli('policies', 'get', policyId);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toMatch(/failed \(404\)/);
      expect((await cli('roles', 'delete', role.ID)).stdout).toBe(`Deleted role ${role.ID}\n`);
      expect((await cliJson('roles', 'list', '--vault', vaultId, '--type', 'custom')).roles).not.toContainEqual(
        expect.objectContaining({ ID: role.ID }),
      );
    },
    SPAWN_TIMEOUT,
  );

  it(
    'a rule with a syntax error is refused with its position and text, and nothing is created',
    async () => {
      const bad = 'ALLOW READ ON persons.ssn WITH REDACTION = HIDDEN';
      const result = await cli(
        'policies',
        'create',
        '--vault',
        vaultId,
        '--name',
        'broken',
        '--rule',
        'ALLOW READ ON persons.name',
        '--rule',
        bad,
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^strongroom: POST \/v1\/policies failed \(400\): ruleParams\[1\] \("rule-2"\): /);
      expect(result.stderr).toMatch(/expected a redaction .* at position \d+, found "HIDDEN"/);
      expect(result.stderr).toContain(`rule 2: ${JSON.stringify(bad)}`);
      // A column the vault does not have is refused by name.
      const unknown = await cli(
        'policies',
        'create',
        '--vault',
        vaultId,
        '--name',
        'x',
        '--rule',
        'ALLOW READ ON persons.dob',
      );
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/persons\.dob/);
      const { policies } = await cliJson('policies', 'list', '--vault', vaultId);
      expect(policies.map((p: { name: string }) => p.name)).not.toContain('broken');
      expect(policies.map((p: { name: string }) => p.name)).not.toContain('x');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'usage mistakes exit with 2 before anything is sent',
    async () => {
      const noRules = await cli('policies', 'create', '--vault', vaultId, '--name', 'empty');
      expect(noRules.code).toBe(2);
      expect(noRules.stderr).toContain('give at least one --rule or a --rules-file');
      const badAction = await cli('policies', 'explain', '--vault', vaultId, '--action', 'PEEK');
      expect(badAction.code).toBe(2);
      expect(badAction.stderr).toContain('--action takes READ');
      const noMembers = await cli('roles', 'assign', 'a'.repeat(32));
      expect(noMembers.code).toBe(2);
      expect(noMembers.stderr).toContain('--sa');
      const missingFile = await cli('policies', 'create', '--vault', vaultId, '--name', 'f', '--rules-file', 'nope');
      expect(missingFile.code).toBe(2);
      expect(missingFile.stderr).toContain('cannot read rules file nope');
    },
    SPAWN_TIMEOUT,
  );
});
