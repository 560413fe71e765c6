import { invalidInput } from '../../errors/skyflow-error.js';
import { isObject } from '../../http/error-response.js';
import {
  assignDefined,
  CallOptionsBase,
  optionalBoolean,
  optionalEnum,
  requireRecordList,
  requireTable,
  type SkyflowRecordError,
} from '../common.js';
import { TokenMode } from '../enums.js';
import type { OperationPlan } from '../operation.js';

/** Records to insert into one table: each record maps column names to values. */
export class InsertRequest {
  constructor(
    public table: string,
    public data: Record<string, unknown>[],
  ) {}
}

export interface InsertOptionsInit {
  /** Return a token per tokenized column of each record (`tokenization`). */
  readonly returnTokens?: boolean | undefined;
  /** Unique column to upsert on: update the record holding the value, insert otherwise. */
  readonly upsertColumn?: string | undefined;
  /**
   * Insert each record on its own and report failures per record in `errors` instead of failing the call
   * (sent as a batch with `continueOnError: true`).
   */
  readonly continueOnError?: boolean | undefined;
  /** Bring-your-own-token mode (`byot`). */
  readonly tokenMode?: TokenMode | undefined;
  /** Tokens for each record, by index (with `tokenMode` ENABLE or ENABLE_STRICT). */
  readonly tokens?: readonly Record<string, unknown>[] | undefined;
  /** All records have the same columns (lets the vault insert faster); not with upsert or continueOnError. */
  readonly homogeneous?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

export class InsertOptions extends CallOptionsBase implements InsertOptionsInit {
  returnTokens?: boolean | undefined;
  upsertColumn?: string | undefined;
  continueOnError?: boolean | undefined;
  tokenMode?: TokenMode | undefined;
  tokens?: Record<string, unknown>[] | undefined;
  homogeneous?: boolean | undefined;

