import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DATATYPES, type Datatype } from '../schema/model.js';
import {
  builtinMask,
  type MaskKind,
  maskCardNumber,
  maskDate,
  maskEmail,
  maskGeneric,
  maskKindOf,
  maskName,
  maskPhone,
  maskSsn,
  REDACTED_TEXT,
  shownTail,
} from './builtin-masks.js';

const chars = (s: string) => Array.from(s);
const digitsOf = (s: string) => s.replace(/[^0-9]/g, '');
/** Text from an alphabet, mixing the characters each mask treats differently. */
const textOf = (alphabet: string[], maxLength = 40) =>
  fc.array(fc.constantFrom(...alphabet), { maxLength }).map((a) => a.join(''));
const DIGITS = '0123456789'.split('');
const MIXED = [...DIGITS, ...DIGITS, ' ', '-', '.', '(', ')', '+', '/', 'a', 'Z', 'é', '😀', 'X', '@'];

describe('built-in masks: examples', () => {
  it('card numbers keep the last four digits and the separators', () => {
    expect(maskCardNumber('4111 1111 1111 1234')).toBe('XXXX XXXX XXXX 1234');
    expect(maskCardNumber('4111-1111-1111-1234')).toBe('XXXX-XXXX-XXXX-1234');
    expect(maskCardNumber('4111111111111234')).toBe('XXXXXXXXXXXX1234');
  });

  it('SSNs keep the last four digits and the separators', () => {
    expect(maskSsn('123-45-6789')).toBe('XXX-XX-6789');
    expect(maskSsn('123456789')).toBe('XXXXX6789');
  });

  it('emails keep the first and last character of the local part and the domain', () => {
    expect(maskEmail('johndoe@mail.com')).toBe('j******e@mail.com');
    expect(maskEmail('abc@x.org')).toBe('a******@x.org');
    expect(maskEmail('a@x.org')).toBe('******@x.org');
    expect(maskEmail('"a@b"@example.com')).toBe('"******"@example.com'); // the last @ splits
    expect(maskEmail('no-at-sign')).toBe(maskGeneric('no-at-sign'));
    expect(maskEmail('@example.com')).toBe(maskGeneric('@example.com'));
  });

  it('phone numbers keep the last four digits and + ( ) - . / and spaces', () => {
    expect(maskPhone('+1 (555) 123-4567')).toBe('+X (XXX) XXX-4567');
    expect(maskPhone('555.123.4567')).toBe('XXX.XXX.4567');
    expect(maskPhone('555-1234 ext 9')).toBe('XXX-X234 XXX 9'); // 8 digits, 4 shown; letters hidden
  });

  it('names keep the first character, then *** and the last two when long enough', () => {
    expect(maskName('Jonathan')).toBe('J***an');
    expect(maskName('Bobby')).toBe('B***by');
    expect(maskName('Anna')).toBe('A***');
    expect(maskName('Al')).toBe('A***');
    expect(maskName('Émile Zoë')).toBe('É***oë');
    expect(maskName('')).toBe('');
  });

  it('dates hide the year', () => {
    expect(maskDate('1990-04-15')).toBe('XXXX-04-15');
    expect(maskDate('1990-04-15T10:20:30Z')).toBe('XXXX-04-15T10:20:30Z');
    expect(maskDate('15/04/1990')).toBe(maskGeneric('15/04/1990'));
  });

  it('anything else keeps at most the last four characters, never more than half', () => {
    expect(maskGeneric('ACC-99887766')).toBe('XXXXXXXX7766');
    expect(maskGeneric('12345678')).toBe('XXXX5678');
    expect(maskGeneric('1234567')).toBe('XXXX567');
    expect(maskGeneric('12345')).toBe('XXX45');
    expect(maskGeneric('1234')).toBe('XXXX');
    expect(maskGeneric('')).toBe('');
    expect([0, 1, 4, 5, 6, 7, 8, 100].map(shownTail)).toEqual([0, 0, 0, 2, 3, 3, 4, 4]);
  });

  it('the redact kind shows nothing', () => {
    expect(builtinMask('redact', 'true')).toBe(REDACTED_TEXT);
  });
});

