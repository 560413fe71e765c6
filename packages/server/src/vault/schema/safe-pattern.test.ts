import { describe, expect, it } from 'vitest';
import { PatternError, parseTemplate } from './regex.js';
import { compileSafe } from './safe-pattern.js';

const timed = <T>(fn: () => T): { value: T; ms: number } => {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
};

describe('compileSafe (RE2 semantics, linear time)', () => {
  it('runs patterns that make a backtracking engine explode in linear time', () => {
    for (const [source, input] of [
      ['^(a+)+$', `${'a'.repeat(20_000)}!`],
      ['^(a|aa)+$', `${'a'.repeat(20_000)}!`],
      ['(x+x+)+y', 'x'.repeat(20_000)],
      ['(?i)^(.*?,){11}P', '1,2,3,4,5,6,7,8,9,10,11,12'.repeat(2000)],
    ] as const) {
      const { value, ms } = timed(() => compileSafe(source).test(input));
      expect(value).toBe(false);
      expect(ms, source).toBeLessThan(1500);
    }
  });

  it('reads Skyflow sample patterns with Go RE2 syntax', () => {
    expect(compileSafe('^$|^[\\s]*?([0-9]{2,6}[ -]?){3,5}[\\s]*$').test('4111 1111 1111 1111')).toBe(true);
    expect(compileSafe('^$|^([0-9]{3}-?[0-9]{2}-?[0-9]{4})$').test('123-45-6789')).toBe(true);
    expect(compileSafe('^$|^([0-9]{3}-?[0-9]{2}-?[0-9]{4})$').test('12-345-6789')).toBe(false);
    expect(compileSafe('\\Qa.b\\E[[:digit:]]\\z').test('xa.b5')).toBe(true);
    expect(compileSafe('(?P<year>[0-9]{4})').groupNames).toEqual(['year']);
  });

  it('tests anywhere in the text, or the whole text', () => {
    const p = compileSafe('[0-9]{3}');
    expect(p.test('ab123cd')).toBe(true);
    expect(p.fullMatch('ab123cd')).toBe(false);
    expect(p.fullMatch('123')).toBe(true);
  });

  it('replaces every match with a Go template, numbered and named groups alike', () => {
    const card = compileSafe('[0-9 -]*([0-9 -]{4}$)');
    expect(card.replaceAll('4111 1111 1111 1234', parseTemplate('XXXXXXXXXXXX${1}'))).toBe('XXXXXXXXXXXX1234');
    const email = compileSafe('^(.).*?(.)?@(.+)');
    expect(email.replaceAll('johndoe@mail.com', parseTemplate('$1******$2@$3'))).toBe('j******e@mail.com');
    const year = compileSafe('(?P<y>[0-9]{4})');
    expect(year.replaceAll('1999 and 2020', parseTemplate('<${y}>'))).toBe('<1999> and <2020>');
    expect(compileSafe('z').replaceAll('abc', parseTemplate('X'))).toBe('abc');
  });

  it('refuses what RE2 does not have, giving the reason without echoing the pattern', () => {
    for (const source of ['(a)\\1', '(?=a)b', '(a', '[a-', 'a{1001}']) {
      let error: unknown;
      try {
        compileSafe(source);
      } catch (err) {
        error = err;
      }
      expect(error, source).toBeInstanceOf(PatternError);
      expect((error as Error).message).not.toContain('`');
    }
    const long = `(${'a'.repeat(5000)}`;
    expect(() => compileSafe(long)).toThrow(PatternError);
    try {
      compileSafe(long);
    } catch (err) {
      expect((err as Error).message.length).toBeLessThan(100);
    }
  });
});
