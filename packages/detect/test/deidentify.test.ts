import { describe, expect, it } from 'vitest';
import { shiftDateText } from '../src/deidentify/date-shift.js';
import {
  countWordsAndCharacters,
  Deidentifier,
  DeidentifyError,
  type TokenizeItem,
  tokenFormatFor,
} from '../src/deidentify/index.js';
import { analyzer } from './helpers.js';

const engine = new Deidentifier(analyzer);

/** An in-memory vault: the engine's tokenizer plug-in point, as the server will provide it. */
function memoryVault() {
  const byValue = new Map<string, string>();
  const byToken = new Map<string, string>();
  const calls: TokenizeItem[][] = [];
  let n = 0;
  return {
    byToken,
    calls,
    tokenize: async (items: readonly TokenizeItem[]) => {
      calls.push([...items]);
      return items.map((i) => {
        let t = byValue.get(i.value);
        if (!t) {
          t = `tok${++n}x`;
          byValue.set(i.value, t);
          byToken.set(t, i.value);
        }
        return t;
      });
    },
  };
}

describe('entity_unq_counter tokens', () => {
  it('numbers values per type and reuses the number for the same value', async () => {
    const r = await engine.deidentify({
      text: 'Jane Doe met John Smith. Later JANE DOE called John  Smith and Jane Doe.',
    });
    expect(r.processed_text).toBe('[NAME_1] met [NAME_2]. Later [NAME_1] called [NAME_2] and [NAME_1].');
    expect(r.entities.map((e) => e.token)).toEqual(['NAME_1', 'NAME_2', 'NAME_1', 'NAME_2', 'NAME_1']);
  });
  it('keeps separate counters per entity type', async () => {
    const r = await engine.deidentify({ text: 'Email jane@example.com or call +1 212 555 0123.' });
    expect(r.processed_text).toBe('Email [EMAIL_ADDRESS_1] or call [PHONE_NUMBER_1].');
  });
});

describe('token types', () => {
  it('writes entity_only placeholders', async () => {
    const r = await engine.deidentify({ text: 'Email jane@example.com now', token_type: { default: 'entity_only' } });
    expect(r.processed_text).toBe('Email [EMAIL_ADDRESS] now');
    expect(r.entities[0]?.token).toBe('EMAIL_ADDRESS');
  });
  it('lets per-entity lists override the default, broad types covering narrower ones', () => {
    const options = {
      default: 'entity_only' as const,
      entity_unq_counter: ['email_address'],
      vault_token: ['location'],
    };
    expect(tokenFormatFor('email_address', options)).toBe('entity_unq_counter');
    expect(tokenFormatFor('location_city', options)).toBe('vault_token');
    expect(tokenFormatFor('ssn', options)).toBe('entity_only');
    expect(tokenFormatFor('ssn', {})).toBe('entity_unq_counter');
    expect(tokenFormatFor('ssn', null)).toBe('entity_unq_counter');
  });
  it('stores vault_token values through the tokenizer in one call per request', async () => {
    const vault = memoryVault();
    const r = await engine.deidentify(
      {
        text: 'SSN 536-22-1234, again 536-22-1234, card 4111 1111 1111 1111',
        token_type: { vault_token: ['ssn', 'credit_card'] },
      },
      { tokenizer: vault.tokenize },
    );
    expect(vault.calls).toHaveLength(1);
    expect(vault.calls[0]?.map((i) => [i.entityType, i.value])).toEqual([
      ['ssn', '536-22-1234'],
      ['credit_card', '4111 1111 1111 1111'],
    ]);
    expect(r.processed_text).toBe('SSN [SSN_tok1x], again [SSN_tok1x], card [CREDIT_CARD_tok2x]');
    expect(r.entities.map((e) => e.token)).toEqual(['tok1x', 'tok1x', 'tok2x']);
  });
  it('offers a synchronous form for requests without vault tokens', () => {
    expect(engine.deidentifySync({ text: 'Email jane@example.com' }).processed_text).toBe('Email [EMAIL_ADDRESS_1]');
    expect(() => engine.deidentifySync({ text: 'SSN 536-22-1234', token_type: { default: 'vault_token' } })).toThrow(
      DeidentifyError,
    );
  });
  it('refuses vault tokens without a tokenizer, and tokens that cannot be embedded', async () => {
    await expect(
      engine.deidentify({ text: 'SSN 536-22-1234', token_type: { default: 'vault_token' } }),
    ).rejects.toThrow(DeidentifyError);
    await expect(
      engine.deidentify(
        { text: 'SSN 536-22-1234', token_type: { default: 'vault_token' } },
        { tokenizer: async () => ['bad token]'] },
      ),
    ).rejects.toThrow(/cannot be embedded/);
  });
  it('writes [RESTRICTED] for restricted text', async () => {
    const r = await engine.deidentify({
      text: 'Order ORD-1234 for jane@example.com',
      restrict_regex: ['ORD-\\d+', 'example'],
    });
    expect(r.processed_text).toBe('Order [RESTRICTED] for [RESTRICTED]');
    expect(r.entities.map((e) => [e.token, e.entity_type])).toEqual([
      ['RESTRICTED', 'restricted'],
      ['RESTRICTED', 'email_address'],
    ]);
  });
  it("treats the SDKs' empty objects and nulls as not set", async () => {
    const r = await engine.deidentify({
      text: 'Email jane@example.com',
      token_type: {},
      transformations: { shift_dates: {} },
      allow_regex: null,
      restrict_regex: null,
      entity_types: null,
      vault_id: 'v1',
    });
    expect(r.processed_text).toBe('Email [EMAIL_ADDRESS_1]');
  });
});

