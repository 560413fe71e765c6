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

/** New values for columns of one record; `data.skyflowId` (or `skyflow_id`) names the record. */
export class UpdateRequest {
  constructor(
    public table: string,
    public data: Record<string, unknown>,
  ) {}
}

export interface UpdateOptionsInit {
  /** Return tokens of the updated tokenized columns. */
  readonly returnTokens?: boolean | undefined;
  /** Bring-your-own-token mode (`byot`). */
  readonly tokenMode?: TokenMode | undefined;
  /** Tokens for the updated columns (with `tokenMode` ENABLE or ENABLE_STRICT). */
  readonly tokens?: Record<string, unknown> | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

export class UpdateOptions extends CallOptionsBase implements UpdateOptionsInit {
  returnTokens?: boolean | undefined;
  tokenMode?: TokenMode | undefined;
  tokens?: Record<string, unknown> | undefined;

  constructor(init?: UpdateOptionsInit) {
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
  setTokenMode(tokenMode: TokenMode): this {
    this.tokenMode = tokenMode;
    return this;
  }
  getTokenMode(): TokenMode | undefined {
    return this.tokenMode;
  }
  setTokens(tokens: Record<string, unknown>): this {
    this.tokens = tokens;
    return this;
  }
  getTokens(): Record<string, unknown> | undefined {
    return this.tokens;
  }
}

/** The updated record: `skyflowId`, and tokens by column with `returnTokens`. */
export interface UpdatedRecord {
  readonly skyflowId: string;
  readonly [column: string]: unknown;
}

export class UpdateResponse {
  readonly updatedField: UpdatedRecord;
  /** Always empty: an update succeeds or fails as a whole. */
  readonly errors: SkyflowRecordError[];
  constructor(init: { updatedField: UpdatedRecord; errors?: SkyflowRecordError[] }) {
    this.updatedField = init.updatedField;
    this.errors = init.errors ?? [];
  }
}

const OPERATION = 'update';

export function planUpdate(request: UpdateRequest, options: UpdateOptionsInit = {}): OperationPlan<UpdateResponse> {
  const table = requireTable(request?.table, OPERATION);
  const [data] = requireRecordList([request.data], OPERATION, 'data');
  const { skyflowId, skyflow_id: legacyId, ...fields } = data as Record<string, unknown>;
  const id = skyflowId ?? legacyId;
  if (typeof id !== 'string' || id === '')
    throw invalidInput(`${OPERATION}: data.skyflowId must name the record to update.`);
  if (Object.keys(fields).length === 0) throw invalidInput(`${OPERATION}: data has no column to update.`);
  const tokens = options.tokens;
  if (tokens !== undefined) requireRecordList([tokens], OPERATION, 'tokens');
  const returnTokens = optionalBoolean(options.returnTokens, OPERATION, 'returnTokens');
  const byot = optionalEnum(options.tokenMode, TokenMode, OPERATION, 'tokenMode');
  return {
    operation: OPERATION,
    method: 'PUT',
    path: `/${table}/${encodeURIComponent(id)}`,
    body: {
      record: { fields, ...(tokens !== undefined && { tokens }) },
      ...(returnTokens !== undefined && { tokenization: returnTokens }),
      ...(byot !== undefined && { byot }),
    },
    // Setting the same columns to the same values twice leaves the record as setting them once.
    idempotent: true,
    table,
    count: 1,
    parse: (body) => {
      const r = isObject(body) ? body : {};
      const tokensBack = isObject(r.tokens) ? r.tokens : {};
      return new UpdateResponse({ updatedField: { skyflowId: String(r.skyflow_id ?? id), ...tokensBack } });
    },
  };
}
