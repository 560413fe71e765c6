/**
 * The Data API's query engine (`POST /v1/vaults/{vaultID}/query`): SQL text → {@link parseQuery} (parser,
 * allowlist, schema check) → {@link QueryPlan} → {@link executeQuery} against a {@link QuerySource} that the
 * storage layer implements. The user's text never reaches storage; see docs/api.md, "Query".
 */

export type { Access, Strategy } from './execute.js';
export {
  DEFAULT_BATCH_SIZE,
  DEFAULT_MAX_JOIN_ROWS,
  DEFAULT_MAX_SCAN_ROWS,
  executeQuery,
  explainQuery,
} from './execute.js';
export { MemoryQuerySource, type MemoryRecord } from './memory-source.js';
export { MAX_CONDITIONS, MAX_IN_VALUES, MAX_QUERY_TABLES, type ParseQueryOptions, parseQuery } from './parse.js';
export {
  type ColumnUse,
  type ExecuteOptions,
  MAX_QUERY_LIMIT,
  type QueryPlan,
  type QueryResult,
  type QuerySource,
  REDACTION_LEVELS,
  type RedactionLevel,
} from './plan.js';
