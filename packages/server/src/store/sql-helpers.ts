import { type Kysely, sql } from 'kysely';
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
