import { type Compilable, type CompiledQuery, type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import { UniqueViolationError } from './types.js';

export type Db = Kysely<Database>;

/** Maps a driver's unique-constraint error (SQLite or PostgreSQL) to {@link UniqueViolationError}. */
export async function translateUnique<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      throw new UniqueViolationError();
    }
    throw err;
  }
}

let savepointCounter = 0;

/**
 * Runs `work` so that it applies completely or not at all: in a transaction of its own, or, inside the
 * caller's transaction, under a savepoint. A failed statement then never leaves the statements before it
 * behind: SQLite keeps them in the transaction (and would commit them if the caller carries on), and
 * PostgreSQL would abort the caller's whole transaction.
 */
export async function atomically<T>(db: Db, work: (db: Db) => Promise<T>): Promise<T> {
  if (!db.isTransaction) return db.transaction().execute(work);
  const savepoint = sql.id(`sr_savepoint_${++savepointCounter}`);
  await sql`savepoint ${savepoint}`.execute(db);
  let result: T;
  try {
    result = await work(db);
  } catch (err) {
    await sql`rollback to savepoint ${savepoint}`.execute(db);
    await sql`release savepoint ${savepoint}`.execute(db);
    throw err;
  }
  await sql`release savepoint ${savepoint}`.execute(db);
  return result;
}

/** Whether an update or delete touched any row. */
export const changed = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }) =>
  (result.numUpdatedRows ?? result.numDeletedRows ?? 0n) > 0n;

/**
 * Queries of the hot paths (detokenize, insert), built and compiled by Kysely once per shape and then
 * run with fresh parameters. Building a query (immutable nodes) and compiling it to SQL cost more than
 * the database's own work for a primary-key lookup (bench/data-api); the SQL text of a shape never
 * changes, only its parameters do.
 *
 * `shape` names the query and everything that changes its SQL text (e.g. the length of an IN list);
 * `parameters` are its values in the order they appear in the SQL. That order is checked against
 * Kysely's own when a shape is first compiled, so a caller that lists them wrongly fails at once.
 */
/** Most hot statements given a name (and so prepared once per PostgreSQL connection); later ones run unnamed. */
const MAX_NAMED_STATEMENTS = 200;
const statementNames = new Map<string, string>();

/**
 * The name under which the PostgreSQL store prepares `sql` on each connection, if it is a hot statement.
 * Unnamed statements are parsed and planned by the server on every execution; a named one once per
 * connection, which halves the round trip of a primary-key lookup (bench/data-api).
 */
export function hotStatementName(sql: string): string | undefined {
  return statementNames.get(sql);
}

export class HotQueries {
  private readonly compiled = new Map<string, CompiledQuery>();

  constructor(private readonly db: Db) {}

  async rows<R>(shape: string, parameters: readonly unknown[], build: () => Compilable<R>): Promise<R[]> {
    let query = this.compiled.get(shape) as CompiledQuery<R> | undefined;
    if (query === undefined) {
      query = build().compile();
      const same =
        query.parameters.length === parameters.length && query.parameters.every((p, i) => p === parameters[i]);
      if (!same) throw new Error(`hot query ${shape}: parameters not in the order of its SQL`);
      this.compiled.set(shape, query);
      if (!statementNames.has(query.sql) && statementNames.size < MAX_NAMED_STATEMENTS) {
        statementNames.set(query.sql, `sr_hot_${statementNames.size + 1}`);
      }
    }
    const result = await this.db.executeQuery<R>({ ...query, parameters });
    return result.rows;
  }
}
