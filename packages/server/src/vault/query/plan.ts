import type { CanonicalValue } from '../records/values.js';
import type { ValueClass } from './semantics.js';

/** Redaction levels of the Data API (`redaction` of get and detokenize). */
export type RedactionLevel = 'DEFAULT' | 'REDACTED' | 'MASKED' | 'PLAIN_TEXT';
export const REDACTION_LEVELS: readonly RedactionLevel[] = ['DEFAULT', 'REDACTED', 'MASKED', 'PLAIN_TEXT'];

/** Most records one query answer holds (Skyflow: "Returns a maximum of 25 records"). */
export const MAX_QUERY_LIMIT = 25;

/**
 * What the query engine needs from storage. The engine never hands it SQL: only table and column names
 * taken from the vault schema, typed values in their canonical form, record IDs and counts. Column
 * `skyflow_id` is never asked for: the engine knows it from the record IDs.
 */
export interface QuerySource {
  /**
   * IDs, ascending, of the records of `table` whose `column` holds exactly `value` (the same canonical
   * value that was stored; compare through the blind index). Only called for columns with a lookup index
   * (`hasLookupIndex`). The answer must be exact: the engine does not re-check the value.
   */
  idsWhereEqual(table: string, column: string, value: CanonicalValue): Promise<string[]>;
  /** Up to `limit` record IDs of `table`, ascending, greater than `after` (from the first when undefined). */
  ids(table: string, after: string | undefined, limit: number): Promise<string[]>;
  /**
   * Decrypted values of `columns` for the records `ids` of `table`. The map has an entry for every ID whose
   * record exists — even when `columns` is empty — and none for records that do not exist (any more); a
   * record's missing cells are null.
   */
  load(
    table: string,
    ids: readonly string[],
    columns: readonly string[],
  ): Promise<Map<string, Record<string, CanonicalValue>>>;
  /**
   * True when `load` may leave out existing records the caller may not see (an access policy's row
   * filter): the engine then never counts records from IDs alone.
   */
  hidesRecords?(table: string): boolean;
}

/** A column of one of the query's tables. */
export interface ColumnRef {
  /** Index into {@link QueryPlan.sources}. */
  readonly source: number;
  readonly column: string;
  readonly cls: ValueClass;
  /** True for `skyflow_id`, whose value is the record ID itself. */
  readonly id: boolean;
  /** True when the column has a blind index for equality lookups (`hasLookupIndex`). */
  readonly indexed: boolean;
}

export type CompareOp = '=' | '!=' | '<' | '>' | '<=' | '>=';

/** A WHERE / ON condition, already checked against the schema; literals are typed canonical values. */
export type Predicate =
  | { readonly kind: 'and' | 'or'; readonly args: readonly Predicate[] }
  | { readonly kind: 'not'; readonly arg: Predicate }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly ref: ColumnRef; readonly value: CanonicalValue }
  | { readonly kind: 'columns'; readonly op: CompareOp; readonly left: ColumnRef; readonly right: ColumnRef }
  | {
      readonly kind: 'in';
      readonly ref: ColumnRef;
      readonly values: readonly CanonicalValue[];
      readonly negated: boolean;
    }
  | {
      readonly kind: 'like';
      readonly ref: ColumnRef;
      readonly pattern: string;
      readonly escape: string;
      readonly caseInsensitive: boolean;
      readonly negated: boolean;
      readonly regex: RegExp;
    }
  | { readonly kind: 'null'; readonly ref: ColumnRef; readonly negated: boolean }
  | { readonly kind: 'truth'; readonly ref: ColumnRef; readonly value: boolean; readonly negated: boolean };

export type AggregateFn = 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';

export type OutputItem =
  | { readonly kind: 'column'; readonly name: string; readonly ref: ColumnRef; readonly level: RedactionLevel }
  | {
      readonly kind: 'aggregate';
      readonly name: string;
      readonly fn: AggregateFn;
      /** Undefined for COUNT(*). */
      readonly ref: ColumnRef | undefined;
      readonly distinct: boolean;
    };

export interface OrderItem {
  readonly ref: ColumnRef;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export interface PlanSource {
  readonly table: string;
  /** The name the query uses for it (its alias, else the table name). */
  readonly alias: string;
  /** How it is joined to the sources before it; undefined for the first (FROM) table. */
  readonly join?: {
    readonly type: 'INNER' | 'LEFT';
    /** Equalities between a column of this source (`right`) and one of an earlier source (`left`). */
    readonly keys: readonly { readonly left: ColumnRef; readonly right: ColumnRef }[];
    /** The rest of the ON condition, tested on each candidate pair. */
    readonly filter: Predicate | undefined;
  };
}

export type ColumnUse = 'select' | 'filter' | 'join' | 'order' | 'aggregate';

/** A parsed, validated query: everything the executor needs, nothing of the original text. */
export interface QueryPlan {
  readonly sources: readonly PlanSource[];
  readonly where: Predicate | undefined;
  readonly output: readonly OutputItem[];
  /** True when the output holds aggregates only (one result row). */
  readonly aggregate: boolean;
  readonly orderBy: readonly OrderItem[];
  readonly limit: number;
  readonly offset: number;
  /**
   * Every column the query reads and how, for the access layer (a caller allowed to see a column only
   * masked may still be refused filtering or ordering on it). `skyflow_id` included.
   */
  readonly columnUses: readonly {
    readonly table: string;
    readonly column: string;
    readonly uses: readonly ColumnUse[];
  }[];
}

export interface QueryResult {
  readonly records: { fields: Record<string, unknown> }[];
}

export interface ExecuteOptions {
  /**
   * Applies redaction to one value before it is returned. Called for every non-null column value in the
   * answer (plain columns with DEFAULT, REDACTION(col, level) with its level, MIN/MAX results with DEFAULT);
   * not for COUNT/SUM/AVG, which are computed numbers. It decides what the caller may see (policies).
   */
  redact(table: string, column: string, value: CanonicalValue, level: RedactionLevel): CanonicalValue;
  /** Most records one query may examine (listed or loaded); beyond it the query fails with 400. Default 1,000,000. */
  maxScanRows?: number;
  /** Records per `ids`/`load` call. Default 500. */
  batchSize?: number;
  /** Most intermediate rows a JOIN may produce or hold. Default 100,000. */
  maxJoinRows?: number;
}
