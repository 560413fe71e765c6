import type { DataAccess, VaultAccess } from '../../access/data-access.js';
import type { Principal, RequestContext } from '../../auth/principal.js';
import { isSignedDataToken, type SignedDataTokens } from '../../auth/signed-data-tokens.js';
import type { Keyring } from '../../crypto/keyring.js';
import { AppError, badRequest, notFound } from '../../errors.js';
import { type Repositories, type Store, UniqueViolationError } from '../../store/types.js';
import type { RedactionLevel } from '../redaction/index.js';
import type { VaultService } from '../vault-service.js';
import { grantRead, requireDelete, requireLookup, requireWrite } from './record-access.js';
import {
  type Byot,
  hasLookupIndex,
  MAX_RECORDS_PER_REQUEST,
  type ReadOptions,
  RecordOps,
  type RecordView,
  type WriteInput,
  type WriteResult,
} from './record-ops.js';
import type { TableContext } from './table-context.js';
import { canonicalValue, indexBytes } from './values.js';

export { hasLookupIndex, MAX_RECORDS_PER_REQUEST };

/** Most records a list (get without IDs) returns at once, as in Skyflow. */
export const MAX_GET_LIMIT = 25;
/** Most IDs or column values one get may ask for. */
export const MAX_GET_KEYS = 1000;
/**
 * How many times a write transaction that lost a race on a unique index is run again. Two concurrent
 * writes of the same unique value, or of the same new deterministic value (whose token is the same),
 * both pass their checks under PostgreSQL's READ COMMITTED; the database's unique index then rejects the
 * later one. Run again, it sees the committed row: a unique clash becomes the usual 400, and a
 * deterministic value reuses the token the other request created.
 */
const MAX_WRITE_ATTEMPTS = 5;

export interface InsertRequest {
  readonly records: readonly WriteInput[];
  readonly tokenization?: boolean | undefined;
  readonly upsert?: string | undefined;
  readonly homogeneous?: boolean | undefined;
  readonly byot?: Byot | undefined;
}

export interface GetRequest {
  readonly skyflowIds?: readonly string[] | undefined;
  readonly redaction?: RedactionLevel | undefined;
  readonly tokenization?: boolean | undefined;
  readonly fields?: readonly string[] | undefined;
  readonly offset?: number | undefined;
  readonly limit?: number | undefined;
  readonly columnName?: string | undefined;
  readonly columnValues?: readonly string[] | undefined;
  readonly orderBy?: 'ASCENDING' | 'DESCENDING' | 'NONE' | undefined;
  readonly downloadURL?: boolean | undefined;
  readonly returnFileMetadata?: boolean | undefined;
}

export interface UpdateRequest {
  readonly record: WriteInput;
  readonly tokenization?: boolean | undefined;
  readonly byot?: Byot | undefined;
}

export interface BatchRecord {
  readonly method: 'POST' | 'PUT' | 'GET' | 'DELETE';
  readonly tableName: string;
  readonly fields?: Readonly<Record<string, unknown>> | undefined;
  readonly tokens?: Readonly<Record<string, unknown>> | undefined;
  readonly ID?: string | undefined;
  readonly redaction?: RedactionLevel | undefined;
  readonly tokenization?: boolean | undefined;
  readonly upsert?: string | undefined;
  readonly downloadURL?: boolean | undefined;
  readonly returnFileMetadata?: boolean | undefined;
}

export interface BatchRequest {
  readonly records: readonly BatchRecord[];
  readonly continueOnError?: boolean | undefined;
  readonly byot?: Byot | undefined;
}

/**
 * Records of a vault over HTTP's Data API (§5.1–§5.6): checks access, opens the vault's keys and schema,
 * and runs {@link RecordOps} in one transaction per request (or per item of a batch that continues on
 * error).
 */
