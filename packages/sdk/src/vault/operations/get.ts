import { invalidInput } from '../../errors/skyflow-error.js';
import { isObject } from '../../http/error-response.js';
import {
  assignDefined,
  CallOptionsBase,
  optionalBoolean,
  optionalEnum,
  queryString,
  requireIdList,
  requireTable,
  type SkyflowRecordError,
  withSkyflowId,
} from '../common.js';
import { OrderByEnum, RedactionType } from '../enums.js';
import type { OperationPlan } from '../operation.js';

/** Records of a table by `skyflow_id`; without IDs, a page of the table (`offset`, `limit`). */
export class GetRequest {
  constructor(
    public table: string,
    public ids?: string[],
  ) {}
}

/** Records of a table by the values of a unique column. */
export class GetColumnRequest {
  constructor(
    public table: string,
    public columnName: string,
    public columnValues: string[],
  ) {}
}

export interface GetOptionsInit {
  /** Redaction to apply (default: each column's configured one). */
  readonly redactionType?: RedactionType | undefined;
  /** Return tokens instead of values for tokenized columns (`tokenization`). */
  readonly returnTokens?: boolean | undefined;
  /** Columns to return (default: all). */
  readonly fields?: readonly string[] | undefined;
  /** Start of the page (records by `skyflow_id`). */
  readonly offset?: number | string | undefined;
  /** Size of the page (at most 25). */
  readonly limit?: number | string | undefined;
  /** Return signed download URLs for file columns. */
  readonly downloadUrl?: boolean | undefined;
  readonly orderBy?: OrderByEnum | undefined;
  /** Add `fileMetadata` (name, size, type of each file) to the records. */
  readonly returnFileMetadata?: boolean | undefined;
  /** skyflow-node also takes the column lookup as options of a `GetRequest` without IDs. */
  readonly columnName?: string | undefined;
  readonly columnValues?: readonly string[] | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

export class GetOptions extends CallOptionsBase implements GetOptionsInit {
  redactionType?: RedactionType | undefined;
  returnTokens?: boolean | undefined;
  fields?: string[] | undefined;
  offset?: number | string | undefined;
  limit?: number | string | undefined;
  downloadUrl?: boolean | undefined;
  orderBy?: OrderByEnum | undefined;
  returnFileMetadata?: boolean | undefined;
  columnName?: string | undefined;
  columnValues?: string[] | undefined;

