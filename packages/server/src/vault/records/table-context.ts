import type { VaultKeys } from '../../crypto/keyring.js';
import type { ColumnSpec, TableSpec, VaultSchemaModel } from '../schema/model.js';

/** What every data-plane operation on one table needs: the vault's keys and the table's schema. */
export interface TableContext {
  readonly vaultId: string;
  readonly keys: VaultKeys;
  readonly model: VaultSchemaModel;
  readonly table: TableSpec;
}

/**
 * The group a column's tokens live in: its column group, or the column itself. Deterministic tokens are
 * unique per value within a group, so columns of one group share tokens for equal values.
 */
export function tokenGroupOf(table: string, column: ColumnSpec): string {
  return column.columnGroup ?? `${table}.${column.name}`;
}

/** Context that binds a sealed token to its row (so a sealed token cannot be moved to another row). */
export const tokenContext = (tokenHash: Buffer): string[] => ['token', tokenHash.toString('hex')];
export const tokenValueContext = (tokenHash: Buffer): string[] => ['token-value', tokenHash.toString('hex')];
