import type { MaskPattern } from '../schema/model.js';
import { PatternError, parseTemplate, type TemplatePart } from '../schema/regex.js';
import { compileSafe, type SafePattern } from '../schema/safe-pattern.js';

/**
 * Longest text (UTF-16 code units) a mask is computed for. Longer values are shown as `*REDACTED*`
 * under `MASKED`: masking them would cost time for an output nobody can read anyway.
 */
export const MAX_MASK_INPUT = 4096;

/**
 * Most characters one replace-all may search, summed over its searches. One search costs time linear in
 * the text after its starting point, but replace-all starts a new search after every match, so a pattern
 * matching at every position (`[0-9]`, or `(?:.*z)?` which matches the empty string everywhere) would
 * make a long value cost quadratic time. Past this budget the pattern is treated as not applicable and
 * the built-in mask is used. A value of n characters searched from each position costs (n+1)(n+2)/2, so
 * per-character masks work on values up to about 360 characters.
 */
export const MAX_MASK_SEARCH = 16 * MAX_MASK_INPUT;

interface CompiledMask {
  readonly pattern: SafePattern;
  readonly template: readonly TemplatePart[];
}

const MAX_CACHED = 1000;
const cache = new Map<string, CompiledMask | { readonly problem: string }>();

function compiled(mask: MaskPattern): CompiledMask | { readonly problem: string } {
  const key = `${mask.find}\u0000${mask.replace}`;
  let entry = cache.get(key);
  if (!entry) {
    try {
      entry = { pattern: compileSafe(mask.find), template: parseTemplate(mask.replace) };
    } catch (err) {
      if (!(err instanceof PatternError)) throw err;
      entry = { problem: err.message };
    }
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, entry);
  }
  return entry;
}

/**
 * Why a find pattern cannot be used as a mask (it does not compile with RE2 syntax), or `undefined`
 * when it can. Such columns get their built-in mask; the
 * schema layer may use this to refuse or warn about the pattern when the schema is written.
 */
export function maskPatternProblem(find: string): string | undefined {
  const entry = compiled({ find, replace: '' });
  return 'problem' in entry ? entry.problem : undefined;
}

/**
 * Replaces every match of the mask's find pattern in `text` by its expanded replace template, exactly as
 * Go's `regexp.ReplaceAllString` does (Skyflow's masks are written for it): matches are searched left to
 * right without overlapping, an empty match right after a previous match is not replaced, and after an
 * empty match the search moves on by one character. Text outside matches is kept, so a pattern that does
 * not match returns `text` unchanged.
 *
 * Patterns run with RE2 semantics in linear time (`compileSafe`). Returns `undefined` when the pattern
 * cannot be applied: it does not compile, `text` is longer than {@link MAX_MASK_INPUT}, or the searches would cover more than
 * {@link MAX_MASK_SEARCH} characters. The cost is therefore bounded by that budget times the size of the
 * pattern, whatever the pattern.
 *
 * @example applyMaskPattern({ find: '.*([0-9]{4})', replace: 'XXXXXX${1}' }, '555-123-4567') // 'XXXXXX4567'
 */
export function applyMaskPattern(mask: MaskPattern, text: string): string | undefined {
  if (text.length > MAX_MASK_INPUT) return undefined;
  const entry = compiled(mask);
  if ('problem' in entry) return undefined;
  return entry.pattern.replaceAll(text, entry.template, MAX_MASK_SEARCH);
}
