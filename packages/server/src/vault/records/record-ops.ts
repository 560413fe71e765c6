import { badRequest, notFound } from '../../errors.js';
import { newUuid } from '../../ids.js';
import {
  type CellRow,
  type NewRecord,
  type Repositories,
  type StoredCell,
  UniqueViolationError,
} from '../../store/types.js';
import {
  type AppliedRedaction,
  applyRedaction,
  effectiveRedaction,
  REDACTED_TEXT,
  type RedactionLevel,
} from '../redaction/index.js';
import type { ColumnSpec } from '../schema/model.js';
import { type FileMetadata, isFileMetadata, publicMetadata } from './file-service.js';
import { type TableContext, tokenContext } from './table-context.js';
import { type AssignedToken, assignTokens, type TokenRequest } from './token-assigner.js';
import { type CanonicalValue, canonicalValue, indexBytes, valueBytes, valueFromBytes } from './values.js';

export const MAX_RECORDS_PER_REQUEST = 25;

export type Byot = 'DISABLE' | 'ENABLE' | 'ENABLE_STRICT';

/** One record as a client writes it: values, and optionally its own tokens (byot). */
export interface WriteInput {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly tokens?: Readonly<Record<string, unknown>> | undefined;
}

export interface WriteOptions {
  /** Return the tokens of the tokenized columns written. */
  readonly tokenization: boolean;
  readonly byot: Byot;
}

export interface WriteResult {
  readonly skyflow_id: string;
  readonly tokens?: Record<string, string>;
}

export interface ReadOptions {
  /** Columns to return (all when absent); `skyflow_id` is always returned. */
  readonly columns?: readonly string[] | undefined;
  readonly redaction: RedactionLevel;
  /** Return tokens instead of values for tokenized columns. */
  readonly tokenization: boolean;
  /** File columns: a signed download URL instead of the file name (when the caller may see it). */
  readonly downloadURL?: boolean | undefined;
  /** File columns: add `fileMetadata` (name, size, type) for files the caller may see. */
  readonly returnFileMetadata?: boolean | undefined;
  /**
   * What the caller may see of each record, from the access policies: per column, the redaction cap.
   * A column absent from the map is left out; `undefined` leaves the whole record out. Absent: everything,
   * uncapped.
   */
  readonly caps?: ((recordId: string) => ReadonlyMap<string, AppliedRedaction> | undefined) | undefined;
  /** Signs download URLs (required for `downloadURL`). */
  readonly fileUrl?:
    | ((vaultId: string, table: string, column: string, record: string, meta: FileMetadata) => string)
    | undefined;
}

export interface RecordView {
  readonly fields: Record<string, unknown>;
  readonly fileMetadata?: Record<string, { fileName: string; fileSizeKB: number; fileType: string }>;
}

/** True for columns whose values get a blind index for equality lookups. */
export function hasLookupIndex(column: ColumnSpec): boolean {
  return column.unique || column.operations.includes('EXACT_MATCH') || column.operations.includes('ALL_OP');
}

interface Prepared {
  /** Values to write, in field order; `null` clears the column (update) or is skipped (insert). */
  readonly values: ReadonlyMap<string, CanonicalValue | null>;
  readonly supplied: ReadonlyMap<string, string>;
}

interface Built {
  readonly cells: StoredCell[];
  readonly cleared: string[];
  readonly tokens: Record<string, string>;
}

/**
 * The record operations every data path shares (insert, upsert, update, delete, read), working inside
 * a caller's transaction on one table. Access checks and response shapes belong to the callers.
 */
export class RecordOps {
  constructor(private readonly now: () => number = Date.now) {}

