import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMaskPattern, MAX_MASK_INPUT, MAX_MASK_SEARCH, maskPatternProblem } from './mask-pattern.js';

const replaceAll = (find: string, replace: string, text: string) => applyMaskPattern({ find, replace }, text);

/**
 * Cases from Go's own test table for ReplaceAllString (`replaceTests` in golang/go src/regexp/all_test.go),
 * as `[find, replace, input, output]`; cases with duplicate group names, which JavaScript refuses, left out.
 */
const GO_REPLACE_TESTS: readonly (readonly [string, string, string, string])[] = [
  ['', '', '', ''],
  ['', 'x', '', 'x'],
  ['', '', 'abc', 'abc'],
  ['', 'x', 'abc', 'xaxbxcx'],
  ['b', '', '', ''],
  ['b', 'x', '', ''],
  ['b', '', 'abc', 'ac'],
  ['b', 'x', 'abc', 'axc'],
  ['y', 'x', 'abc', 'abc'],
  ['[a-c]*', 'x', '\u65e5', 'x\u65e5x'],
  ['[^\u65e5]', 'x', 'abc\u65e5def', 'xxx\u65e5xxx'],
  ['^[a-c]*', 'x', 'abcdabc', 'xdabc'],
  ['[a-c]*$', 'x', 'abcdabc', 'abcdx'],
  ['^[a-c]*$', 'x', 'abcdabc', 'abcdabc'],
  ['^[a-c]*', 'x', 'dabce', 'xdabce'],
  ['[a-c]*$', 'x', 'dabce', 'dabcex'],
  ['^[a-c]*$', 'x', '', 'x'],
  ['^[a-c]+', 'x', 'abcdabc', 'xdabc'],
  ['[a-c]+$', 'x', 'abcdabc', 'abcdx'],
  ['^[a-c]+', 'x', 'dabce', 'dabce'],
  ['^[a-c]+$', 'x', '', ''],
  ['abc', 'def', 'abcdefg', 'defdefg'],
  ['bc', 'BC', 'abcbcdcdedef', 'aBCBCdcdedef'],
  ['abc', '', 'abcdabc', 'd'],
  ['x', 'xXx', 'xxxXxxx', 'xXxxXxxXxXxXxxXxxXx'],
  ['.+', 'x', 'abc', 'x'],
  ['[a-c]*', 'x', 'def', 'xdxexfx'],
  ['[a-c]+', 'x', 'abcbcdcdedef', 'xdxdedef'],
  ['[a-c]*', 'x', 'abcbcdcdedef', 'xdxdxexdxexfx'],
  ['a+', '($0)', 'banana', 'b(a)n(a)n(a)'],
  ['a+', '(${0})$0', 'banana', 'b(a)an(a)an(a)a'],
  ['hello, (.+)', 'goodbye, ${1}', 'hello, world', 'goodbye, world'],
  ['hello, (.+)', 'goodbye, $1x', 'hello, world', 'goodbye, '],
  ['hello, (.+)', 'goodbye, ${1}x', 'hello, world', 'goodbye, worldx'],
  ['hello, (.+)', '<$0><$1><$2><$3>', 'hello, world', '<hello, world><world><><>'],
  ['hello, (?P<noun>.+)', 'goodbye, $noun!', 'hello, world', 'goodbye, world!'],
  ['a+', '${oops', 'aaa', '${oops'],
  ['a+', '$$', 'aaa', '$'],
  ['a+', '$', 'aaa', '$'],
  ['(x)?', '$1', '123', '123'],
  ['abc', '$1', '123', '123'],
  ['(a)(b){0}(c)', '.$1|$3.', 'xacxacx', 'x.a|c.x.a|c.x'],
  ['(a)(((b))){0}c', '.$1.', 'xacxacx', 'x.a.x.a.x'],
  ['((a(b){0}){3}){5}(h)', 'y caramb$2', 'say aaaaaaaaaaaaaaaah', 'say ay caramba'],
];

