import { invalidInput } from '../../errors/skyflow-error.js';
import { isObject } from '../../http/error-response.js';
import type { SkyflowRecordError } from '../common.js';
import type { OperationPlan } from '../operation.js';

/**
 * A stored value to find the token of: by column group (Skyflow), or by table and column (Strongroom and
 * Skyflow's OpenAPI).
 */
export type TokenizeRequestType =
  | { readonly value: string; readonly columnGroup: string }
  | { readonly value: string; readonly table: string; readonly column: string };

/** Values whose existing deterministic tokens to return; nothing is stored. */
export class TokenizeRequest {
  constructor(public values: TokenizeRequestType[]) {}
}

export class TokenizeResponse {
  /** One `{token}` per value, in request order. */
  readonly tokens: { readonly token: string }[];
  /** Always empty: a tokenize succeeds or fails as a whole. */
  readonly errors: SkyflowRecordError[];
  constructor(init: { tokens: { token: string }[]; errors?: SkyflowRecordError[] }) {
    this.tokens = init.tokens;
    this.errors = init.errors ?? [];
  }
}

const OPERATION = 'tokenize';

export function planTokenize(request: TokenizeRequest): OperationPlan<TokenizeResponse> {
  const values = request?.values;
  if (!Array.isArray(values) || values.length === 0)
    throw invalidInput(`${OPERATION}: values must be a non-empty list.`);
  const parameters = values.map((value: unknown, i) => {
    const item = isObject(value) ? value : {};
    if (typeof item.value !== 'string') {
      throw invalidInput(`${OPERATION}: values[${i}] needs a string value.`);
    }
    if (typeof item.columnGroup === 'string' && item.columnGroup !== '') {
      return { value: item.value, columnGroup: item.columnGroup };
    }
    if (typeof item.table === 'string' && typeof item.column === 'string') {
      return { value: item.value, table: item.table, column: item.column };
    }
    throw invalidInput(`${OPERATION}: values[${i}] needs a columnGroup, or a table and a column.`);
  });
  return {
    operation: OPERATION,
    method: 'POST',
    path: '/tokenize',
    body: { tokenizationParameters: parameters },
    // Returns existing tokens only: nothing changes.
    idempotent: true,
    count: parameters.length,
    parse: (body) => {
      const records = isObject(body) && Array.isArray(body.records) ? body.records : [];
      return new TokenizeResponse({
        tokens: records.map((r) => ({ token: isObject(r) && typeof r.token === 'string' ? r.token : '' })),
      });
    },
  };
}
