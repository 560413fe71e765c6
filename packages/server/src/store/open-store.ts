import { openPostgresStore } from './postgres.js';
import { openSqliteStore, type SqliteOptions } from './sqlite.js';
import type { Store } from './types.js';

/** Opens the store named by a database URL: `sqlite:<path>` or `postgres://…`. */
export function openStore(databaseUrl: string, options: SqliteOptions = {}): Store {
  if (databaseUrl.startsWith('sqlite:')) return openSqliteStore(databaseUrl.slice('sqlite:'.length), options);
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    return openPostgresStore(databaseUrl);
  }
  throw new Error('database URL must start with "sqlite:", "postgres://" or "postgresql://"');
}
