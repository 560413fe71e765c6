import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { luhnCheckDigit, luhnFixDigit, luhnValid } from './luhn.js';

const digitString = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength, maxLength });

describe('luhnValid', () => {
  it('accepts known valid numbers', () => {
    for (const n of [
      '4111111111111111',
      '79927398713',
      '4012888888881881',
      '378282246310005',
      '5555555555554444',
      '0',
    ]) {
      expect(luhnValid(n)).toBe(true);
    }
  });

  it('rejects known invalid numbers and anything that is not all ASCII digits', () => {
    for (const n of ['4111111111111112', '79927398710', '1', '', '4111 1111 1111 1111', '411111111111111a', '٤١']) {
      expect(luhnValid(n)).toBe(false);
    }
  });

  it('detects every single-digit change', () => {
    fc.assert(
      fc.property(digitString(1, 25), fc.nat(), fc.integer({ min: 1, max: 9 }), (payload, at, delta) => {
        const valid = payload + luhnCheckDigit(payload);
        const i = at % valid.length;
        const changed = valid.slice(0, i) + String((Number(valid[i]) + delta) % 10) + valid.slice(i + 1);
        expect(luhnValid(changed)).toBe(false);
      }),
    );
  });
});

describe('luhnCheckDigit', () => {
  it('computes the check digit of known numbers', () => {
    expect(luhnCheckDigit('7992739871')).toBe('3');
    expect(luhnCheckDigit('411111111111111')).toBe('1');
    expect(luhnCheckDigit('37828224631000')).toBe('5');
  });

  it('always completes a valid number, and only one digit does', () => {
    fc.assert(
      fc.property(digitString(1, 30), (payload) => {
        const check = luhnCheckDigit(payload);
        expect(check).toMatch(/^[0-9]$/);
        for (let d = 0; d <= 9; d++) expect(luhnValid(payload + d)).toBe(String(d) === check);
      }),
    );
  });

  it('rejects payloads that are empty or not all digits', () => {
    for (const bad of ['', '12a', '1 2', '-1']) expect(() => luhnCheckDigit(bad)).toThrow(TypeError);
  });
});

describe('luhnFixDigit', () => {
  it('makes any digit string valid by changing only the digit at the given index', () => {
    fc.assert(
      fc.property(digitString(1, 25), fc.nat(), (digits, at) => {
        const i = at % digits.length;
        const fixed = digits.slice(0, i) + luhnFixDigit(digits, i) + digits.slice(i + 1);
        expect(luhnValid(fixed)).toBe(true);
        expect(fixed.slice(0, i)).toBe(digits.slice(0, i));
        expect(fixed.slice(i + 1)).toBe(digits.slice(i + 1));
      }),
    );
  });
});
