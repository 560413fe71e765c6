import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  BIN,
  cliEnv,
  freePort,
  JWT_PATTERN,
  killChildren,
  portOf,
  randomRootKey,
  removeTempDirs,
  runCli,
  SPAWN_TIMEOUT,
  startServe,
  tempDir,
} from './helpers.js';

const mode = (file: string) => statSync(file).mode & 0o777;
const curlAvailable = spawnSync('curl', ['--version']).status === 0;
if (!curlAvailable) console.warn('curl is not installed: skipping the test that runs the printed sequence in a shell');

afterEach(killChildren);
afterAll(removeTempDirs);

describe('strongroom serve', () => {
  it(
    'first start writes a 0600 dev root key and admin credentials, prints URL, vault ID and a sequence that works',
    async () => {
      const cwd = tempDir();
      const serve = await startServe(['--port', '0'], { cwd, env: cliEnv({}, { rootKey: null }) });
      const banner = serve.stderr();

      // Files, with owner-only permissions.
      const rootKeyFile = path.join(cwd, '.strongroom', 'root.key');
      const credentialsFile = path.join(cwd, '.strongroom', 'admin-credentials.json');
      expect(mode(rootKeyFile)).toBe(0o600);
      expect(mode(credentialsFile)).toBe(0o600);
      expect(Buffer.from(readFileSync(rootKeyFile, 'utf8').trim(), 'base64')).toHaveLength(32);
      const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8'));
      expect(credentials).toMatchObject({
        clientID: expect.stringMatching(/^[0-9a-f]{32}$/),
        keyID: expect.stringMatching(/^[0-9a-f]{32}$/),
        tokenURI: `${serve.url}/v1/auth/sa/oauth/token`,
      });
      expect(credentials.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(createPrivateKey({ key: credentials.privateKey, format: 'pem' }).asymmetricKeyType).toBe('rsa');

      // The banner: loud dev-key warning, URL, vault ID, copy-paste sequence.
      expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(portOf(serve.url)).toBeGreaterThan(0);
      expect(banner).toContain(`WARNING: created a DEVELOPMENT root key at ${rootKeyFile}`);
      expect(banner).toContain('STRONGROOM_ROOT_KEY');
      expect(banner).toContain(`Admin credentials written to ${credentialsFile}`);
      const vaultId = /Demo vault "quickstart": ([0-9a-f]{32})/.exec(banner)?.[1];
      expect(vaultId).toBeDefined();
      // Outside the project, the banner names this very launcher (npx would look on the npm registry).
      const tokenLine = /TOKEN=\$\(node (\S+) token --credentials (\S+)\)/.exec(banner);
      expect(realpathSync(tokenLine?.[1] as string)).toBe(realpathSync(BIN));
      expect(tokenLine?.[2]).toBe('.strongroom/admin-credentials.json');
      const curl = /curl -s -X POST (\S+) \\\n.*-H "Authorization: Bearer \$TOKEN".*\n\s+-d '(.+)'/.exec(banner);
      expect(curl?.[1]).toBe(`${serve.url}/v1/vaults/${vaultId}/persons`);

      // Run the printed sequence: the token command (from the same directory), then the insert.
      const token = await runCli(['token', '--credentials', tokenLine?.[2] as string], { cwd, env: cliEnv() });
      expect(token.stderr).toBe('');
      expect(token.code).toBe(0);
      expect(token.stdout.trim()).toMatch(JWT_PATTERN);
      const res = await fetch(curl?.[1] as string, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.stdout.trim()}`, 'content-type': 'application/json' },
        body: curl?.[2] as string,
      });
      const body = (await res.json()) as any;
      expect(res.status).toBe(200);
      expect(body).toEqual({ records: [{ skyflow_id: expect.stringMatching(/^[0-9a-f-]{36}$/) }] });

      // SIGTERM shuts down cleanly.
      expect(await serve.stop()).toEqual({ code: 0, signal: null });
    },
    SPAWN_TIMEOUT,
  );

  it(
    'a second start on the same data dir reuses root key, credentials and demo vault; a deleted demo vault is no longer advertised',
    async () => {
      const cwd = tempDir();
      const env = cliEnv({}, { rootKey: null });
      const port = await freePort();
      const first = await startServe(['--port', String(port)], { cwd, env });
      const firstVault = /Demo vault "quickstart": ([0-9a-f]{32})/.exec(first.stderr())?.[1];
      expect(firstVault).toBeDefined();
      await first.stop();
      const credentialsFile = path.join(cwd, '.strongroom', 'admin-credentials.json');
      const rootKeyFile = path.join(cwd, '.strongroom', 'root.key');
      const credentialsBefore = readFileSync(credentialsFile, 'utf8');
      const rootKeyBefore = readFileSync(rootKeyFile, 'utf8');

      const second = await startServe(['--port', String(port)], { cwd, env });
      const banner = second.stderr();
      expect(banner).not.toContain('WARNING');
      expect(banner).toContain(`Using the DEVELOPMENT root key ${rootKeyFile} (not for production).`);
      expect(banner).not.toContain('Admin credentials written');
      expect(banner).toContain(`Demo vault "quickstart": ${firstVault}`);
      expect(readFileSync(credentialsFile, 'utf8')).toBe(credentialsBefore);
      expect(readFileSync(rootKeyFile, 'utf8')).toBe(rootKeyBefore);

      // The first start's credentials still work, and there is still exactly one vault.
      const list = await runCli(['vault', 'list', '--json'], { cwd, env: cliEnv() });
      expect(list.stderr).toBe('');
      expect(list.code).toBe(0);
      expect(JSON.parse(list.stdout).vaults.map((v: any) => [v.ID, v.name])).toEqual([[firstVault, 'quickstart']]);

      // Once the demo vault is deleted, later starts stop advertising it.
      expect((await runCli(['vault', 'delete', firstVault as string], { cwd, env: cliEnv() })).code).toBe(0);
      await second.stop();
      const third = await startServe(['--port', String(port)], { cwd, env });
      expect(third.stderr()).not.toContain('Demo vault');
      expect(third.stderr()).not.toContain('curl');
      expect(third.stderr()).toContain(`Admin credentials: ${credentialsFile}`);
      await third.stop();
    },
    SPAWN_TIMEOUT,
  );

  it.skipIf(!curlAvailable)(
    'the printed sequence runs verbatim in a shell, with HTTPS and a data dir path that needs quoting',
    async () => {
      const cwd = path.join(tempDir(), "it's my vault");
      mkdirSync(cwd);
      const serve = await startServe(['--port', '0', '--tls', 'self-signed'], { cwd, env: cliEnv() });
      const banner = serve.stderr();
      const start = banner.indexOf('  TOKEN=$(node ');
      const end = banner.indexOf("}}]}'\n", start);
      expect(start).toBeGreaterThan(0);
      expect(end).toBeGreaterThan(start);
      const sequence = banner.slice(start, end + "}}]}'".length);
      expect(sequence).toContain('--cacert ');

      const result = spawnSync('/bin/sh', ['-c', `set -e\n${sequence}`], {
        cwd,
        env: { PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        records: [{ skyflow_id: expect.stringMatching(/^[0-9a-f-]{36}$/) }],
      });
      await serve.stop();
    },
    SPAWN_TIMEOUT,
  );

  it(
    '--no-demo writes the admin credentials but creates no vault',
    async () => {
      const cwd = tempDir();
      const serve = await startServe(['--port', '0', '--no-demo'], { cwd });
      expect(serve.stderr()).toContain('Admin credentials written to');
      expect(serve.stderr()).not.toContain('Demo vault');
      expect(serve.stderr()).not.toContain('curl');
      const list = await runCli(['vault', 'list'], { cwd });
      expect(list.code).toBe(0);
      expect(list.stdout).toBe('No vaults.\n');
      await serve.stop();
    },
    SPAWN_TIMEOUT,
  );

  it(
    'NODE_ENV=production without a root key exits 2 naming STRONGROOM_ROOT_KEY and writes nothing',
    async () => {
      const cwd = tempDir();
      const result = await runCli(['serve', '--port', '0'], {
        cwd,
        env: cliEnv({ NODE_ENV: 'production' }, { rootKey: null }),
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('STRONGROOM_ROOT_KEY');
      expect(result.stderr).toContain('NODE_ENV=production');
      expect(existsSync(path.join(cwd, '.strongroom'))).toBe(false);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'NODE_ENV=production starts with --root-key-file and writes no development key',
    async () => {
      const cwd = tempDir();
      const keyFile = path.join(cwd, 'root-key.b64');
      writeFileSync(keyFile, randomRootKey(), { mode: 0o600 });
      const serve = await startServe(['--port', '0', '--no-demo', '--root-key-file', keyFile], {
        cwd,
        env: cliEnv({ NODE_ENV: 'production' }, { rootKey: null }),
      });
      expect(serve.stderr()).not.toContain('DEVELOPMENT root key');
      expect(existsSync(path.join(cwd, '.strongroom', 'root.key'))).toBe(false);
      expect(existsSync(path.join(cwd, '.strongroom', 'admin-credentials.json'))).toBe(true);
      await serve.stop();
    },
    SPAWN_TIMEOUT,
  );

  it(
    'a different root key on an existing data dir exits 2 with a message saying the key does not match',
    async () => {
      const cwd = tempDir();
      const first = await startServe(['--port', '0', '--no-demo'], { cwd, env: cliEnv() });
      await first.stop();
      const result = await runCli(['serve', '--port', '0'], { cwd, env: cliEnv() });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^strongroom: the configured root key does not match this store/);
      expect(result.stderr).toContain('original key');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'a root key that is not 32 bytes exits 2 naming STRONGROOM_ROOT_KEY',
    async () => {
      const cwd = tempDir();
      const result = await runCli(['serve', '--port', '0'], { cwd, env: cliEnv({}, { rootKey: 'dG9vIHNob3J0' }) });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('STRONGROOM_ROOT_KEY must hold 32 random bytes');
    },
    SPAWN_TIMEOUT,
  );

  it.each([['abc'], ['70000'], ['80.5']])(
    'an invalid --port %s exits 2 naming --port',
    async (port) => {
      const result = await runCli(['serve', '--port', port], { cwd: tempDir() });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--port must be a whole number from 0 to 65535');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'a port already in use exits 2 with a hint; the next start still warns loudly about the dev key',
    async () => {
      const cwd = tempDir();
      const env = cliEnv({}, { rootKey: null });
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const { port } = blocker.address() as net.AddressInfo;
      try {
        const result = await runCli(['serve', '--port', String(port), '--no-demo'], { cwd, env });
        expect(result.code).toBe(2);
        expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`);
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
      // The failed attempt already wrote root.key; the start that initialises the store must still shout.
      const rootKeyFile = path.join(cwd, '.strongroom', 'root.key');
      expect(existsSync(rootKeyFile)).toBe(true);
      const serve = await startServe(['--port', '0', '--no-demo'], { cwd, env });
      expect(serve.stderr()).toContain(`WARNING: using a DEVELOPMENT root key at ${rootKeyFile}`);
      expect(serve.stderr()).toContain('Admin credentials written to');
      await serve.stop();
    },
    SPAWN_TIMEOUT,
  );

  it(
    'an unknown --tls mode or --log-level exits 2',
    async () => {
      const cwd = tempDir();
      const tls = await runCli(['serve', '--tls', 'letsencrypt'], { cwd });
      expect(tls.code).toBe(2);
      expect(tls.stderr).toContain('--tls takes one value: self-signed');
      const level = await runCli(['serve', '--log-level', 'loud'], { cwd });
      expect(level.code).toBe(2);
      expect(level.stderr).toContain('logLevel');
    },
    SPAWN_TIMEOUT,
  );
});
