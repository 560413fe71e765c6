import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVault, DataApi, dlp, field, tokenPolicy } from '../data-api/helpers.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { cliEnv, killChildren, removeTempDirs, runCli, SPAWN_TIMEOUT, tempDir } from './helpers.js';

describe('strongroom keys', () => {
  let t: TestServer;
  let cwd: string;
  let vaultId: string;
  let tokens: string[];
  const cli = (...args: string[]) => runCli([...args, '--credentials', t.adminCredentialsFile], { cwd, env: cliEnv() });

  beforeAll(async () => {
    t = await startTestServer({ config: { demo: false, keyRotationGraceSeconds: 0 } });
    cwd = tempDir();
    vaultId = await createVault(t, 'cli-keys', [
      {
        name: 'cards',
        fields: [field('number', 'DT_STRING', tokenPolicy('NON_DETERMINISTIC_UUID'), dlp('PLAIN_TEXT'))],
      },
    ]);
    const api = new DataApi(t, vaultId);
    const records = await api.insertTokens(
      'cards',
      Array.from({ length: 20 }, (_, i) => ({ number: `4111-0000-0000-${String(i).padStart(4, '0')}` })),
    );
    tokens = records.map((r) => r.tokens.number!);
  });
  afterAll(async () => {
    await killChildren();
    await t?.close();
    removeTempDirs();
  });

  it(
    'rotate waits for the re-sealing and reports the new version; the data still reads back',
    async () => {
      const result = await cli('keys', 'rotate', '--vault', vaultId);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`Vault ${vaultId} now uses data key v2; 40 values re-sealed, older keys retired.\n`);
      // Not a terminal: progress goes to stderr as lines, never to stdout.
      expect(result.stderr).toMatch(/re-sealed \d+\/40 values under key v2/);
      const res = await new DataApi(t, vaultId).detokenize(tokens.map((token) => ({ token, redaction: 'PLAIN_TEXT' })));
      expect(res.body.records.map((r: { value: string }) => r.value)).toEqual(
        tokens.map((_, i) => `4111-0000-0000-${String(i).padStart(4, '0')}`),
      );
    },
    SPAWN_TIMEOUT,
  );

  it(
    'status --json gives the latest rotation',
    async () => {
      const result = await cli('keys', 'status', '--vault', vaultId, '--json');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        vaultID: vaultId,
        toVersion: 2,
        status: 'DONE',
        total: 40,
        done: 40,
        startedOn: expect.any(String),
        finishedOn: expect.any(String),
      });
    },
    SPAWN_TIMEOUT,
  );

  it(
    'rotate --no-wait returns at once with the rotation it started',
    async () => {
      const result = await cli('keys', 'rotate', '--vault', vaultId, '--no-wait', '--json');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ vaultID: vaultId, toVersion: 3, total: 40 });
      await t.server.services.rotations.idle();
      const status = await cli('keys', 'status', '--vault', vaultId);
      expect(status.stdout).toMatch(/^data key v3: DONE, 40\/40 values re-sealed, started .+, finished .+\n$/);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'a bad vault ID is a usage error; an unknown vault is the server’s 404',
    async () => {
      const bad = await cli('keys', 'rotate', '--vault', 'nope');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--vault must be a vault ID/);
      const unknown = await cli('keys', 'status', '--vault', 'f'.repeat(32));
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toMatch(/404|not found|never rotated/i);
    },
    SPAWN_TIMEOUT,
  );
});
