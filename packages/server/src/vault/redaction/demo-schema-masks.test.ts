import { describe, expect, it } from 'vitest';
import { DEMO_VAULT_SCHEMA } from '../demo-schema.js';
import type { ColumnSpec } from '../schema/model.js';
import { parseVaultSchema } from '../schema/parse.js';
import { maskPatternProblem } from './mask-pattern.js';
import { applyRedaction, REDACTED_TEXT } from './redact.js';

const persons = parseVaultSchema(DEMO_VAULT_SCHEMA).model.tablesByName.get('persons');
const col = (name: string): ColumnSpec => {
  const c = persons?.columnsByName.get(name);
  if (!c) throw new Error(`demo schema has no persons.${name}`);
  return c;
};

const SAMPLE_PERSONS = [
  {
    person: {
      skyflow_id: 'c2f1e6a0-5b1e-4c7e-9d3a-8f0e2b6d4a11',
      name: 'Jonathan Smith',
      email: 'johndoe@mail.com',
      ssn: '123-45-6789',
      card_number: '4111111111111111',
      date_of_birth: '1990-04-15',
      phone_number: '+1 555 123 4567',
    },
    masked: {
      skyflow_id: 'c2f1e6a0-5b1e-4c7e-9d3a-8f0e2b6d4a11',
      name: 'J***th',
      email: 'j******e@mail.com',
      ssn: 'XXX-XX-6789',
      card_number: 'XXXXXXXXXXXX1111',
      date_of_birth: 'XXXX-04-15',
      phone_number: 'XXXXXX4567',
    },
  },
  {
    person: {
      skyflow_id: '0b9d7c55-3c0f-4a43-8a55-6e1f3f0c2d22',
      name: 'Al',
      email: 'al@example.org',
      ssn: '987654321',
      card_number: '5500 0000 0000 0004',
      date_of_birth: '2000-02-29',
      phone_number: '(555) 010-9999',
    },
    masked: {
      skyflow_id: '0b9d7c55-3c0f-4a43-8a55-6e1f3f0c2d22',
      name: 'A***',
      email: 'a******l@example.org',
      ssn: 'XXXXX4321',
      card_number: 'XXXXXXXXXXXX0004',
      date_of_birth: 'XXXX-02-29',
      phone_number: 'XXXXXX9999',
    },
  },
] as const;

describe('the demo vault (quickstart.persons) masks sample persons', () => {
  it('every demo mask pattern runs on the linear-time engine', () => {
    for (const column of persons?.columns ?? []) {
      if (column.mask) expect([column.name, maskPatternProblem(column.mask.find)]).toEqual([column.name, undefined]);
    }
  });

  it.each(SAMPLE_PERSONS)('DEFAULT shows every column masked ($person.name)', ({ person, masked }) => {
    const shown = Object.fromEntries(
      Object.entries(person).map(([name, value]) => [name, applyRedaction(col(name), value, 'DEFAULT')]),
    );
    expect(shown).toEqual(masked);
  });

  it.each(SAMPLE_PERSONS)(
    'PLAIN_TEXT shows the person as stored, REDACTED hides all but skyflow_id ($person.name)',
    ({ person }) => {
      for (const [name, value] of Object.entries(person)) {
        expect(applyRedaction(col(name), value, 'PLAIN_TEXT')).toBe(value);
        expect(applyRedaction(col(name), value, 'REDACTED')).toBe(name === 'skyflow_id' ? value : REDACTED_TEXT);
        expect(applyRedaction(col(name), value, 'PLAIN_TEXT', { cap: 'MASKED' })).toBe(
          applyRedaction(col(name), value, 'MASKED'),
        );
      }
    },
  );

  it('a one-letter name, which the name mask would show whole, is redacted', () => {
    expect(applyRedaction(col('name'), 'J', 'DEFAULT')).toBe(REDACTED_TEXT);
  });
});
