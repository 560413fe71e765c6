import { type Kysely, sql } from 'kysely';
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
  } = {},
): Store {
  const repos = createRepositories(db, kind);
  return {
    kind,
    ...repos,
    transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
      return db.transaction().execute((trx) => fn(createRepositories(trx, kind)));
    },
    async migrate() {
      await migrateToLatest(db as unknown as Kysely<unknown>, kind, options.schema);
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}