  /** Inserts records, or with `upsert` updates the record holding the same unique value. */
  async insert(
    tx: Repositories,
    ctx: TableContext,
    inputs: readonly WriteInput[],
    options: WriteOptions & { upsert?: string | undefined },
  ): Promise<WriteResult[]> {
    const { table } = ctx;
    const upsertColumn = options.upsert === undefined ? undefined : table.columnsByName.get(options.upsert);
    if (options.upsert !== undefined && (!upsertColumn?.unique || upsertColumn.system)) {
      throw badRequest(
        `upsert must name a unique column of table "${table.name}"; "${clip(options.upsert)}" is not one.`,
      );
    }
    const prepared = inputs.map((input) => this.prepare(ctx, input, options));
    // Upsert: which records already hold each upsert value.
    const targets: (string | undefined)[] = new Array(inputs.length).fill(undefined);
    if (upsertColumn) {
      const indexes = prepared.map((p, i) => {
        const value = p.values.get(upsertColumn.name);
        if (value === undefined || value === null) {
          throw badRequest(`Record ${i}: upsert needs a value for column "${table.name}.${upsertColumn.name}".`);
        }
        return ctx.keys.blindIndex(table.name, upsertColumn.name, indexBytes(value));
      });
      const found = await tx.records.idsByLookup(ctx.vaultId, table.name, upsertColumn.name, indexes);
      const owner = new Map(found.map((f) => [f.lookupIndex.toString('base64'), f.recordId]));
      const seen = new Set<string>();
      indexes.forEach((index, i) => {
        const key = index.toString('base64');
        if (seen.has(key)) {
          throw badRequest(`Two records of the request upsert the same "${table.name}.${upsertColumn.name}" value.`);
        }
        seen.add(key);
        targets[i] = owner.get(key);
      });
    }
    const now = this.now();
    const ids = targets.map((target) => target ?? newUuid());
    const built = await this.build(tx, ctx, ids, prepared, now, false);
    await this.assertUnique(tx, ctx, ids, built, upsertColumn?.name);

    const fresh: NewRecord[] = [];
    const replaced: Buffer[] = [];
    for (const [i, id] of ids.entries()) {
      const record = built[i] as Built;
      if (targets[i] === undefined) {
        fresh.push({ id, createdAt: now, cells: record.cells });
        continue;
      }
      replaced.push(...(await this.replaceCells(tx, ctx, id, record, now)));
    }
    await tx.records.insertMany(ctx.vaultId, table.name, fresh);
    await tx.tokens.deleteUnreferenced(ctx.vaultId, replaced);
    return ids.map((id, i) => result(id, (built[i] as Built).tokens, options.tokenization));
  }

  /** Replaces the given fields of one existing record. */
  async update(
    tx: Repositories,
    ctx: TableContext,
    id: string,
    input: WriteInput,
    options: WriteOptions,
  ): Promise<WriteResult> {
    const { table } = ctx;
    if ((await tx.records.existing(ctx.vaultId, table.name, [id])).size === 0) {
      throw notFound(`Record ${clip(id)} wasn't found in table "${table.name}".`);
    }
    const now = this.now();
    const [record] = await this.build(tx, ctx, [id], [this.prepare(ctx, input, options, id)], now, true);
    const built = record as Built;
    await this.assertUnique(tx, ctx, [id], [built]);
    const replaced = await this.replaceCells(tx, ctx, id, built, now);
    await tx.tokens.deleteUnreferenced(ctx.vaultId, replaced);
    return result(id, built.tokens, options.tokenization);
  }

  /** Deletes records with their cells, files and no-longer-used tokens; returns the IDs that existed. */
  async delete(tx: Repositories, ctx: TableContext, ids: readonly string[]): Promise<string[]> {
    const hashes = await tx.records.tokenHashes(ctx.vaultId, ctx.table.name, ids);
    const deleted = await tx.records.delete(ctx.vaultId, ctx.table.name, ids);
    await tx.tokens.deleteUnreferenced(ctx.vaultId, hashes);
    return deleted;
  }

