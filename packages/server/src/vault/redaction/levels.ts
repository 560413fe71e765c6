import type { ColumnSpec } from '../schema/model.js';

/**
 * Redaction levels as they appear on the wire (`redaction` query parameter of Get records, per-token
 * `redaction` of Detokenize, `REDACTION(col)` in queries). `DEFAULT` asks for the column's configured
 * default (`skyflow.options.default_dlp_policy`).
 */
export const REDACTION_LEVELS = ['DEFAULT', 'REDACTED', 'MASKED', 'PLAIN_TEXT'] as const;
export type RedactionLevel = (typeof REDACTION_LEVELS)[number];

/** A level that can be applied to a value: every level but `DEFAULT`, which first resolves to one of these. */
export type AppliedRedaction = Exclude<RedactionLevel, 'DEFAULT'>;

/**
 * How much each applied level hides: `PLAIN_TEXT` (0) < `MASKED` (1) < `REDACTED` (2). A policy cap and a
 * requested level combine to the stricter of the two; see {@link stricter}.
 */
export const REDACTION_STRICTNESS: Readonly<Record<AppliedRedaction, number>> = {
  PLAIN_TEXT: 0,
  MASKED: 1,
  REDACTED: 2,
};

/** True for the four wire strings, spelled exactly (upper case) as Skyflow spells them. */
export function isRedactionLevel(value: unknown): value is RedactionLevel {
  return typeof value === 'string' && (REDACTION_LEVELS as readonly string[]).includes(value);
}

/** The stricter (more hiding) of two levels: `stricter('PLAIN_TEXT', 'MASKED')` is `'MASKED'`. */
export function stricter(a: AppliedRedaction, b: AppliedRedaction): AppliedRedaction {
  return REDACTION_STRICTNESS[a] >= REDACTION_STRICTNESS[b] ? a : b;
}

/**
 * What `DEFAULT` means for a column: its `default_dlp_policy` (`REDACT` → `REDACTED`, `MASK` → `MASKED`,
 * `PLAIN_TEXT` → `PLAIN_TEXT`; the schema parser makes an absent tag `REDACT`). The vault-managed
 * `skyflow_id` column is always `PLAIN_TEXT`.
 */
export function defaultRedaction(column: Pick<ColumnSpec, 'redaction' | 'system'>): AppliedRedaction {
  if (column.system) return 'PLAIN_TEXT';
  switch (column.redaction) {
    case 'REDACT':
      return 'REDACTED';
    case 'MASK':
      return 'MASKED';
    case 'PLAIN_TEXT':
      return 'PLAIN_TEXT';
  }
}

/**
 * The level actually applied to a column's values: `requested` with `DEFAULT` resolved through
 * {@link defaultRedaction}, then limited by `cap` (an access policy's `WITH REDACTION = …`) when given —
 * the stricter of the two wins, so a policy capping at `MASKED` turns a `PLAIN_TEXT` request into
 * `MASKED` and leaves a `REDACTED` request alone.
 *
 * The vault-managed `skyflow_id` column is always `PLAIN_TEXT`, whatever is requested or capped: it is
 * the record's address, not data.
 *
 * @example
 * effectiveRedaction(ssn, 'DEFAULT')              // ssn has MASK → 'MASKED'
 * effectiveRedaction(ssn, 'PLAIN_TEXT', 'MASKED') // → 'MASKED'
 * effectiveRedaction(skyflowId, 'REDACTED')       // → 'PLAIN_TEXT'
 */
export function effectiveRedaction(
  column: Pick<ColumnSpec, 'redaction' | 'system'>,
  requested: RedactionLevel,
  cap?: AppliedRedaction,
): AppliedRedaction {
  if (column.system) return 'PLAIN_TEXT';
  const wanted = requested === 'DEFAULT' ? defaultRedaction(column) : requested;
  return cap === undefined ? wanted : stricter(wanted, cap);
}
