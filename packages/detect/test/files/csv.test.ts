import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { detectDelimiter } from '../../src/files/formats/csv.js';
import { deidentifyFile, reidentifyFile } from '../../src/files/index.js';
import { expectFileFormatError, memoryVault, progressRecorder, utf8 } from './support.js';

const PEOPLE = [
  'name,email,ssn,notes,amount',
  'Jane Doe,jane.doe@example.com,536-22-1234,"Met Jane Doe in Paris, France",12.50',
  'John Smith,john.smith@example.org,536-22-5678,"Says ""hi""\nto Jane Doe",7',
  '"Jane Doe","jane.doe@example.com",,"",0',
  '',
].join('\r\n');

const rows = (csv: string, delimiter = ','): string[][] => parse(csv, { delimiter, relax_column_count: true });

describe('csv files', () => {
  it('keeps rows, columns, header, quoting and line breaks, and numbers the same value alike in every cell', async () => {
    const progress = progressRecorder();
    const r = await deidentifyFile(utf8(PEOPLE), 'csv', {}, { onProgress: progress.onProgress });
    const out = r.output.toString('utf8');
    const before = rows(PEOPLE);
    const after = rows(out);
    expect(after).toHaveLength(before.length);
    after.forEach((row, i) => {
      expect(row).toHaveLength((before[i] as string[]).length);
    });
    expect(after[0]).toEqual(before[0]);
    expect(after[1]?.slice(0, 3)).toEqual(['[NAME_1]', '[EMAIL_ADDRESS_1]', '[SSN_1]']);
    expect(after[1]?.[4]).toBe('12.50');
    expect(after[2]?.slice(0, 3)).toEqual(['[NAME_2]', '[EMAIL_ADDRESS_2]', '[SSN_2]']);
    expect(after[3]?.slice(0, 2)).toEqual(['[NAME_1]', '[EMAIL_ADDRESS_1]']);
    expect(after[2]?.[3]).toBe('Says "hi"\nto [NAME_1]');
    // Same quoting as the input, CRLF line breaks, trailing line break.
    expect(out.split('\r\n')[3]).toBe('"[NAME_1]","[EMAIL_ADDRESS_1]",,"",0');
    expect(out.endsWith('0\r\n')).toBe(true);
    for (const pii of ['Jane', 'John', 'example.com', '536-22-1234']) expect(out).not.toContain(pii);
    expect(r.entities.find((e) => e.token === 'SSN_2')?.path).toBe('row 3, column ssn');
    progress.expectCompleted();
  });

  it('round-trips byte for byte through vault tokens', async () => {
    const vault = memoryVault();
    const d = await deidentifyFile(utf8(PEOPLE), 'csv', { token_type: { default: 'vault_token' } }, vault);
    expect(d.output.toString('utf8')).not.toContain('Jane Doe');
    expect(vault.tokenizeCalls).toHaveLength(1);
    const back = await reidentifyFile(d.output, 'csv', {}, vault);
    expect(back.output.toString('utf8')).toBe(PEOPLE);
    expect(vault.detokenizeCalls).toHaveLength(1);
  });

  it('keeps semicolon and tab delimiters and a BOM', async () => {
    for (const delimiter of [';', '\t']) {
      const csv = ['id;email;city', '1;jane.doe@example.com;"Lyon; France"', ''].join('\n').replaceAll(';', delimiter);
      const input = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(csv)]);
      const vault = memoryVault();
      const d = await deidentifyFile(input, 'csv', { token_type: { default: 'vault_token' } }, vault);
      expect([...d.output.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const out = d.output.subarray(3).toString('utf8');
      expect(rows(out, delimiter)[1]?.[1]).toMatch(/^\[EMAIL_ADDRESS_[a-z0-9-]+\]$/);
      expect(out.split('\n')[0]).toBe(csv.split('\n')[0]);
      const back = await reidentifyFile(d.output, 'csv', {}, vault);
      expect(back.output.equals(input)).toBe(true);
    }
    expect(detectDelimiter('a,b;c;d\n1,2')).toBe(';');
    expect(detectDelimiter('"a;b",c\n')).toBe(',');
    expect(detectDelimiter('single\n')).toBe(',');
  });

  it('treats a first row of names as data, not as a header', async () => {
    const r = await deidentifyFile(utf8('Jane Doe,Paris\nJohn Smith,London\n'), 'csv', {});
    expect(rows(r.output.toString('utf8'))[0]?.[0]).toBe('[NAME_1]');
  });

  it('refuses invalid quoting without quoting the file', async () => {
    await expectFileFormatError(
      () => deidentifyFile(utf8('name,ssn\n"Jane Doe,536-22-1234\n'), 'csv', {}),
      /not a valid CSV: a quoted field is not closed/,
      ['Jane', '536'],
    );
    await expectFileFormatError(
      () => deidentifyFile(utf8('name,ssn\nJane "JD" Doe,536-22-1234\n'), 'csv', {}),
      /not a valid CSV: a quote inside an unquoted field \(line 2\)/,
      ['Jane', 'JD', '536'],
    );
    await expectFileFormatError(() => reidentifyFile(utf8('a,"b"c\n'), 'csv', {}, memoryVault()), /not a valid CSV/);
  });

  it('refuses more cells than the limit', async () => {
    await expectFileFormatError(
      () => deidentifyFile(utf8('a,b\n1,2\n3,4\n'), 'csv', {}, { limits: { maxCells: 5 } }),
      /too many cells/,
    );
  });
});