  async deleteAll(tx: Repositories, ctx: TableContext): Promise<number> {
    const hashes = await tx.records.tokenHashes(ctx.vaultId, ctx.table.name);
    const count = await tx.records.deleteAll(ctx.vaultId, ctx.table.name);
    await tx.tokens.deleteUnreferenced(ctx.vaultId, hashes);
    return count;
  }

  /** Reads records (in the order of `ids`; missing records are left out), redacted or tokenized. */
  async read(
    repos: Repositories,
    ctx: TableContext,
    ids: readonly string[],
    options: ReadOptions,
  ): Promise<RecordView[]> {
    const { table } = ctx;
    const columns = options.columns?.filter((c) => c !== 'skyflow_id');
    const present = await repos.records.existing(ctx.vaultId, table.name, ids);
    const rows = await repos.records.cells(ctx.vaultId, table.name, [...present], columns);
    const now = this.now();
    const live = rows.filter((row) => row.expiresAt === null || row.expiresAt > now);
    const tokens = options.tokenization ? await this.tokensOf(repos, ctx, live) : new Map<string, string>();
    const byRecord = new Map<string, CellRow[]>();
    for (const row of live) byRecord.set(row.recordId, [...(byRecord.get(row.recordId) ?? []), row]);
    const order = columns ?? table.columns.filter((c) => !c.system).map((c) => c.name);
    const rank = new Map(order.map((name, i) => [name, i]));
    const views: RecordView[] = [];
    for (const id of ids) {
      if (!present.has(id)) continue;
      const caps = options.caps?.(id);
      if (options.caps && !caps) continue;
      const fields: Record<string, unknown> = { skyflow_id: id };
      const fileMetadata: NonNullable<RecordView['fileMetadata']> = {};
      const cells = (byRecord.get(id) ?? []).sort((a, b) => (rank.get(a.column) ?? 0) - (rank.get(b.column) ?? 0));
      for (const cell of cells) {
        const column = table.columnsByName.get(cell.column);
        if (!column) continue;
        const cap = caps?.get(column.name);
        if (caps && !cap) continue;
        if (column.datatype === 'DT_FILE_TYPE') {
          const meta = valueFromBytes(
            ctx.keys.decrypt({ table: table.name, column: column.name, record: id }, cell.value),
          );
          if (!isFileMetadata(meta)) continue;
          // A file is either shown (its name, or a download URL) or redacted; it cannot be masked.
          if (effectiveRedaction(column, options.redaction, cap) !== 'PLAIN_TEXT') {
            fields[column.name] = REDACTED_TEXT;
            continue;
          }
          fields[column.name] =
            options.downloadURL && options.fileUrl
              ? options.fileUrl(ctx.vaultId, table.name, column.name, id, meta)
              : meta.fileName;
          if (options.returnFileMetadata) fileMetadata[column.name] = publicMetadata(meta);
          continue;
        }
        const token = cell.tokenHash ? tokens.get(cell.tokenHash.toString('base64')) : undefined;
        if (options.tokenization && column.tokenPolicy && token !== undefined) {
          fields[column.name] = token;
          continue;
        }
        const value = valueFromBytes(
          ctx.keys.decrypt({ table: table.name, column: column.name, record: id }, cell.value),
        );
        fields[column.name] = applyRedaction(column, value, options.redaction, { cap });
      }
      views.push(Object.keys(fileMetadata).length > 0 ? { fields, fileMetadata } : { fields });
    }
    return views;
  }

