import { access, vaultResource } from '../../access/access-control.js';
import type { Principal } from '../../auth/principal.js';
import type { Keyring, VaultKeys } from '../../crypto/keyring.js';
import { badRequest, notFound } from '../../errors.js';
import { newUuid } from '../../ids.js';
import { type NewRecord, type Store, type StoredCell, UniqueViolationError } from '../../store/types.js';
import type { ColumnSpec, TableSpec } from '../schema/model.js';
import type { VaultService } from '../vault-service.js';
import { type CanonicalValue, canonicalValue, indexBytes, valueBytes } from './values.js';

export const MAX_RECORDS_PER_REQUEST = 25;

export interface InsertRequest {
  readonly records: readonly {
    readonly fields: Record<string, unknown>;
    readonly tokens?: Record<string, unknown> | undefined;
  }[];
  readonly tokenization?: boolean | undefined;
  readonly upsert?: string | undefined;
  readonly homogeneous?: boolean | undefined;
  readonly byot?: string | undefined;
}

export interface InsertResponse {
  readonly records: { readonly skyflow_id: string }[];
}

/** True for columns whose values get a blind index for equality lookups. */
export function hasLookupIndex(column: ColumnSpec): boolean {
  return column.unique || column.operations.includes('EXACT_MATCH') || column.operations.includes('ALL_OP');
}

/** Records of a vault: validation, encryption and storage. */
export class RecordService {
  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    private readonly vaults: VaultService,
  ) {}

  async insert(
    principal: Principal,
    vaultId: string,
    tableName: string,
    request: InsertRequest,
  ): Promise<InsertResponse> {
    access.require(principal, 'records.create', vaultResource(vaultId));
    const { model } = await this.vaults.open(vaultId);
    const table = model.tablesByName.get(tableName);
    if (!table) throw notFound(`Table ${tableName} wasn't found in vault ${vaultId}.`);
    if (request.records.length === 0) throw badRequest('records must hold at least one record.');
    if (request.records.length > MAX_RECORDS_PER_REQUEST) {
      throw badRequest(`At most ${MAX_RECORDS_PER_REQUEST} records per request.`);
    }
    if (request.tokenization || request.upsert || (request.byot && request.byot !== 'DISABLE')) {
      throw badRequest('tokenization, upsert and byot are not available in this version of Strongroom.');
    }
    if (request.records.some((r) => r.tokens && Object.keys(r.tokens).length > 0)) {
      throw badRequest('tokens may only be given with byot ENABLE or ENABLE_STRICT.');
    }
    if (request.homogeneous) assertHomogeneous(request.records.map((r) => r.fields));

    const keys = await this.keyring.vault(vaultId, this.store);
    const now = Date.now();
    const records = request.records.map((record) => buildRecord(keys, table, record.fields, now));
    assertUniqueWithinRequest(table, records);
    await this.store.transaction(async (tx) => {
      for (const record of records) {
        for (const cell of record.cells) {
          if (
            cell.uniqueIndex &&
            (await tx.records.findByUniqueIndex(vaultId, table.name, cell.column, cell.uniqueIndex))
          ) {
            throw duplicate(table.name, cell.column);
          }
        }
        try {
          await tx.records.insert(vaultId, table.name, record);
        } catch (err) {
          if (err instanceof UniqueViolationError) throw duplicate(table.name);
          throw err;
        }
      }
    });
    return { records: records.map((r) => ({ skyflow_id: r.id })) };
  }
}

function duplicate(table: string, column?: string) {
  return badRequest(
    column
      ? `Insert failed: a record with this value of unique column "${table}.${column}" already exists.`
      : `Insert failed: a value of a unique column of table "${table}" already exists.`,
  );
}

function buildRecord(keys: VaultKeys, table: TableSpec, fields: Record<string, unknown>, now: number): NewRecord {
  const id = newUuid();
  const cells: StoredCell[] = [];
  for (const [name, raw] of Object.entries(fields)) {
    const column = table.columnsByName.get(name);
    if (!column) throw badRequest(`Column "${name}" doesn't exist in table "${table.name}".`);
    if (column.system) throw badRequest(`Column "${name}" is set by the vault and cannot be written.`);
    if (raw === null || raw === undefined) continue;
    const value: CanonicalValue = canonicalValue(table.name, column, raw);
    cells.push(sealCell(keys, table.name, id, column, value));
  }
  for (const column of table.columns) {
    if (column.notNull && !column.system && !cells.some((c) => c.column === column.name)) {
      throw badRequest(`Column "${table.name}.${column.name}" requires a value.`);
    }
  }
  return { id, createdAt: now, cells };
}

/** Encrypts one value for its cell and computes its blind indexes. */
export function sealCell(
  keys: VaultKeys,
  table: string,
  record: string,
  column: ColumnSpec,
  value: CanonicalValue,
): StoredCell {
  const index = hasLookupIndex(column) ? keys.blindIndex(table, column.name, indexBytes(value)) : null;
  return {
    column: column.name,
    value: keys.encrypt({ table, column: column.name, record }, valueBytes(value)),
    keyVersion: keys.activeVersion,
    lookupIndex: index,
    uniqueIndex: column.unique ? index : null,
  };
}

function assertHomogeneous(records: readonly Record<string, unknown>[]): void {
  const first = Object.keys(records[0] ?? {})
    .sort()
    .join(',');
  if (records.some((fields) => Object.keys(fields).sort().join(',') !== first)) {
    throw badRequest('homogeneous is set, but the records do not all have the same fields.');
  }
}

function assertUniqueWithinRequest(table: TableSpec, records: readonly NewRecord[]): void {
  const seen = new Set<string>();
  for (const record of records) {
    for (const cell of record.cells) {
      if (!cell.uniqueIndex) continue;
      const key = `${cell.column}:${cell.uniqueIndex.toString('base64')}`;
      if (seen.has(key)) {
        throw badRequest(
          `Insert failed: two records in the request share a value of unique column "${table.name}.${cell.column}".`,
        );
      }
      seen.add(key);
    }
  }
}
