import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { postgresAuditAppender } from './audit-append.js';
import type { Database } from './database.js';
import { createKyselyStore } from './kysely-store.js';
import { hotStatementName } from './sql-helpers.js';
import type { Store } from './types.js';

const INT8_OID = 20;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens the PostgreSQL store. The URL may carry a `schema` query parameter: the store then lives in that
 * schema (created by {@link Store.migrate} if missing), which lets several vault deployments, or test runs,
 * share one database.
 */
export function openPostgresStore(url: string, options: { maxConnections?: number } = {}): Store {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (schema !== null && (!SCHEMA_NAME.test(schema) || schema.startsWith('pg_'))) {
    throw new Error(`database URL: schema "${schema}" must match ${SCHEMA_NAME} and not start with "pg_"`);
  }
  const connection: pg.PoolConfig = {
    connectionString: parsed.toString(),
    ...(schema && { options: `-c search_path=${schema}` }),
    // Millisecond timestamps are BIGINT; they fit in a double, so read them as numbers.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  };
  const pool = new pg.Pool({ ...connection, max: options.maxConnections ?? 10 });
  // An idle pooled connection that the server ends (restart, failover, idle timeout, pg_terminate_backend)
  // is reported as an 'error' event on the pool; unhandled, that event crashes the process. The pool has
  // already discarded the connection and opens a new one for the next query, so there is nothing to do.
  pool.on('error', () => {});
  // Hot statements (detokenize, insert) run as named prepared statements: each connection parses and
  // plans them once instead of on every execution. Kysely passes (text, values); the rest run as before.
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (config: unknown, values?: unknown) => unknown;
    client.query = ((config: unknown, values?: unknown) => {
      const name = typeof config === 'string' ? hotStatementName(config) : undefined;
      return name === undefined ? query(config, values) : query({ name, text: config, values });
    }) as typeof client.query;
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return createKyselyStore('postgres', db, {
    ...(schema && { schema }),
    audit: postgresAuditAppender(connection),
  });
}
