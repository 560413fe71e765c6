import { invalidInput } from '../../errors/skyflow-error.js';
import { isObject } from '../../http/error-response.js';
import { type SkyflowRecordError, withSkyflowId } from '../common.js';
import type { OperationPlan } from '../operation.js';

/** A SQL `SELECT` over the vault (at most 25 records per answer; see the server's query docs). */
export class QueryRequest {
  constructor(public query: string) {}
}

/** A result row: its columns, `skyflowId` when selected, and `tokenizedData` (tokens, when the vault gives any). */
export interface QueryRecord {
  readonly skyflowId?: unknown;
  readonly tokenizedData: Record<string, unknown>;
  readonly [column: string]: unknown;
}

export class QueryResponse {
  readonly fields: QueryRecord[];
  /** Always empty: a query succeeds or fails as a whole. */
  readonly errors: SkyflowRecordError[];
  constructor(init: { fields: QueryRecord[]; errors?: SkyflowRecordError[] }) {
    this.fields = init.fields;
    this.errors = init.errors ?? [];
  }
}

const OPERATION = 'query';

export function planQuery(request: QueryRequest): OperationPlan<QueryResponse> {
  if (typeof request?.query !== 'string' || request.query.trim() === '') {
    throw invalidInput(`${OPERATION}: query must be a non-empty SQL statement.`);
  }
  return {
    operation: OPERATION,
    method: 'POST',
    path: '/query',
    body: { query: request.query },
    // A SELECT reads and changes nothing.
    idempotent: true,
    parse: (body) => {
      const records = isObject(body) && Array.isArray(body.records) ? body.records : [];
      return new QueryResponse({
        fields: records.map((record) => {
          const r = isObject(record) ? record : {};
          return { ...withSkyflowId(r.fields), tokenizedData: isObject(r.tokens) ? { ...r.tokens } : {} };
        }),
      });
    },
  };
}