  constructor(init?: GetOptionsInit) {
    super();
    assignDefined(this, init as Partial<this>);
  }
  setRedactionType(redactionType: RedactionType): this {
    this.redactionType = redactionType;
    return this;
  }
  getRedactionType(): RedactionType | undefined {
    return this.redactionType;
  }
  setReturnTokens(returnTokens: boolean): this {
    this.returnTokens = returnTokens;
    return this;
  }
  getReturnTokens(): boolean | undefined {
    return this.returnTokens;
  }
  setFields(fields: string[]): this {
    this.fields = fields;
    return this;
  }
  getFields(): string[] | undefined {
    return this.fields;
  }
  setOffset(offset: number | string): this {
    this.offset = offset;
    return this;
  }
  getOffset(): number | string | undefined {
    return this.offset;
  }
  setLimit(limit: number | string): this {
    this.limit = limit;
    return this;
  }
  getLimit(): number | string | undefined {
    return this.limit;
  }
  setDownloadUrl(downloadUrl: boolean): this {
    this.downloadUrl = downloadUrl;
    return this;
  }
  getDownloadUrl(): boolean | undefined {
    return this.downloadUrl;
  }
  /** @deprecated skyflow-node's spelling of {@link setDownloadUrl}. */
  setDownloadURL(downloadURL: boolean): this {
    return this.setDownloadUrl(downloadURL);
  }
  setOrderBy(orderBy: OrderByEnum): this {
    this.orderBy = orderBy;
    return this;
  }
  getOrderBy(): OrderByEnum | undefined {
    return this.orderBy;
  }
  setReturnFileMetadata(returnFileMetadata: boolean): this {
    this.returnFileMetadata = returnFileMetadata;
    return this;
  }
  setColumnName(columnName: string): this {
    this.columnName = columnName;
    return this;
  }
  getColumnName(): string | undefined {
    return this.columnName;
  }
  setColumnValues(columnValues: string[]): this {
    this.columnValues = columnValues;
    return this;
  }
  getColumnValues(): string[] | undefined {
    return this.columnValues;
  }
}

/** A record: `skyflowId` and its columns (values, or tokens with `returnTokens`). */
export interface GetRecord {
  readonly skyflowId?: string;
  /** With `returnFileMetadata`: name, size and type of each file column. */
  readonly fileMetadata?: Record<string, { fileName: string; fileSizeKB: number; fileType: string }>;
  readonly [column: string]: unknown;
}

export class GetResponse {
  readonly data: GetRecord[];
  /** Always empty: a get succeeds or fails as a whole. Kept for skyflow-node's response shape. */
  readonly errors: SkyflowRecordError[];
  constructor(init: { data: GetRecord[]; errors?: SkyflowRecordError[] }) {
    this.data = init.data;
    this.errors = init.errors ?? [];
  }
}

const OPERATION = 'get';

export function planGet(
  request: GetRequest | GetColumnRequest,
  options: GetOptionsInit = {},
): OperationPlan<GetResponse> {
  const table = requireTable(request?.table, OPERATION);
  const byColumn = 'columnName' in request && request.columnName !== undefined;
  const ids =
    !byColumn && 'ids' in request && request.ids !== undefined
      ? requireIdList(request.ids, OPERATION, 'ids')
      : undefined;
  let columnName: string | undefined;
  let columnValues: string[] | undefined;
  if (byColumn) {
    columnName = (request as GetColumnRequest).columnName;
    columnValues = requireIdList((request as GetColumnRequest).columnValues, OPERATION, 'columnValues');
  } else if (options.columnName !== undefined && ids === undefined) {
    columnName = options.columnName;
    columnValues = requireIdList(options.columnValues, OPERATION, 'columnValues');
  }
  if (columnName !== undefined && (typeof columnName !== 'string' || columnName === '')) {
    throw invalidInput(`${OPERATION}: columnName must be a column name.`);
  }
  const fields = options.fields === undefined ? undefined : requireIdList(options.fields, OPERATION, 'fields');
  const query = queryString({
    skyflow_ids: ids,
    column_name: columnName,
    column_values: columnValues,
    redaction: optionalEnum(options.redactionType, RedactionType, OPERATION, 'redactionType'),
    tokenization: optionalBoolean(options.returnTokens, OPERATION, 'returnTokens'),
    fields,
    offset: wholeNumber(options.offset, 'offset'),
    limit: wholeNumber(options.limit, 'limit'),
    downloadURL: optionalBoolean(options.downloadUrl, OPERATION, 'downloadUrl'),
    order_by: optionalEnum(options.orderBy, OrderByEnum, OPERATION, 'orderBy'),
    returnFileMetadata: optionalBoolean(options.returnFileMetadata, OPERATION, 'returnFileMetadata'),
  });
  return {
    operation: OPERATION,
    method: 'GET',
    path: `/${table}${query}`,
    idempotent: true,
    table,
    count: ids?.length ?? columnValues?.length ?? 0,
    parse: (body) => {
      const records = isObject(body) && Array.isArray(body.records) ? body.records : [];
      return new GetResponse({
        data: records.map((record) => {
          const r = isObject(record) ? record : {};
          return {
            ...withSkyflowId(r.fields),
            ...(isObject(r.fileMetadata) && { fileMetadata: r.fileMetadata as GetRecord['fileMetadata'] }),
          };
        }),
      });
    },
  };
}

function wholeNumber(value: number | string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d{1,9}$/.test(text)) throw invalidInput(`${OPERATION}: ${name} must be a whole number.`);
  return text;
}
