import type { CanonicalValue } from '../records/values.js';
import type { ColumnSpec } from '../schema/model.js';
import { builtinMask, type MaskableColumn, maskKindOf, REDACTED_TEXT } from './builtin-masks.js';
import { type AppliedRedaction, effectiveRedaction, type RedactionLevel } from './levels.js';
import { applyMaskPattern, MAX_MASK_INPUT } from './mask-pattern.js';

export { REDACTED_TEXT } from './builtin-masks.js';

/** Facts about a column the `ColumnSpec` does not keep (yet). */
export interface RedactionHints {
  /** The column's `skyflow.options.data_type` tag (`skyflow.CardNumber`, …): picks the built-in mask. */
  readonly dataType?: string | undefined;
}

/** The columns facts redaction reads; a `ColumnSpec` is one. */
export type RedactableColumn = Pick<ColumnSpec, 'name' | 'datatype' | 'redaction' | 'mask' | 'system'> & MaskableColumn;

/**
 * The text a value is masked on: strings as they are, numbers and booleans as their JSON text (`42`,
 * `1.5`, `true`), and `DT_EMBEDDED` values (and any array or object) as their JSON text — so the JSON
 * string `"a"` of an embedded column is masked as `"a"` with its quotes.
 */
export function canonicalText(column: Pick<ColumnSpec, 'datatype'>, value: Exclude<CanonicalValue, null>): string {
  if (typeof value === 'string' && column.datatype !== 'DT_EMBEDDED') return value;
  return JSON.stringify(value);
}

/** True when `masked` shows the whole of `text`: equal to it, or containing it. */
function reveals(masked: string, text: string): boolean {
  return masked === text || (text.length > 0 && masked.includes(text));
}

/**
 * The `MASKED` form of a value, always a string (or `null` for no value):
 *
 * 1. Files (`DT_FILE_TYPE`), and any text longer than {@link MAX_MASK_INPUT} code units, are
 *    `*REDACTED*`.
 * 2. With find/replace patterns, the pattern is applied replace-all, Go style (`applyMaskPattern`), to
 *    the value's {@link canonicalText}: `4111 1111 1111 1234` with `[0-9 -]*([0-9 -]{4}$)` /
 *    `XXXXXXXXXXXX${1}` gives `XXXXXXXXXXXX1234`.
 * 3. When there are no patterns, or they cannot apply (no match, so the text would come back unchanged;
 *    a result that still contains the whole value; a pattern that cannot run in linear time; too many
 *    matches), the column's built-in mask is used instead (`maskKindOf`, `builtinMask`): a `name` column
 *    value `Al` that `(.).*(.{2})` cannot match is shown as `A***`.
 * 4. If the built-in mask would also show the whole value (`J` → `J***`; empty text; a value made only of
 *    `X`s), or the column is a boolean or JSON column, the result is `*REDACTED*`.
 *
 * So `MASKED` never returns the value's text, nor a string containing it.
 */
export function maskValue(column: RedactableColumn, value: CanonicalValue, hints?: RedactionHints): string | null {
  if (value === null) return null;
  if (column.datatype === 'DT_FILE_TYPE') return REDACTED_TEXT;
  const text = canonicalText(column, value);
  if (text.length > MAX_MASK_INPUT) return REDACTED_TEXT;
  if (column.mask) {
    const masked = applyMaskPattern(column.mask, text);
    if (masked !== undefined && !reveals(masked, text)) return masked;
  }
  const masked = builtinMask(maskKindOf(column, hints), text);
  return reveals(masked, text) ? REDACTED_TEXT : masked;
}

/**
 * Applies an (already resolved) redaction level to one stored value:
 *
 * - `PLAIN_TEXT`: the value itself, with its JSON type (the same reference; do not mutate it).
 * - `REDACTED`: the string `*REDACTED*`, whatever the datatype (numbers, booleans, JSON, files too).
 * - `MASKED`: a string from {@link maskValue}, never the plaintext.
 *
 * `null` (no value) stays `null` at every level. The vault-managed `skyflow_id` column is returned as is
 * at every level. Resolve `DEFAULT` and apply policy caps first with `effectiveRedaction`, or call
 * {@link applyRedaction}.
 */
export function redactValue(
  column: RedactableColumn,
  value: CanonicalValue,
  level: AppliedRedaction,
  hints?: RedactionHints,
): CanonicalValue {
  if (value === null || column.system) return value;
  switch (level) {
    case 'PLAIN_TEXT':
      return value;
    case 'REDACTED':
      return REDACTED_TEXT;
    case 'MASKED':
      return maskValue(column, value, hints);
  }
}

/** Options of {@link applyRedaction}. */
export interface ApplyRedactionOptions extends RedactionHints {
  /** The strictest level an access policy allows (its `WITH REDACTION = …`); see `stricter`. */
  readonly cap?: AppliedRedaction | undefined;
}

/**
 * One call for a requested wire level, as Get records, Detokenize and the query `REDACTION(col)`
 * function need it: resolves `DEFAULT`, applies the cap, then {@link redactValue}.
 *
 * @example
 * applyRedaction(ssn, '123-45-6789', 'DEFAULT')                          // 'XXX-XX-6789' (MASK column)
 * applyRedaction(ssn, '123-45-6789', 'PLAIN_TEXT', { cap: 'REDACTED' }) // '*REDACTED*'
 */
export function applyRedaction(
  column: RedactableColumn,
  value: CanonicalValue,
  requested: RedactionLevel,
  options: ApplyRedactionOptions = {},
): CanonicalValue {
  return redactValue(column, value, effectiveRedaction(column, requested, options.cap), options);
}
