import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import type { ColumnSpec, Datatype } from '../schema/model.js';
import {
  type CanonicalValue,
  canonicalValue,
  indexBytes,
  MAX_STRING_BYTES,
  MAX_UNIQUE_STRING_CHARS,
  valueBytes,
  valueFromBytes,
} from './values.js';

function column(datatype: Datatype, extra: Partial<ColumnSpec> = {}): ColumnSpec {
  return {
    name: 'col',
    datatype,
    tokenPolicy: undefined,
    redaction: 'PLAIN_TEXT',
    mask: undefined,
    unique: false,
    notNull: false,
    columnGroup: undefined,
    validation: [],
    predefinedValues: undefined,
    minValue: undefined,
    maxValue: undefined,
    operations: [],
    system: false,
    ...extra,
  };
}

const ok = (datatype: Datatype, value: unknown, extra?: Partial<ColumnSpec>) =>
  canonicalValue('people', column(datatype, extra), value);

function rejection(datatype: Datatype, value: unknown, extra?: Partial<ColumnSpec>): AppError {
  try {
    ok(datatype, value, extra);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('BAD_REQUEST');
    expect((err as AppError).message).toContain('"people.col"');
    expect((err as AppError).details).toEqual([{ column: 'people.col', problem: expect.any(String) }]);
    return err as AppError;
  }
  throw new Error(`expected ${datatype} to reject ${JSON.stringify(value)}`);
}

describe('canonicalValue: DT_INT32', () => {
  it.each([
    [0, 0],
    [-(2 ** 31), -(2 ** 31)],
    [2 ** 31 - 1, 2 ** 31 - 1],
    ['42', 42],
    ['-2147483648', -(2 ** 31)],
    ['+7', 7],
    [' 12 ', 12],
    ['1e3', 1000],
    ['5.0', 5],
    ['1200e-2', 12],
  ])('accepts %j as %j', (input, expected) => {
    expect(ok('DT_INT32', input)).toBe(expected);
  });

  it.each([
    ['2^31', 2 ** 31],
    ['-2^31 - 1', -(2 ** 31) - 1],
    ['"2147483648"', '2147483648'],
    ['a fraction', 1.5],
    ['a fractional string', '1.5'],
    ['a boolean', true],
    ['null', null],
    ['an empty string', ''],
    ['a non-numeric string', '12abc'],
    ['hex', '0x10'],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['"Infinity"', 'Infinity'],
    ['NaN', Number.NaN],
    ['an array', [1]],
  ])('rejects %s', (_, input) => {
    rejection('DT_INT32', input);
  });
});

describe('canonicalValue: DT_INT64', () => {
  it('accepts integers up to the safe-integer limit, as numbers or numeric strings', () => {
    expect(ok('DT_INT64', Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(ok('DT_INT64', Number.MIN_SAFE_INTEGER)).toBe(Number.MIN_SAFE_INTEGER);
    expect(ok('DT_INT64', '9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(ok('DT_INT64', 2 ** 40)).toBe(2 ** 40);
  });

  it('rejects integers beyond the safe-integer limit rather than rounding them', () => {
    rejection('DT_INT64', Number.MAX_SAFE_INTEGER + 1);
    rejection('DT_INT64', '9007199254740993');
    rejection('DT_INT64', '-9007199254740993');
    rejection('DT_INT64', '12345678901234567890');
  });

  it('rejects numeric strings that are not whole numbers even when Number() would round them to one', () => {
    rejection('DT_INT64', '4503599627370496.5');
    rejection('DT_INT64', '1.0000000000000001');
    rejection('DT_INT32', '1e-400');
    rejection('DT_INT32', '0.000000000000000000001');
  });

  it('accepts every safe integer, as a number and as its decimal string', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(ok('DT_INT64', n)).toBe(n);
        expect(ok('DT_INT64', String(n))).toBe(n);
      }),
      { numRuns: 300 },
    );
  });
});

describe('canonicalValue: floats, booleans', () => {
  it('accepts finite numbers and numeric strings as numbers', () => {
    for (const datatype of ['DT_FLOAT32', 'DT_FLOAT64'] as const) {
      expect(ok(datatype, 1.5)).toBe(1.5);
      expect(ok(datatype, '-0.25')).toBe(-0.25);
      expect(ok(datatype, '.5')).toBe(0.5);
      expect(ok(datatype, '6.02e23')).toBe(6.02e23);
      expect(ok(datatype, 3)).toBe(3);
      rejection(datatype, 'NaN');
      rejection(datatype, Number.NaN);
      rejection(datatype, Number.NEGATIVE_INFINITY);
      rejection(datatype, '1,5');
      rejection(datatype, false);
      rejection(datatype, '');
      rejection(datatype, '   ');
    }
  });

  it('accepts any finite double unchanged', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(ok('DT_FLOAT64', n)).toBe(n);
      }),
      { numRuns: 200 },
    );
  });

  it('accepts booleans and the strings "true"/"false" only', () => {
    expect(ok('DT_BOOL', true)).toBe(true);
    expect(ok('DT_BOOL', false)).toBe(false);
    expect(ok('DT_BOOL', 'true')).toBe(true);
    expect(ok('DT_BOOL', 'false')).toBe(false);
    for (const bad of ['TRUE', 'True', '1', '0', 1, 0, 'yes', '', null]) rejection('DT_BOOL', bad);
  });
});

