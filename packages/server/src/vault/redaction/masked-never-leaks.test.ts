import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnSpec, Datatype, MaskPattern } from '../schema/model.js';
import { compilePattern, toRegExp } from '../schema/regex.js';
import { builtinMask, maskKindOf, REDACTED_TEXT } from './builtin-masks.js';
import { maskValue } from './redact.js';

function column(name: string, mask: MaskPattern | undefined, datatype: Datatype = 'DT_STRING'): ColumnSpec {
  return {
    name,
    datatype,
    tokenPolicy: undefined,
    redaction: 'MASK',
    mask,
    unique: false,
    notNull: false,
    columnGroup: undefined,
    validation: [],
    predefinedValues: undefined,
    minValue: undefined,
    maxValue: undefined,
    operations: [],
    system: false,
  };
}

/** Small RE2 patterns: literals, classes, groups, alternations, quantifiers, anchors. */
const patternArb: fc.Arbitrary<string> = fc
  .letrec<{ seq: string; atom: string }>((tie) => ({
    atom: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom('a', 'b', '1', '@', '.', '[0-9]', '[a-c]', '\\d', '\\w', '\\s', '[^a]', '-'),
      tie('seq').map((s) => `(${s})`),
      fc.tuple(tie('seq'), tie('seq')).map(([a, b]) => `(?:${a}|${b})`),
    ),
    seq: fc
      .array(
        fc.tuple(tie('atom'), fc.constantFrom('', '', '*', '+', '?', '{1,3}', '*?', '{2}')).map(([a, q]) => a + q),
        { minLength: 1, maxLength: 4 },
      )
      .chain((parts) =>
        fc.tuple(fc.constantFrom('', '^'), fc.constantFrom('', '$')).map(([s, e]) => s + parts.join('') + e),
      ),
  }))
  .seq.filter((p) => {
    try {
      toRegExp(compilePattern(p));
      return true;
    } catch {
      return false;
    }
  });

const templateArb = fc
  .array(fc.constantFrom('X', '***', '-', '$1', '${1}', '$0', '${2}', '@', '$$'), { maxLength: 5 })
  .map((parts) => parts.join(''));
const valueArb = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc
    .array(fc.constantFrom('a', 'b', 'c', '1', '2', '@', '.', '-', ' ', 'X', '*'), { maxLength: 30 })
    .map((a) => a.join('')),
);
const nameArb = fc.constantFrom('name', 'email', 'ssn', 'card_number', 'phone', 'dob', 'notes');
const matches = (find: string, text: string) => toRegExp(compilePattern(find)).test(text);

describe('MASKED never returns the plaintext', () => {
  it('for any pattern, template and string: the result is *REDACTED* or neither equals nor contains the value', () => {
    fc.assert(
      fc.property(patternArb, templateArb, valueArb, nameArb, (find, replace, text, name) => {
        const out = maskValue(column(name, { find, replace }), text);
        expect(typeof out).toBe('string');
        // *REDACTED* is a constant: that it happens to contain a value such as `*` or `RED` tells nothing.
        if (out === REDACTED_TEXT) return;
        expect(out).not.toBe(text);
        if (text.length > 0) expect(out?.includes(text)).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('when the find pattern does not match, the built-in mask (or *REDACTED*) is used', () => {
    fc.assert(
      fc.property(patternArb, templateArb, valueArb, nameArb, (find, replace, text, name) => {
        fc.pre(!matches(find, text));
        const col = column(name, { find, replace });
        const builtin = builtinMask(maskKindOf(col), text);
        const expected = builtin === text || (text.length > 0 && builtin.includes(text)) ? REDACTED_TEXT : builtin;
        expect(maskValue(col, text)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('falls back when the mask leaves the value as it was or shows it whole', () => {
    const name = column('name', { find: '^(.*)$', replace: '${1}' });
    expect(maskValue(name, 'Jonathan')).toBe('J***an'); // identity mask → built-in name mask
    const wrap = column('notes', { find: '^(.*)$', replace: '[${1}]' });
    expect(maskValue(wrap, 'secret value')).toBe('XXXXXXXXalue'); // contains the value → generic mask
    const none = column('card_number', { find: 'ZZZ', replace: 'X' });
    expect(maskValue(none, '4111 1111 1111 1234')).toBe('XXXX XXXX XXXX 1234');
  });

  it('gives *REDACTED* when even the built-in mask would show the whole value', () => {
    const name = column('name', { find: '(.).*(.{2})', replace: '${1}***${2}' });
    expect(maskValue(name, 'J')).toBe(REDACTED_TEXT); // `J***` would show all of it
    expect(maskValue(name, '')).toBe(REDACTED_TEXT);
    expect(maskValue(column('notes', undefined), 'XXXXXXXX')).toBe(REDACTED_TEXT);
  });

  it('holds for numbers too, masked on their text', () => {
    fc.assert(
      fc.property(
        patternArb,
        templateArb,
        fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
        (find, replace, n) => {
          const out = maskValue(column('amount', { find, replace }, 'DT_FLOAT64'), n);
          expect(typeof out).toBe('string');
          expect(out?.includes(JSON.stringify(n))).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