describe('built-in masks: properties', () => {
  it('digit masks keep exactly the last shownTail(#digits) digits and the separators; all else is X', () => {
    const cases: [(s: string) => string, string][] = [
      [maskCardNumber, ' -'],
      [maskSsn, ' -'],
      [maskPhone, ' -.()+/'],
    ];
    fc.assert(
      fc.property(textOf(MIXED), fc.constantFrom(...cases), (text, [mask, separators]) => {
        const input = chars(text);
        const output = chars(mask(text));
        expect(output).toHaveLength(input.length);
        const digits = digitsOf(text);
        expect(digitsOf(output.join(''))).toBe(digits.slice(digits.length - shownTail(digits.length)));
        input.forEach((ch, i) => {
          if (separators.includes(ch)) expect(output[i]).toBe(ch);
          else expect([ch >= '0' && ch <= '9' ? ch : 'X', 'X']).toContain(output[i]);
        });
      }),
    );
  });

  it('the generic mask keeps exactly the last shownTail(length) characters and Xs the rest', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 30 }), (text) => {
        const input = chars(text);
        const keep = shownTail(input.length);
        const output = chars(maskGeneric(text));
        expect(output).toHaveLength(input.length);
        expect(output.slice(input.length - keep)).toEqual(input.slice(input.length - keep));
        expect(output.slice(0, input.length - keep).every((c) => c === 'X')).toBe(true);
      }),
    );
  });

  it('the email mask keeps at most two characters of the local part and the domain exactly', () => {
    const part = textOf(['a', 'b', 'Z', '.', '_', '1', 'é', '😀'], 12);
    fc.assert(
      fc.property(part.filter(Boolean), part.filter(Boolean), (local, domain) => {
        const out = maskEmail(`${local}@${domain}`);
        const l = chars(local);
        const expected = l.length >= 4 ? `${l[0]}******${l.at(-1)}` : l.length >= 2 ? `${l[0]}******` : '******';
        expect(out).toBe(`${expected}@${domain}`);
      }),
    );
  });

  it('the name mask shows the first character and, from five characters on, the last two', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), (text) => {
        const c = chars(text);
        expect(maskName(text)).toBe(`${c[0]}***${c.length >= 5 ? c.slice(-2).join('') : ''}`);
      }),
    );
  });

  it('the date mask replaces exactly the four year digits', () => {
    const date = fc.date({ min: new Date('0001-01-01'), max: new Date('9999-12-31'), noInvalidDate: true });
    fc.assert(
      fc.property(date, (d) => {
        const text = d.toISOString().slice(0, 10);
        expect(maskDate(text)).toBe(`XXXX${text.slice(4)}`);
      }),
    );
  });

  it('no mask returns a value longer than a few characters unchanged or shows it whole', () => {
    const kinds: MaskKind[] = ['card', 'ssn', 'email', 'phone', 'name', 'date', 'generic'];
    // Inputs without X (which masks write) and with at least one character each mask hides.
    fc.assert(
      fc.property(
        textOf(MIXED.filter((c) => c !== 'X')).filter((t) => chars(t).length > 4 && /[0-9]/.test(t)),
        fc.constantFrom(...kinds),
        (text, kind) => {
          const out = builtinMask(kind, text);
          expect(out).not.toBe(text);
          expect(out.includes(text)).toBe(false);
        },
      ),
    );
  });
});

describe('choosing a built-in mask', () => {
  const column = (name: string, datatype: Datatype = 'DT_STRING', dataType?: string) => ({ name, datatype, dataType });

  it('uses the skyflow.options.data_type hint first', () => {
    expect(maskKindOf(column('c1'), { dataType: 'skyflow.CardNumber' })).toBe('card');
    expect(maskKindOf(column('c1'), { dataType: 'skyflow.SSN' })).toBe('ssn');
    expect(maskKindOf(column('c1'), { dataType: 'skyflow.PrimaryEmail' })).toBe('email');
    expect(maskKindOf(column('c1'), { dataType: 'skyflow.PhoneNumber' })).toBe('phone');
    expect(maskKindOf(column('c1'), { dataType: 'skyflow.Name' })).toBe('name');
    expect(maskKindOf(column('c1'), { dataType: 'skyflow.DOB' })).toBe('date');
    expect(maskKindOf(column('email'), { dataType: 'skyflow.CardNumber' })).toBe('card');
    // A data_type on the column itself (once ColumnSpec keeps it) counts too; the hint wins over it.
    expect(maskKindOf(column('c1', 'DT_STRING', 'skyflow.SSN'))).toBe('ssn');
    expect(maskKindOf(column('c1', 'DT_STRING', 'skyflow.SSN'), { dataType: 'skyflow.Email' })).toBe('email');
  });

  it('falls back to the column name when the hint is absent or has no dedicated mask', () => {
    const cases: [string, MaskKind][] = [
      ['email', 'email'],
      ['email_address', 'email'],
      ['primary_e_mail', 'email'],
      ['card_number', 'card'],
      ['credit_card', 'card'],
      ['cc_number', 'card'],
      ['pan', 'card'],
      ['ssn', 'ssn'],
      ['social_security_number', 'ssn'],
      ['tax_id', 'ssn'],
      ['phone', 'phone'],
      ['mobile_number', 'phone'],
      ['work_phone', 'phone'],
      ['dob', 'date'],
      ['date_of_birth', 'date'],
      ['birthdate', 'date'],
      ['name', 'name'],
      ['first_name', 'name'],
      ['lastname', 'name'],
      ['name_on_card', 'name'],
      ['cardholder_name', 'name'],
      ['address_line_1', 'name'],
      ['username', 'generic'],
      ['account_number', 'generic'],
      ['notes', 'generic'],
    ];
    for (const [name, kind] of cases) {
      expect([name, maskKindOf(column(name), { dataType: 'skyflow.String' })]).toEqual([name, kind]);
    }
  });

  it('then the datatype; booleans, JSON and files are always fully redacted', () => {
    expect(maskKindOf(column('created', 'DT_DATE'))).toBe('date');
    expect(maskKindOf(column('created', 'DT_DATETIME'))).toBe('date');
    expect(maskKindOf(column('amount', 'DT_INT64'))).toBe('generic');
    for (const datatype of ['DT_BOOL', 'DT_EMBEDDED', 'DT_FILE_TYPE'] as const) {
      expect(maskKindOf(column('phone', datatype), { dataType: 'skyflow.PhoneNumber' })).toBe('redact');
    }
    for (const datatype of DATATYPES) expect(typeof maskKindOf(column('x', datatype))).toBe('string');
  });
});
