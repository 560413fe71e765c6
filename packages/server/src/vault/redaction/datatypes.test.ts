import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanonicalValue } from '../records/values.js';
import { type ColumnSpec, DATATYPES, type Datatype, type MaskPattern } from '../schema/model.js';
import { MAX_MASK_INPUT } from './mask-pattern.js';
import { applyRedaction, canonicalText, maskValue, REDACTED_TEXT, redactValue } from './redact.js';

function column(name: string, datatype: Datatype, mask?: MaskPattern, overrides: Partial<ColumnSpec> = {}): ColumnSpec {
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
    ...overrides,
  };
}

/** One stored (canonical) value per datatype, as `canonicalValue` produces them. */
const SAMPLES: Readonly<Record<Datatype, CanonicalValue>> = {
  DT_STRING: 'hello world',
  DT_INT32: 123456789,
  DT_INT64: 9007199254740991,
  DT_FLOAT32: 1.5,
  DT_FLOAT64: -12345.678,
  DT_BOOL: true,
  DT_ENUM: 'GOLD',
  DT_DATETIME: '1990-04-15T10:20:30Z',
  DT_DATE: '1990-04-15',
  DT_TIME: '10:20:30',
  DT_EMBEDDED: { street: '1 Main St', tags: ['a', 'b'], n: 3 },
  DT_FILE_TYPE: { fileName: 'scan.pdf', fileSizeKB: 12 },
};

describe('REDACTED', () => {
  it('is the string *REDACTED* for every datatype', () => {
    for (const datatype of DATATYPES) {
      expect([datatype, redactValue(column('c', datatype), SAMPLES[datatype], 'REDACTED')]).toEqual([
        datatype,
        REDACTED_TEXT,
      ]);
    }
  });

  it('leaves a missing value (null) missing, at every level', () => {
    for (const level of ['REDACTED', 'MASKED', 'PLAIN_TEXT'] as const) {
      expect(redactValue(column('c', 'DT_STRING'), null, level)).toBeNull();
    }
  });
});

describe('PLAIN_TEXT', () => {
  it('returns the value itself with its JSON type', () => {
    for (const datatype of DATATYPES) {
      const value = SAMPLES[datatype];
      expect(redactValue(column('c', datatype), value, 'PLAIN_TEXT')).toBe(value);
    }
    expect(typeof redactValue(column('n', 'DT_INT32'), 42, 'PLAIN_TEXT')).toBe('number');
    expect(typeof redactValue(column('b', 'DT_BOOL'), false, 'PLAIN_TEXT')).toBe('boolean');
  });

  it('shows skyflow_id whatever level is applied', () => {
    const skyflowId = column('skyflow_id', 'DT_STRING', undefined, { redaction: 'PLAIN_TEXT', system: true });
    for (const level of ['REDACTED', 'MASKED', 'PLAIN_TEXT'] as const) {
      expect(redactValue(skyflowId, '7f3c…', level)).toBe('7f3c…');
    }
    expect(applyRedaction(skyflowId, 'abc', 'REDACTED', { cap: 'REDACTED' })).toBe('abc');
  });
});

describe('MASKED on non-string datatypes', () => {
  it('masks numbers on their text, giving a string', () => {
    const ssn = column('ssn', 'DT_INT64', { find: '^[0-9]{5}([0-9]{4})$', replace: 'XXXXX${1}' });
    expect(maskValue(ssn, 123456789)).toBe('XXXXX6789');
    expect(maskValue(column('ssn', 'DT_INT64'), 123456789)).toBe('XXXXX6789'); // built-in ssn mask
    expect(maskValue(column('amount', 'DT_FLOAT64'), -12345.678)).toBe('XXXXXX.678');
    expect(maskValue(column('amount', 'DT_INT32'), 7)).toBe('X');
  });

  it('masks booleans only through patterns; built-in, they are fully redacted', () => {
    const flag = column('verified', 'DT_BOOL', { find: '^(t)rue$', replace: '${1}***' });
    expect(maskValue(flag, true)).toBe('t***');
    expect(maskValue(flag, false)).toBe(REDACTED_TEXT); // no match, and no built-in mask for booleans
    expect(maskValue(column('verified', 'DT_BOOL'), true)).toBe(REDACTED_TEXT);
  });

  it('masks dates and date-times by hiding the year', () => {
    expect(maskValue(column('created', 'DT_DATE'), '2024-02-29')).toBe('XXXX-02-29');
    expect(maskValue(column('created', 'DT_DATETIME'), '2024-02-29T12:00:00Z')).toBe('XXXX-02-29T12:00:00Z');
    expect(maskValue(column('opens_at', 'DT_TIME'), '10:20:30')).toBe('XXXX0:30');
  });

  it('masks DT_EMBEDDED JSON on its JSON text with patterns, and redacts it otherwise', () => {
    const embedded = column('profile', 'DT_EMBEDDED', { find: '"street":"[^"]*"', replace: '"street":"***"' });
    expect(maskValue(embedded, { street: '1 Main St', n: 3 })).toBe('{"street":"***","n":3}');
    expect(maskValue(embedded, 'a JSON string')).toBe(REDACTED_TEXT); // `"a JSON string"`: no match
    expect(maskValue(column('profile', 'DT_EMBEDDED'), { a: 1 })).toBe(REDACTED_TEXT);
    expect(canonicalText(embedded, 'x')).toBe('"x"');
    expect(canonicalText(embedded, [1, 'two'])).toBe('[1,"two"]');
  });

  it('redacts files', () => {
    expect(maskValue(column('scan', 'DT_FILE_TYPE'), SAMPLES.DT_FILE_TYPE)).toBe(REDACTED_TEXT);
  });

  it('always returns a string or null, for any value of any datatype', () => {
    const json: fc.Arbitrary<CanonicalValue> = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...DATATYPES), json, (datatype, value) => {
        const out = maskValue(column('c', datatype), value);
        if (value === null) expect(out).toBeNull();
        else {
          expect(typeof out).toBe('string');
          if (out !== REDACTED_TEXT) expect(out).not.toBe(canonicalText(column('c', datatype), value));
        }
      }),
    );
  });
});

describe('long values', () => {
  it(`are fully redacted under MASKED beyond ${MAX_MASK_INPUT} characters, with or without patterns`, () => {
    const notes = column('notes', 'DT_STRING', { find: '^(.)', replace: 'X' });
    expect(maskValue(notes, `b${'a'.repeat(MAX_MASK_INPUT - 1)}`)).toBe(`X${'a'.repeat(MAX_MASK_INPUT - 1)}`);
    expect(maskValue(notes, 'a'.repeat(MAX_MASK_INPUT + 1))).toBe(REDACTED_TEXT);
    expect(maskValue(column('name', 'DT_STRING'), 'a'.repeat(MAX_MASK_INPUT + 1))).toBe(REDACTED_TEXT);
    expect(redactValue(notes, 'a'.repeat(MAX_MASK_INPUT + 1), 'PLAIN_TEXT')).toHaveLength(MAX_MASK_INPUT + 1);
  });
});
