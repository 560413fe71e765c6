import { type Kysely, sql } from 'kysely';
import type { AuditAppender } from './audit-append.js';
import { auditRepository } from './audit-repository.js';
import type { Database } from './database.js';
import { migrateToLatest } from './migrations.js';
import { createRepositories } from './repositories.js';
import type { Repositories, Store, StoreKind } from './types.js';

/** The Kysely-backed {@link Store}: the dialect-specific parts are only how `db` was opened. */
export function createKyselyStore(
  kind: StoreKind,
  db: Kysely<Database>,
  options: {
    /** PostgreSQL: the schema the store lives in (its connections' search path), created by `migrate()`. */
    schema?: string;
    /** How this dialect appends to the audit chain (`audit-append.ts`). */
    audit: AuditAppender;
    /** SQLite: the audit file's connection, which the audit log is read from (`sqlite-audit-file.ts`). */
    auditDb?: Kysely<Database>;
    /** Runs after the data file's migrations (SQLite: the audit file's schema). */
    afterMigrate?: () => Promise<void>;
    /** Runs before the connections close (e.g. stops a background thread using the database). */
    beforeClose?: () => Promise<void>;
  },
): Store {
  const { auditDb } = options;
  // With a separate audit file, the log is read from it, in a transaction or not: entries are never
  // written in a data transaction, so there is nothing of theirs a data transaction could see first.
  const audit = auditDb ? { audit: auditRepository(auditDb) } : {};
  const repos = { ...createRepositories(db, kind), ...audit };
  return {
    kind,
    ...repos,
    transaction<T>(
      fn: (tx: Repositories) => Promise<T>,
      options: { durability?: 'full' | 'relaxed' } = {},
    ): Promise<T> {
      const run = (trx: Kysely<Database>) => fn({ ...createRepositories(trx, kind), ...audit });
      if (options.durability !== 'relaxed') return db.transaction().execute(run);
      if (kind === 'postgres') {
        return db.transaction().execute(async (trx) => {
          await sql`set local synchronous_commit = off`.execute(trx);
          return run(trx);
        });
      }
      // SQLite changes its safety level only between transactions, per connection: hold the connection
      // for the whole sequence so that no other transaction commits under the relaxed level.
      return db.connection().execute(async (conn) => {
        const level = (await sql<{ synchronous: number }>`pragma synchronous`.execute(conn)).rows[0]?.synchronous ?? 2;
        await sql`pragma synchronous = NORMAL`.execute(conn);
        try {
          return await conn.transaction().execute(run);
        } finally {
          await sql.raw(`pragma synchronous = ${Number(level)}`).execute(conn);
        }
      });
    },
    appendAudit(link, appendOptions) {
      return options.audit.append(link, appendOptions);
    },
    async migrate() {
      await migrateToLatest(db as unknown as Kysely<unknown>, kind, options.schema);
      await options.afterMigrate?.();
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await options.beforeClose?.();
      await options.audit.close();
      await auditDb?.destroy();
      await db.destroy();
    },
  };
}
