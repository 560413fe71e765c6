import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import { sqliteAuditAppender } from './audit-append.js';
import type { Database } from './database.js';
import { createKyselyStore } from './kysely-store.js';
import { auditFileOf, migrateAuditFile, openAuditFile } from './sqlite-audit-file.js';
import { checkpointInBackground } from './sqlite-checkpointer.js';
import type { Store } from './types.js';

export interface SqliteOptions {
  /** `FULL` (default) makes every commit durable before it is acknowledged; `NORMAL` may lose the last commits on power loss. */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** Most memory the connection's page cache may use, in MiB (default {@link SQLITE_CACHE_MIB}). */
  readonly cacheMiB?: number;
  /** How much of the data file is read through a memory map, in MiB (default {@link SQLITE_MMAP_MIB}; 0: none). */
  readonly mmapMiB?: number;
  /**
   * Checkpoint the write-ahead log from a background thread instead of inside commits (the server does;
   * see `sqlite-checkpointer.ts`). Off by default: short-lived stores (the CLI, tests) need no thread.
   */
  readonly backgroundCheckpoints?: boolean;
}

/**
 * The page cache of the store's connection may grow to this many MiB (SQLite allocates it as pages are
 * read, so a small store never uses more than its own size). A token lookup descends two B-trees (the
 * primary-key index, then the table); in a store of a million records (about 5 GiB) their leaf pages no
 * longer fit the driver's default of 16 MB, and every miss is a read system call: detokenize on that
 * store ran at 0.76 of its speed on 10,000 records with the default, and the database's own lookups at
 * 0.55 (bench/data-api). Keeping a gigabyte of pages in the process lets most leaves be found in memory.
 */
export const SQLITE_CACHE_MIB = 1024;

/**
 * The data file is read through a memory map up to this many MiB (`pragma mmap_size`): a page found
 * there is used where it lies in the OS page cache, instead of being copied by a read system call into a
 * page-cache slot allocated (and later evicted) for it. Measured (ad-hoc, two servers on one store, in
 * turn): 25-token detokenize on a store of 200,000 records (1 GiB) 1.35× the requests per second, and
 * single-token requests on 2,000 records 1.10×. The SQLite built by the driver maps at most 2 GiB
 * (`SQLITE_MAX_MMAP_SIZE`), silently capping larger settings: on bigger files the rest is read as before.
 * The pages are the file's own, shared with the OS page cache, not memory of the process; writes still go
 * through the write-ahead log. The usual caveat applies: an I/O error while reading a mapped page ends the
 * process (SIGBUS) rather than failing one statement.
 */
export const SQLITE_MMAP_MIB = 2048;

/** How long a connection waits for another process's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Starts every transaction with `BEGIN IMMEDIATE`, taking the write lock up front. With a plain (deferred)
 * `BEGIN`, a transaction that read first and writes later fails at once with SQLITE_BUSY(_SNAPSHOT) when
 * another process (a CLI command next to the server) committed in between; the busy timeout does not apply
 * to that lock upgrade. Taking the lock first makes the other writer wait its turn instead, and makes
 * processes that migrate the same file at once take turns.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class StoreSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/** Prepared statements kept per connection (the SQL texts of the store's queries, IN lists of every length). */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * The connection as Kysely sees it, with its prepared statements reused. Kysely's SQLite driver prepares
 * every query afresh, and preparing (parsing, planning) costs more than running a primary-key lookup —
 * measured at half the database time of a detokenize request (bench/data-api). better-sqlite3 runs each
 * statement to completion synchronously (the store never streams), so one statement object can serve
 * every query with the same text, and SQLite re-prepares it by itself after a schema change.
 */
function withStatementCache(database: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        // Oldest first out: a Map iterates in insertion order.
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value as string);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/** Opens (creating if needed) the embedded SQLite store at `file`, in WAL mode. */
export function openSqliteStore(file: string, options: SqliteOptions = {}): Store {
  if (file !== ':memory:') {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // Create the file owner-only before SQLite does: its WAL and shared-memory files inherit the mode,
    // so ciphertexts, wrapped keys and hashes are never world-readable, whatever the directory's mode.
    closeSync(openSync(file, 'a', 0o600));
  }
  // The busy timeout applies from the first statement on: switching a new file to WAL needs a lock that
  // another process opening the same file at the same moment may hold.
  const database = new BetterSqlite3(file, { timeout: BUSY_TIMEOUT_MS });
  database.pragma('journal_mode = WAL');
  const synchronous = options.synchronous ?? 'FULL';
  database.pragma(`synchronous = ${synchronous}`);
  database.pragma('foreign_keys = ON');
  // Negative: a size in KiB rather than in pages.
  database.pragma(`cache_size = ${-Math.round((options.cacheMiB ?? SQLITE_CACHE_MIB) * 1024)}`);
  database.pragma(`mmap_size = ${Math.round((options.mmapMiB ?? SQLITE_MMAP_MIB) * 2 ** 20)}`);
  const db = new Kysely<Database>({ dialect: new StoreSqliteDialect({ database: withStatementCache(database) }) });
  const auditFile = auditFileOf(file);
  const auditDatabase = openAuditFile(auditFile, synchronous);
  const auditDb = new Kysely<Database>({
    dialect: new StoreSqliteDialect({ database: withStatementCache(auditDatabase) }),
  });
  const stopCheckpoints =
    options.backgroundCheckpoints && file !== ':memory:'
      ? checkpointInBackground([
          { database, file },
          { database: auditDatabase, file: auditFile },
        ])
      : undefined;
  return createKyselyStore('sqlite', db, {
    audit: sqliteAuditAppender(auditDatabase, (fn) => auditDb.connection().execute(fn), synchronous),
    auditDb,
    afterMigrate: async () => migrateAuditFile(database, auditDatabase),
    ...(stopCheckpoints && { beforeClose: stopCheckpoints }),
  });
}
