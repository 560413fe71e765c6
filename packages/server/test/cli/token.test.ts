import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  cliEnv,
  freePort,
  JWT_PATTERN,
  jwtPayload,
  killChildren,
  removeTempDirs,
  runCli,
  SPAWN_TIMEOUT,
  tempDir,
  writeJson,
} from './helpers.js';

describe('strongroom token', () => {
  let t: TestServer;
  let cwd: string;
  let twoRolesFile: string;
  let clientID: string;
  let viewerRole: string;
  let editorRole: string;
  const token = (...args: string[]) => runCli(['token', ...args], { cwd, env: cliEnv() });

  beforeAll(async () => {
    t = await startTestServer();
    cwd = tempDir();
    const vault = await t.request('POST', '/v1/vaults', {
      body: { name: 'v', vaultSchema: { schemas: [{ name: 't', fields: [{ name: 'a', datatype: 'DT_STRING' }] }] } },
    });
    const roles = await t.request('GET', `/v1/roles?resource.type=VAULT&resource.ID=${vault.body.ID}`);
    const byName = Object.fromEntries(roles.body.roles.map((r: any) => [r.definition.name, r.ID]));
    viewerRole = byName.VAULT_VIEWER;
    editorRole = byName.VAULT_EDITOR;
    const created = await t.request('POST', '/v1/serviceAccounts', {
      body: { serviceAccount: { name: 'two-roles' }, roleIDs: [viewerRole, editorRole] },
    });
    expect(created.status).toBe(200);
    clientID = created.body.clientID;
    twoRolesFile = writeJson(cwd, 'two-roles.json', created.body);
  });
  afterAll(async () => {
    await killChildren();
    await t?.close();
    removeTempDirs();
  });

  it(
    'prints a bearer JWT for the account that works against the API',
    async () => {
      const result = await token('--credentials', twoRolesFile);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
      const claims = jwtPayload(result.stdout);
      expect(claims.sub).toBe(clientID);
      expect(claims.exp - claims.iat).toBe(3600);
      expect([...claims.roles].sort()).toEqual([viewerRole, editorRole].sort());
      expect((await t.request('GET', '/v1/vaults', { token: result.stdout.trim() })).status).toBe(200);
    },
    SPAWN_TIMEOUT,
  );

  it(
    '--role narrows the token to the named roles',
    async () => {
      const result = await token('--credentials', twoRolesFile, '--role', viewerRole);
      expect(result.code).toBe(0);
      expect(jwtPayload(result.stdout).roles).toEqual([viewerRole]);
      const both = await token('--credentials', twoRolesFile, '--role', viewerRole, editorRole);
      expect(both.code).toBe(0);
      expect([...jwtPayload(both.stdout).roles].sort()).toEqual([viewerRole, editorRole].sort());
    },
    SPAWN_TIMEOUT,
  );

  it(
    '--role with a role the account does not hold exits 1 with the server refusal',
    async () => {
      const other = 'ffffffffffffffffffffffffffffffff';
      const result = await token('--credentials', twoRolesFile, '--role', other);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('failed (403)');
      expect(result.stderr).toContain(other);
    },
    SPAWN_TIMEOUT,
  );

  it(
    '--role with a name instead of a role ID exits 2 before contacting the server',
    async () => {
      const result = await token('--credentials', twoRolesFile, '--role', 'viewer', '--url', 'http://127.0.0.1:1');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--role takes IDs of roles the account holds');
      expect(result.stderr).toContain('"viewer"');
    },
    SPAWN_TIMEOUT,
  );

  it(
    '--ctx puts a JSON object or a plain string into the ctx claim',
    async () => {
      const object = await token('--credentials', twoRolesFile, '--ctx', '{"role":"admin","region":"eu"}');
      expect(object.code).toBe(0);
      expect(jwtPayload(object.stdout).ctx).toEqual({ role: 'admin', region: 'eu' });
      const plain = await token('--credentials', twoRolesFile, '--ctx', 'user-42');
      expect(plain.code).toBe(0);
      expect(jwtPayload(plain.stdout).ctx).toBe('user-42');
      const none = await token('--credentials', twoRolesFile);
      expect(jwtPayload(none.stdout).ctx).toBeUndefined();
    },
    SPAWN_TIMEOUT,
  );

  it(
    '--ctx that looks like JSON but does not parse exits 2',
    async () => {
      const result = await token('--credentials', twoRolesFile, '--ctx', '{role: admin}');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--ctx looks like JSON but does not parse');
    },
    SPAWN_TIMEOUT,
  );

  it(
    '--json prints {accessToken, tokenType}',
    async () => {
      const result = await token('--credentials', twoRolesFile, '--json');
      expect(result.code).toBe(0);
      const printed = JSON.parse(result.stdout);
      expect(Object.keys(printed).sort()).toEqual(['accessToken', 'tokenType']);
      expect(printed.tokenType).toBe('Bearer');
      expect(printed.accessToken).toMatch(JWT_PATTERN);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'uses $STRONGROOM_CREDENTIALS_FILE, else .strongroom/admin-credentials.json in the working directory',
    async () => {
      const viaEnv = await runCli(['token'], { cwd, env: cliEnv({ STRONGROOM_CREDENTIALS_FILE: twoRolesFile }) });
      expect(viaEnv.code).toBe(0);
      expect(jwtPayload(viaEnv.stdout).sub).toBe(clientID);

      const project = tempDir();
      const none = await runCli(['token'], { cwd: project, env: cliEnv() });
      expect(none.code).toBe(2);
      expect(none.stderr).toBe(
        `strongroom: credentials file ${path.join(project, '.strongroom', 'admin-credentials.json')} does not exist (see --credentials)\n`,
      );
      mkdirSync(path.join(project, '.strongroom'));
      copyFileSync(t.adminCredentialsFile, path.join(project, '.strongroom', 'admin-credentials.json'));
      const byDefault = await runCli(['token'], { cwd: project, env: cliEnv() });
      expect(byDefault.code).toBe(0);
      expect(jwtPayload(byDefault.stdout).sub).toBe(t.adminCredentials.clientID);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'a missing credentials file exits 2 naming it',
    async () => {
      const result = await token('--credentials', 'missing.json');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`credentials file ${path.join(cwd, 'missing.json')} does not exist`);
    },
    SPAWN_TIMEOUT,
  );

  it.each([
    ['not JSON', '{"clientID": ', 'is not JSON'],
    ['JSON null', 'null', 'must hold a JSON object'],
    ['a JSON array', '[]', 'must hold a JSON object'],
    ['without privateKey', JSON.stringify({ clientID: 'a', keyID: 'b', tokenURI: 'http://x' }), 'has no privateKey'],
    [
      'with a broken privateKey',
      JSON.stringify({ clientID: 'a', keyID: 'b', tokenURI: 'http://127.0.0.1:1/t', privateKey: 'xx' }),
      'is not a PKCS#8 RSA key',
    ],
    [
      'with a tokenURI that is not a URL',
      JSON.stringify({ clientID: 'a', keyID: 'b', tokenURI: 'nowhere', privateKey: 'xx' }),
      'tokenURI in the credentials file is not a URL',
    ],
  ])(
    'a corrupt credentials file (%s) exits 2',
    async (_label, content, message) => {
      const file = path.join(cwd, 'corrupt.json');
      writeFileSync(file, content);
      const result = await token('--credentials', file);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^strongroom: /);
      expect(result.stderr).toContain(message);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'an unreachable server exits 1 naming it',
    async () => {
      const port = await freePort();
      const result = await token('--credentials', twoRolesFile, '--url', `http://127.0.0.1:${port}`);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`strongroom: cannot reach http://127.0.0.1:${port}: connect ECONNREFUSED`);
      const viaEnv = await runCli(['token', '--credentials', twoRolesFile], {
        cwd,
        env: cliEnv({ STRONGROOM_URL: `http://127.0.0.1:${port}` }),
      });
      expect(viaEnv.code).toBe(1);
      expect(viaEnv.stderr).toContain(`cannot reach http://127.0.0.1:${port}`);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'a server that is not Strongroom (200 with HTML) exits 1 with a clear message',
    async () => {
      const impostor = http.createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
      });
      await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
      const { port } = impostor.address() as AddressInfo;
      try {
        const result = await token('--credentials', twoRolesFile, '--url', `http://127.0.0.1:${port}`);
        expect(result.code).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toContain('the response is not JSON');
      } finally {
        await new Promise((resolve) => impostor.close(resolve));
      }
    },
    SPAWN_TIMEOUT,
  );

  it(
    'credentials issued for another address are refused with exit 1 and a note explaining the audience',
    async () => {
      const moved = { ...t.adminCredentials, tokenURI: 'http://127.0.0.1:1/v1/auth/sa/oauth/token' };
      const file = writeJson(cwd, 'moved.json', moved);
      const result = await token('--credentials', file, '--url', t.url);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('failed (401)');
      expect(result.stderr).toContain(`note: these credentials were issued for ${moved.tokenURI}`);
      expect(result.stderr).toContain('--public-url');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'a disabled service account is refused with exit 1',
    async () => {
      const created = await t.request('POST', '/v1/serviceAccounts', { body: { serviceAccount: { name: 'off' } } });
      const file = writeJson(cwd, 'off.json', created.body);
      const patched = await t.request('PATCH', `/v1/serviceAccounts/${created.body.clientID}`, {
        body: { serviceAccount: { status: 'INACTIVE' } },
      });
      expect(patched.status).toBe(200);
      const result = await token('--credentials', file);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('failed (401)');
      expect(result.stderr).toContain('unknown or inactive service account');
    },
    SPAWN_TIMEOUT,
  );
});
