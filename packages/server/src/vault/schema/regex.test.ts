import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CompiledPattern,
  captureGroups,
  compilePattern,
  expandTemplate,
  PatternError,
  parseTemplate,
  toRegExp,
} from './regex.js';

const re = (pattern: string, extraFlags = '') => toRegExp(compilePattern(pattern), extraFlags);
/** Go's ReplaceAllString for a single (non-global) match: the matched text replaced by the expanded template. */
function replaceFirst(find: string, template: string, input: string): string {
  const m = re(find).exec(input);
  if (!m) return input;
  return input.slice(0, m.index) + expandTemplate(parseTemplate(template), m) + input.slice(m.index + m[0].length);
}

describe('compilePattern', () => {
  it('translates (?P<name>…) to a JavaScript named group', () => {
    const m = re('(?P<year>\\d{4})-(?P<month>\\d{2})').exec('on 2024-02');
    expect(m?.groups).toEqual({ year: '2024', month: '02' });
  });

  it('turns a leading (?i), (?s), (?m) into flags, deduplicated', () => {
    expect(compilePattern('(?i)abc')).toEqual({ source: 'abc', flags: 'i' });
    expect(compilePattern('(?ii)abc').flags).toBe('i');
    expect(compilePattern('(?is)a.c').flags).toBe('is');
    expect(re('(?i)^abc$').test('AbC')).toBe(true);
    expect(re('^abc$').test('AbC')).toBe(false);
    expect(re('(?s)^a.c$').test('a\nc')).toBe(true);
    expect(re('^a.c$').test('a\nc')).toBe(false);
  });

  it('rejects the ungreedy flag (?U)', () => {
    expect(() => compilePattern('(?U)a+')).toThrow(PatternError);
  });

  it('translates \\A and \\z to absolute start and end of the input', () => {
    const anchored = re('\\Aabc\\z');
    expect(anchored.test('abc')).toBe(true);
    expect(anchored.test('abc\n')).toBe(false);
    expect(anchored.test('xabc')).toBe(false);
    expect(anchored.test('abcx')).toBe(false);
  });

  it('keeps \\A and \\z absolute under (?m), where ^ and $ match at line breaks', () => {
    const multiline = re('(?m)\\Aabc\\z');
    expect(multiline.test('abc')).toBe(true);
    expect(multiline.test('x\nabc')).toBe(false);
    expect(multiline.test('abc\nx')).toBe(false);
    expect(re('(?m)^abc$').test('x\nabc\ny')).toBe(true);
  });

  it('does not rewrite escaped text that merely looks like \\A, \\z or (?P<', () => {
    // `\\A` is an escaped backslash followed by the letter A.
    expect(re('^\\\\A$').test('\\A')).toBe(true);
    expect(re('^\\\\z$').test('\\z')).toBe(true);
    // `\(?P<` is an optional literal parenthesis followed by the text "P<".
    expect(re('^\\(?P<x>$').test('(P<x>')).toBe(true);
    expect(re('^\\(?P<x>$').test('P<x>')).toBe(true);
    // Inside a class, nothing is a group.
    expect(re('^[(?P<]+$').test('P<(?')).toBe(true);
  });

  it('supports RE2 spellings JavaScript lacks: \\Q…\\E, \\a, \\x{…}, POSIX classes, a leading ] in a class', () => {
    expect(re('^\\Q1+1=2?\\E$').test('1+1=2?')).toBe(true);
    expect(re('^\\Q1+1\\E+$').test('1+11')).toBe(true);
    expect(re('^\\a$').test('\u0007')).toBe(true);
    expect(re('^\\x{41}\\x{e9}$').test('Aé')).toBe(true);
    expect(re('^[[:digit:]]+$').test('0123')).toBe(true);
    expect(re('^[[:digit:]]+$').test('12:')).toBe(false);
    expect(re('^[[:alpha:][:digit:]_-]+$').test('ab_9-Z')).toBe(true);
    expect(re('^[[:punct:]]+$').test('!/[]`~')).toBe(true);
    expect(re('^[[:punct:]]+$').test('a')).toBe(false);
    expect(re('^[]a]+$').test(']a]')).toBe(true);
    expect(re('^[^]a]+$').test('bc')).toBe(true);
    expect(re('^[^]a]+$').test('b]')).toBe(false);
  });

  it.each([
    ['an unbalanced group', '(abc'],
    ['an unterminated class', '[abc'],
    ['a dangling quantifier', '*abc'],
    ['a trailing backslash', 'abc\\'],
    ['a backreference (RE2 has none)', '(a)\\1'],
    ['a Unicode class JavaScript would read as the letter p', '\\pL'],
    ['\\Z, which RE2 does not have', 'abc\\Z'],
    ['\\C', 'a\\Cb'],
    ['an unknown POSIX class', '[[:foo:]]'],
    ['a negated POSIX class', '[[:^digit:]]'],
    ['a flag group in the middle', 'a(?i)b'],
    ['an out-of-range \\x{…}', '\\x{110000}'],
  ])('rejects %s with PatternError', (_, pattern) => {
    expect(() => compilePattern(pattern)).toThrow(PatternError);
  });

  it('reports the reason without the "Invalid regular expression" prefix', () => {
    try {
      compilePattern('(abc');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PatternError);
      expect((err as Error).message).not.toMatch(/^Invalid regular expression/);
      expect((err as Error).message.length).toBeGreaterThan(0);
    }
  });

  it('leaves plain patterns alone', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9 ]{0,20}$/), (text) => {
        expect(compilePattern(text)).toEqual({ source: text, flags: '' });
      }),
      { numRuns: 100 },
    );
  });

  it('matches escaped literal text exactly, whatever it contains', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }).filter((s) => !s.includes('\\E')),
        (text) => {
          expect(re(`^\\Q${text}\\E$`).test(text)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('captureGroups', () => {
  const groups = (pattern: string) => captureGroups(compilePattern(pattern));

  it('counts numbered and named groups, and lists the names', () => {
    expect(groups('abc')).toEqual({ count: 0, names: [] });
    expect(groups('(a)(b)')).toEqual({ count: 2, names: [] });
    expect(groups('(?:a)(b)')).toEqual({ count: 1, names: [] });
    expect(groups('(?P<first>a)(b)(?P<last>c)')).toEqual({ count: 3, names: ['first', 'last'] });
    expect(groups('((a)|(b))')).toEqual({ count: 3, names: [] });
    expect(groups('[(](a)')).toEqual({ count: 1, names: [] });
    expect(groups('\\(a\\)')).toEqual({ count: 0, names: [] });
  });

  it('counts groups of alternatives and of patterns that cannot match the empty string', () => {
    expect(groups('(a)|(b)|(c)').count).toBe(3);
    expect(groups('^(x+)$').count).toBe(1);
    expect(groups('\\A(?P<all>.+)\\z')).toEqual({ count: 1, names: ['all'] });
  });

  it('agrees with the number of capturing parentheses in generated patterns', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('(a)', '(?:b)', 'c', '(?P<n_IDX>d)', '[()]'), { maxLength: 8 }), (atoms) => {
        let named = 0;
        const pattern = atoms.map((a) => a.replace('IDX', String(named++))).join('');
        const expected = atoms.filter((a) => a === '(a)' || a.startsWith('(?P<')).length;
        const result = groups(pattern);
        expect(result.count).toBe(expected);
        expect(result.names.length).toBe(atoms.filter((a) => a.startsWith('(?P<')).length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseTemplate', () => {
  it('reads $n, ${n}, $name, ${name} and $$', () => {
    expect(parseTemplate('$1')).toEqual([{ group: 1 }]);
    expect(parseTemplate('${1}')).toEqual([{ group: 1 }]);
    expect(parseTemplate('$name')).toEqual([{ name: 'name' }]);
    expect(parseTemplate('${name}')).toEqual([{ name: 'name' }]);
    expect(parseTemplate('$$')).toEqual([{ literal: '$' }]);
    expect(parseTemplate('a$$1b')).toEqual([{ literal: 'a$1b' }]);
    expect(parseTemplate('$0')).toEqual([{ group: 0 }]);
  });

  it('takes the longest name after $, as Go does: $1x names group "1x" and $10 is group 10', () => {
    expect(parseTemplate('$1x')).toEqual([{ name: '1x' }]);
    expect(parseTemplate('${1}x')).toEqual([{ group: 1 }, { literal: 'x' }]);
    expect(parseTemplate('$10')).toEqual([{ group: 10 }]);
    expect(parseTemplate('$1_2')).toEqual([{ name: '1_2' }]);
    expect(parseTemplate('$a-$b')).toEqual([{ name: 'a' }, { literal: '-' }, { name: 'b' }]);
  });

  it('treats a number with a leading zero as a name, as Go does ($01 is not group 1)', () => {
    expect(parseTemplate('$01')).toEqual([{ name: '01' }]);
    expect(parseTemplate('${00}')).toEqual([{ name: '00' }]);
  });

  it('treats over-long numbers as names, as Go does (more than 9 digits)', () => {
    expect(parseTemplate('$123456789')).toEqual([{ group: 123456789 }]);
    expect(parseTemplate('$1234567890')).toEqual([{ name: '1234567890' }]);
  });

  it('takes Unicode letters and digits into a name, as Go does', () => {
    expect(parseTemplate('$1é')).toEqual([{ name: '1é' }]);
    expect(parseTemplate('${été}')).toEqual([{ name: 'été' }]);
  });

  it('keeps malformed references as literal text', () => {
    expect(parseTemplate('$')).toEqual([{ literal: '$' }]);
    expect(parseTemplate('a$')).toEqual([{ literal: 'a$' }]);
    expect(parseTemplate('${}')).toEqual([{ literal: '${}' }]);
    expect(parseTemplate('${1')).toEqual([{ literal: '${1' }]);
    expect(parseTemplate('${a-b}')).toEqual([{ literal: '${a-b}' }]);
    expect(parseTemplate('$-1')).toEqual([{ literal: '$-1' }]);
    expect(parseTemplate('${ab${cd}')).toEqual([{ literal: '${ab' }, { name: 'cd' }]);
  });

  it('parses a template without $ to itself', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('$')),
        (template) => {
          expect(parseTemplate(template)).toEqual(template ? [{ literal: template }] : []);
          const m = /x/.exec('x') as RegExpExecArray;
          expect(expandTemplate(parseTemplate(template), m)).toBe(template);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('expands $$ to $ and keeps every literal', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', '$$', 'b', ' ', '}', '{'), { maxLength: 12 }), (pieces) => {
        const m = /x/.exec('x') as RegExpExecArray;
        const expected = pieces.map((p) => (p === '$$' ? '$' : p)).join('');
        expect(expandTemplate(parseTemplate(pieces.join('')), m)).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('expandTemplate against real matches', () => {
  it('masks a card number keeping the last four (the card mask of the schema tags)', () => {
    const find = '[0-9 -]*([0-9 -]{4}$)';
    const replace = 'XXXXXXXXXXXX${1}';
    expect(replaceFirst(find, replace, '4111 1111 1111 1234')).toBe('XXXXXXXXXXXX1234');
    expect(replaceFirst(find, replace, '4111111111111234')).toBe('XXXXXXXXXXXX1234');
  });

  it('masks an SSN keeping its separators and last four', () => {
    const find = '^[0-9]{3}([- ])?[0-9]{2}([- ])?([0-9]{4})$';
    const replace = 'XXX${1}XX${2}${3}';
    expect(replaceFirst(find, replace, '123-45-6789')).toBe('XXX-XX-6789');
    expect(replaceFirst(find, replace, '123 45 6789')).toBe('XXX XX 6789');
    // Groups that did not take part expand to nothing, as in Go.
    expect(replaceFirst(find, replace, '123456789')).toBe('XXXXX6789');
  });

  it('expands named groups, and unknown names or numbers to nothing', () => {
    const m = re('(?P<user>[^@]+)@(?P<domain>.+)').exec('jane@example.com') as RegExpExecArray;
    expect(expandTemplate(parseTemplate('***@${domain}'), m)).toBe('***@example.com');
    expect(expandTemplate(parseTemplate('$user at $domain'), m)).toBe('jane at example.com');
    expect(expandTemplate(parseTemplate('[$missing][$9][$01][$1x]'), m)).toBe('[][][][]');
    expect(expandTemplate(parseTemplate('$0'), m)).toBe('jane@example.com');
  });

  it('expands ${1}x as group 1 then x, but $1x as the (absent) group "1x"', () => {
    const m = re('(a)(b)').exec('ab') as RegExpExecArray;
    expect(expandTemplate(parseTemplate('${1}x'), m)).toBe('ax');
    expect(expandTemplate(parseTemplate('$1x'), m)).toBe('');
    expect(expandTemplate(parseTemplate('$2$1'), m)).toBe('ba');
  });

  it('is unaffected by inherited property names used as group names', () => {
    const m = re('(?P<a>x)').exec('x') as RegExpExecArray;
    expect(expandTemplate(parseTemplate('${toString}${constructor}${__proto__}'), m)).toBe('');
  });
});

// A compiled pattern is plain data: it survives JSON (it is stored in parsed schemas).
describe('CompiledPattern', () => {
  it('round-trips through JSON and compiles to the same behaviour', () => {
    const compiled = compilePattern('(?i)\\A(?P<x>ab)\\z');
    const copy = JSON.parse(JSON.stringify(compiled)) as CompiledPattern;
    expect(toRegExp(copy).exec('AB')?.groups?.x).toBe('AB');
    expect(toRegExp(copy, 'g').flags).toBe('gi');
  });
});
