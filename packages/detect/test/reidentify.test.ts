import { describe, expect, it } from 'vitest';
import {
  type DetokenizeItem,
  findVaultTokens,
  maskValue,
  redactionFor,
  reidentifyString,
} from '../src/reidentify/index.js';

const vault = new Map([
  ['a1b2', 'Jane Doe'],
  ['c3d4', '536-22-1234'],
  ['e5f6', 'jane@example.com'],
]);
const calls: DetokenizeItem[][] = [];
const detokenize = async (items: readonly DetokenizeItem[]) => {
  calls.push([...items]);
  return items.map((i) => {
    const v = vault.get(i.token);
    if (v === undefined) return undefined;
    return i.redaction === 'masked' ? maskValue(i.entityType, v) : v;
  });
};

describe('finding vault tokens', () => {
  it('finds [TYPE_token] placeholders whose type is a §6.9 type', () => {
    const found = findVaultTokens('[NAME_a1b2] [EMAIL_ADDRESS_e5f6] [LOCATION_CITY_x-9] [NOPE_x] [NAME_1] [SSN]');
    expect(found.map((f) => [f.entityType, f.token])).toEqual([
      ['name', 'a1b2'],
      ['email_address', 'e5f6'],
      ['location_city', 'x-9'],
      ['name', '1'],
    ]);
  });
});

describe('reidentify', () => {
  it('restores values in plain text by default and looks each token up once', async () => {
    calls.length = 0;
    const r = await reidentifyString(
      { text: 'Dear [NAME_a1b2], [NAME_a1b2] wrote from [EMAIL_ADDRESS_e5f6].', vault_id: 'v' },
      { detokenize },
    );
    expect(r.text).toBe('Dear Jane Doe, Jane Doe wrote from jane@example.com.');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(2);
  });
  it('applies redacted, masked and plaintext formats per entity type', async () => {
    const r = await reidentifyString(
      {
        text: '[NAME_a1b2] / [SSN_c3d4] / [EMAIL_ADDRESS_e5f6]',
        format: { redacted: ['name'], masked: ['ssn', 'email_address'], plaintext: [] },
      },
      { detokenize },
    );
    expect(r.text).toBe('[NAME] / XXX-XX-1234 / j***@example.com');
  });
  it('never looks up redacted types', async () => {
    calls.length = 0;
    await reidentifyString({ text: '[NAME_a1b2]', format: { redacted: ['all'] } }, { detokenize });
    expect(calls).toHaveLength(0);
  });
  it('leaves unknown tokens and text without tokens unchanged', async () => {
    expect((await reidentifyString({ text: 'Hi [NAME_zzzz] and [NAME_1]' }, { detokenize })).text).toBe(
      'Hi [NAME_zzzz] and [NAME_1]',
    );
    expect((await reidentifyString({ text: 'nothing here' }, { detokenize })).text).toBe('nothing here');
  });
  it('resolves formats with broad types and redacted before masked', () => {
    expect(redactionFor('location_city', { masked: ['location'] })).toBe('masked');
    expect(redactionFor('ssn', { masked: ['ssn'], redacted: ['ssn'] })).toBe('redacted');
    expect(redactionFor('ssn', null)).toBe('plaintext');
  });
  it('masks values keeping the last four characters', () => {
    expect(maskValue('credit_card', '4111 1111 1111 1111')).toBe('XXXX XXXX XXXX 1111');
    expect(maskValue('name', 'Jo')).toBe('J*');
  });
});
