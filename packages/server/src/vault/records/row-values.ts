import type { VaultKeys } from '../../crypto/keyring.js';
import type { Repositories } from '../../store/types.js';
import { valueFromBytes } from './values.js';

/** Decrypted values of some columns of some records: what a policy's row filter reads. */
export type RowValues = Map<string, Record<string, unknown>>;

/**
 * Loads and decrypts `columns` of the given records of one table, for row filters. A record without a
 * value in a column (or whose value expired) has the column absent, so a condition reading it fails to
 * evaluate — a deny, never a grant on a guess.
 */
export async function loadRowValues(
  repos: Pick<Repositories, 'records'>,
  keys: VaultKeys,
  vaultId: string,
  table: string,
  ids: readonly string[],
  columns: readonly string[],
  now: number,
): Promise<RowValues> {
  const out: RowValues = new Map(ids.map((id) => [id, {}]));
  if (ids.length === 0 || columns.length === 0) return out;
  for (const cell of await repos.records.cells(vaultId, table, ids, columns)) {
    if (cell.expiresAt !== null && cell.expiresAt <= now) continue;
    const row = out.get(cell.recordId);
    if (!row) continue;
    row[cell.column] = valueFromBytes(keys.decrypt({ table, column: cell.column, record: cell.recordId }, cell.value));
  }
  return out;
}
