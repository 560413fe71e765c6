import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTEXT_KEY, validateContext } from './context.js';

describe('ctx validation', () => {
  it('accepts strings and flat objects with keys of letters, digits and underscores', () => {
    expect(validateContext('user_1')).toBe('user_1');
    expect(validateContext({ role: 'admin', level: 3, active: true })).toEqual({
      role: 'admin',
      level: 3,
      active: true,
    });
    expect(validateContext(undefined)).toBeUndefined();
    expect(validateContext('')).toBeUndefined();
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[A-Za-z0-9_]+$/), fc.oneof(fc.string(), fc.boolean(), fc.integer())),
        (ctx) => {
          expect(validateContext(ctx)).toEqual(ctx);
        },
      ),
    );
  });

  it('rejects any key outside ^[A-Za-z0-9_]+$, naming it', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }).filter((k) => !CONTEXT_KEY.test(k) && k !== '__proto__'),
        (key) => {
          expect(() => validateContext({ [key]: 'v' })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
        },
      ),
    );
    expect(() => validateContext({ 'a-b': 1 })).toThrow('ctx key "a-b" is invalid');
  });

  it('rejects nested values, arrays and other types', () => {
    for (const bad of [{ a: { b: 1 } }, { a: [1] }, { a: null }, { a: Number.NaN }, [1], 42, true]) {
      expect(() => validateContext(bad)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
  });
});
