import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern } from '../schema/regex.js';
import { TokenGenerationError } from './errors.js';
import { deterministicRandom, type RandomSource } from './random.js';
import {
  checkGeneratableRegex,
  MAX_GENERATED_LENGTH,
  regexGenerator,
  UNBOUNDED_EXTRA,
  UnsupportedRegexError,
} from './regex-generator.js';

/** Full match, built here independently of the generator: the RE2 pattern translated, then anchored. */
function fullMatch(pattern: string): RegExp {
  const { source, flags } = compilePattern(pattern);
  return new RegExp(`^(?:${source})$`, flags.replace('m', ''));
}

const seedArb = fc.uint8Array({ minLength: 1, maxLength: 16 });
const KEY = new Uint8Array(32).fill(7);
const seeded = (seed: Uint8Array | number): RandomSource =>
  deterministicRandom(KEY, typeof seed === 'number' ? Uint8Array.of(seed >> 8, seed & 255) : seed);
const samples = (pattern: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => regexGenerator(pattern).generate(seeded(i)));

export const SKYFLOW_SAMPLE_REGEXES = [
  '^[0-9]{4}-[0-9]{4}-([0-9]{4})-([0-9]{4})$',
  '^[0-9]{3}-[0-9]{2}-([0-9]{4})$',
  '^([a-z]{20})@([a-z]{10})\\.com$',
  '^[0-9]{3}-[0-9]{2}-[0-9]{4}$',
  '^(0[1-9]|1[0-2])/[0-9]{2}$',
];

describe("Skyflow's sample format_preserving_regex values", () => {
  it.each(SKYFLOW_SAMPLE_REGEXES)('%s is generatable and every token matches it in full', (pattern) => {
    expect(checkGeneratableRegex(pattern)).toEqual({ ok: true });
    const re = fullMatch(pattern);
    fc.assert(
      fc.property(seedArb, (seed) => {
        expect(regexGenerator(pattern).generate(seeded(seed))).toMatch(re);
      }),
    );
  });

  it('produces the expected shapes', () => {
    const card = regexGenerator(SKYFLOW_SAMPLE_REGEXES[0] as string).generate(seeded(1));
    expect(card).toMatch(/^\d{4}-\d{4}-\d{4}-\d{4}$/);
    expect(regexGenerator(SKYFLOW_SAMPLE_REGEXES[2] as string).generate(seeded(1))).toMatch(
      /^[a-z]{20}@[a-z]{10}\.com$/,
    );
    const expiries = new Set(samples(SKYFLOW_SAMPLE_REGEXES[4] as string, 300).map((t) => t.slice(0, 2)));
    expect([...expiries].sort()).toEqual(['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12']);
  });
});

