import { cpSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditFileOf } from '../../src/store/sqlite-audit-file.js';
import { createVault, DataApi, dlp, field } from '../data-api/helpers.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { cliEnv, killChildren, randomRootKey, removeTempDirs, runCli, SPAWN_TIMEOUT, tempDir } from './helpers.js';

describe('strongroom audit verify', () => {
  let t: TestServer;
  let rootKey: string;

  /** A copy of the stopped server's data directory, changed by `tamper`, verified by the CLI. */
  async function verifyCopy(tamper: (db: BetterSqlite3.Database) => void, key = rootKey, json = false) {
    const dir = tempDir();
    cpSync(t.dataDir, dir, { recursive: true });
    const db = new BetterSqlite3(auditFileOf(path.join(dir, 'strongroom.db')));
    try {
      tamper(db);
    } finally {
      db.close();
    }
    return runCli(['audit', 'verify', '--data-dir', dir, ...(json ? ['--json'] : [])], {
      cwd: dir,
      env: cliEnv({ STRONGROOM_ROOT_KEY: key }, { rootKey: null }),
    });
  }

  beforeAll(async () => {
    rootKey = randomRootKey();
    t = await startTestServer({ config: { demo: false, rootKey } });
    const vaultId = await createVault(t, 'cli-audit', [
      { name: 'notes', fields: [field('text', 'DT_STRING', dlp('PLAIN_TEXT'))] },
    ]);
    const api = new DataApi(t, vaultId);
    for (let i = 0; i < 5; i++) {
      const [id] = await api.insertIds('notes', [{ text: `note ${i}` }]);
      await api.getOne('notes', id as string);
    }
    await t.stop();
  });
  afterAll(async () => {
    await killChildren();
    await t?.close();
    removeTempDirs();
  });

  it(
    'says the log is intact and counts its entries',
    async () => {
      const result = await verifyCopy(() => {});
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Audit log intact: 1[1-9] entries, every link verified\.\n$/);
      const json = await verifyCopy(() => {}, rootKey, true);
      expect(JSON.parse(json.stdout)).toEqual({ intact: true, entries: expect.any(Number) });
    },
    SPAWN_TIMEOUT,
  );

  it(
    'finds a modified, a deleted, a reordered and a cut-off entry (exit 1)',
    async () => {
      const modified = await verifyCopy((db) =>
        db.exec(`UPDATE audit_events SET actor = 'someone-else' WHERE seq = 4`),
      );
      expect(modified.code).toBe(1);
      expect(modified.stdout).toBe('Audit log TAMPERED: entry 4 was modified: its content does not match its link.\n');

      const deleted = await verifyCopy((db) => db.exec('DELETE FROM audit_events WHERE seq = 6'));
      expect(deleted.code).toBe(1);
      expect(deleted.stdout).toMatch(/entries after 5 are missing: the next entry found is 7/);

      const swapped = await verifyCopy((db) =>
        db.exec(
          'UPDATE audit_events SET seq = -1 WHERE seq = 2; UPDATE audit_events SET seq = 2 WHERE seq = 3; UPDATE audit_events SET seq = 3 WHERE seq = -1',
        ),
      );
      expect(swapped.code).toBe(1);
      expect(swapped.stdout).toMatch(/entry 2 does not follow the entry before it/);

      const cut = await verifyCopy((db) =>
        db.exec('DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)'),
      );
      expect(cut.code).toBe(1);
      expect(cut.stdout).toMatch(/the chain head points at entry \d+ but the last entry is \d+/);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'needs the root key the log was written under',
    async () => {
      const wrong = await verifyCopy(() => {}, randomRootKey());
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/root key does not match/);
    },
    SPAWN_TIMEOUT,
  );
});
