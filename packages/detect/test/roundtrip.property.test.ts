import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deidentifier, type TokenizeItem } from '../src/deidentify/index.js';
import { type DetokenizeItem, reidentifyString } from '../src/reidentify/index.js';
import { analyzer } from './helpers.js';

/**
 * De-identify with vault tokens, then re-identify through the same in-memory vault: the original text
 * comes back exactly, whatever surrounds the personal data (brackets, emoji, look-alike placeholders).
 * The vault here is the engine's own tokenizer/detokenizer plug-in point, not a mock of the server.
 */
function memoryVault() {
  const byValue = new Map<string, string>();
  const byToken = new Map<string, string>();
  let n = 0;
  return {
    tokenize: async (items: readonly TokenizeItem[]) =>
      items.map((i) => {
        const key = `${i.entityType}\u0000${i.value}`;
        let t = byValue.get(key);
        if (!t) {
          t = `v${(++n).toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
          byValue.set(key, t);
          byToken.set(t, i.value);
        }
        return t;
      }),
    detokenize: async (items: readonly DetokenizeItem[]) => items.map((i) => byToken.get(i.token)),
  };
}

const PII = [
  'Jane Doe',
  'Mr. Jürgen Müller',
  'jane.doe@example.com',
  '4111 1111 1111 1111',
  '536-22-1234',
  '+44 20 7946 0958',
  'DE89 3704 0044 0532 0130 00',
  '1600 Pennsylvania Ave NW, Washington, DC 20500',
  '2022-03-14',
  'March 4th, 1985',
  '203.0.113.7',
  'https://example.com/x',
  'Portugal',
  'Initech LLC',
  '42 years old',
];
const FILLER = [
  'my name is',
  'call',
  'at',
  'and',
  'lives in',
  'card',
  'SSN',
  '[NAME_1]',
  '[SSN_zz]',
  '😀',
  'ünïcödé',
  '\n',
  ',',
  '.',
];

const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PII) },
  { weight: 3, arbitrary: fc.constantFrom(...FILLER) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
);
const textArb = fc.array(piece, { maxLength: 14 }).map((parts) => parts.join(' '));

describe('de-identify then re-identify', () => {
  const engine = new Deidentifier(analyzer);
  it('restores the original text for vault tokens', async () => {
    await fc.assert(
      fc.asyncProperty(textArb, async (text) => {
        const vault = memoryVault();
        const d = await engine.deidentify(
          { text, token_type: { default: 'vault_token' } },
          { tokenizer: vault.tokenize },
        );
        const r = await reidentifyString({ text: d.processed_text }, { detokenize: vault.detokenize });
        expect(r.text).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
  it('keeps offsets consistent with both texts for any input', async () => {
    await fc.assert(
      fc.asyncProperty(textArb, async (text) => {
        const d = await engine.deidentify({ text }, { indexUnit: 'utf16' });
        let last = 0;
        for (const e of d.entities) {
          expect(text.slice(e.location.start_index, e.location.end_index)).toBe(e.value);
          expect(d.processed_text.slice(e.location.start_index_processed, e.location.end_index_processed)).toBe(
            `[${e.token}]`,
          );
          expect(e.location.start_index).toBeGreaterThanOrEqual(last);
          last = e.location.end_index;
        }
      }),
      { numRuns: 200 },
    );
  });
});