describe('the supported subset', () => {
  const cases: [string, string][] = [
    ['literals and escaped metacharacters', '^a\\.b\\*c\\+\\?\\(\\)\\[\\]\\{\\}\\|\\\\\\/\\^\\$[0-9]$'],
    ['a literal brace and bracket (Annex B)', '^x{[0-9]}]$'],
    ['hex and control escapes', '^\\x41\\x{e9}\\t\\n[a-c]$'],
    ['RE2 \\x{…} and \\Q…\\E', '^\\x{263A}\\Q.*\\E[0-9]$'],
    ['ranges and several ranges in one class', '^[a-fA-F0-9_]{8}$'],
    ['a literal dash at either end of a class', '^[-a-c]{4}[x-]{4}$'],
    ['a class escape next to a dash (Annex B)', '^[\\d-z]{12}$'],
    ['negated classes', '^[^0-9a-z]{12}$'],
    ['negated classes with escapes', '^[^\\d\\s]{12}$'],
    ['\\d \\w \\s and their negations', '^\\d\\w\\s\\D\\W\\S$'],
    ['\\d \\w \\s inside a class', '^[\\d\\s]{3}[\\w.]{3}[\\S]{3}[\\s\\S]{3}$'],
    ['POSIX classes', '^[[:upper:]][[:digit:][:punct:]]{5}$'],
    ['the dot', '^a.{6}b$'],
    ['the dot under (?s)', '(?s)^.{10}$'],
    ['capturing, non-capturing and named groups', '^(a|b)(?:c|d)(?<x>e|f)(?P<y>g|h)$'],
    ['nested groups and alternation', '^((a|b)(c|d)|e)+$'],
    ['top-level alternation', 'abc|[0-9]{3}|^x$'],
    ['the optional quantifier', '^a?b?c?d$'],
    ['star, plus and open ranges', '^a*b+c{2,}$'],
    ['bounded and exact repetition', '^[0-9]{2,5}-[a-z]{3}$'],
    ['lazy quantifiers', '^a+?b*?c??d{2,3}?$'],
    ['\\A and \\z', '\\A[0-9]{4}\\z'],
    ['\\A and \\z under (?m)', '(?m)\\A[0-9]{4}\\z'],
    ['word boundaries', '^[a-z]+\\b-\\b[0-9]+$'],
    ['an unanchored pattern (matched in full)', '[0-9]{3}-[0-9]{3}'],
    ['case-insensitive flag', '(?i)^[a-c]{6}$'],
    ['case-insensitive negated class', '(?i)^[^a-y]{6}$'],
    ['an empty alternative', '^(|x)[0-9]$'],
    ['an explicit non-ASCII class', '^[à-ÿ]{5}$'],
  ];

  it.each(cases)('%s: %s', (_, pattern) => {
    expect(checkGeneratableRegex(pattern)).toEqual({ ok: true });
    const re = fullMatch(pattern);
    fc.assert(
      fc.property(seedArb, (seed) => {
        const token = regexGenerator(pattern).generate(seeded(seed));
        expect(token).toMatch(re);
        expect(token.length).toBeGreaterThan(0);
        expect(token.length).toBeLessThanOrEqual(MAX_GENERATED_LENGTH);
      }),
      { numRuns: 40 },
    );
  });

  it('reaches every branch of an alternation', () => {
    expect(new Set(samples('^(cat|dog|bird)$', 120))).toEqual(new Set(['cat', 'dog', 'bird']));
  });

  it('covers the whole range of a bounded repetition', () => {
    expect(new Set(samples('^a{2,5}$', 200).map((t) => t.length))).toEqual(new Set([2, 3, 4, 5]));
  });

  it('caps unbounded repetition at the minimum plus UNBOUNDED_EXTRA', () => {
    const lengths = (pattern: string) => new Set(samples(pattern, 400).map((t) => t.length));
    expect(Math.max(...lengths('^b*c$'))).toBe(1 + UNBOUNDED_EXTRA);
    expect(Math.min(...lengths('^b*c$'))).toBe(1);
    expect(lengths('^c+$')).toEqual(new Set(Array.from({ length: UNBOUNDED_EXTRA + 1 }, (_, i) => i + 1)));
    expect(Math.min(...lengths('^d{3,}$'))).toBe(3);
    expect(Math.max(...lengths('^d{3,}$'))).toBe(3 + UNBOUNDED_EXTRA);
  });

  it('draws "any character" from printable ASCII, and \\s as a space', () => {
    const tokens = [...samples('^.{20}$', 50), ...samples('^[^a]{20}$', 50), ...samples('^\\W{20}$', 50)];
    for (const t of tokens) expect(t).toMatch(/^[\x20-\x7e]+$/);
    for (const t of samples('^\\s[0-9]$', 5)) expect(t[0]).toBe(' ');
    expect(new Set(samples('^.$', 2000)).size).toBe(95);
  });

  it('leaves control characters out of explicit classes that have other characters', () => {
    for (const t of samples('^[\\x00-\\x7F]{30}$', 30)) expect(t).toMatch(/^[\x20-\x7e]+$/);
    for (const t of samples('^[\\t][0-9]$', 3)) expect(t[0]).toBe('\t');
  });

  it('excludes both cases from a negated class under (?i), at the first attempt', () => {
    // Count draws: without case folding a candidate with "a"/"A" would be drawn again, costing more draws.
    for (let seed = 0; seed < 30; seed++) {
      const inner = seeded(seed);
      let draws = 0;
      const counting: RandomSource = {
        int: (n) => {
          draws += 1;
          return inner.int(n);
        },
        bytes: (n) => inner.bytes(n),
      };
      const token = regexGenerator('(?i)^[^a]{40}$').generate(counting);
      expect(token).not.toMatch(/a/i);
      expect(draws).toBe(41); // 40 characters and one repetition count
    }
  });

  it('is deterministic for a deterministic source', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        const pattern = SKYFLOW_SAMPLE_REGEXES[0] as string;
        expect(regexGenerator(pattern).generate(seeded(seed))).toBe(regexGenerator(pattern).generate(seeded(seed)));
      }),
    );
  });

  it('matches() checks a whole string against the translated pattern', () => {
    const g = regexGenerator('^[0-9]{3}-[0-9]{2}-[0-9]{4}$');
    expect(g.matches('123-45-6789')).toBe(true);
    expect(g.matches('123-45-67890')).toBe(false);
    expect(g.matches('123-45-6789\n')).toBe(false);
    const unanchored = regexGenerator('[0-9]{3}');
    expect(unanchored.matches('123')).toBe(true);
    expect(unanchored.matches('x123')).toBe(false);
    const alternatives = regexGenerator('a|ab');
    expect(alternatives.matches('ab')).toBe(true);
    expect(regexGenerator('(?m)^[0-9]{2}$').matches('12\n34')).toBe(false);
  });
});

describe('checkGeneratableRegex rejections', () => {
  const rejected: [string, RegExp][] = [
    ['(?=a)[a-z]', /lookaround/],
    ['(?!a)[a-z]', /lookaround/],
    ['(?<=a)[a-z]', /lookaround/],
    ['(?<!a)[a-z]', /lookaround/],
    ['(a)\\1', /backreferences/],
    ['[', /not a valid regular expression/],
    ['(?U)a+', /not a valid regular expression/],
    ['\\pL', /not a valid regular expression/],
    ['^$', /only the empty string/],
    ['\\b', /only the empty string/],
    ['^abc$', /only one string/],
    ['^a{3}(b){2}$', /only one string/],
    ['^[a-z]{300}$', /longer than 256/],
    ['^(a{1,100}){1,100}$', /longer than 256/],
    ['^a{20000}$', /repetition count/],
    ['^[a-z]+$x', /no string matching/],
    ['^[a-z]\\b[0-9a-z]$', /no string matching/],
    ['^[^\\x20-\\x7e]$', /no string matching/],
  ];

  it.each(rejected)('%s', (pattern, reason) => {
    const result = checkGeneratableRegex(pattern);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('generation from a rejected pattern throws the matching error type', () => {
    expect(() => regexGenerator('(?=a)a')).toThrow(UnsupportedRegexError);
    expect(() => regexGenerator('(?=a)a')).toThrow(UnsupportedRegexError); // also from the cache
    expect(() => regexGenerator('^[a-z]+$x').generate(seeded(0))).toThrow(TokenGenerationError);
  });

  it('gives the same answer every time (the trials are seeded)', () => {
    for (const pattern of ['^[a-z]\\b[0-9a-z]$', '^[0-9]{3}$']) {
      expect(checkGeneratableRegex(pattern)).toEqual(checkGeneratableRegex(pattern));
    }
  });
});
