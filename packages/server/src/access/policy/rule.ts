import type { parse } from '@bufbuild/cel';

/** A parsed CEL expression (the package's own AST type, named through its parser). */
export type CelExpr = NonNullable<ReturnType<typeof parse>['expr']>;

/** What a rule allows or denies. */
export const RULE_ACTIONS = ['READ', 'CREATE', 'UPDATE', 'DELETE', 'TOKENIZATION', 'DETOKENIZATION'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

/** Redaction a rule caps reads at; `DEFAULT` is the column's configured redaction. */
export const RULE_REDACTIONS = ['PLAIN_TEXT', 'MASKED', 'REDACTED', 'DEFAULT'] as const;
export type RuleRedaction = (typeof RULE_REDACTIONS)[number];

export type RuleEffect = 'ALLOW' | 'DENY';

/**
 * A column a rule names: `table.column`, `table.*` (every column of the table) or
 * `table.column.field…` (a field inside a DT_EMBEDDED column; `*` as the last part: all its fields).
 */
export interface RuleTarget {
  readonly table: string;
  /** `'*'` for every column of the table. */
  readonly column: string;
  /** Path inside an embedded column; empty for the whole column. */
  readonly path: readonly string[];
}

/** The WHERE part: a CEL expression, with what it refers to worked out once at parse time. */
export interface RuleCondition {
  /** As written in the rule (with `=` still `=`). */
  readonly source: string;
  /** What was handed to CEL (`=` written as `==`). */
  readonly cel: string;
  readonly expr: CelExpr;
  /** Tables whose row values it reads (`persons.region`): a row filter, evaluated per record. */
  readonly tables: ReadonlySet<string>;
  /** The columns it reads, per table: what must be loaded to decide a row filter. */
  readonly columns: ReadonlyMap<string, ReadonlySet<string>>;
  /** Whether it reads the request (`request.context.*`) or the caller (`principal.*`). */
  readonly readsRequest: boolean;
}

/** One parsed rule of the policy language (see docs/policies.md). */
export interface Rule {
  readonly effect: RuleEffect;
  readonly action: RuleAction;
  /** Empty: the rule applies to every table and column of the vault. */
  readonly targets: readonly RuleTarget[];
  readonly redaction: RuleRedaction | undefined;
  readonly condition: RuleCondition | undefined;
}