describe('canonicalValue: dates and times', () => {
  it.each([
    '2024-02-29',
    '2000-02-29',
    '2023-12-31',
    '1970-01-01',
    '0004-02-29',
    '0000-01-01',
    '0024-02-29',
    '9999-12-31',
  ])('accepts the date %s', (date) => {
    expect(ok('DT_DATE', date)).toBe(date);
  });

  it.each([
    '2023-02-29',
    '1900-02-29',
    '2024-04-31',
    '2024-13-01',
    '2024-00-10',
    '2024-01-00',
    '2024-1-01',
    '24-01-01',
    '2024-01-01T00:00:00Z',
    '2024/01/01',
    '0023-02-29',
  ])('rejects the date %s', (date) => {
    rejection('DT_DATE', date);
  });

  it('agrees with the Gregorian calendar on every day of a range of years', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (y, m, d) => {
          const text = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          const probe = new Date(0);
          probe.setUTCFullYear(y, m - 1, d);
          const real = probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
          if (real) expect(ok('DT_DATE', text)).toBe(text);
          else rejection('DT_DATE', text);
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each(['00:00', '23:59', '12:30:45', '23:59:59.999', '08:00:00.123456789'])('accepts the time %s', (time) => {
    expect(ok('DT_TIME', time)).toBe(time);
  });

  it.each(['24:00', '12:60', '12:30:60', '1:30', '12:30:45.', '12:30:45.1234567890', '12:30Z', 'noon', 1230])(
    'rejects the time %s',
    (time) => {
      rejection('DT_TIME', time);
    },
  );

  it.each([
    '2024-02-29T12:00:00Z',
    '2024-02-29 12:00',
    '2024-02-29T12:00:00.5+05:30',
    '2024-02-29T12:00:00-0800',
    '2024-02-29T23:59:59.123456789Z',
  ])('accepts the date-time %s', (dateTime) => {
    expect(ok('DT_DATETIME', dateTime)).toBe(dateTime);
  });

  it.each([
    '2023-02-29T12:00:00Z',
    '2024-02-29',
    '2024-02-29T24:00:00Z',
    '2024-02-29T12:00:00+24:00',
    '2024-02-29T12:00:00 Z',
    '2024-02-29X12:00:00Z',
  ])('rejects the date-time %s', (dateTime) => {
    rejection('DT_DATETIME', dateTime);
  });
});

describe('canonicalValue: strings, enums and validation tags', () => {
  it('accepts strings for DT_STRING and DT_ENUM and rejects other JSON types', () => {
    expect(ok('DT_STRING', 'hello')).toBe('hello');
    expect(ok('DT_STRING', '')).toBe('');
    expect(ok('DT_ENUM', 'gold')).toBe('gold');
    for (const bad of [1, true, { a: 1 }, ['x']]) {
      rejection('DT_STRING', bad);
      rejection('DT_ENUM', bad);
    }
  });

  it('enforces predefined values', () => {
    const predefinedValues = ['gold', 'silver'];
    expect(ok('DT_ENUM', 'gold', { predefinedValues })).toBe('gold');
    expect(rejection('DT_ENUM', 'bronze', { predefinedValues }).message).toMatch(/predefined values/);
    expect(rejection('DT_ENUM', 'Gold', { predefinedValues }).message).toMatch(/predefined values/);
    expect(ok('DT_INT32', '2', { predefinedValues: ['1', '2'] })).toBe(2);
    rejection('DT_INT32', 3, { predefinedValues: ['1', '2'] });
  });

  it('enforces minimum and maximum values inclusively', () => {
    const bounds = { minValue: 18, maxValue: 120 };
    expect(ok('DT_INT32', 18, bounds)).toBe(18);
    expect(ok('DT_INT32', '120', bounds)).toBe(120);
    expect(rejection('DT_INT32', 17, bounds).message).toMatch(/less than 18/);
    expect(rejection('DT_INT32', 121, bounds).message).toMatch(/greater than 120/);
    expect(ok('DT_FLOAT64', 0.5, { minValue: 0, maxValue: 1 })).toBe(0.5);
    rejection('DT_FLOAT64', -0.01, { minValue: 0 });
  });

  it('enforces every validation regex (RE2 syntax) on strings and on the JSON of other values', () => {
    const validation = ['^[0-9]{3}-[0-9]{2}-[0-9]{4}$', '\\A[0-8]'];
    expect(ok('DT_STRING', '123-45-6789', { validation })).toBe('123-45-6789');
    expect(rejection('DT_STRING', '923-45-6789', { validation }).message).toMatch(/validation pattern/);
    expect(rejection('DT_STRING', '123456789', { validation }).message).toMatch(/validation pattern/);
    expect(ok('DT_STRING', 'ABC', { validation: ['(?i)^abc$'] })).toBe('ABC');
    expect(ok('DT_INT32', 42, { validation: ['^[0-9]{2}$'] })).toBe(42);
    rejection('DT_INT32', 420, { validation: ['^[0-9]{2}$'] });
  });

  it('limits strings to 64 KiB of UTF-8 and unique strings to 2500 characters', () => {
    expect(ok('DT_STRING', 'x'.repeat(MAX_STRING_BYTES))).toHaveLength(MAX_STRING_BYTES);
    rejection('DT_STRING', 'x'.repeat(MAX_STRING_BYTES + 1));
    rejection('DT_STRING', 'é'.repeat(MAX_STRING_BYTES / 2 + 1));
    expect(ok('DT_STRING', 'x'.repeat(MAX_UNIQUE_STRING_CHARS), { unique: true })).toHaveLength(
      MAX_UNIQUE_STRING_CHARS,
    );
    expect(rejection('DT_STRING', 'x'.repeat(MAX_UNIQUE_STRING_CHARS + 1), { unique: true }).message).toMatch(
      /unique columns hold at most 2500/,
    );
    expect(ok('DT_STRING', 'x'.repeat(MAX_UNIQUE_STRING_CHARS + 1))).toHaveLength(MAX_UNIQUE_STRING_CHARS + 1);
  });

  it('keeps embedded JSON as given, within 64 KiB, and rejects what is not JSON', () => {
    expect(ok('DT_EMBEDDED', { a: [1, 'b'], c: null })).toEqual({ a: [1, 'b'], c: null });
    expect(ok('DT_EMBEDDED', [1, 2])).toEqual([1, 2]);
    rejection('DT_EMBEDDED', { big: 'x'.repeat(MAX_STRING_BYTES) });
    rejection('DT_EMBEDDED', undefined);
    rejection('DT_EMBEDDED', () => 1);
    rejection('DT_EMBEDDED', 1n);
  });

  it('refuses DT_FILE_TYPE values (files have their own endpoints)', () => {
    expect(rejection('DT_FILE_TYPE', 'data').message).toMatch(/files endpoints/);
  });
});

describe('canonicalValue error messages', () => {
  const cases: [Datatype, Partial<ColumnSpec>][] = [
    ['DT_INT32', {}],
    ['DT_INT64', {}],
    ['DT_FLOAT64', {}],
    ['DT_BOOL', {}],
    ['DT_DATE', {}],
    ['DT_TIME', {}],
    ['DT_DATETIME', {}],
    ['DT_FILE_TYPE', {}],
    ['DT_ENUM', { predefinedValues: ['a', 'b'] }],
    ['DT_STRING', { validation: ['^never$'] }],
  ];

  it('name the column and never contain the rejected value', () => {
    // A marker makes an accidental match with fixed message text impossible; the middle is random.
    const secret = fc.string({ minLength: 4, maxLength: 40 }).map((s) => `«${s}»`);
    fc.assert(
      fc.property(fc.constantFrom(...cases), secret, ([datatype, extra], value) => {
        const err = rejection(datatype, value, extra);
        expect(err.message).not.toContain(value);
        expect(JSON.stringify(err.details)).not.toContain(JSON.stringify(value).slice(1, -1));
      }),
      { numRuns: 300 },
    );
  });

  it('never contain a rejected number either', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2 ** 31, max: 2 ** 50 }), (n) => {
        const err = rejection('DT_INT32', n, { minValue: 1 });
        expect(err.message).not.toContain(String(n));
      }),
      { numRuns: 100 },
    );
  });
});

describe('valueBytes / indexBytes', () => {
  it('round-trips canonical values through their stored bytes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const v = value as CanonicalValue;
        expect(valueFromBytes(valueBytes(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 200 },
    );
  });

  it('distinguishes "1" from 1, "true" from true, and "null" from null', () => {
    expect(indexBytes('1').equals(indexBytes(1))).toBe(false);
    expect(indexBytes('true').equals(indexBytes(true))).toBe(false);
    expect(indexBytes('null').equals(indexBytes(null))).toBe(false);
    expect(indexBytes('1').toString()).toBe('string:"1"');
    expect(indexBytes(1).toString()).toBe('number:1');
    expect(indexBytes(true).toString()).toBe('boolean:true');
  });

  it('is injective over strings, numbers and booleans', () => {
    const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -100, max: 100 }), fc.boolean());
    fc.assert(
      fc.property(scalar, scalar, (a, b) => {
        fc.pre(a !== b);
        expect(indexBytes(a).equals(indexBytes(b))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('gives equal indexes to a number and its canonical numeric-string input', () => {
    const column42 = ok('DT_INT32', '42');
    expect(indexBytes(column42).equals(indexBytes(ok('DT_INT32', 42)))).toBe(true);
  });
});
