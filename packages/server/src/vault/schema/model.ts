/**
 * The vault schema as the services use it: parsed, validated and normalised from the Skyflow wire shape
 * (`{schemas:[{name, fields:[{name, datatype, tags:[{name, values}]}]}], tags}`).
 */

export const DATATYPES = [
  'DT_STRING',
  'DT_INT32',
  'DT_INT64',
  'DT_FLOAT32',
  'DT_FLOAT64',
  'DT_BOOL',
  'DT_ENUM',
  'DT_DATETIME',
  'DT_DATE',
  'DT_TIME',
  'DT_EMBEDDED',
  'DT_FILE_TYPE',
] as const;
export type Datatype = (typeof DATATYPES)[number];

export const TOKEN_POLICIES = [
  'RANDOM_TOKEN',
  'FORMAT_PRESERVING_TOKEN',
  'NON_DETERMINISTIC_UUID',
  'DETERMINISTIC_UUID',
  'DETERMINISTIC_FPT',
  'NON_DETERMINISTIC_FPT',
  'DETERMINISTIC_PRESERVE_LEFT_6_RIGHT_4',
  'DETERMINISTIC_PRESERVE_EMAIL_DOMAIN',
  'DETERMINISTIC_PRESERVE_RIGHT_4',
  'NON_DETERMINISTIC_PRESERVE_RIGHT_4',
  'NON_DETERMINISTIC_TRANSIENT_UUID',
] as const;
export type TokenPolicyType = (typeof TOKEN_POLICIES)[number];

/** Token types for which equal values get equal tokens (within a column, or a column group). */
export const DETERMINISTIC_TOKEN_POLICIES: ReadonlySet<TokenPolicyType> = new Set([
  'DETERMINISTIC_UUID',
  'DETERMINISTIC_FPT',
  'DETERMINISTIC_PRESERVE_LEFT_6_RIGHT_4',
  'DETERMINISTIC_PRESERVE_EMAIL_DOMAIN',
  'DETERMINISTIC_PRESERVE_RIGHT_4',
]);

export interface TokenPolicy {
  readonly type: TokenPolicyType;
  /** `skyflow.options.format_preserving_regex`. */
  readonly regex?: string;
  /** `skyflow.options.token_prefix`, `token_fixed_length`, `token_separator` (PRESERVE_RIGHT_4 types). */
  readonly prefix?: string;
  readonly fixedLength?: number;
  readonly separator?: string;
  /** Lifetime of transient tokens in seconds; the schema's `skyflow.options.ttl` is given in minutes. */
  readonly ttlSeconds?: number;
}

export type DefaultRedaction = 'REDACT' | 'MASK' | 'PLAIN_TEXT';

export interface MaskPattern {
  /**
   * The schema's find pattern as written (RE2 syntax, possibly with leading flags such as `(?i)`); run it
   * through `compilePattern` and `toRegExp` from `./regex.js`, never `new RegExp` directly.
   */
  readonly find: string;
  /** The schema's replace pattern as written (Go template: `${1}`, `$1`, `${name}`); see `parseTemplate`. */
  readonly replace: string;
}

export const OPERATIONS = ['EXACT_MATCH', 'AGGREGATION', 'ORDER', 'ALL_OP'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface ColumnSpec {
  readonly name: string;
  readonly datatype: Datatype;
  readonly tokenPolicy: TokenPolicy | undefined;
  readonly redaction: DefaultRedaction;
  readonly mask: MaskPattern | undefined;
  readonly unique: boolean;
  readonly notNull: boolean;
  readonly columnGroup: string | undefined;
  /** Every value must match all of these (RE2 sources as written; compile them with `compilePattern`). */
  readonly validation: readonly string[];
  readonly predefinedValues: readonly string[] | undefined;
  readonly minValue: number | undefined;
  readonly maxValue: number | undefined;
  readonly operations: readonly Operation[];
  /** True for the vault-managed `skyflow_id` column. */
  readonly system: boolean;
  /** `skyflow.options.data_type` (e.g. `skyflow.CardNumber`): what the data is, which picks built-in masks. */
  readonly dataType?: string | undefined;
}

export interface TableSpec {
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  readonly columnsByName: ReadonlyMap<string, ColumnSpec>;
}

export interface VaultSchemaModel {
  readonly tables: readonly TableSpec[];
  readonly tablesByName: ReadonlyMap<string, TableSpec>;
}

/** Wire shapes (after null/absent normalisation). */
export interface WireTag {
  name: string;
  values: string[];
}
export interface WireField {
  name: string;
  datatype: string;
  isArray: boolean;
  /** Kept only when the schema said `"isUnique": true` (the form Skyflow's upsert docs use). */
  isUnique?: true;
  tags: WireTag[];
  properties?: Record<string, unknown>;
}
export interface WireTable {
  name: string;
  fields: WireField[];
  schemaTags: WireTag[];
  childrenSchemas: unknown[];
  properties?: Record<string, unknown>;
}
export interface WireVaultSchema {
  schemas: WireTable[];
  tags: WireTag[];
}
