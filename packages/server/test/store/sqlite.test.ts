import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { migrationNames, migrationProvider } from '../../src/store/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { rawConnection, sqliteTarget, vaultKeyRow, vaultRow } from './harness.js';

/** Opens a store through `open` and returns the better-sqlite3 connection the store itself uses. */
function withOwnConnection(open: () => Store): { store: Store; connection: BetterSqlite3.Database } {
  // Spy without replacing: the real pragma() runs; the spy only records which connection the store opened.
  const spy = vi.spyOn(BetterSqlite3.prototype, 'pragma');
  try {
    const store = open();
    const connection = spy.mock.contexts[0] as BetterSqlite3.Database | undefined;
    if (!connection) throw new Error('the store set no pragma on its connection');
    return { store, connection };
  } finally {
    spy.mockRestore();
  }
}

const requireFromHere = createRequire(import.meta.url);

/**
 * Another process writing to the same SQLite file, as a CLI command next to a running server would. It
 * prints `ready` once connected, then inserts one meta row (waiting up to 5 s for the write lock) and exits.
 */
function otherProcessWrites(file: string, key: string): { child: ChildProcess; ready: Promise<void> } {
  const script = `
    const Database = require(process.argv[1]);
    const db = new Database(process.argv[2], { timeout: 5000 });
    process.stdout.write('ready\\n');
    setTimeout(() => {
      db.prepare('insert into meta (key, value) values (?, ?)').run(process.argv[3], 'other process');
      db.close();
    }, 20);
  `;
  const child = spawn(process.execPath, ['-e', script, requireFromHere.resolve('better-sqlite3'), file, key], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`other process exited early with ${code}`)));
  });
  return { child, ready };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SQLite store specifics', () => {
  const target = sqliteTarget();
  afterEach(async () => {
    await target.reset();
  });
  afterAll(async () => {
    await target.dispose();
  });

  it('the database file is in WAL mode, as seen by a separate connection', async () => {
    const store = await target.fresh();
    const raw = await rawConnection('sqlite', target.locationOf(store));
    try {
      expect(await raw.all('pragma journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    } finally {
      await raw.close();
    }
  });

  it('the database and its WAL files are readable by their owner only, even in a world-readable directory', async () => {
    const { location } = target.blank();
    mkdirSync(path.dirname(location), { recursive: true });
    chmodSync(path.dirname(location), 0o755);
    const store = openSqliteStore(location);
    await store.migrate();
    await store.meta.set('k', 'v');
    for (const file of [location, `${location}-wal`, `${location}-shm`]) {
      expect(statSync(file).mode & 0o777, file).toBe(0o600);
    }
    await store.close();
  });

  it('synchronous is FULL by default on the store’s own connection, with foreign keys on and a busy timeout', async () => {
    const { location } = target.blank();
    const { store, connection } = withOwnConnection(() => openSqliteStore(location));
    await store.migrate();
    expect(connection.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(connection.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(connection.pragma('busy_timeout', { simple: true })).toBe(5000);
    await store.close();
  });

  it('synchronous is NORMAL when asked', async () => {
    const { location } = target.blank();
    const { store, connection } = withOwnConnection(() => openSqliteStore(location, { synchronous: 'NORMAL' }));
    await store.migrate();
    expect(connection.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(connection.pragma('journal_mode', { simple: true })).toBe('wal');
    await store.close();
  });

  it('reads the data file through a memory map: as much as the bundled SQLite maps by default, or as asked', async () => {
    const mapped = async (options: Parameters<typeof openSqliteStore>[1]) => {
      const { location } = target.blank();
      const { store, connection } = withOwnConnection(() => openSqliteStore(location, options));
      try {
        await store.migrate();
        return connection.pragma('mmap_size', { simple: true });
      } finally {
        await store.close();
      }
    };
    // 2,048 MiB asked, capped by the driver's build (SQLITE_MAX_MMAP_SIZE = 0x7fff0000) just under it.
    expect(await mapped({})).toBe(0x7fff0000);
    expect(await mapped({ mmapMiB: 64 })).toBe(64 * 2 ** 20);
    expect(await mapped({ mmapMiB: 0 })).toBe(0);
  });

  it('synchronous is a per-connection setting: a separate connection cannot observe the store’s', async () => {
    // Recorded so nobody "verifies" FULL through a second connection: better-sqlite3 builds SQLite with
    // SQLITE_DEFAULT_WAL_SYNCHRONOUS=1, so any other connection to a WAL file reports NORMAL.
    const store = await target.fresh();
    const other = new BetterSqlite3(target.locationOf(store), { readonly: true });
    try {
      expect(other.pragma('synchronous', { simple: true })).toBe(1);
    } finally {
      other.close();
    }
  });

  it('creates the missing directories of the database file', async () => {
    const { store, location } = target.blank();
    await store.migrate();
    await store.meta.set('k', 'v');
    const raw = await rawConnection('sqlite', location);
    try {
      expect(await raw.all('select value from meta')).toEqual([{ value: 'v' }]);
    } finally {
      await raw.close();
    }
  });

  it('an in-memory store (":memory:") migrates, commits and rolls back, and is private to its instance', async () => {
    const memory = openSqliteStore(':memory:');
    const second = openSqliteStore(':memory:');
    try {
      await memory.migrate();
      await memory.migrate();
      await memory.ping();
      await memory.transaction(async (tx) => {
        await tx.vaults.insert(vaultRow('v1'));
        await tx.vaultKeys.insert(vaultKeyRow('v1'));
      });
      await expect(
        memory.transaction(async (tx) => {
          await tx.vaults.insert(vaultRow('v2'));
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await memory.vaults.get('v1')).toEqual(vaultRow('v1'));
      expect((await memory.vaultKeys.listForVault('v1'))[0]?.wrapped).toEqual(vaultKeyRow('v1').wrapped);
      expect(await memory.vaults.count()).toBe(1);

      await second.migrate();
      expect(await second.vaults.count()).toBe(0);
    } finally {
      await memory.close();
      await second.close();
    }
    await expect(memory.ping()).rejects.toThrow();
  });

  it('a transaction that reads and then writes still commits when another process writes meanwhile', async () => {
    // With a deferred BEGIN the read would pin a snapshot, the other process would commit, and the
    // transaction's first write would fail at once with SQLITE_BUSY_SNAPSHOT. BEGIN IMMEDIATE makes the
    // other process wait for the commit instead.
    const store = await target.fresh();
    let other: ReturnType<typeof otherProcessWrites> | undefined;
    await store.transaction(async (tx) => {
      expect(await tx.meta.get('parent')).toBeUndefined();
      other = otherProcessWrites(target.locationOf(store), 'child');
      await other.ready;
      // Give the other process time to write (deferred BEGIN) or to start waiting for the lock (IMMEDIATE).
      await Promise.race([once(other.child, 'exit'), sleep(300)]);
      await tx.meta.set('parent', 'this process');
    });
    const [code] = other!.child.exitCode === null ? await once(other!.child, 'exit') : [other!.child.exitCode];
    expect(code).toBe(0);
    expect(await store.meta.get('parent')).toBe('this process');
    expect(await store.meta.get('child')).toBe('other process');
  });
});

describe('SQLite store upgrades', () => {
  const target = sqliteTarget();
  afterAll(async () => {
    await target.dispose();
  });

  it('takes over a database that Kysely’s Migrator (earlier versions) migrated, without re-running migrations', async () => {
    const { store, location } = target.blank();
    await store.ping();
    const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(location) }) });
    try {
      const { error, results } = await new Migrator({
        db: old,
        provider: migrationProvider('sqlite'),
      }).migrateToLatest();
      expect(error).toBeUndefined();
      expect(results?.map((r) => r.status)).toEqual(migrationNames().map(() => 'Success'));
    } finally {
      await old.destroy();
    }
    await store.migrate();
    await store.vaults.insert(vaultRow('v1'));
    expect(await store.vaults.get('v1')).toEqual(vaultRow('v1'));
    const raw = await rawConnection('sqlite', location);
    try {
      expect((await raw.all('select name from kysely_migration order by name')).map((r) => r.name)).toEqual(
        migrationNames(),
      );
    } finally {
      await raw.close();
    }
  });
});
