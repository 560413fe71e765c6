import { RE2JS } from 're2js';
import { expandTemplate, PatternError, type TemplateMatch, type TemplatePart } from './regex.js';

/**
 * A user-supplied pattern (a vault schema's validation regex or mask) compiled with RE2 semantics:
 * the syntax Skyflow's schemas are written in (Go's RE2), matched in time linear in the input. The
 * JavaScript engine backtracks, so a pattern like `^(a+)+$` would let one insert stall the whole server;
 * these patterns never run on it.
 */
export interface SafePattern {
  readonly groupCount: number;
  readonly groupNames: readonly string[];
  /** Whether the pattern matches anywhere in `text` (Go's MatchString). */
  test(text: string): boolean;
  /** Whether the pattern matches the whole of `text`. */
  fullMatch(text: string): boolean;
  /**
   * Replaces every match by the expanded Go-style template exactly as Go's `regexp.ReplaceAllString`
   * does: left to right without overlapping, an empty match right after a previous match is not replaced,
   * and after an empty match the search moves on by one character (a whole surrogate pair).
   *
   * `searchBudget` bounds the characters all the searches may cover together: replace-all starts a new
   * search after each match, so a pattern matching everywhere costs time quadratic in the text. Past the
   * budget the result is `undefined`.
   */
  replaceAll(text: string, template: readonly TemplatePart[], searchBudget?: number): string | undefined;
}

type Matcher = ReturnType<RE2JS['matcher']>;

function groupsOf(matcher: Matcher, count: number, names: readonly string[]): TemplateMatch {
  const groups: (string | undefined)[] = [];
  for (let i = 0; i <= count; i++) groups.push(matcher.group(i) ?? undefined);
  const named: Record<string, string | undefined> = {};
  for (const name of names) named[name] = matcher.group(name) ?? undefined;
  return Object.assign(groups, { groups: named });
}

const cache = new Map<string, SafePattern>();
const MAX_CACHED = 2000;

/** Compiles (once per source) an RE2 pattern; throws {@link PatternError} with the reason. */
export function compileSafe(source: string): SafePattern {
  const cached = cache.get(source);
  if (cached) return cached;
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (err) {
    // re2js quotes the offending part of the pattern in backticks; keep only the reason, never the pattern.
    const reason = String((err as Error).message)
      .replace(/^error parsing regexp: /, '')
      .replace(/: `[\s\S]*$/, '');
    throw new PatternError(reason);
  }
  const names = Object.keys(re.namedGroups());
  const pattern: SafePattern = {
    groupCount: re.groupCount(),
    groupNames: names,
    test: (text) => re.matcher(text).find(),
    fullMatch: (text) => re.matcher(text).matches(),
    replaceAll(text, template, searchBudget = Number.POSITIVE_INFINITY) {
      const matcher = re.matcher(text);
      let budget = searchBudget;
      let out = '';
      let lastEnd = 0;
      let searchFrom = 0;
      while (searchFrom <= text.length) {
        budget -= text.length - searchFrom + 1;
        if (budget < 0) return undefined;
        if (!matcher.find(searchFrom)) break;
        const start = matcher.start();
        const end = matcher.end();
        out += text.slice(lastEnd, start);
        if (end > lastEnd || start === 0) out += expandTemplate(template, groupsOf(matcher, pattern.groupCount, names));
        lastEnd = end;
        const width = searchFrom < text.length && (text.codePointAt(searchFrom) as number) > 0xffff ? 2 : 1;
        searchFrom = searchFrom + width > end ? searchFrom + width : end;
      }
      return out + text.slice(lastEnd);
    },
  };
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(source, pattern);
  return pattern;
}