describe('response offsets and counts', () => {
  it('locates every entity in the original and in the processed text', async () => {
    const text = 'Hi Jane Doe, your card 4111 1111 1111 1111 expires; email jane@example.com.';
    const r = await engine.deidentify({ text });
    for (const e of r.entities) {
      expect(text.slice(e.location.start_index, e.location.end_index)).toBe(e.value);
      expect(r.processed_text.slice(e.location.start_index_processed, e.location.end_index_processed)).toBe(
        `[${e.token}]`,
      );
    }
    expect(r.word_count).toBe(12);
    expect(r.character_count).toBe(text.length);
  });
  it("counts code points, like Skyflow's Python service, when the text has emoji", async () => {
    const text = '😀 call jane@example.com';
    const r = await engine.deidentify({ text });
    const e = r.entities[0];
    expect(e?.location.start_index).toBe(7); // 😀 is one code point, two UTF-16 units
    expect([...text].slice(e?.location.start_index, e?.location.end_index).join('')).toBe('jane@example.com');
    expect(r.character_count).toBe(23);
    const utf16 = await engine.deidentify({ text }, { indexUnit: 'utf16' });
    expect(utf16.entities[0]?.location.start_index).toBe(8);
  });
  it('counts words and characters', () => {
    expect(countWordsAndCharacters('  two  words\n')).toEqual({ words: 2, characters: 13 });
    expect(countWordsAndCharacters('')).toEqual({ words: 0, characters: 0 });
  });
  it('reports scores per entity', async () => {
    const r = await engine.deidentify({ text: 'SSN: 536-22-1234' });
    expect(r.entities[0]?.entity_scores.ssn).toBeGreaterThan(0.9);
  });
});

describe('date shifting', () => {
  const seeded = (x: number) => () => x;
  it('moves every date of a request by the same offset and keeps each format', async () => {
    const r = await engine.deidentify(
      {
        text: 'Admitted 03/14/2022, discharged 2022-03-20, follow-up on March 30, 2022.',
        transformations: { shift_dates: { min_days: 10, max_days: 10 } },
      },
      { random: seeded(0.5) },
    );
    expect(r.processed_text).toBe('Admitted 03/24/2022, discharged 2022-03-30, follow-up on April 9, 2022.');
    expect(r.entities.map((e) => e.token)).toEqual(['03/24/2022', '2022-03-30', 'April 9, 2022']);
  });
  it('picks the offset in [min_days, max_days] and never zero when the range allows another', async () => {
    const text = 'Born 1990-01-15.';
    const low = await engine.deidentify(
      { text, transformations: { shift_dates: { min_days: -5, max_days: 5 } } },
      { random: seeded(0.5) },
    );
    expect(low.processed_text).not.toBe(text);
    for (const x of [0, 0.3, 0.99]) {
      const r = await engine.deidentify(
        { text, transformations: { shift_dates: { min_days: 3, max_days: 7 } } },
        { random: seeded(x) },
      );
      const day = Number(r.processed_text.slice(13, 15));
      expect(day).toBeGreaterThanOrEqual(18);
      expect(day).toBeLessThanOrEqual(22);
    }
  });
  it('shifts only the requested date types', async () => {
    const r = await engine.deidentify(
      {
        text: 'Date of birth: 1990-01-15. Visit 2022-03-14.',
        transformations: { shift_dates: { min_days: 1, max_days: 1, entity_types: ['date'] } },
      },
      { random: seeded(0) },
    );
    expect(r.processed_text).toBe('Date of birth: [DOB_1]. Visit 2022-03-15.');
  });
  it('rewrites dates in their own format, across month and year ends', () => {
    expect(shiftDateText('12/31/1999', 1)).toBe('01/01/2000');
    expect(shiftDateText('31.12.1999', 1)).toBe('01.01.2000');
    expect(shiftDateText('Feb. 28th, 2024', 1)).toBe('Feb. 29th, 2024');
    expect(shiftDateText('4 March 2023', -4)).toBe('28 February 2023');
    expect(shiftDateText('Monday, January 1, 2024', 1)).toBe('Tuesday, January 2, 2024');
    expect(shiftDateText('2022-01-03 to 2022-01-07', 2)).toBe('2022-01-05 to 2022-01-09');
    expect(shiftDateText('2021-02-28 13:45:10', 1)).toBe('2021-03-01 13:45:10');
    expect(shiftDateText('not a date', 3)).toBeUndefined();
  });
});
