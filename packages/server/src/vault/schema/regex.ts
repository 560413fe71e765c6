/**
 * Schema regular expressions are written for Skyflow, whose patterns follow Go's RE2 syntax. We run them
 * as JavaScript regular expressions after translating the few RE2 spellings JavaScript lacks.
 */

export interface CompiledPattern {
  readonly source: string;
  readonly flags: string;
}

export class PatternError extends Error {}

/** Translates and compiles an RE2-style pattern; throws {@link PatternError} with the reason. */
export function compilePattern(pattern: string): CompiledPattern {
  let source = pattern;
  let flags = '';
  const leadingFlags = /^\(\?([imsU]+)\)/.exec(source);
  if (leadingFlags) {
    const requested = leadingFlags[1] as string;
    if (requested.includes('U')) throw new PatternError('the ungreedy flag (?U) is not supported');
    flags = [...new Set(requested)].join('');
    source = source.slice(leadingFlags[0].length);
  }
  source = source.replaceAll('(?P<', '(?<').replaceAll('\\A', '^').replaceAll('\\z', '$(?![\\s\\S])');
  try {
    new RegExp(source, flags);
  } catch (err) {
    throw new PatternError((err as Error).message.replace(/^Invalid regular expression: /, ''));
  }
  return { source, flags };
}

export function toRegExp(pattern: CompiledPattern, extraFlags = ''): RegExp {
  return new RegExp(pattern.source, pattern.flags + extraFlags);
}

/** Numbered and named capture groups of a compiled pattern. */
export function captureGroups(pattern: CompiledPattern): { count: number; names: string[] } {
  const match = new RegExp(`${pattern.source}|`, pattern.flags).exec('') as RegExpExecArray;
  return { count: match.length - 1, names: Object.keys(match.groups ?? {}) };
}

export type TemplatePart = { literal: string } | { group: number } | { name: string };

/**
 * Parses a Go-style replacement template (`${1}`, `$1`, `${name}`, `$$`). As in Go, `$name` takes the
 * longest run of letters, digits and underscores, so `$1x` names group "1x"; write `${1}x` to mean group 1.
 */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i] as string;
    if (ch !== '$') {
      literal += ch;
      i += 1;
      continue;
    }
    if (template[i + 1] === '$') {
      literal += '$';
      i += 2;
      continue;
    }
    let ref: string | undefined;
    if (template[i + 1] === '{') {
      const end = template.indexOf('}', i + 2);
      if (end > i + 2) {
        ref = template.slice(i + 2, end);
        if (/^\w+$/.test(ref)) i = end + 1;
        else ref = undefined;
      }
    } else {
      const m = /^\w+/.exec(template.slice(i + 1));
      if (m) {
        ref = m[0];
        i += 1 + ref.length;
      }
    }
    if (ref === undefined) {
      literal += '$';
      i += 1;
      continue;
    }
    if (literal) parts.push({ literal });
    literal = '';
    parts.push(/^\d+$/.test(ref) ? { group: Number(ref) } : { name: ref });
  }
  if (literal) parts.push({ literal });
  return parts;
}

/** Expands a parsed template against one match; unknown groups expand to nothing, as in Go. */
export function expandTemplate(parts: readonly TemplatePart[], match: RegExpExecArray): string {
  let out = '';
  for (const part of parts) {
    if ('literal' in part) out += part.literal;
    else if ('group' in part) out += match[part.group] ?? '';
    else out += match.groups?.[part.name] ?? '';
  }
  return out;
}
