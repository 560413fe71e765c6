import { type Selectable, sql } from 'kysely';
import type { Database } from './database.js';
import { atomically, changed, type Db, HotQueries, translateUnique } from './sql-helpers.js';
import { TokenValueBatcher } from './token-value-batcher.js';
import type {
  CellRow,
  FileRepository,
  FileRow,
  KeyRotationRepository,
  KeyRotationRow,
  NewRecord,
  RecordRepository,
  StoredCell,
  TokenRepository,
  TokenRow,
  TokenValueRow,
  TokenValues,
} from './types.js';

/** Statements take lists in chunks of this size, well under both dialects' parameter limits. */
const CHUNK = 500;

/**
 * Token lookups by hash take their IN lists in chunks of this size. On PostgreSQL, before a table has
 * statistics (right after a bulk load, or with autovacuum off), the planner estimates a long IN list as
 * matching a large part of the vault and reads all of the vault's tokens through the (vault, key version)
 * index instead of looking each one up by primary key: measured at 45 ms for 500 hashes among 300,000
 * tokens, against 0.5 ms for 100. Up to about a hundred, it keeps to the primary key.
 */
const TOKEN_CHUNK = 100;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function cellValues(vaultId: string, table: string, recordId: string, cell: StoredCell) {
  return {
    vault_id: vaultId,
    table_name: table,
    record_id: recordId,
    column_name: cell.column,
    value: cell.value,
    key_version: cell.keyVersion,
    lookup_index: cell.lookupIndex,
    unique_index: cell.uniqueIndex,
    token_hash: cell.tokenHash ?? null,
    expires_at: cell.expiresAt ?? null,
  };
}

function toCell(row: Selectable<Database['record_values']>): CellRow {
  return {
    recordId: row.record_id,
    column: row.column_name,
    value: Buffer.from(row.value),
    keyVersion: row.key_version,
    tokenHash: row.token_hash === null ? null : Buffer.from(row.token_hash),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  };
}

