import type { TokenPolicy } from '../schema/model.js';
import { PatternError } from '../schema/regex.js';
import { matchesInFull } from './regex-generator.js';

/** Longest token a client may supply, in code points. */
export const MAX_SUPPLIED_TOKEN_LENGTH = 256;

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** C0 and C1 control characters and DEL, and lone surrogates (ill-formed UTF-16). */
const FORBIDDEN = /[\p{Cc}\p{Cs}]/u;

function matchesRegex(source: string, token: string): boolean {
  try {
    return matchesInFull(source, token);
  } catch (err) {
    if (err instanceof PatternError) return false;
    throw err;
  }
}

export type SuppliedTokenCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether a client-supplied token (bring your own token) is acceptable for a column's policy. Only the
 * token's shape is checked; nothing here can depend on the value, which the caller must not reveal in
 * the reason either. Every policy: non-empty, at most 256 code points, no control characters, well-formed
 * UTF-16. Then:
 * - UUID policies (`NON_DETERMINISTIC_UUID`, `DETERMINISTIC_UUID`, `NON_DETERMINISTIC_TRANSIENT_UUID`):
 *   8-4-4-4-12 hexadecimal digits, either case, any version (tokens are stored and compared as given).
 * - Format-preserving policies with a `regex`: the translated regex matches the whole token.
 * - PRESERVE_RIGHT_4 policies with a `prefix`: the token starts with the prefix.
 * - Everything else (`RANDOM_TOKEN`, FPT without regex, LEFT_6_RIGHT_4, EMAIL_DOMAIN): the common rules
 *   only; what those types preserve depends on the value, which the token is not checked against.
 *   A regex that is not valid at all (which schema validation prevents) accepts no token.
 */
export function checkSuppliedToken(policy: TokenPolicy, token: string): SuppliedTokenCheck {
  if (token.length === 0) return { ok: false, reason: 'the token is empty' };
  if (FORBIDDEN.test(token)) return { ok: false, reason: 'the token contains control characters or lone surrogates' };
  if ([...token].length > MAX_SUPPLIED_TOKEN_LENGTH) {
    return { ok: false, reason: `the token is longer than ${MAX_SUPPLIED_TOKEN_LENGTH} characters` };
  }
  switch (policy.type) {
    case 'NON_DETERMINISTIC_UUID':
    case 'DETERMINISTIC_UUID':
    case 'NON_DETERMINISTIC_TRANSIENT_UUID':
      return UUID_SHAPE.test(token) ? { ok: true } : { ok: false, reason: 'the token must be a UUID' };
    case 'FORMAT_PRESERVING_TOKEN':
    case 'DETERMINISTIC_FPT':
    case 'NON_DETERMINISTIC_FPT':
      if (policy.regex !== undefined && !matchesRegex(policy.regex, token)) {
        return { ok: false, reason: "the token does not match the column's format_preserving_regex" };
      }
      return { ok: true };
    case 'DETERMINISTIC_PRESERVE_RIGHT_4':
    case 'NON_DETERMINISTIC_PRESERVE_RIGHT_4':
      if (policy.prefix && !token.startsWith(policy.prefix)) {
        return { ok: false, reason: "the token must start with the column's token_prefix" };
      }
      return { ok: true };
    case 'RANDOM_TOKEN':
    case 'DETERMINISTIC_PRESERVE_LEFT_6_RIGHT_4':
    case 'DETERMINISTIC_PRESERVE_EMAIL_DOMAIN':
      return { ok: true };
  }
}