  constructor(init?: InsertOptionsInit) {
    super();
    assignDefined(this, init as Partial<this>);
  }
  setReturnTokens(returnTokens: boolean): this {
    this.returnTokens = returnTokens;
    return this;
  }
  getReturnTokens(): boolean | undefined {
    return this.returnTokens;
  }
  setUpsertColumn(upsertColumn: string): this {
    this.upsertColumn = upsertColumn;
    return this;
  }
  getUpsertColumn(): string | undefined {
    return this.upsertColumn;
  }
  setContinueOnError(continueOnError: boolean): this {
    this.continueOnError = continueOnError;
    return this;
  }
  getContinueOnError(): boolean | undefined {
    return this.continueOnError;
  }
  setTokenMode(tokenMode: TokenMode): this {
    this.tokenMode = tokenMode;
    return this;
  }
  getTokenMode(): TokenMode | undefined {
    return this.tokenMode;
  }
  setTokens(tokens: Record<string, unknown>[]): this {
    this.tokens = tokens;
    return this;
  }
  getTokens(): Record<string, unknown>[] | undefined {
    return this.tokens;
  }
  setHomogeneous(homogeneous: boolean): this {
    this.homogeneous = homogeneous;
    return this;
  }
  getHomogeneous(): boolean | undefined {
    return this.homogeneous;
  }
}

/** A stored record: its `skyflowId`, its position in the request, and its tokens by column (with returnTokens). */
export interface InsertedRecord {
  readonly skyflowId: string;
  readonly requestIndex: number;
  readonly [column: string]: unknown;
}

export class InsertResponse {
  /** The stored records, in request order. */
  readonly insertedFields: InsertedRecord[];
  /** Records that failed (only with `continueOnError`). */
  readonly errors: SkyflowRecordError[];
  constructor(init: { insertedFields: InsertedRecord[]; errors?: SkyflowRecordError[] }) {
    this.insertedFields = init.insertedFields;
    this.errors = init.errors ?? [];
  }
}

const OPERATION = 'insert';

export function planInsert(request: InsertRequest, options: InsertOptionsInit = {}): OperationPlan<InsertResponse> {
  const table = requireTable(request?.table, OPERATION);
  const data = requireRecordList(request.data, OPERATION, 'data');
  const returnTokens = optionalBoolean(options.returnTokens, OPERATION, 'returnTokens');
  const continueOnError = optionalBoolean(options.continueOnError, OPERATION, 'continueOnError');
  const homogeneous = optionalBoolean(options.homogeneous, OPERATION, 'homogeneous');
  const byot = optionalEnum(options.tokenMode, TokenMode, OPERATION, 'tokenMode');
  const upsert = options.upsertColumn;
  if (upsert !== undefined && (typeof upsert !== 'string' || upsert === '')) {
    throw invalidInput(`${OPERATION}: upsertColumn must be a column name.`);
  }
  const tokens = options.tokens;
  if (tokens !== undefined) {
    requireRecordList(tokens, OPERATION, 'tokens');
    if (tokens.length !== data.length) throw invalidInput(`${OPERATION}: tokens must have one entry per record.`);
  }
  if (homogeneous && continueOnError)
    throw invalidInput(`${OPERATION}: homogeneous cannot be combined with continueOnError.`);
  const tokensOf = (i: number) => (tokens?.[i] !== undefined ? { tokens: tokens[i] } : {});

  if (continueOnError) {
    return {
      operation: OPERATION,
      method: 'POST',
      path: '',
      body: {
        records: data.map((fields, i) => ({
          method: 'POST',
          tableName: table,
          fields,
          ...tokensOf(i),
          tokenization: returnTokens ?? false,
          ...(upsert !== undefined && { upsert }),
        })),
        continueOnError: true,
        ...(byot !== undefined && { byot }),
      },
      idempotent: false,
      table,
      count: data.length,
      parse: (body, requestId) => parseBatch(body, requestId),
    };
  }
  return {
    operation: OPERATION,
    method: 'POST',
    path: `/${table}`,
    body: {
      records: data.map((fields, i) => ({ fields, ...tokensOf(i) })),
      ...(returnTokens !== undefined && { tokenization: returnTokens }),
      ...(upsert !== undefined && { upsert }),
      ...(homogeneous !== undefined && { homogeneous }),
      ...(byot !== undefined && { byot }),
    },
    idempotent: false,
    table,
    count: data.length,
    parse: (body) => {
      const records = isObject(body) && Array.isArray(body.records) ? body.records : [];
      return new InsertResponse({ insertedFields: records.map((record, i) => insertedRecord(record, i)) });
    },
  };
}

function insertedRecord(record: unknown, requestIndex: number): InsertedRecord {
  const r = isObject(record) ? record : {};
  const tokens = isObject(r.tokens) ? r.tokens : {};
  return { skyflowId: String(r.skyflow_id ?? ''), requestIndex, ...tokens };
}

/** Batch answers with `continueOnError`: `{Status: 200, Body: {records: […]}}` or `{Status: 400, Body: {error}}`. */
function parseBatch(body: unknown, requestId: string | undefined): InsertResponse {
  const responses = isObject(body) && Array.isArray(body.responses) ? body.responses : [];
  const insertedFields: InsertedRecord[] = [];
  const errors: SkyflowRecordError[] = [];
  responses.forEach((entry, requestIndex) => {
    const item = isObject(entry) ? entry : {};
    const status = typeof item.Status === 'number' ? item.Status : Number(item.Status);
    const inner = isObject(item.Body) ? item.Body : {};
    if (status === 200 && Array.isArray(inner.records)) {
      for (const record of inner.records) insertedFields.push(insertedRecord(record, requestIndex));
    } else {
      errors.push({
        error: errorText(inner.error),
        httpCode: Number.isFinite(status) ? status : undefined,
        requestId,
        requestIndex,
      });
    }
  });
  return new InsertResponse({ insertedFields, errors });
}

function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  if (isObject(error) && typeof error.message === 'string') return error.message;
  return 'The record was not inserted.';
}
