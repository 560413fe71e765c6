/**
 * Redaction and masking of column values (`DEFAULT` | `REDACTED` | `MASKED` | `PLAIN_TEXT`); see the
 * "Redaction" section of docs/vault-schemas.md.
 */
export {
  builtinMask,
  type MaskableColumn,
  type MaskKind,
  maskKindOf,
  REDACTED_TEXT,
} from './builtin-masks.js';
export {
  type AppliedRedaction,
  defaultRedaction,
  effectiveRedaction,
  isRedactionLevel,
  REDACTION_LEVELS,
  REDACTION_STRICTNESS,
  type RedactionLevel,
  stricter,
} from './levels.js';
export { applyMaskPattern, MAX_MASK_INPUT, MAX_MASK_SEARCH, maskPatternProblem } from './mask-pattern.js';
export {
  type ApplyRedactionOptions,
  applyRedaction,
  canonicalText,
  maskValue,
  type RedactableColumn,
  type RedactionHints,
  redactValue,
} from './redact.js';
