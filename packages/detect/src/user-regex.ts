import { RE2JS } from 're2js';

/** A span of the analysed text, UTF-16 offsets, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

/** Raised for an `allow_regex`/`restrict_regex` entry that is not a valid RE2 pattern. */
export class InvalidRegexError extends Error {
  readonly pattern: string;
  constructor(pattern: string, reason: string) {
    super(`invalid regular expression ${JSON.stringify(pattern)}: ${reason}`);
    this.name = 'InvalidRegexError';
    this.pattern = pattern;
  }
}

/** Most matches one request regex may produce; a pattern that matches everywhere is cut off here. */
const MAX_MATCHES = 10_000;

/**
 * Compiles request-supplied patterns with RE2 semantics (linear-time matching, no back-references or
 * look-around), so that a request cannot make the engine backtrack for minutes. Throws
 * {@link InvalidRegexError} for the first invalid pattern.
 */
export function compileUserPatterns(patterns: readonly string[] | null | undefined): RE2JS[] {
  if (!patterns) return [];
  return patterns
    .filter((p) => typeof p === 'string' && p.length > 0)
    .map((p) => {
      try {
        return RE2JS.compile(p);
      } catch (err) {
        throw new InvalidRegexError(p, err instanceof Error ? err.message : String(err));
      }
    });
}

/** Every non-empty match of the patterns in `text`. */
export function matchSpans(patterns: readonly RE2JS[], text: string): Span[] {
  const out: Span[] = [];
  for (const re of patterns) {
    const m = re.matcher(text);
    let count = 0;
    while (m.find() && count < MAX_MATCHES) {
      if (m.end() > m.start()) out.push({ start: m.start(), end: m.end() });
      count++;
    }
  }
  return out;
}

/** True when some span covers [start, end) entirely. */
export function covered(spans: readonly Span[], start: number, end: number): boolean {
  return spans.some((s) => s.start <= start && s.end >= end);
}

/** True when some span overlaps [start, end). */
export function overlaps(spans: readonly Span[], start: number, end: number): boolean {
  return spans.some((s) => s.start < end && s.end > start);
}