export function recordRepository(db: Db): RecordRepository {
  const insertCells = async (db: Db, vaultId: string, table: string, records: readonly NewRecord[]) => {
    const rows = records.flatMap((r) => r.cells.map((cell) => cellValues(vaultId, table, r.id, cell)));
    for (const part of chunks(rows, 200)) await db.insertInto('record_values').values(part).execute();
  };
  return {
    async insert(vaultId, table, record) {
      await translateUnique(
        atomically(db, async (db) => {
          await db
            .insertInto('records')
            .values({
              vault_id: vaultId,
              table_name: table,
              id: record.id,
              created_at: record.createdAt,
              updated_at: record.createdAt,
            })
            .execute();
          await insertCells(db, vaultId, table, [record]);
        }),
      );
    },
    async insertMany(vaultId, table, records) {
      if (records.length === 0) return;
      await translateUnique(
        atomically(db, async (db) => {
          for (const part of chunks(records)) {
            await db
              .insertInto('records')
              .values(
                part.map((r) => ({
                  vault_id: vaultId,
                  table_name: table,
                  id: r.id,
                  created_at: r.createdAt,
                  updated_at: r.createdAt,
                })),
              )
              .execute();
          }
          await insertCells(db, vaultId, table, records);
        }),
      );
    },
    async findByUniqueIndex(vaultId, table, column, uniqueIndex) {
      const row = await db
        .selectFrom('record_values')
        .select('record_id')
        .where('vault_id', '=', vaultId)
        .where('table_name', '=', table)
        .where('column_name', '=', column)
        .where('unique_index', '=', uniqueIndex)
        .executeTakeFirst();
      return row?.record_id;
    },
    async idsByLookup(vaultId, table, column, lookupIndexes) {
      const out: { recordId: string; lookupIndex: Buffer }[] = [];
      for (const part of chunks(lookupIndexes)) {
        const rows = await db
          .selectFrom('record_values')
          .select(['record_id', 'lookup_index'])
          .where('vault_id', '=', vaultId)
          .where('table_name', '=', table)
          .where('column_name', '=', column)
          .where('lookup_index', 'in', part)
          .orderBy('record_id')
          .execute();
        for (const row of rows) {
          if (row.lookup_index) out.push({ recordId: row.record_id, lookupIndex: Buffer.from(row.lookup_index) });
        }
      }
      return out;
    },
    async existing(vaultId, table, ids) {
      const found = new Set<string>();
      for (const part of chunks(ids)) {
        const rows = await db
          .selectFrom('records')
          .select('id')
          .where('vault_id', '=', vaultId)
          .where('table_name', '=', table)
          .where('id', 'in', part)
          .execute();
        for (const row of rows) found.add(row.id);
      }
      return found;
    },
    async listIds(vaultId, table, page) {
      const rows = await db
        .selectFrom('records')
        .select('id')
        .where('vault_id', '=', vaultId)
        .where('table_name', '=', table)
        .orderBy('id', page.descending ? 'desc' : 'asc')
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      return rows.map((r) => r.id);
    },
    async idsAfter(vaultId, table, after, limit) {
      let query = db.selectFrom('records').select('id').where('vault_id', '=', vaultId).where('table_name', '=', table);
      if (after !== undefined) query = query.where('id', '>', after);
      const rows = await query.orderBy('id').limit(limit).execute();
      return rows.map((r) => r.id);
    },
    async cells(vaultId, table, ids, columns) {
      const out: CellRow[] = [];
      for (const part of chunks(ids)) {
        let query = db
          .selectFrom('record_values')
          .selectAll()
          .where('vault_id', '=', vaultId)
          .where('table_name', '=', table)
          .where('record_id', 'in', part);
        if (columns !== undefined) {
          if (columns.length === 0) continue;
          query = query.where('column_name', 'in', columns);
        }
        for (const row of await query.execute()) out.push(toCell(row));
      }
      return out;
    },
    async putCells(vaultId, table, recordId, cells, updatedAt) {
      await translateUnique(
        atomically(db, async (db) => {
          if (cells.length > 0) {
            await db
              .deleteFrom('record_values')
              .where('vault_id', '=', vaultId)
              .where('table_name', '=', table)
              .where('record_id', '=', recordId)
              .where(
                'column_name',
                'in',
                cells.map((c) => c.column),
              )
              .execute();
            await db
              .insertInto('record_values')
              .values(cells.map((cell) => cellValues(vaultId, table, recordId, cell)))
              .execute();
          }
          await db
            .updateTable('records')
            .set({ updated_at: updatedAt })
            .where('vault_id', '=', vaultId)
            .where('table_name', '=', table)
            .where('id', '=', recordId)
            .execute();
        }),
      );
    },
    async deleteCells(vaultId, table, recordId, columns) {
      if (columns.length === 0) return;
      await db
        .deleteFrom('record_values')
        .where('vault_id', '=', vaultId)
        .where('table_name', '=', table)
        .where('record_id', '=', recordId)
        .where('column_name', 'in', columns)
        .execute();
    },
    async delete(vaultId, table, ids) {
      const deleted: string[] = [];
      await atomically(db, async (db) => {
        for (const part of chunks(ids)) {
          const rows = await db
            .selectFrom('records')
            .select('id')
            .where('vault_id', '=', vaultId)
            .where('table_name', '=', table)
            .where('id', 'in', part)
            .execute();
          if (rows.length === 0) continue;
          const present = rows.map((r) => r.id);
          await db
            .deleteFrom('record_values')
            .where('vault_id', '=', vaultId)
            .where('table_name', '=', table)
            .where('record_id', 'in', present)
            .execute();
          await db
            .deleteFrom('files')
            .where('vault_id', '=', vaultId)
            .where('table_name', '=', table)
            .where('record_id', 'in', present)
            .execute();
          await db
            .deleteFrom('records')
            .where('vault_id', '=', vaultId)
            .where('table_name', '=', table)
            .where('id', 'in', present)
            .execute();
          deleted.push(...present);
        }
      });
      const order = new Map(ids.map((id, i) => [id, i]));
      return deleted.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    },
    async deleteAll(vaultId, table) {
      return atomically(db, async (db) => {
        await db.deleteFrom('record_values').where('vault_id', '=', vaultId).where('table_name', '=', table).execute();
        await db.deleteFrom('files').where('vault_id', '=', vaultId).where('table_name', '=', table).execute();
        const result = await db
          .deleteFrom('records')
          .where('vault_id', '=', vaultId)
          .where('table_name', '=', table)
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      });
    },
    async recordsOfTokens(vaultId, tokenHashes) {
      const out: { tokenHash: Buffer; table: string; recordId: string }[] = [];
      for (const part of chunks(tokenHashes, TOKEN_CHUNK)) {
        const rows = await db
          .selectFrom('record_values')
          .select(['token_hash', 'table_name', 'record_id'])
          .where('vault_id', '=', vaultId)
          .where('token_hash', 'in', part)
          .execute();
        for (const r of rows) {
          out.push({ tokenHash: Buffer.from(r.token_hash as Buffer), table: r.table_name, recordId: r.record_id });
        }
      }
      return out;
    },
    async tokenHashes(vaultId, table, ids) {
      const collect = async (part?: readonly string[]) => {
        let query = db
          .selectFrom('record_values')
          .select('token_hash')
          .where('vault_id', '=', vaultId)
          .where('table_name', '=', table)
          .where('token_hash', 'is not', null);
        if (part) query = query.where('record_id', 'in', part);
        return (await query.execute()).map((r) => Buffer.from(r.token_hash as Buffer));
      };
      if (ids === undefined) return collect();
      const out: Buffer[] = [];
      for (const part of chunks(ids)) out.push(...(await collect(part)));
      return out;
    },
    async hasData(vaultId, table, column) {
      let query = db
        .selectFrom('record_values')
        .select('record_id')
        .where('vault_id', '=', vaultId)
        .where('table_name', '=', table);
      if (column !== undefined) query = query.where('column_name', '=', column);
      if (await query.limit(1).executeTakeFirst()) return true;
      if (column !== undefined) {
        const file = await db
          .selectFrom('files')
          .select('record_id')
          .where('vault_id', '=', vaultId)
          .where('table_name', '=', table)
          .where('column_name', '=', column)
          .limit(1)
          .executeTakeFirst();
        return file !== undefined;
      }
      const record = await db
        .selectFrom('records')
        .select('id')
        .where('vault_id', '=', vaultId)
        .where('table_name', '=', table)
        .limit(1)
        .executeTakeFirst();
      return record !== undefined;
    },
    async deleteForVault(vaultId) {
      await atomically(db, async (db) => {
        await db.deleteFrom('tokens').where('vault_id', '=', vaultId).execute();
        await db.deleteFrom('files').where('vault_id', '=', vaultId).execute();
        await db.deleteFrom('record_values').where('vault_id', '=', vaultId).execute();
        await db.deleteFrom('records').where('vault_id', '=', vaultId).execute();
        await db.deleteFrom('key_rotations').where('vault_id', '=', vaultId).execute();
      });
    },
    async cellsBelowKeyVersion(vaultId, version, limit) {
      const rows = await db
        .selectFrom('record_values')
        .select(['table_name', 'record_id', 'column_name', 'value', 'key_version'])
        .where('vault_id', '=', vaultId)
        .where('key_version', '<', version)
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        table: r.table_name,
        recordId: r.record_id,
        column: r.column_name,
        value: Buffer.from(r.value),
        keyVersion: r.key_version,
      }));
    },
    async countBelowKeyVersion(vaultId, version) {
      const row = await db
        .selectFrom('record_values')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('vault_id', '=', vaultId)
        .where('key_version', '<', version)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async resealCell(vaultId, cell, value, keyVersion) {
      const result = await db
        .updateTable('record_values')
        .set({ value, key_version: keyVersion })
        .where('vault_id', '=', vaultId)
        .where('table_name', '=', cell.table)
        .where('record_id', '=', cell.recordId)
        .where('column_name', '=', cell.column)
        .where('key_version', '=', cell.keyVersion)
        .where('value', '=', cell.value)
        .executeTakeFirst();
      return changed(result);
    },
    async deleteExpiredCells(now) {
      const result = await db
        .deleteFrom('record_values')
        .where('expires_at', 'is not', null)
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

/**
 * A BLOB/BYTEA column as a Buffer. Both drivers already return a fresh Buffer per row, owned by the
 * caller: copying it again (one copy per column per token, on every detokenize) buys nothing.
 */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
}

function toToken(row: Selectable<Database['tokens']>): TokenRow {
  return {
    vaultId: row.vault_id,
    tokenHash: asBuffer(row.token_hash),
    token: asBuffer(row.token),
    value: asBuffer(row.value),
    groupName: row.group_name,
    valueIndex: row.value_index === null ? null : asBuffer(row.value_index),
    table: row.table_name,
    column: row.column_name,
    keyVersion: row.key_version,
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    createdAt: Number(row.created_at),
  };
}

/**
 * `rowLocks`: whether the dialect has row locks (PostgreSQL). Writers there run concurrently, so a token
 * row that one transaction reuses for a new cell must not be deleted by another that saw no committed
 * cell referring to it. The reuser takes a share lock on the row, the deleter an update lock before it
 * re-checks the references in a statement of its own (a fresh snapshot under READ COMMITTED), so either
 * the deleter sees the new cell or the reuser sees the row gone and writes a new one. SQLite serialises
 * writers, which gives the same guarantee without locks.
 */
export function tokenRepository(db: Db, rowLocks = false): TokenRepository {
  const hot = new HotQueries(db);
  async function readValues(vaultId: string, tokenHashes: readonly Buffer[]): Promise<TokenValues> {
    // The vault's row joined to its tokens: one round trip tells whether the vault (still) exists, which
    // version of it, and reads the tokens. No token found still gives the vault's row (with nulls).
    let vaultVersion: number | undefined;
    const rows: TokenValueRow[] = [];
    for (const part of tokenHashes.length > 0 ? chunks(tokenHashes, TOKEN_CHUNK) : [[]]) {
      const found = await hot.rows(`tokens.getValues:${part.length}`, [...part, vaultId], () =>
        db
          .selectFrom('vaults as v')
          .leftJoin('tokens as t', (join) =>
            part.length > 0
              ? join.onRef('t.vault_id', '=', 'v.id').on('t.token_hash', 'in', part)
              : join.onRef('t.vault_id', '=', 'v.id').on(sql<boolean>`false`),
          )
          .select(['v.updated_at', 't.token_hash', 't.value', 't.table_name', 't.column_name', 't.expires_at'])
          .where('v.id', '=', vaultId),
      );
      if (found.length === 0) return { vaultVersion: undefined, rows: [] };
      vaultVersion ??= Number((found[0] as (typeof found)[number]).updated_at);
      for (const row of found) {
        if (row.token_hash === null || row.value === null) continue;
        rows.push({
          tokenHash: asBuffer(row.token_hash),
          value: asBuffer(row.value),
          table: row.table_name as string,
          column: row.column_name as string,
          expiresAt: row.expires_at === null ? null : Number(row.expires_at),
        });
      }
    }
    return { vaultVersion, rows };
  }
  // Outside transactions, the reads of concurrent requests share one statement: one round trip on
  // PostgreSQL, one read transaction (and its file locks) on SQLite.
  const batcher = db.isTransaction ? undefined : new TokenValueBatcher(readValues);
  return {
    async insertMany(rows) {
      if (rows.length === 0) return;
      await translateUnique(
        atomically(db, async (db) => {
          for (const part of chunks(rows, 200)) {
            await db
              .insertInto('tokens')
              .values(
                part.map((r) => ({
                  vault_id: r.vaultId,
                  token_hash: r.tokenHash,
                  token: r.token,
                  value: r.value,
                  group_name: r.groupName,
                  value_index: r.valueIndex,
                  table_name: r.table,
                  column_name: r.column,
                  key_version: r.keyVersion,
                  expires_at: r.expiresAt,
                  created_at: r.createdAt,
                })),
              )
              .execute();
          }
        }),
      );
    },
    async get(vaultId, tokenHash) {
      const [row] = await hot.rows('tokens.get', [vaultId, tokenHash], () =>
        db.selectFrom('tokens').selectAll().where('vault_id', '=', vaultId).where('token_hash', '=', tokenHash),
      );
      return row && toToken(row);
    },
    async getMany(vaultId, tokenHashes) {
      const out: TokenRow[] = [];
      for (const part of chunks(tokenHashes, TOKEN_CHUNK)) {
        const rows = await hot.rows(`tokens.getMany:${part.length}`, [vaultId, ...part], () =>
          db.selectFrom('tokens').selectAll().where('vault_id', '=', vaultId).where('token_hash', 'in', part),
        );
        for (const row of rows) out.push(toToken(row));
      }
      return out;
    },
    getValues(vaultId, tokenHashes) {
      return batcher ? batcher.get(vaultId, tokenHashes) : readValues(vaultId, tokenHashes);
    },
    async findByValueIndex(vaultId, groupName, valueIndexes) {
      const out: TokenRow[] = [];
      for (const part of chunks(valueIndexes)) {
        const rows = await db
          .selectFrom('tokens')
          .selectAll()
          .where('vault_id', '=', vaultId)
          .where('group_name', '=', groupName)
          .where('value_index', 'in', part)
          .$if(rowLocks && db.isTransaction, (q) => q.orderBy('token_hash').forShare())
          .execute();
        out.push(...rows.map(toToken));
      }
      return out;
    },
    async deleteUnreferenced(vaultId, tokenHashes) {
      let deleted = 0;
      const sorted = [...tokenHashes].sort(Buffer.compare);
      for (const part of chunks(sorted)) {
        if (rowLocks && db.isTransaction) {
          // Same order everywhere, so two deleters cannot deadlock on each other's rows.
          await db
            .selectFrom('tokens')
            .select('token_hash')
            .where('vault_id', '=', vaultId)
            .where('token_hash', 'in', part)
            .orderBy('token_hash')
            .forUpdate()
            .execute();
        }
        const result = await db
          .deleteFrom('tokens')
          .where('vault_id', '=', vaultId)
          .where('token_hash', 'in', part)
          .where((eb) =>
            eb.not(
              eb.exists(
                eb
                  .selectFrom('record_values')
                  .select('record_values.record_id')
                  .whereRef('record_values.vault_id', '=', 'tokens.vault_id')
                  .whereRef('record_values.token_hash', '=', 'tokens.token_hash'),
              ),
            ),
          )
          .executeTakeFirst();
        deleted += Number(result.numDeletedRows);
      }
      return deleted;
    },
    async deleteExpired(now) {
      const result = await db
        .deleteFrom('tokens')
        .where('expires_at', 'is not', null)
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async belowKeyVersion(vaultId, version, limit) {
      const rows = await db
        .selectFrom('tokens')
        .selectAll()
        .where('vault_id', '=', vaultId)
        .where('key_version', '<', version)
        .limit(limit)
        .execute();
      return rows.map(toToken);
    },
    async countBelowKeyVersion(vaultId, version) {
      const row = await db
        .selectFrom('tokens')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('vault_id', '=', vaultId)
        .where('key_version', '<', version)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async reseal(row, token, value, keyVersion) {
      const result = await db
        .updateTable('tokens')
        .set({ token, value, key_version: keyVersion })
        .where('vault_id', '=', row.vaultId)
        .where('token_hash', '=', row.tokenHash)
        .where('key_version', '=', row.keyVersion)
        .executeTakeFirst();
      return changed(result);
    },
  };
}

function toFile(row: Selectable<Database['files']>): FileRow {
  return {
    vaultId: row.vault_id,
    table: row.table_name,
    recordId: row.record_id,
    column: row.column_name,
    content: Buffer.from(row.content),
    keyVersion: row.key_version,
    createdAt: Number(row.created_at),
  };
}

export function fileRepository(db: Db): FileRepository {
  return {
    async put(row) {
      await atomically(db, async (db) => {
        await db
          .deleteFrom('files')
          .where('vault_id', '=', row.vaultId)
          .where('table_name', '=', row.table)
          .where('record_id', '=', row.recordId)
          .where('column_name', '=', row.column)
          .execute();
        await db
          .insertInto('files')
          .values({
            vault_id: row.vaultId,
            table_name: row.table,
            record_id: row.recordId,
            column_name: row.column,
            content: row.content,
            key_version: row.keyVersion,
            created_at: row.createdAt,
          })
          .execute();
      });
    },
    async get(vaultId, table, recordId, column) {
      const row = await db
        .selectFrom('files')
        .selectAll()
        .where('vault_id', '=', vaultId)
        .where('table_name', '=', table)
        .where('record_id', '=', recordId)
        .where('column_name', '=', column)
        .executeTakeFirst();
      return row && toFile(row);
    },
    async delete(vaultId, table, recordId, column) {
      const result = await db
        .deleteFrom('files')
        .where('vault_id', '=', vaultId)
        .where('table_name', '=', table)
        .where('record_id', '=', recordId)
        .where('column_name', '=', column)
        .executeTakeFirst();
      return changed(result);
    },
    async belowKeyVersion(vaultId, version, limit) {
      const rows = await db
        .selectFrom('files')
        .selectAll()
        .where('vault_id', '=', vaultId)
        .where('key_version', '<', version)
        .limit(limit)
        .execute();
      return rows.map(toFile);
    },
    async countBelowKeyVersion(vaultId, version) {
      const row = await db
        .selectFrom('files')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('vault_id', '=', vaultId)
        .where('key_version', '<', version)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async reseal(row, content, keyVersion) {
      const result = await db
        .updateTable('files')
        .set({ content, key_version: keyVersion })
        .where('vault_id', '=', row.vaultId)
        .where('table_name', '=', row.table)
        .where('record_id', '=', row.recordId)
        .where('column_name', '=', row.column)
        .where('key_version', '=', row.keyVersion)
        .executeTakeFirst();
      return changed(result);
    },
  };
}

function toRotation(row: Selectable<Database['key_rotations']>): KeyRotationRow {
  return {
    vaultId: row.vault_id,
    toVersion: row.to_version,
    status: row.status as KeyRotationRow['status'],
    total: row.total,
    done: row.done,
    startedAt: Number(row.started_at),
    updatedAt: Number(row.updated_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

export function keyRotationRepository(db: Db): KeyRotationRepository {
  return {
    async insert(row) {
      await translateUnique(
        db
          .insertInto('key_rotations')
          .values({
            vault_id: row.vaultId,
            to_version: row.toVersion,
            status: row.status,
            total: row.total,
            done: row.done,
            started_at: row.startedAt,
            updated_at: row.updatedAt,
            finished_at: row.finishedAt,
          })
          .execute(),
      );
    },
    async latest(vaultId) {
      const row = await db
        .selectFrom('key_rotations')
        .selectAll()
        .where('vault_id', '=', vaultId)
        .orderBy('to_version', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && toRotation(row);
    },
    async running() {
      const rows = await db.selectFrom('key_rotations').selectAll().where('status', '=', 'RUNNING').execute();
      return rows.map(toRotation);
    },
    async update(vaultId, toVersion, patch) {
      await db
        .updateTable('key_rotations')
        .set({
          ...(patch.status !== undefined && { status: patch.status }),
          ...(patch.total !== undefined && { total: patch.total }),
          ...(patch.done !== undefined && { done: patch.done }),
          ...(patch.finishedAt !== undefined && { finished_at: patch.finishedAt }),
          updated_at: patch.updatedAt,
        })
        .where('vault_id', '=', vaultId)
        .where('to_version', '=', toVersion)
        .execute();
    },
  };
}
