import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deidentifyFile, reidentifyFile } from '../../src/files/index.js';
import { expectFileFormatError, memoryVault, progressRecorder, utf8 } from './support.js';

const DOC = `{
  "2": "numeric-looking keys keep their place",
  "patient": {
    "name": "Jane Doe",
    "email": "jane.doe@example.com",
    "ssn": "536-22-1234",
    "age": 42,
    "insured": true,
    "balance": 12345678901234567890,
    "nickname": null
  },
  "visits": [
    { "note": "Jane Doe called from +1 212 555 0123", "paid": false },
    { "note": "Card 4111 1111 1111 1111 on file for Jane Doe \\u00e9" }
  ],
  "Jane Doe": "keys are never changed"
}
`;

/** The shape of a JSON value: every string replaced by a marker. */
const shape = (v: unknown): unknown =>
  typeof v === 'string'
    ? 'string'
    : Array.isArray(v)
      ? v.map(shape)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]))
        : v;

describe('json files', () => {
  it('changes only string values, keeping keys, key order, numbers, literals and formatting', async () => {
    const progress = progressRecorder();
    const r = await deidentifyFile(utf8(DOC), 'json', {}, { onProgress: progress.onProgress });
    const out = r.output.toString('utf8');
    const parsed = JSON.parse(out);
    expect(shape(parsed)).toEqual(shape(JSON.parse(DOC)));
    expect(parsed.patient).toMatchObject({ name: '[NAME_1]', email: '[EMAIL_ADDRESS_1]', ssn: '[SSN_1]' });
    expect(parsed.visits[0].note).toBe('[NAME_1] called from [PHONE_NUMBER_1]');
    expect(parsed['Jane Doe']).toBe('keys are never changed');
    // Byte for byte outside the changed values: key order, spacing, the big number's digits.
    const expected = DOC.replace('"Jane Doe",', '"[NAME_1]",')
      .replace('"jane.doe@example.com"', '"[EMAIL_ADDRESS_1]"')
      .replace('"536-22-1234"', '"[SSN_1]"')
      .replace('Jane Doe called from +1 212 555 0123', '[NAME_1] called from [PHONE_NUMBER_1]')
      .replace('Card 4111 1111 1111 1111 on file for Jane Doe \\u00e9', 'Card [CREDIT_CARD_1] on file for [NAME_1] é');
    expect(out).toBe(expected);
    expect(out).toContain('"balance": 12345678901234567890');
    expect(Object.keys(JSON.parse(out))).toEqual(['2', 'patient', 'visits', 'Jane Doe']);
    expect(r.entities.map((e) => e.path)).toContain('/visits/1/note');
    expect(r.entities.find((e) => e.token === 'SSN_1')?.path).toBe('/patient/ssn');
    progress.expectCompleted();
  });

  it('round-trips through vault tokens', async () => {
    const vault = memoryVault();
    const d = await deidentifyFile(utf8(DOC), 'json', { token_type: { default: 'vault_token' } }, vault);
    expect(d.output.toString('utf8')).not.toMatch(/Jane Doe called|536-22-1234|jane\.doe@/);
    const back = await reidentifyFile(d.output, 'json', {}, vault);
    expect(JSON.parse(back.output.toString('utf8'))).toEqual(JSON.parse(DOC));
  });

  it('escapes JSON pointer segments', async () => {
    const r = await deidentifyFile(utf8('{"a/b":{"c~d":["x","jane.doe@example.com"]}}'), 'json', {});
    expect(r.entities[0]?.path).toBe('/a~1b/c~0d/1');
    const top = await deidentifyFile(utf8('"jane.doe@example.com"'), 'json', {});
    expect(top.output.toString('utf8')).toBe('"[EMAIL_ADDRESS_1]"');
    expect(top.entities[0]?.path).toBe('');
  });

  it('refuses invalid JSON without quoting it', async () => {
    await expectFileFormatError(
      () => deidentifyFile(utf8('{"ssn": "536-22-1234",}'), 'json', {}),
      /^the file is not valid JSON$/,
    );
  });
});

const PII = [
  'jane.doe@example.com',
  'j.smith@mail.example.org',
  '536-22-1234',
  '4111 1111 1111 1111',
  'SSN 536-22-5678',
];

/**
 * Strings with personal data somewhere in them. The text around it holds no digits: "4111 1111 1111
 * 1111 00" is a longer number, not a card, and the property is about values with clear boundaries.
 */
const noDigits = fc.string({ maxLength: 8 }).map((s) => s.replace(/[0-9]/g, 'x'));
const piiString = fc.tuple(noDigits, fc.constantFrom(...PII), noDigits).map(([a, pii, b]) => `${a} ${pii} ${b}`);

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      piiString,
      fc.string({ maxLength: 10 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
    ),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('json de-identify then re-identify (property)', () => {
  it('restores any document with personal data injected in its strings', async () => {
    await fc.assert(
      fc.asyncProperty(jsonValue, fc.constantFrom(0, 2), async (doc, indent) => {
        const vault = memoryVault();
        const input = utf8(JSON.stringify(doc, null, indent));
        const d = await deidentifyFile(input, 'json', { token_type: { default: 'vault_token' } }, vault);
        const out = d.output.toString('utf8');
        for (const pii of PII) {
          if (input.toString('utf8').includes(pii)) expect(out).not.toContain(pii.replace('SSN ', ''));
        }
        const back = await reidentifyFile(d.output, 'json', {}, vault);
        expect(JSON.parse(back.output.toString('utf8'))).toEqual(doc);
      }),
      { numRuns: 150 },
    );
  });
});
