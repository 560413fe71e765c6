import { describe, expect, it } from 'vitest';
import { pieceRanges } from '../../src/files/formats/txt.js';
import { deidentifyFile, reidentifyFile } from '../../src/files/index.js';
import { expectFileFormatError, memoryVault, progressRecorder, utf8 } from './support.js';

const LETTER = [
  'Dear Jane Doe,',
  '',
  'your card 4111 1111 1111 1111 was charged. Write to jane.doe@example.com or call +1 212 555 0123.',
  'Your SSN 536-22-1234 is on file.',
  '',
  'Regards, John Smith 😀',
  '',
].join('\n');

describe('txt files', () => {
  it('replaces entities with counters numbered across the whole file', async () => {
    const text = `${LETTER}\nP.S. Jane Doe and John Smith, again.\n`;
    const r = await deidentifyFile(utf8(text), 'txt', {});
    const out = r.output.toString('utf8');
    expect(out).toContain('Dear [NAME_1],');
    expect(out).toContain('Regards, [NAME_2] 😀');
    expect(out).toContain('P.S. [NAME_1] and [NAME_2], again.');
    for (const pii of ['Jane Doe', 'John Smith', '4111', 'jane.doe@example.com', '536-22-1234', '555 0123']) {
      expect(out).not.toContain(pii);
    }
    // Line structure is kept; only values change.
    expect(out.split('\n')).toHaveLength(text.split('\n').length);
    expect(r.wordCount).toBe(text.split(/\s+/).filter(Boolean).length);
    expect(r.characterCount).toBe([...text].length);
  });

  it('reports locations from the start of the file, with the line of each entity', async () => {
    const text = `${LETTER}\nP.S. Jane Doe.\n`;
    const r = await deidentifyFile(utf8(text), 'txt', {}, { indexUnit: 'utf16' });
    const out = r.output.toString('utf8');
    for (const e of r.entities) {
      expect(text.slice(e.location.start_index, e.location.end_index)).toBe(e.value);
      expect(out.slice(e.location.start_index_processed, e.location.end_index_processed)).toBe(`[${e.token}]`);
      const line = text.slice(0, e.location.start_index).split('\n').length;
      expect(e.path).toBe(`line ${line}`);
    }
    expect(r.entities.at(-1)?.path).toBe('line 8');
  });

  it('round-trips byte for byte through vault tokens, keeping a BOM and CRLF line breaks', async () => {
    const vault = memoryVault();
    const input = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(LETTER.replaceAll('\n', '\r\n'))]);
    const d = await deidentifyFile(input, 'txt', { token_type: { default: 'vault_token' } }, vault);
    expect([...d.output.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const out = d.output.toString('utf8');
    expect(out).not.toContain('Jane Doe');
    expect(out).toMatch(/Dear \[NAME_v[0-9a-z]+-[0-9a-z]+\],\r\n/);
    expect(vault.tokenizeCalls).toHaveLength(1);
    const back = await reidentifyFile(d.output, 'txt', {}, vault);
    expect(back.output.equals(input)).toBe(true);
  });

  it('processes a large file in pieces without losing entities at their boundaries', async () => {
    // ~280 KB: several pieces; every paragraph has entities, some right before and after line breaks.
    const paragraphs: string[] = [];
    for (let i = 0; i < 4000; i++) {
      paragraphs.push(`Entry ${i}: contact jane.doe${i}@example.com\nSSN 536-22-${String(1000 + (i % 9000))}\n`);
    }
    const text = paragraphs.join('\n');
    expect(pieceRanges(utf8(text), 0).length).toBeGreaterThan(3);
    const progress = progressRecorder();
    const vault = memoryVault();
    const r = await deidentifyFile(
      utf8(text),
      'txt',
      { token_type: { default: 'vault_token' } },
      { ...vault, onProgress: progress.onProgress },
    );
    expect(r.entities.filter((e) => e.entity_type === 'email_address')).toHaveLength(4000);
    expect(r.entities.filter((e) => e.entity_type === 'ssn')).toHaveLength(4000);
    const out = r.output.toString('utf8');
    expect(out).not.toMatch(/@example\.com|536-22-/);
    // One tokenizer call for the whole file.
    expect(vault.tokenizeCalls).toHaveLength(1);
    progress.expectCompleted();
    expect(progress.reports.length).toBeGreaterThan(2);
    expect(progress.reports.at(-1)?.total).toBe(utf8(text).length);
    const back = await reidentifyFile(r.output, 'txt', {}, vault);
    expect(back.output.toString('utf8')).toBe(text);
  });

  it('cuts pieces only after a line break', () => {
    const bytes = utf8(`${'a'.repeat(100)}\n${'b'.repeat(50)}\n\n${'c'.repeat(300)}\n${'d'.repeat(10)}`);
    const ranges = pieceRanges(bytes, 0, 128);
    expect(ranges[0]?.[0]).toBe(0);
    expect(ranges.at(-1)?.[1]).toBe(bytes.length);
    for (let i = 0; i < ranges.length - 1; i++) {
      const [, end] = ranges[i] as [number, number];
      expect(bytes[end - 1]).toBe(0x0a);
      expect(ranges[i + 1]?.[0]).toBe(end);
    }
  });

  it('refuses text that is not UTF-8, and files over the size limit', async () => {
    await expectFileFormatError(() => deidentifyFile(Buffer.from([0x41, 0xff, 0x42]), 'txt', {}), /not valid UTF-8/);
    await expectFileFormatError(() => deidentifyFile(Buffer.from([0xff, 0xfe, 0x41, 0x00]), 'txt', {}), /UTF-16/);
    await expectFileFormatError(
      () => deidentifyFile(utf8('Jane Doe '.repeat(200)), 'txt', {}, { limits: { maxUncompressedBytes: 1000 } }),
      /too large/,
      ['Jane'],
    );
  });
});
