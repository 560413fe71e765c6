import { describe, expect, it } from 'vitest';
import { Deidentifier, DeidentifyError, VAULT_TOKEN_BATCH } from '../../src/deidentify/index.js';
import { deidentifyFile, FileFormatError } from '../../src/files/index.js';
import { distribute } from '../../src/files/segments.js';
import { ReidentifySession } from '../../src/reidentify/index.js';
import { analyzer } from '../helpers.js';
import { memoryVault, utf8 } from './support.js';

const engine = new Deidentifier(analyzer);

describe('a de-identification session over many pieces', () => {
  it('shares counters and the date shift between pieces', async () => {
    const session = engine.session(
      { transformations: { shift_dates: { min_days: 10, max_days: 10 } } },
      { random: () => 0.5 },
    );
    const texts = ['Jane Doe, born 2020-01-01', 'John Smith', 'again Jane Doe on 2020-02-01'];
    const planned = texts.map((t) => session.plan(t));
    await session.resolve();
    expect(texts.map((t, i) => session.render(t, planned[i]!).processed_text)).toEqual([
      '[NAME_1], born 2020-01-11',
      '[NAME_2]',
      'again [NAME_1] on 2020-02-11',
    ]);
  });

  it('fails at once when a vault token is needed and no tokenizer was given', () => {
    const session = engine.session({ token_type: { default: 'vault_token' } });
    expect(() => session.plan('SSN 536-22-1234')).toThrow(DeidentifyError);
  });

  it('batches the tokenizer calls of a large file', async () => {
    const vault = memoryVault();
    const emails = Array.from({ length: VAULT_TOKEN_BATCH + 5 }, (_, i) => `user${i}@example.com`);
    const r = await deidentifyFile(utf8(emails.join('\n')), 'txt', { token_type: { default: 'vault_token' } }, vault);
    expect(vault.tokenizeCalls.map((c) => c.length)).toEqual([VAULT_TOKEN_BATCH, 5]);
    expect(r.entities).toHaveLength(emails.length);
    expect(new Set(r.entities.map((e) => e.token)).size).toBe(emails.length);
  });

  it('re-identifies many pieces with one detokenizer call', async () => {
    const calls: number[] = [];
    const session = new ReidentifySession(
      { redacted: ['ssn'] },
      {
        detokenize: async (items) => {
          calls.push(items.length);
          return items.map((i) => `<${i.token}>`);
        },
      },
    );
    const texts = ['[NAME_ab1] and [SSN_x2]', 'none', '[NAME_ab1] [EMAIL_ADDRESS_q-1]'];
    const found = texts.map((t) => session.collect(t));
    await session.resolve();
    expect(texts.map((t, i) => session.render(t, found[i]!))).toEqual(['<ab1> and [SSN]', 'none', '<ab1> <q-1>']);
    expect(calls).toEqual([2]);
  });
});

describe('writing a de-identified piece back into its segments', () => {
  const text = 'Hi Jane Doe!\tSSN 536';
  // Segments: "Hi Ja" | "ne " | "Doe!" | (tab separator) | "SSN 536"
  const segments = [
    { start: 0, end: 5 },
    { start: 5, end: 8 },
    { start: 8, end: 12 },
    { start: 13, end: 20 },
  ];
  it('puts a replacement where its entity starts and removes the rest from the following segments', () => {
    const out = distribute(text, segments, [
      { start: 3, end: 11, placeholder: '[NAME_1]' },
      { start: 17, end: 20, placeholder: '[X]' },
    ]);
    expect(out).toEqual(['Hi [NAME_1]', '', '!', 'SSN [X]']);
  });
  it('starts a replacement in the next segment when its entity starts on a separator', () => {
    expect(distribute(text, segments, [{ start: 12, end: 16, placeholder: '[P]' }])).toEqual([
      'Hi Ja',
      'ne ',
      'Doe!',
      '[P] 536',
    ]);
  });
  it('leaves segments without entities alone', () => {
    expect(distribute(text, segments, [])).toEqual(['Hi Ja', 'ne ', 'Doe!', 'SSN 536']);
  });
});

describe('file formats', () => {
  it('refuses a format it does not handle', async () => {
    await expect(deidentifyFile(utf8('x'), 'pdf' as 'txt', {})).rejects.toThrow(FileFormatError);
  });
});
