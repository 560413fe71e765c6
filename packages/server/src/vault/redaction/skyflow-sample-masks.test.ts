import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ColumnSpec, Datatype, MaskPattern, WireVaultSchema } from '../schema/model.js';
import { parseVaultSchema } from '../schema/parse.js';
import { applyMaskPattern } from './mask-pattern.js';
import { applyRedaction, maskValue, REDACTED_TEXT } from './redact.js';

/** The find/replace pairs of Skyflow's sample vaults (research cheat-sheet). */
const CARD: MaskPattern = { find: '[0-9 -]*([0-9 -]{4}$)', replace: 'XXXXXXXXXXXX${1}' };
const SSN: MaskPattern = { find: '^[0-9]{3}([- ])?[0-9]{2}([- ])?([0-9]{4})$', replace: 'XXX${1}XX${2}${3}' };
const EMAIL: MaskPattern = { find: '^(.).*?(.)?@(.+)', replace: '$1******$2@$3' };
const PHONE: MaskPattern = { find: '.*([0-9]{4})', replace: 'XXXXXX${1}' };
const NAME: MaskPattern = { find: '(.).*(.{2})', replace: '${1}***${2}' };
const DOB: MaskPattern = {
  find: '^$|([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])))',
  replace: 'XXXX-${5}${6}',
};

function column(name: string, mask: MaskPattern, datatype: Datatype = 'DT_STRING'): ColumnSpec {
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

describe("Skyflow's sample masks give the documented outputs", () => {
  it('card: last four kept, the rest one run of X (separators swallowed)', () => {
    const card = column('card_number', CARD);
    expect(maskValue(card, '4111 1111 1111 1234')).toBe('XXXXXXXXXXXX1234');
    expect(maskValue(card, '4111-1111-1111-1234')).toBe('XXXXXXXXXXXX1234');
    expect(maskValue(card, '4111111111111234')).toBe('XXXXXXXXXXXX1234');
  });

  it('SSN: XXX-XX-6789, separators as written', () => {
    const ssn = column('ssn', SSN);
    expect(maskValue(ssn, '123-45-6789')).toBe('XXX-XX-6789');
    expect(maskValue(ssn, '123 45 6789')).toBe('XXX XX 6789');
    expect(maskValue(ssn, '123456789')).toBe('XXXXX6789');
  });

  it('email: first and last character of the local part, the domain kept', () => {
    const email = column('email_address', EMAIL);
    expect(maskValue(email, 'johndoe@mail.com')).toBe('j******e@mail.com');
    // `(.)?` is optional: a one-character local part shows only that character.
    expect(maskValue(email, 'j@mail.com')).toBe('j******@mail.com');
  });

  it('phone: the last four digits after XXXXXX', () => {
    const phone = column('phone_number', PHONE);
    expect(maskValue(phone, '555-123-4567')).toBe('XXXXXX4567');
    expect(maskValue(phone, '+1 (555) 123-4567')).toBe('XXXXXX4567');
  });

  it('name: first character, ***, last two', () => {
    const name = column('name', NAME);
    expect(maskValue(name, 'Jonathan')).toBe('J***an');
    expect(maskValue(name, 'Bob')).toBe('B***ob');
  });

  it('date of birth: the year hidden through groups 5 and 6', () => {
    const dob = column('date_of_birth', DOB, 'DT_DATE');
    expect(maskValue(dob, '1990-04-15')).toBe('XXXX-04-15');
    expect(maskValue(dob, '2001-12-31')).toBe('XXXX-12-31');
  });

  it('matches the patterns with replace-all semantics: text outside the match is kept', () => {
    // Go's ReplaceAllString keeps what the find pattern does not match.
    expect(applyMaskPattern(PHONE, '555-123-4567 ext. 89')).toBe('XXXXXX4567 ext. 89');
    expect(applyMaskPattern(NAME, 'Jo')).toBe('Jo'); // no match: unchanged (maskValue then falls back)
  });
});

describe("Skyflow's quickstart vault schema (fixture) masks by its own tags", () => {
  const wire = JSON.parse(
    readFileSync(new URL('../schema/fixtures/skyflow-quickstart.json', import.meta.url), 'utf8'),
  ) as WireVaultSchema;
  const { model } = parseVaultSchema(wire);
  const persons = model.tablesByName.get('persons');
  const cards = model.tablesByName.get('credit_cards');
  const col = (table: typeof persons, name: string) => {
    const c = table?.columnsByName.get(name);
    if (!c) throw new Error(`no column ${name}`);
    return c;
  };

  it('gives each column its DEFAULT view', () => {
    expect(applyRedaction(col(persons, 'name'), 'Jonathan Smith', 'DEFAULT')).toBe('J***th');
    expect(applyRedaction(col(persons, 'ssn'), '123-45-6789', 'DEFAULT')).toBe('XXX-XX-6789');
    expect(applyRedaction(col(persons, 'date_of_birth'), '1990-04-15', 'DEFAULT')).toBe('XXXX-04-15');
    expect(applyRedaction(col(persons, 'phone_number'), '(555) 123-4567', 'DEFAULT')).toBe('XXXXXX4567');
    expect(applyRedaction(col(persons, 'state'), 'CA', 'DEFAULT')).toBe('CA');
    expect(applyRedaction(col(cards, 'card_number'), '4111 1111 1111 1234', 'DEFAULT')).toBe('XXXXXXXXXXXX1234');
    expect(applyRedaction(col(cards, 'cvv'), '123', 'DEFAULT')).toBe(REDACTED_TEXT);
    expect(applyRedaction(col(persons, 'skyflow_id'), 'a-uuid', 'REDACTED')).toBe('a-uuid');
  });

  it('masks the email (REDACT by default) only when MASKED is asked for', () => {
    const email = col(persons, 'email_address');
    expect(applyRedaction(email, 'johndoe@mail.com', 'DEFAULT')).toBe(REDACTED_TEXT);
    expect(applyRedaction(email, 'johndoe@mail.com', 'MASKED')).toBe('j******e@mail.com');
    expect(applyRedaction(email, 'johndoe@mail.com', 'PLAIN_TEXT')).toBe('johndoe@mail.com');
  });
});