  /** Validates one record's fields and supplied tokens against the schema and the byot mode. */
  private prepare(ctx: TableContext, input: WriteInput, options: WriteOptions, updating?: string): Prepared {
    const { table } = ctx;
    const values = new Map<string, CanonicalValue | null>();
    for (const [name, raw] of Object.entries(input.fields)) {
      const column = table.columnsByName.get(name);
      if (!column) throw badRequest(`Column "${clip(name)}" doesn't exist in table "${table.name}".`);
      if (column.system) {
        // Clients may echo the record's own ID back on update; anything else cannot be written.
        if (updating !== undefined && raw === updating) continue;
        throw badRequest(`Column "${name}" is set by the vault and cannot be written.`);
      }
      if (column.datatype === 'DT_FILE_TYPE') {
        throw badRequest(`Column "${table.name}.${name}" holds files; upload them through the files endpoints.`);
      }
      if (raw === null || raw === undefined) {
        if (column.notNull) throw badRequest(`Column "${table.name}.${name}" requires a value.`);
        values.set(name, null);
        continue;
      }
      values.set(name, canonicalValue(table.name, column, raw));
    }
    const supplied = new Map<string, string>();
    const tokens = Object.entries(input.tokens ?? {}).filter(([, t]) => t !== null && t !== undefined);
    if (tokens.length > 0 && options.byot === 'DISABLE') {
      throw badRequest('tokens were given, but byot is DISABLE; send "byot": "ENABLE" to bring your own tokens.');
    }
    for (const [name, token] of tokens) {
      const column = table.columnsByName.get(name);
      if (!column?.tokenPolicy) throw badRequest(`Column "${clip(name)}" of table "${table.name}" is not tokenized.`);
      if (!values.has(name) || values.get(name) === null) {
        throw badRequest(`A token was given for column "${table.name}.${name}" without its value.`);
      }
      if (typeof token !== 'string') throw badRequest(`The token for column "${table.name}.${name}" must be a string.`);
      supplied.set(name, token);
    }
    if (options.byot === 'ENABLE_STRICT') {
      for (const [name, value] of values) {
        if (value !== null && !supplied.has(name)) {
          throw badRequest(
            `byot is ENABLE_STRICT, so every field needs a token; column "${table.name}.${name}" has none.`,
          );
        }
      }
    }
    if (!updating) {
      for (const column of table.columns) {
        if (column.notNull && !column.system && (values.get(column.name) ?? null) === null) {
          throw badRequest(`Column "${table.name}.${column.name}" requires a value.`);
        }
      }
    }
    return { values, supplied };
  }

  /** Seals the values of several records and assigns their tokens (all token lookups batched). */
  private async build(
    tx: Repositories,
    ctx: TableContext,
    ids: readonly string[],
    prepared: readonly Prepared[],
    now: number,
    updating: boolean,
  ): Promise<Built[]> {
    const { table, keys } = ctx;
    const requests: TokenRequest[] = [];
    const owners: { record: number; column: string }[] = [];
    prepared.forEach((p, record) => {
      for (const [name, value] of p.values) {
        const column = table.columnsByName.get(name) as ColumnSpec;
        if (value === null || !column.tokenPolicy) continue;
        requests.push({ column, value, supplied: p.supplied.get(name), expiresAt: expiry(column, now) });
        owners.push({ record, column: name });
      }
    });
    const assigned: AssignedToken[] = requests.length > 0 ? await assignTokens(tx, ctx, requests, now) : [];
    const tokenOf = new Map<string, AssignedToken>();
    assigned.forEach((token, i) => {
      const owner = owners[i] as { record: number; column: string };
      tokenOf.set(`${owner.record}\u0000${owner.column}`, token);
    });
    return prepared.map((p, record) => {
      const id = ids[record] as string;
      const cells: StoredCell[] = [];
      const cleared: string[] = [];
      const tokens: Record<string, string> = {};
      for (const [name, value] of p.values) {
        if (value === null) {
          if (updating) cleared.push(name);
          continue;
        }
        const column = table.columnsByName.get(name) as ColumnSpec;
        const token = tokenOf.get(`${record}\u0000${name}`);
        const index = hasLookupIndex(column) ? keys.blindIndex(table.name, name, indexBytes(value)) : null;
        cells.push({
          column: name,
          value: keys.encrypt({ table: table.name, column: name, record: id }, valueBytes(value)),
          keyVersion: keys.activeVersion,
          lookupIndex: index,
          uniqueIndex: column.unique ? index : null,
          tokenHash: token?.tokenHash ?? null,
          expiresAt: expiry(column, now),
        });
        if (token) tokens[name] = token.token;
      }
      return { cells, cleared, tokens };
    });
  }

