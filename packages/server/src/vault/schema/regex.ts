/**
 * Schema regular expressions are written for Skyflow, whose patterns follow Go's RE2 syntax. We run them
 * as JavaScript regular expressions after translating the few RE2 spellings JavaScript lacks.
 */

export interface CompiledPattern {
  readonly source: string;
  readonly flags: string;
}

export class PatternError extends Error {}

/** ASCII POSIX classes, usable inside brackets in RE2 (`[[:digit:]]`), as JavaScript class contents. */
const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** Letter escapes that mean the same in RE2 and in a JavaScript pattern without the `u` flag. */
const SAME_LETTER_ESCAPES = new Set(['d', 'D', 's', 'S', 'w', 'W', 'b', 'B', 'f', 'n', 'r', 't', 'v']);

/** Escapes literal text (from `\Q…\E`) for use inside or outside a class. */
function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/**
 * Rewrites RE2 spellings JavaScript lacks or reads differently, walking the pattern token by token so
 * that escaped characters and character classes are never rewritten by mistake: `(?P<name>` becomes
 * `(?<name>`; `\A` and `\z` become absolute start/end assertions (also under `(?m)`); `\Q…\E` becomes
 * escaped text; `\a` and `\x{…}` become their characters; POSIX classes `[[:alpha:]]` become ranges; a
 * `]` first in a class is a literal. RE2 escapes JavaScript would silently read as a literal letter
 * (`\pL`, `\C`, `\Z`, …) and backreferences (which RE2 does not have) are rejected.
 */
function translate(pattern: string): string {
  let out = '';
  let inClass = false;
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new PatternError('trailing backslash at end of expression');
      if (next === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        out += escapeLiteral(pattern.slice(i + 2, end < 0 ? pattern.length : end));
        i = end < 0 ? pattern.length : end + 2;
        continue;
      }
      if (inClass && (next === 'b' || next === 'B')) throw new PatternError(`invalid escape \\${next} in a class`);
      if (next === 'A' && !inClass) out += '(?<![\\s\\S])';
      else if (next === 'z' && !inClass) out += '(?![\\s\\S])';
      else if (next === 'a') out += '\\x07';
      else if (next === 'x' && pattern[i + 2] === '{') {
        const m = /^\{([0-9A-Fa-f]{1,6})\}/.exec(pattern.slice(i + 2));
        const code = m ? Number.parseInt(m[1] as string, 16) : Number.NaN;
        if (!m || code > 0x10ffff) throw new PatternError('invalid escape sequence \\x{…}');
        out += escapeLiteral(String.fromCodePoint(code));
        i += 2 + m[0].length;
        continue;
      } else if (SAME_LETTER_ESCAPES.has(next) || next === 'x' || next === '0') out += `\\${next}`;
      else if (/[1-9]/.test(next)) throw new PatternError(`backreferences (\\${next}) are not supported`);
      else if (/[A-Za-z]/.test(next)) throw new PatternError(`invalid or unsupported escape sequence \\${next}`);
      else out += `\\${next}`;
      i += 2;
      continue;
    }
    if (inClass) {
      if (ch === '[' && pattern[i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(i));
        if (m) {
          const ranges = POSIX_CLASSES[m[2] as string];
          if (!ranges) throw new PatternError(`invalid character class range [:${m[2]}:]`);
          if (m[1]) throw new PatternError(`negated POSIX classes ([:^${m[2]}:]) are not supported`);
          out += ranges;
          i += m[0].length;
          continue;
        }
      }
      if (ch === '[') out += '\\[';
      else {
        if (ch === ']') inClass = false;
        out += ch;
      }
      i += 1;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += '[';
      i += 1;
      if (pattern[i] === '^') {
        out += '^';
        i += 1;
      }
      if (pattern[i] === ']') {
        out += '\\]';
        i += 1;
      }
      continue;
    }
    if (pattern.startsWith('(?P<', i)) {
      out += '(?<';
      i += 4;
      continue;
    }
    out += ch;
    i += 1;
  }
  return out;
}

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
  source = translate(source);
  try {
    new RegExp(source, flags);
  } catch (err) {
    // V8 writes "Invalid regular expression: /<pattern>/<flags>: <reason>"; keep only the reason so that
    // no caller can echo the pattern (or a value it was built from) back to a client.
    const message = (err as Error).message;
    const reason = message.slice(message.lastIndexOf(': ') + 2) || 'invalid regular expression';
    throw new PatternError(reason);
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

/** A template reference name as Go reads it: the longest run of Unicode letters, decimal digits and `_`. */
const TEMPLATE_NAME = /^[\p{L}\p{Nd}_]+/u;

/**
 * Parses a Go-style replacement template (`${1}`, `$1`, `${name}`, `$$`), following Go's
 * `regexp.Expand`: `$name` takes the longest run of letters, digits and underscores, so `$1x` names group
 * "1x" (write `${1}x` to mean group 1); a name is a group number only when it is all ASCII digits without
 * a leading zero (`$01` names a group "01", which cannot exist); a malformed reference (`$`, `${}`,
 * `${x-y}`, `${x`) is kept as literal text.
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
    const brace = template[i + 1] === '{';
    const start = i + (brace ? 2 : 1);
    const ref = TEMPLATE_NAME.exec(template.slice(start))?.[0];
    if (ref === undefined || (brace && template[start + ref.length] !== '}')) {
      literal += '$';
      i += 1;
      continue;
    }
    i = start + ref.length + (brace ? 1 : 0);
    if (literal) parts.push({ literal });
    literal = '';
    const isNumber = /^(0|[1-9][0-9]{0,8})$/.test(ref); // Go: at most 9 digits
    parts.push(isNumber ? { group: Number(ref) } : { name: ref });
  }
  if (literal) parts.push({ literal });
  return parts;
}

/** Expands a parsed template against one match; unknown groups expand to nothing, as in Go. */
/** What a template is expanded against: numbered groups by index, named groups under `groups`. */
export interface TemplateMatch {
  readonly [group: number]: string | undefined;
  readonly groups?: Readonly<Record<string, string | undefined>> | undefined;
}

export function expandTemplate(parts: readonly TemplatePart[], match: TemplateMatch): string {
  let out = '';
  for (const part of parts) {
    if ('literal' in part) out += part.literal;
    else if ('group' in part) out += match[part.group] ?? '';
    else out += match.groups?.[part.name] ?? '';
  }
  return out;
}
