import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { parseContext } from './context.js';

function rejection(ctx: unknown): AppError {
  try {
    parseContext(ctx);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('BAD_REQUEST');
    expect((err as AppError).httpCode).toBe(400);
    return err as AppError;
  }
  throw new Error('expected parseContext to reject');
}

const key = fc.stringMatching(/^[a-zA-Z0-9_]{1,12}$/);
const primitive = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
);

describe('parseContext', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['the empty string', ''],
  ])('treats %s as no context', (_, ctx) => {
    expect(parseContext(ctx)).toBeUndefined();
  });

  it('returns a non-empty string unchanged', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), (s) => {
        expect(parseContext(s)).toBe(s);
      }),
      { numRuns: 200 },
    );
  });

  it('accepts flat objects with word-character keys and string, number or boolean values', () => {
    fc.assert(
      fc.property(fc.dictionary(key, primitive, { maxKeys: 10 }), (ctx) => {
        expect(parseContext(ctx)).toEqual(ctx);
      }),
      { numRuns: 200 },
    );
  });

  it('accepts the shapes the SDKs send', () => {
    expect(parseContext({ role: 'admin', level: 3, beta: true, user_id: 'u-1' })).toEqual({
      role: 'admin',
      level: 3,
      beta: true,
      user_id: 'u-1',
    });
    expect(parseContext({})).toEqual({});
  });

  it('keeps a "__proto__" key as data and never touches the prototype', () => {
    const ctx = JSON.parse('{"__proto__":"admin","role":"x"}') as unknown;
    const out = parseContext(ctx) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__', 'role']);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('admin');
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it.each([
    ['an array', ['a', 'b']],
    ['an empty array', []],
    ['a number', 42],
    ['zero', 0],
    ['a boolean', true],
    ['false', false],
    ['a bigint', 1n],
    ['a function', () => 'x'],
  ])('rejects %s', (_, ctx) => {
    expect(rejection(ctx).message).toMatch(/string or a JSON object/);
  });

  it.each([
    ['a nested object', { a: { b: 1 } }],
    ['an array value', { a: [1] }],
    ['a null value', { a: null }],
    ['a non-finite number', { a: Number.POSITIVE_INFINITY }],
    ['NaN', { a: Number.NaN }],
  ])('rejects %s as a value', (_, ctx) => {
    expect(rejection(ctx).message).toMatch(/ctx value of "a"/);
  });

  it('rejects keys outside ^[a-zA-Z0-9_]+$', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 10 }).filter((k) => !/^[a-zA-Z0-9_]+$/.test(k)),
        (badKey) => {
          expect(rejection({ ok: 1, [badKey]: 'v' }).message).toMatch(/ctx key/);
        },
      ),
      { numRuns: 200 },
    );
    for (const badKey of ['', 'a-b', 'a.b', 'a b', 'é', 'a\n']) {
      expect(rejection({ [badKey]: 'v' }).message).toMatch(/must match/);
    }
  });

  it('accepts up to 4096 bytes of JSON and rejects more, for strings and for objects', () => {
    // A string's JSON adds two quotes.
    expect(parseContext('x'.repeat(4094))).toBe('x'.repeat(4094));
    expect(rejection('x'.repeat(4095)).message).toMatch(/4096 bytes/);
    // Bytes, not characters: 'é' is two bytes of UTF-8.
    expect(rejection('é'.repeat(2048)).message).toMatch(/4096 bytes/);
    const base = JSON.stringify({ k: '' }).length;
    expect(parseContext({ k: 'v'.repeat(4096 - base) })).toEqual({ k: 'v'.repeat(4096 - base) });
    expect(rejection({ k: 'v'.repeat(4097 - base) }).message).toMatch(/4096 bytes/);
  });
});