export class RecordService {
  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    private readonly vaults: VaultService,
    /** The one decision point every read and write of values asks. */
    readonly dataAccess: DataAccess,
    /** Verifies signed data tokens given in place of record IDs to get. */
    private readonly signedTokens: SignedDataTokens,
    /** Signs file download URLs (for `downloadURL=true`). */
    private readonly fileUrl: ReadOptions['fileUrl'],
    private readonly ops: RecordOps = new RecordOps(),
    private readonly now: () => number = Date.now,
  ) {}

  /** The keys and schema of one table of a vault; 404 when either is missing. */
  async context(vaultId: string, tableName: string): Promise<TableContext> {
    const { model } = await this.vaults.open(vaultId);
    const table = model.tablesByName.get(tableName);
    if (!table) throw notFound(`Table ${tableName} wasn't found in vault ${vaultId}.`);
    return { vaultId, keys: await this.keyring.vault(vaultId, this.store), model, table };
  }

  async insert(principal: Principal, vaultId: string, tableName: string, request: InsertRequest) {
    const access = await this.dataAccess.forVault(principal, vaultId);
    access.requireAtAll('CREATE', tableName);
    if (request.upsert) access.requireAtAll('UPDATE', tableName);
    const ctx = await this.context(vaultId, tableName);
    if (request.records.length > MAX_RECORDS_PER_REQUEST) {
      throw badRequest(`At most ${MAX_RECORDS_PER_REQUEST} records per request.`);
    }
    if (request.homogeneous && request.upsert) throw badRequest('homogeneous cannot be combined with upsert.');
    if (request.homogeneous) assertHomogeneous(request.records);
    for (const record of request.records) {
      await requireWrite(access, ctx, this.store, 'CREATE', record.fields, undefined, this.now());
      // An upsert may update an existing record instead: it needs both rights on what it writes.
      if (request.upsert) await requireWrite(access, ctx, this.store, 'UPDATE', record.fields, undefined, this.now());
    }
    const records = await this.write((tx) =>
      this.ops.insert(tx, ctx, request.records, {
        tokenization: request.tokenization ?? false,
        byot: request.byot ?? 'DISABLE',
        upsert: request.upsert || undefined,
      }),
    );
    return { records };
  }

  async get(principal: Principal, vaultId: string, tableName: string, request: GetRequest) {
    const { ids, context } = await this.unwrapIds(principal, request.skyflowIds?.filter((id) => id !== '') ?? []);
    const access = await this.dataAccess.forVault(principal, vaultId, context);
    access.requireAtAll('READ', tableName);
    const ctx = await this.context(vaultId, tableName);
    const columns = checkColumns(ctx, request.fields);
    const read = (ids: readonly string[]) => this.readGranted(this.store, access, ctx, ids, request, columns);
    const columnName = request.columnName || undefined;
    if (ids.length > 0 && columnName) throw badRequest('Give either skyflow_ids or column_name, not both.');
    if (columnName) {
      const values = request.columnValues ?? [];
      if (values.length === 0) throw badRequest('column_name needs column_values.');
      if (values.length > MAX_GET_KEYS) throw badRequest(`At most ${MAX_GET_KEYS} column_values per request.`);
      const found = await this.lookup(access, ctx, columnName, values);
      if (found.length === 0) throw notFound(`No record of table "${tableName}" has those ${columnName} values.`);
      return { records: await read(found) };
    }
    if (request.columnValues && request.columnValues.length > 0) throw badRequest('column_values needs column_name.');
    if (ids.length > 0) {
      if (ids.length > MAX_GET_KEYS) throw badRequest(`At most ${MAX_GET_KEYS} skyflow_ids per request.`);
      const records = await read(ids);
      if (records.length === 0) throw notFound(`None of the requested records exist in table "${tableName}".`);
      return { records };
    }
    const limit = request.limit ?? MAX_GET_LIMIT;
    if (limit > MAX_GET_LIMIT) throw badRequest(`limit is at most ${MAX_GET_LIMIT}.`);
    const page = await this.store.records.listIds(vaultId, tableName, {
      offset: request.offset ?? 0,
      limit,
      descending: request.orderBy === 'DESCENDING',
    });
    return { records: await read(page) };
  }

  async getOne(
    principal: Principal,
    vaultId: string,
    tableName: string,
    id: string,
    request: Pick<GetRequest, 'redaction' | 'tokenization' | 'fields' | 'downloadURL' | 'returnFileMetadata'>,
  ): Promise<RecordView> {
    const access = await this.dataAccess.forVault(principal, vaultId);
    access.requireAtAll('READ', tableName);
    const ctx = await this.context(vaultId, tableName);
    const [record] = await this.readGranted(this.store, access, ctx, [id], request, checkColumns(ctx, request.fields));
    if (!record) throw notFound(`Record ${id} wasn't found in table "${tableName}".`);
    return record;
  }

  async update(principal: Principal, vaultId: string, tableName: string, id: string, request: UpdateRequest) {
    const access = await this.dataAccess.forVault(principal, vaultId);
    access.requireAtAll('UPDATE', tableName);
    const ctx = await this.context(vaultId, tableName);
    await requireWrite(access, ctx, this.store, 'UPDATE', request.record.fields, id, this.now());
    return this.write((tx) =>
      this.ops.update(tx, ctx, id, request.record, {
        tokenization: request.tokenization ?? false,
        byot: request.byot ?? 'DISABLE',
      }),
    );
  }

  async deleteOne(principal: Principal, vaultId: string, tableName: string, id: string) {
    const access = await this.dataAccess.forVault(principal, vaultId);
    access.requireAtAll('DELETE', tableName);
    const ctx = await this.context(vaultId, tableName);
    await requireDelete(access, ctx, this.store, [id], this.now());
    const deleted = await this.store.transaction((tx) => this.ops.delete(tx, ctx, [id]));
    if (deleted.length === 0) throw notFound(`Record ${id} wasn't found in table "${tableName}".`);
    return { skyflow_id: id, deleted: true as const };
  }

  /** Bulk delete; `["*"]` deletes every record of the table. */
  async deleteMany(principal: Principal, vaultId: string, tableName: string, ids: readonly string[]) {
    const access = await this.dataAccess.forVault(principal, vaultId);
    access.requireAtAll('DELETE', tableName);
    const ctx = await this.context(vaultId, tableName);
    if (ids.length === 1 && ids[0] === '*') {
      await requireDelete(access, ctx, this.store, '*', this.now());
      await this.store.transaction((tx) => this.ops.deleteAll(tx, ctx));
      return { RecordIDResponse: ['*'] };
    }
    if (ids.length === 0) throw badRequest('skyflow_ids must list at least one ID, or "*".');
    if (ids.includes('*')) throw badRequest('"*" deletes every record and cannot be combined with IDs.');
    if (ids.length > MAX_GET_KEYS) throw badRequest(`At most ${MAX_GET_KEYS} skyflow_ids per request.`);
    await requireDelete(access, ctx, this.store, ids, this.now());
    const deleted = await this.store.transaction((tx) => this.ops.delete(tx, ctx, ids));
    if (deleted.length === 0) throw notFound(`None of the given records exist in table "${tableName}".`);
    return { RecordIDResponse: deleted };
  }

  /**
   * The batch endpoint (§5.2). With continueOnError false every item runs in one transaction and the
   * first failure fails the request; with true each item runs (and commits) on its own and reports
   * `{"Status": 200, "Body": …}` or `{"Status": 400, "Body": {"error": …}}`.
   */
  async batch(principal: Principal, vaultId: string, request: BatchRequest) {
    if (request.records.length === 0) throw badRequest('records must hold at least one operation.');
    if (request.records.length > MAX_RECORDS_PER_REQUEST) {
      throw badRequest(`At most ${MAX_RECORDS_PER_REQUEST} operations per batch.`);
    }
    const byot = request.byot ?? 'DISABLE';
    const access = await this.dataAccess.forVault(principal, vaultId);
    if (!request.continueOnError) {
      const contexts = await Promise.all(request.records.map((item) => this.itemContext(access, vaultId, item)));
      const responses = await this.write(async (tx) => {
        const out: unknown[] = [];
        for (const [i, item] of request.records.entries()) {
          out.push(await this.runItem(tx, access, contexts[i] as TableContext, item, byot));
        }
        return out;
      });
      return { vaultID: vaultId, responses };
    }
    const responses: unknown[] = [];
    for (const item of request.records) {
      try {
        const ctx = await this.itemContext(access, vaultId, item);
        responses.push({ Status: 200, Body: await this.write((tx) => this.runItem(tx, access, ctx, item, byot)) });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        // Python SDKs only report per-item failures whose Status is exactly 400.
        responses.push({ Status: 400, Body: { error: err.message } });
      }
    }
    return { vaultID: vaultId, responses };
  }

  /**
   * Record IDs given as signed data tokens (§4.8: `tok` is the record's skyflow_id), verified like those
   * of detokenize; their context then decides the read. Signed IDs of one request must carry the same
   * context, since one request is decided under one context.
   */
  private async unwrapIds(
    principal: Principal,
    given: readonly string[],
  ): Promise<{ ids: string[]; context: RequestContext | undefined }> {
    if (!given.some(isSignedDataToken)) return { ids: [...given], context: undefined };
    if (given.length > MAX_GET_KEYS) throw badRequest(`At most ${MAX_GET_KEYS} skyflow_ids per request.`);
    const ids: string[] = [];
    const contexts = new Set<string>();
    let context: RequestContext | undefined;
    for (const id of given) {
      if (!isSignedDataToken(id)) {
        ids.push(id);
        contexts.add('');
        continue;
      }
      const verified = await this.signedTokens.verify(principal, id);
      ids.push(verified.token);
      context = verified.context;
      contexts.add(context === undefined ? '' : JSON.stringify(context));
    }
    if (contexts.size > 1) {
      throw badRequest('skyflow_ids: signed data tokens of one request must carry the same context (ctx).');
    }
    return { ids, context };
  }

  /** Runs a write in a transaction, again when it lost a race on a unique index (see {@link MAX_WRITE_ATTEMPTS}). */
  private async write<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.store.transaction(fn);
      } catch (err) {
        if (!(err instanceof UniqueViolationError)) throw err;
        if (attempt >= MAX_WRITE_ATTEMPTS) {
          throw new AppError(
            'CONFLICT',
            'Concurrent requests wrote the same unique value or token; retry the request.',
          );
        }
      }
    }
  }

  private async itemContext(access: VaultAccess, vaultId: string, item: BatchRecord): Promise<TableContext> {
    const action = ({ POST: 'CREATE', PUT: 'UPDATE', GET: 'READ', DELETE: 'DELETE' } as const)[item.method];
    access.requireAtAll(action, item.tableName);
    if (item.method === 'POST' && item.upsert) access.requireAtAll('UPDATE', item.tableName);
    return this.context(vaultId, item.tableName);
  }

  private async runItem(
    tx: Repositories,
    access: VaultAccess,
    ctx: TableContext,
    item: BatchRecord,
    byot: Byot,
  ): Promise<unknown> {
    const write = { fields: item.fields ?? {}, tokens: item.tokens };
    const options = { tokenization: item.tokenization ?? false, byot };
    const id = item.ID || undefined;
    const now = this.now();
    switch (item.method) {
      case 'POST':
        if (id) throw badRequest('A POST operation creates a record; it takes no ID.');
        await requireWrite(access, ctx, tx, 'CREATE', write.fields, undefined, now);
        if (item.upsert) await requireWrite(access, ctx, tx, 'UPDATE', write.fields, undefined, now);
        return { records: await this.ops.insert(tx, ctx, [write], { ...options, upsert: item.upsert || undefined }) };
      case 'PUT': {
        if (!id) throw badRequest('A PUT operation needs the ID of the record to update.');
        await requireWrite(access, ctx, tx, 'UPDATE', write.fields, id, now);
        const updated: WriteResult = await this.ops.update(tx, ctx, id, write, options);
        return updated;
      }
      case 'GET': {
        if (!id) throw badRequest('A GET operation needs the ID of the record to read.');
        const records = await this.readGranted(tx, access, ctx, [id], item, undefined);
        if (records.length === 0) throw notFound(`Record ${id} wasn't found in table "${ctx.table.name}".`);
        return { records };
      }
      case 'DELETE': {
        if (!id) throw badRequest('A DELETE operation needs the ID of the record to delete.');
        await requireDelete(access, ctx, tx, [id], now);
        const deleted = await this.ops.delete(tx, ctx, [id]);
        if (deleted.length === 0) throw notFound(`Record ${id} wasn't found in table "${ctx.table.name}".`);
        return { skyflow_id: id, deleted: true };
      }
    }
  }

  /** Reads records with what the caller's access grants: the columns and, per record, their caps. */
  private async readGranted(
    repos: Repositories,
    access: VaultAccess,
    ctx: TableContext,
    ids: readonly string[],
    request: Pick<GetRequest, 'redaction' | 'tokenization' | 'downloadURL' | 'returnFileMetadata'>,
    columns: string[] | undefined,
  ): Promise<RecordView[]> {
    const grant = await grantRead(access, ctx, repos, columns, ids, this.now());
    return this.ops.read(repos, ctx, ids, this.readOptions(request, grant.columns, grant.caps));
  }

  private readOptions(
    request: Pick<GetRequest, 'redaction' | 'tokenization' | 'downloadURL' | 'returnFileMetadata'>,
    columns: string[] | undefined,
    caps?: ReadOptions['caps'],
  ): ReadOptions {
    return {
      columns,
      caps,
      redaction: request.redaction ?? 'DEFAULT',
      tokenization: request.tokenization ?? false,
      downloadURL: request.downloadURL ?? false,
      returnFileMetadata: request.returnFileMetadata ?? false,
      fileUrl: this.fileUrl,
    };
  }

  /** Records whose `column` holds one of `values` (which arrive as text and are read as the column's type). */
  private async lookup(
    access: VaultAccess,
    ctx: TableContext,
    columnName: string,
    values: readonly string[],
  ): Promise<string[]> {
    const { table, keys } = ctx;
    const column = table.columnsByName.get(columnName);
    if (!column) throw badRequest(`Column "${columnName}" doesn't exist in table "${table.name}".`);
    requireLookup(access, ctx, column);
    if (column.system) return values.filter((v) => v !== '');
    if (!hasLookupIndex(column)) {
      throw badRequest(
        `Column "${table.name}.${columnName}" cannot be looked up: only unique columns and columns with the EXACT_MATCH operation can.`,
      );
    }
    const indexes: Buffer[] = [];
    for (const raw of values) {
      try {
        indexes.push(keys.blindIndex(table.name, columnName, indexBytes(canonicalValue(table.name, column, raw))));
      } catch (err) {
        // A value the column could never hold matches no record.
        if (!(err instanceof AppError)) throw err;
      }
    }
    if (indexes.length === 0) return [];
    const found = await this.store.records.idsByLookup(ctx.vaultId, table.name, columnName, indexes);
    // In the order of the requested values, each record once.
    const order = new Map(indexes.map((index, i) => [index.toString('base64'), i]));
    const sorted = [...found].sort(
      (a, b) => (order.get(a.lookupIndex.toString('base64')) ?? 0) - (order.get(b.lookupIndex.toString('base64')) ?? 0),
    );
    return [...new Set(sorted.map((f) => f.recordId))];
  }
}

function checkColumns(ctx: TableContext, fields: readonly string[] | undefined): string[] | undefined {
  const requested = fields?.filter((f) => f !== '');
  if (!requested || requested.length === 0) return undefined;
  for (const name of requested) {
    if (!ctx.table.columnsByName.has(name))
      throw badRequest(`Column "${name}" doesn't exist in table "${ctx.table.name}".`);
  }
  return [...new Set(requested)];
}

function assertHomogeneous(records: readonly WriteInput[]): void {
  const first = Object.keys(records[0]?.fields ?? {})
    .sort()
    .join(',');
  if (records.some((r) => Object.keys(r.fields).sort().join(',') !== first)) {
    throw badRequest('homogeneous is set, but the records do not all have the same fields.');
  }
}