describe("mask patterns replace like Go's regexp.ReplaceAllString", () => {
  it.each(GO_REPLACE_TESTS)('Go test case %j → %j on %j', (find, replace, input, output) => {
    expect(replaceAll(find, replace, input)).toBe(output);
  });

  it('replaces every non-overlapping match, left to right', () => {
    expect(replaceAll('[0-9]', 'X', 'a1b22c333')).toBe('aXbXXcXXX');
    expect(replaceAll('aa', 'X', 'aaaaa')).toBe('XXa');
  });

  it('does not replace an empty match right after a match (unlike JavaScript replaceAll)', () => {
    expect(replaceAll('a*', 'X', 'baaac')).toBe('XbXcX');
    expect('baaac'.replace(/a*/g, 'X')).toBe('XbXXcX'); // JavaScript's answer, for contrast
    expect(replaceAll('x*', '-', 'abc')).toBe('-a-b-c-');
  });

  it('moves past a whole surrogate pair after an empty match', () => {
    expect(replaceAll('x*', '-', 'a😀b')).toBe('-a-😀-b-');
  });

  it('expands Go templates: $1, ${1}, named groups, $$, unknown groups as empty', () => {
    expect(replaceAll('(\\w+)@(\\w+)', '$2 at $1', 'me@host')).toBe('host at me');
    expect(replaceAll('(?P<user>\\w+)@', '${user}#', 'me@host')).toBe('me#host');
    expect(replaceAll('(a)', '$$1', 'a')).toBe('$1');
    expect(replaceAll('(a)', '$1x', 'a')).toBe(''); // `$1x` names group "1x", which does not exist
    expect(replaceAll('(a)(b)?', '[${2}]', 'a')).toBe('[]');
  });

  it('sees the whole text when searching on, so ^ and \\b only match where they truly do', () => {
    expect(replaceAll('^a', 'X', 'aaa')).toBe('Xaa');
    expect(replaceAll('\\ba', 'X', 'a aa')).toBe('X Xa');
  });

  it('returns the text unchanged when nothing matches', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        expect(replaceAll('[^\\s\\S]', 'X', text)).toBe(text);
      }),
    );
  });

  it('agrees with a plain JavaScript replaceAll for patterns that cannot match empty', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[ab0-9 -]{0,30}$/),
        fc.constantFrom('[0-9]+', 'a|b', '[ab]{2}', '-'),
        (text, find) => {
          expect(replaceAll(find, '<$0>', text)).toBe(text.replace(new RegExp(find, 'g'), '<$&>'));
        },
      ),
    );
  });

  it('gives up (undefined) rather than run on too-long text or search too much', () => {
    expect(replaceAll('^(.)', 'X', 'a'.repeat(MAX_MASK_INPUT))).toBe(`X${'a'.repeat(MAX_MASK_INPUT - 1)}`);
    expect(replaceAll('^(.)', 'X', 'a'.repeat(MAX_MASK_INPUT + 1))).toBeUndefined();
    // A per-character mask on n characters searches from every position and once past the end:
    // (n + 1) + n + … + 1 characters.
    const cost = (n: number) => ((n + 1) * (n + 2)) / 2;
    let n = 1;
    while (cost(n + 1) <= MAX_MASK_SEARCH) n += 1;
    expect(replaceAll('[0-9]', 'X', '1'.repeat(n))).toBe('X'.repeat(n));
    expect(replaceAll('[0-9]', 'X', '1'.repeat(n + 1))).toBeUndefined();
    expect(replaceAll('.', 'X', 'a'.repeat(MAX_MASK_INPUT))).toBeUndefined();
  });

  it('reports patterns it cannot run, and why; RE2 runs large repetition counts and \\A under (?m)', () => {
    expect(maskPatternProblem('[0-9 -]*([0-9 -]{4}$)')).toBeUndefined();
    expect(maskPatternProblem('(')).toMatch(/./);
    expect(maskPatternProblem('(a)\\1')).toMatch(/escape/);
    expect(maskPatternProblem('a{0,40}')).toBeUndefined();
    expect(replaceAll('a{0,40}', 'X', 'aaa')).toBe('X');
    expect(replaceAll('(?m)\\Aa', 'X', 'a\na')).toBe('X\na');
  });
});
