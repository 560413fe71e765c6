import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { cliEnv, killChildren, removeTempDirs, runCli, SPAWN_TIMEOUT, tempDir } from './helpers.js';

const API_KEY_PATTERN = /^sky-[a-zA-Z0-9]{5}-[a-fA-F0-9]{32}$/;

describe('strongroom apikey', () => {
  let t: TestServer;
  let cwd: string;
  let sa: string;
  let defaultKey: string;
  const cli = (...args: string[]) => runCli([...args, '--credentials', t.adminCredentialsFile], { cwd, env: cliEnv() });
  /** Status of an authenticated request made with `key` as the bearer. */
  const statusWith = async (key: string) => (await t.request('GET', '/v1/vaults', { token: key })).status;

  beforeAll(async () => {
    t = await startTestServer({ config: { demo: false } });
    cwd = tempDir();
    const created = await runCli(
      ['sa', 'create', '--api-key', '--name', 'keyed', '--out', 'keyed.json', '--credentials', t.adminCredentialsFile],
      { cwd, env: cliEnv() },
    );
    expect(created.code).toBe(0);
    const file = JSON.parse(readFileSync(path.join(cwd, 'keyed.json'), 'utf8'));
    sa = file.clientID;
    defaultKey = file.apiKey;
  });
  afterAll(async () => {
    await killChildren();
    await t?.close();
    removeTempDirs();
  });

  it(
    'create prints the key once, in Skyflow format, and it authenticates requests',
    async () => {
      const result = await cli('apikey', 'create', '--sa', sa, '--name', 'ci');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const [heading, key, ...rest] = result.stdout.split('\n');
      expect(heading).toMatch(/^Created API key [0-9a-f]{32}\. Store it now; it is not shown again:$/);
      expect(key).toMatch(API_KEY_PATTERN);
      expect(rest).toEqual(['']);
      expect(await statusWith(key as string)).toBe(200);
      // The control: a well-formed key that was never issued is refused.
      expect(await statusWith(`${(key as string).slice(0, 10)}${'0'.repeat(32)}`)).toBe(401);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'create --json returns the key with its ID, name and expiry',
    async () => {
      const expiresAt = '2999-01-01T00:00:00.000Z';
      const result = await cli(
        'apikey',
        'create',
        '--sa',
        sa,
        '--name',
        'expiring',
        '--expires-at',
        expiresAt,
        '--json',
      );
      expect(result.code).toBe(0);
      const created = JSON.parse(result.stdout);
      expect(created).toMatchObject({
        apiKeyID: expect.stringMatching(/^[0-9a-f]{32}$/),
        name: 'expiring',
        status: 'ACTIVE',
        expiresAt,
        apiKey: expect.stringMatching(API_KEY_PATTERN),
      });
      expect(await statusWith(created.apiKey)).toBe(200);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'list shows names, hints and expiry but never a secret',
    async () => {
      const created = JSON.parse((await cli('apikey', 'create', '--sa', sa, '--name', 'listed', '--json')).stdout);
      const human = await cli('apikey', 'list', '--sa', sa);
      expect(human.code).toBe(0);
      const prefix = (created.apiKey as string).slice(0, 9);
      expect(human.stdout).toMatch(new RegExp(`^${created.apiKeyID} {2}listed {2}${prefix}-… {2}ACTIVE$`, 'm'));
      expect(human.stdout).toMatch(/ {2}expiring {2}.* {2}expires 2999-01-01T00:00:00\.000Z$/m);
      const json = await cli('apikey', 'list', '--sa', sa, '--json');
      expect(json.code).toBe(0);
      const { apiKeys } = JSON.parse(json.stdout);
      expect(apiKeys.map((k: any) => k.name)).toEqual(expect.arrayContaining(['default', 'ci', 'expiring', 'listed']));
      for (const output of [human.stdout, json.stdout]) {
        expect(output).not.toContain(created.apiKey);
        expect(output).not.toContain(defaultKey);
        expect(output).not.toMatch(/sky-[a-zA-Z0-9]{5}-[a-fA-F0-9]{32}/);
      }
      for (const key of apiKeys) expect(key).not.toHaveProperty('apiKey');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'rotate prints a new key; the old one gets 401 at once',
    async () => {
      const created = JSON.parse((await cli('apikey', 'create', '--sa', sa, '--name', 'rotating', '--json')).stdout);
      expect(await statusWith(created.apiKey)).toBe(200);
      const result = await cli('apikey', 'rotate', '--sa', sa, created.apiKeyID);
      expect(result.code).toBe(0);
      const [heading, fresh] = result.stdout.split('\n');
      expect(heading).toBe(`Rotated API key ${created.apiKeyID}. The new key (shown once):`);
      expect(fresh).toMatch(API_KEY_PATTERN);
      expect(fresh).not.toBe(created.apiKey);
      expect(await statusWith(fresh as string)).toBe(200);
      expect(await statusWith(created.apiKey)).toBe(401);

      const json = await cli('apikey', 'rotate', '--sa', sa, created.apiKeyID, '--json');
      expect(json.code).toBe(0);
      const rotated = JSON.parse(json.stdout);
      expect(rotated).toMatchObject({ apiKeyID: created.apiKeyID, apiKey: expect.stringMatching(API_KEY_PATTERN) });
      expect(await statusWith(fresh as string)).toBe(401);
      expect(await statusWith(rotated.apiKey)).toBe(200);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'delete makes the key fail with 401 and removes it from the list',
    async () => {
      const created = JSON.parse((await cli('apikey', 'create', '--sa', sa, '--name', 'doomed', '--json')).stdout);
      expect(await statusWith(created.apiKey)).toBe(200);
      const result = await cli('apikey', 'delete', '--sa', sa, created.apiKeyID);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`Deleted API key ${created.apiKeyID}\n`);
      expect(await statusWith(created.apiKey)).toBe(401);
      const { apiKeys } = JSON.parse((await cli('apikey', 'list', '--sa', sa, '--json')).stdout);
      expect(apiKeys.map((k: any) => k.apiKeyID)).not.toContain(created.apiKeyID);

      const again = await cli('apikey', 'delete', '--sa', sa, created.apiKeyID, '--json');
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('failed (404)');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'on a service account without API keys every subcommand exits 1 with a clear message',
    async () => {
      const out = path.join(cwd, 'plain.json');
      const plain = JSON.parse((await cli('sa', 'create', '--out', out, '--json')).stdout).clientID;
      for (const args of [
        ['apikey', 'create', '--sa', plain],
        ['apikey', 'list', '--sa', plain],
      ]) {
        const result = await cli(...args);
        expect(result.code).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toContain(`Service account ${plain} is not API-key enabled`);
      }
    },
    SPAWN_TIMEOUT,
  );

  it(
    'an --expires-at in the past or not a date exits 1 with the server message',
    async () => {
      const past = await cli('apikey', 'create', '--sa', sa, '--expires-at', '2001-01-01T00:00:00Z');
      expect(past.code).toBe(1);
      expect(past.stderr).toContain('expiresAt must be in the future');
      const junk = await cli('apikey', 'create', '--sa', sa, '--expires-at', 'tomorrow');
      expect(junk.code).toBe(1);
      expect(junk.stderr).toContain('expiresAt');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'missing --sa or key ID is a usage error (exit 2)',
    async () => {
      const noSa = await cli('apikey', 'list');
      expect(noSa.code).toBe(2);
      expect(noSa.stderr).toContain("required option '--sa <serviceAccountID>' not specified");
      const noKey = await cli('apikey', 'rotate', '--sa', sa);
      expect(noKey.code).toBe(2);
      expect(noKey.stderr).toContain("missing required argument 'apiKeyID'");
    },
    SPAWN_TIMEOUT,
  );
});
