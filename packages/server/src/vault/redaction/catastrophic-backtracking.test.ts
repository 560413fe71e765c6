import { describe, expect, it } from 'vitest';
import type { ColumnSpec, MaskPattern } from '../schema/model.js';
import { MAX_MASK_INPUT } from './mask-pattern.js';
import { maskValue, REDACTED_TEXT } from './redact.js';

function column(name: string, mask: MaskPattern): ColumnSpec {
  return {
    name,
    datatype: 'DT_STRING',
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

/** Milliseconds `fn` takes. */
function timed<T>(fn: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = fn();
  return { result, ms: performance.now() - start };
}

describe('mask patterns cannot stall the server', () => {
  // Sized so that a backtracking engine needs roughly 5–30 s for each (the cost doubles or more with
  // every extra character): a regression to backtracking fails the 1 s bound instead of hanging the
  // suite. The linear engine takes a few milliseconds.
  const pathological: [string, string][] = [
    ['^(a+)+$', `${'a'.repeat(27)}!`],
    ['^(a|a)*$', `${'a'.repeat(27)}!`],
    ['^(a|aa)+$', `${'a'.repeat(38)}!`],
    ['(x+x+)+y', 'x'.repeat(26)],
    ['^(\\w+\\s?)*$', `${'word '.repeat(8)}!`],
  ];
  const fast = new Set<string>();

  it.each(pathological)('%s on a hostile value runs in linear time and still never shows the value', (find, value) => {
    const col = column('notes', { find, replace: 'X' });
    const { result, ms } = timed(() => maskValue(col, value));
    expect(ms).toBeLessThan(1000);
    expect(result).not.toBe(value);
    expect(result?.includes(value)).toBe(false);
    fast.add(find);
  });

  it('the same patterns on values of the full 4 KB bound finish too', ({ skip }) => {
    // On a backtracking engine these would never finish; run them only once the cases above showed
    // the engine is linear, so that a regression fails above rather than hangs here.
    if (fast.size < pathological.length) skip();
    const a = `${'a'.repeat(MAX_MASK_INPUT - 1)}!`;
    const long: [string, string][] = [
      ['^(a+)+$', a],
      ['^(a|a)*$', a],
      ['^(a|aa)+$', a],
      ['(x+x+)+y', 'x'.repeat(MAX_MASK_INPUT)],
      ['^(\\w+\\s?)*$', `${'word '.repeat(MAX_MASK_INPUT / 5 - 1)}!`],
    ];
    for (const [find, value] of long) {
      expect(value.length).toBeLessThanOrEqual(MAX_MASK_INPUT);
      const { result, ms } = timed(() => maskValue(column('notes', { find, replace: 'X' }), value));
      expect(ms).toBeLessThan(1000);
      expect(result).not.toBe(value);
    }
  });

  it('a native backtracking RegExp really is exponential on these (what the bound above guards against)', () => {
    const input = `${'a'.repeat(20)}!`;
    const { ms: native } = timed(() => /^(a+)+$/.test(input));
    const { ms: linear } = timed(() => maskValue(column('notes', { find: '^(a+)+$', replace: 'X' }), input));
    expect(native).toBeGreaterThan(linear);
  });

  it('patterns the linear engine cannot run are never run: the built-in mask is used at once', () => {
    // {1,30} is beyond what the linear engine unrolls; with a backtracking engine this would be exponential.
    const col = column('notes', { find: '^(a{1,30})+$', replace: 'X' });
    const value = `${'a'.repeat(24)}!`;
    const { result, ms } = timed(() => maskValue(col, value));
    expect(ms).toBeLessThan(1000);
    expect(result).toBe(`${'X'.repeat(value.length - 4)}aaa!`);
  });

  it('a pattern matching the empty string everywhere on a long value stops at the search budget', () => {
    const col = column('notes', { find: '(?:.*z)?', replace: '' });
    const value = 'b'.repeat(MAX_MASK_INPUT);
    const { result, ms } = timed(() => maskValue(col, value));
    expect(ms).toBeLessThan(1000);
    expect(result).toBe(`${'X'.repeat(MAX_MASK_INPUT - 4)}bbbb`); // built-in generic mask
  });

  it('values beyond the input bound are redacted without running the pattern', () => {
    const col = column('notes', { find: '^(a+)+$', replace: 'X' });
    expect(maskValue(col, 'a'.repeat(64 * 1024))).toBe(REDACTED_TEXT);
  });
});
