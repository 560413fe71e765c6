import { type Kysely, Migrator, sql } from 'kysely';
import type { Database } from './database.js';
import { migrationProvider } from './migrations.js';
import { createRepositories } from './repositories.js';
import type { Repositories, Store, StoreKind } from './types.js';

/** The Kysely-backed {@link Store}: the dialect-specific parts are only how `db` was opened. */
export function createKyselyStore(
  kind: StoreKind,
  db: Kysely<Database>,
  hooks: { beforeMigrate?: () => Promise<void>; onClose?: () => Promise<void> } = {},
): Store {
  const repos = createRepositories(db);
  return {
    kind,
    ...repos,
    transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
      return db.transaction().execute((trx) => fn(createRepositories(trx)));
    },
    async migrate() {
      await hooks.beforeMigrate?.();
      const migrator = new Migrator({ db, provider: migrationProvider(kind) });
      const { error, results } = await migrator.migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName;
        throw new Error(`store migration ${failed ?? ''} failed: ${(error as Error).message ?? String(error)}`);
      }
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
      await hooks.onClose?.();
    },
  };
}
