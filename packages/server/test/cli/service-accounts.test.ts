import { createPrivateKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { cliEnv, jwtPayload, killChildren, removeTempDirs, runCli, SPAWN_TIMEOUT, tempDir } from './helpers.js';

const API_KEY_PATTERN = /^sky-[a-zA-Z0-9]{5}-[a-fA-F0-9]{32}$/;
const mode = (file: string) => statSync(file).mode & 0o777;

describe('strongroom sa', () => {
  let t: TestServer;
  let cwd: string;
  let vaultId: string;
  let vaultRoles: Record<string, string>;
  const cli = (...args: string[]) => runCli([...args, '--credentials', t.adminCredentialsFile], { cwd, env: cliEnv() });
  const accountCount = async () =>
    (await t.request('GET', '/v1/serviceAccounts?limit=100')).body.serviceAccounts.length;

  beforeAll(async () => {
    t = await startTestServer({ config: { demo: false } });
    cwd = tempDir();
    const created = await t.request('POST', '/v1/vaults', {
      body: {
        name: 'crm',
        vaultSchema: { schemas: [{ name: 'people', fields: [{ name: 'name', datatype: 'DT_STRING' }] }] },
      },
    });
    vaultId = created.body.ID;
    const roles = await t.request('GET', `/v1/roles?resource.type=VAULT&resource.ID=${vaultId}`);
    vaultRoles = Object.fromEntries(roles.body.roles.map((r: any) => [r.definition.name, r.ID]));
    expect(Object.keys(vaultRoles).sort()).toEqual(['VAULT_EDITOR', 'VAULT_OWNER', 'VAULT_VIEWER']);
  });
  afterAll(async () => {
    await killChildren();
    await t?.close();
    removeTempDirs();
  });

  it(
    'create --vault V --role viewer writes 0600 credentials whose token can read V but not delete it',
    async () => {
      const out = path.join(cwd, 'viewer.json');
      const result = await cli(
        'sa',
        'create',
        '--vault',
        vaultId,
        '--role',
        'viewer',
        '--name',
        'reader',
        '--out',
        out,
      );
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Created service account [0-9a-f]{32} \(reader\); credentials written to /);
      expect(mode(out)).toBe(0o600);
      const credentials = JSON.parse(readFileSync(out, 'utf8'));
      expect(credentials).toMatchObject({
        clientID: expect.stringMatching(/^[0-9a-f]{32}$/),
        clientName: 'reader',
        keyID: expect.stringMatching(/^[0-9a-f]{32}$/),
        tokenURI: `${t.url}/v1/auth/sa/oauth/token`,
      });
      expect(createPrivateKey(credentials.privateKey).asymmetricKeyType).toBe('rsa');

      const token = await runCli(['token', '--credentials', out], { cwd, env: cliEnv() });
      expect(token.code).toBe(0);
      const accessToken = token.stdout.trim();
      expect(jwtPayload(accessToken).roles).toEqual([vaultRoles.VAULT_VIEWER]);
      expect((await t.request('GET', `/v1/vaults/${vaultId}`, { token: accessToken })).status).toBe(200);
      const denied = await t.request('DELETE', `/v1/vaults/${vaultId}`, { token: accessToken });
      expect(denied.status).toBe(403);
      expect((await t.request('GET', `/v1/vaults/${vaultId}`)).status).toBe(200);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'create --json reports the account, file and resolved role IDs (owner, editor, VAULT_VIEWER, a role ID)',
    async () => {
      const out = path.join(cwd, 'multi.json');
      const result = await cli(
        'sa',
        'create',
        '--vault',
        vaultId,
        '--role',
        'owner',
        'EDITOR',
        'vault_viewer',
        '--out',
        out,
        '--json',
      );
      expect(result.code).toBe(0);
      const printed = JSON.parse(result.stdout);
      expect(printed).toEqual({
        clientID: JSON.parse(readFileSync(out, 'utf8')).clientID,
        file: out,
        roleIDs: [vaultRoles.VAULT_OWNER, vaultRoles.VAULT_EDITOR, vaultRoles.VAULT_VIEWER],
      });

      const byId = path.join(cwd, 'by-id.json');
      const direct = await cli('sa', 'create', '--role', vaultRoles.VAULT_EDITOR as string, '--out', byId, '--json');
      expect(direct.code).toBe(0);
      expect(JSON.parse(direct.stdout).roleIDs).toEqual([vaultRoles.VAULT_EDITOR]);
      const members = await t.request('GET', `/v1/roles/${vaultRoles.VAULT_EDITOR}/members`);
      expect(members.body.members.map((m: any) => m.ID)).toEqual(
        expect.arrayContaining([printed.clientID, JSON.parse(direct.stdout).clientID]),
      );
    },
    SPAWN_TIMEOUT,
  );

  it(
    'create refuses to overwrite --out without --force (exit 2, nothing created); --force replaces it with mode 0600',
    async () => {
      const out = path.join(cwd, 'existing.json');
      writeFileSync(out, 'keep me\n', { mode: 0o644 });
      const before = await accountCount();
      const refused = await cli('sa', 'create', '--out', out);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(`strongroom: ${out} exists; pass --force to overwrite it\n`);
      expect(readFileSync(out, 'utf8')).toBe('keep me\n');
      expect(await accountCount()).toBe(before);

      const forced = await cli('sa', 'create', '--out', out, '--force');
      expect(forced.code).toBe(0);
      expect(mode(out)).toBe(0o600);
      expect(JSON.parse(readFileSync(out, 'utf8')).privateKey).toContain('PRIVATE KEY');
      expect(await accountCount()).toBe(before + 1);
      expect(readdirSync(cwd).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'create with --out in a missing directory exits 2 before creating an account',
    async () => {
      const before = await accountCount();
      const result = await cli('sa', 'create', '--out', path.join(cwd, 'no', 'such', 'dir', 'sa.json'));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('does not exist or is not writable');
      expect(await accountCount()).toBe(before);
    },
    SPAWN_TIMEOUT,
  );

  it.each([
    [['--role', 'viewer'], '--role viewer needs --vault <vaultID>'],
    [['--vault', '0123456789abcdef0123456789abcdef'], '--vault names the vault of --role'],
    [['--vault', 'crm', '--role', 'viewer'], '--vault takes a vault ID'],
  ])(
    'create %j is a usage error: exit 2 without contacting the server',
    async (args, message) => {
      const out = path.join(cwd, 'never.json');
      // An unreachable --url proves the check happens before any request.
      const result = await cli('sa', 'create', ...args, '--out', out, '--url', 'http://127.0.0.1:1');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(existsSync(out)).toBe(false);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'create with an unknown role exits 2, names the choices and creates nothing',
    async () => {
      const before = await accountCount();
      const out = path.join(cwd, 'unknown-role.json');
      const result = await cli('sa', 'create', '--vault', vaultId, '--role', 'auditor', '--out', out);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`no role "AUDITOR" on vault ${vaultId}`);
      expect(result.stderr).toContain('owner, editor, viewer, account-admin or a role ID');
      expect(existsSync(out)).toBe(false);
      expect(await accountCount()).toBe(before);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'create --api-key writes the API key (0600); using that file with `token` exits 2 explaining why',
    async () => {
      // A relative --out is relative to the working directory.
      const result = await cli('sa', 'create', '--api-key', '--name', 'keyed', '--out', 'api.json');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('API key written to api.json');
      const out = path.join(cwd, 'api.json');
      expect(mode(out)).toBe(0o600);
      const file = JSON.parse(readFileSync(out, 'utf8'));
      expect(file).toMatchObject({ clientID: expect.any(String), clientName: 'keyed', apiKeyID: expect.any(String) });
      expect(file.apiKey).toMatch(API_KEY_PATTERN);
      expect((await t.request('GET', '/v1/vaults', { token: file.apiKey })).status).toBe(200);

      const token = await runCli(['token', '--credentials', out], { cwd, env: cliEnv() });
      expect(token.code).toBe(2);
      expect(token.stderr).toContain('holds an API key, not a key pair');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'list shows accounts (human and --json); delete removes one and its credentials stop working',
    async () => {
      const out = path.join(cwd, 'doomed.json');
      const created = JSON.parse((await cli('sa', 'create', '--name', 'doomed', '--out', out, '--json')).stdout);

      const human = await cli('sa', 'list');
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(new RegExp(`^${created.clientID} {2}doomed {2}ACTIVE$`, 'm'));
      expect(human.stdout).toMatch(/^[0-9a-f]{32} {2}strongroom-admin {2}ACTIVE$/m);
      expect(human.stdout).toMatch(/^[0-9a-f]{32} {2}keyed {2}ACTIVE {2}\(API keys\)$/m);
      const json = await cli('sa', 'list', '--json');
      expect(json.code).toBe(0);
      const listed = JSON.parse(json.stdout).serviceAccounts.map((s: any) => s.serviceAccount);
      expect(listed).toContainEqual(expect.objectContaining({ ID: created.clientID, name: 'doomed' }));
      expect(json.stdout).not.toContain('PRIVATE KEY');

      expect((await runCli(['token', '--credentials', out], { cwd, env: cliEnv() })).code).toBe(0);
      const deleted = await cli('sa', 'delete', created.clientID, '--json');
      expect(deleted.code).toBe(0);
      expect(JSON.parse(deleted.stdout)).toEqual({ ID: created.clientID, deleted: true });
      expect((await t.request('GET', `/v1/serviceAccounts/${created.clientID}`)).status).toBe(404);
      const token = await runCli(['token', '--credentials', out], { cwd, env: cliEnv() });
      expect(token.code).toBe(1);
      expect(token.stderr).toContain('failed (401)');

      const again = await cli('sa', 'delete', created.clientID);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('failed (404)');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'a viewer cannot create service accounts: exit 1 with the server refusal, no file written',
    async () => {
      const viewer = path.join(cwd, 'viewer.json');
      const out = path.join(cwd, 'by-viewer.json');
      const result = await runCli(['sa', 'create', '--out', out, '--credentials', viewer], { cwd, env: cliEnv() });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('failed (403)');
      expect(existsSync(out)).toBe(false);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'list shows every account, past the server page size of 100',
    async () => {
      const existing = await accountCount();
      for (let i = existing; i < 102; i++) {
        const res = await t.request('POST', '/v1/serviceAccounts', {
          body: { serviceAccount: { name: `bulk-${i}` }, apiKeyEnabled: true },
        });
        expect(res.status).toBe(200);
      }
      const json = await cli('sa', 'list', '--json');
      expect(json.code).toBe(0);
      const ids = JSON.parse(json.stdout).serviceAccounts.map((s: any) => s.serviceAccount.ID);
      expect(ids).toHaveLength(102);
      expect(new Set(ids).size).toBe(102);
    },
    SPAWN_TIMEOUT,
  );
});