  /**
   * Refuses a value of a unique column that another record (or another record of the batch) holds.
   *
   * `upsert`: the column an upsert looked its records up by. A holder of one of its values that is not
   * the record that lookup found was committed by a concurrent request since (PostgreSQL, READ
   * COMMITTED): that is a lost race, not a duplicate, and the transaction is run again (it then updates
   * the record the other request made).
   */
  private async assertUnique(
    tx: Repositories,
    ctx: TableContext,
    ids: readonly string[],
    built: readonly Built[],
    upsert?: string,
  ) {
    const { table } = ctx;
    const byColumn = new Map<string, { index: Buffer; record: string }[]>();
    built.forEach((b, i) => {
      for (const cell of b.cells) {
        if (!cell.uniqueIndex) continue;
        byColumn.set(cell.column, [
          ...(byColumn.get(cell.column) ?? []),
          { index: cell.uniqueIndex, record: ids[i] as string },
        ]);
      }
    });
    for (const [column, entries] of byColumn) {
      const seen = new Map<string, string>();
      for (const { index, record } of entries) {
        const key = index.toString('base64');
        const other = seen.get(key);
        if (other !== undefined && other !== record) {
          throw badRequest(`Two records of the request share a value of unique column "${table.name}.${column}".`);
        }
        seen.set(key, record);
      }
      const holders = await tx.records.idsByLookup(
        ctx.vaultId,
        table.name,
        column,
        entries.map((e) => e.index),
      );
      for (const holder of holders) {
        if (seen.get(holder.lookupIndex.toString('base64')) !== holder.recordId) {
          if (column === upsert) throw new UniqueViolationError();
          throw badRequest(`A record with this value of unique column "${table.name}.${column}" already exists.`);
        }
      }
    }
  }

  /** Writes a record's new cells over its old ones; returns the token hashes that may now be unused. */
  private async replaceCells(
    tx: Repositories,
    ctx: TableContext,
    id: string,
    built: Built,
    now: number,
  ): Promise<Buffer[]> {
    const touched = [...built.cells.map((c) => c.column), ...built.cleared];
    const old = touched.length > 0 ? await tx.records.cells(ctx.vaultId, ctx.table.name, [id], touched) : [];
    await tx.records.putCells(ctx.vaultId, ctx.table.name, id, built.cells, now);
    await tx.records.deleteCells(ctx.vaultId, ctx.table.name, id, built.cleared);
    return old.flatMap((cell) => (cell.tokenHash ? [cell.tokenHash] : []));
  }

  private async tokensOf(
    repos: Repositories,
    ctx: TableContext,
    cells: readonly CellRow[],
  ): Promise<Map<string, string>> {
    const hashes = cells.flatMap((c) => (c.tokenHash ? [c.tokenHash] : []));
    const out = new Map<string, string>();
    if (hashes.length === 0) return out;
    for (const row of await repos.tokens.getMany(ctx.vaultId, hashes)) {
      out.set(row.tokenHash.toString('base64'), ctx.keys.open(tokenContext(row.tokenHash), row.token).toString('utf8'));
    }
    return out;
  }
}

function expiry(column: ColumnSpec, now: number): number | null {
  const ttl =
    column.tokenPolicy?.type === 'NON_DETERMINISTIC_TRANSIENT_UUID' ? column.tokenPolicy.ttlSeconds : undefined;
  return ttl === undefined ? null : now + ttl * 1000;
}

function result(id: string, tokens: Record<string, string>, tokenization: boolean): WriteResult {
  return tokenization && Object.keys(tokens).length > 0 ? { skyflow_id: id, tokens } : { skyflow_id: id };
}

function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
