import ExcelJS from 'exceljs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { deidentifyFile } from '../../src/files/index.js';
import { expectFileFormatError, memoryVault, progressRecorder } from './support.js';

const BIRTH = new Date(Date.UTC(1990, 0, 15));

/** A workbook as an application writes it: shared strings, rich text, numbers, dates, formulas, styles, two sheets. */
async function buildWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const people = wb.addWorksheet('People');
  people.addRow(['name', 'email', 'ssn', 'visits', 'born', 'label']);
  people.addRow(['Jane Doe', 'jane.doe@example.com', '536-22-1234', 3, BIRTH]);
  people.addRow(['John Smith', 'john.smith@example.org', '536-22-5678', 5, BIRTH]);
  people.getCell('A2').font = { bold: true, color: { argb: 'FFFF0000' } };
  people.getCell('A3').fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFFF00' } };
  people.getCell('D4').value = { formula: 'SUM(D2:D3)', result: 8 };
  people.getCell('F2').value = { formula: 'A2&" (VIP)"', result: 'Jane Doe (VIP)' };
  // Rich text: the name is split over two differently formatted runs.
  people.getCell('A5').value = { richText: [{ text: 'Jane ', font: { italic: true } }, { text: 'Doe called' }] };
  const notes = wb.addWorksheet('Notes');
  notes.getCell('A1').value = 'Follow up with Jane Doe at +1 212 555 0123';
  notes.getCell('B1').value = 42.5;
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function readWorkbook(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
}

/** Every text of every part of an archive, joined. */
const allText = (bytes: Uint8Array): string =>
  Object.values(unzipSync(bytes))
    .map((b) => strFromU8(b))
    .join('\n');

describe('xlsx files', () => {
  it('de-identifies every string cell of every sheet, keeping numbers, dates, formulas, styles and sheet names', async () => {
    const input = await buildWorkbook();
    const progress = progressRecorder();
    const r = await deidentifyFile(input, 'xlsx', {}, { onProgress: progress.onProgress });
    const wb = await readWorkbook(r.output);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['People', 'Notes']);
    const people = wb.getWorksheet('People') as ExcelJS.Worksheet;
    const notes = wb.getWorksheet('Notes') as ExcelJS.Worksheet;
    expect(people.getRow(1).values).toEqual([undefined, 'name', 'email', 'ssn', 'visits', 'born', 'label']);
    expect(people.getCell('A2').value).toBe('[NAME_1]');
    expect(people.getCell('B2').value).toBe('[EMAIL_ADDRESS_1]');
    expect(people.getCell('C2').value).toBe('[SSN_1]');
    expect(people.getCell('A3').value).toBe('[NAME_2]');
    expect(people.getCell('D2').value).toBe(3);
    expect(people.getCell('E2').value).toEqual(BIRTH);
    expect(people.getCell('D4').value).toEqual({ formula: 'SUM(D2:D3)', result: 8 });
    expect(people.getCell('F2').value).toEqual({ formula: 'A2&" (VIP)"', result: '[NAME_1] (VIP)' });
    expect(people.getCell('A2').font).toMatchObject({ bold: true, color: { argb: 'FFFF0000' } });
    expect(people.getCell('A3').fill).toMatchObject({ pattern: 'solid', fgColor: { argb: 'FFFFFF00' } });
    // The replacement sits in the run where the name started; the run's formatting is kept.
    expect(people.getCell('A5').value).toEqual({
      richText: [{ text: '[NAME_1]', font: { italic: true } }, { text: ' called' }],
    });
    // Same value, same counter, across sheets.
    expect(notes.getCell('A1').value).toBe('Follow up with [NAME_1] at [PHONE_NUMBER_1]');
    expect(notes.getCell('B1').value).toBe(42.5);
    const text = allText(r.output);
    for (const pii of ['Jane', 'John', 'example.com', 'example.org', '536-22', '555 0123'])
      expect(text).not.toContain(pii);
    expect(r.entities.find((e) => e.token === 'SSN_1')?.path).toBe('People!C2');
    expect(r.entities.find((e) => e.token === 'PHONE_NUMBER_1')?.path).toBe('Notes!A1');
    progress.expectCompleted();
  });

  it('stores vault tokens in one tokenizer call and writes them into inline strings too', async () => {
    // Turn one shared-string cell into an inline string, as some writers produce them.
    const files = unzipSync(await buildWorkbook());
    const sheet = strFromU8(files['xl/worksheets/sheet2.xml'] as Uint8Array);
    const inline = sheet.replace(
      /<c r="A1"([^>]*) t="s"><v>\d+<\/v><\/c>/,
      '<c r="A1"$1 t="inlineStr"><is><t>Call Jane Doe</t></is></c>',
    );
    expect(inline).not.toBe(sheet);
    files['xl/worksheets/sheet2.xml'] = strToU8(inline);
    const input = zipSync(files);
    const vault = memoryVault();
    const r = await deidentifyFile(input, 'xlsx', { token_type: { default: 'vault_token' } }, vault);
    expect(vault.tokenizeCalls).toHaveLength(1);
    const wb = await readWorkbook(r.output);
    const token = vault.tokenizeCalls[0]?.findIndex((i) => i.value === 'Jane Doe');
    expect(token).toBeGreaterThanOrEqual(0);
    expect((wb.getWorksheet('Notes') as ExcelJS.Worksheet).getCell('A1').value).toMatch(/^Call \[NAME_v[a-z0-9-]+\]$/);
    expect((wb.getWorksheet('People') as ExcelJS.Worksheet).getCell('A2').value).toMatch(/^\[NAME_v[a-z0-9-]+\]$/);
    expect(allText(r.output)).not.toContain('Jane Doe');
  });

  it('refuses a zip bomb before inflating it', async () => {
    const files = unzipSync(await buildWorkbook());
    // 8 MiB of zeros deflate to a few KiB.
    files['xl/media/padding.bin'] = new Uint8Array(8 * 1024 * 1024);
    const bomb = zipSync(files, { level: 9 });
    expect(bomb.length).toBeLessThan(100_000);
    await expectFileFormatError(
      () => deidentifyFile(bomb, 'xlsx', {}, { limits: { maxUncompressedBytes: 4 * 1024 * 1024 } }),
      /too large: 8(\.\d)? MiB uncompressed, more than the limit of 4 MiB/,
    );
    // A central directory that claims more than the default limit is refused on the claim alone.
    const claim = zipSync({ ...unzipSync(await buildWorkbook()), 'x.bin': new Uint8Array(16) });
    const view = new DataView(claim.buffer, claim.byteOffset, claim.byteLength);
    for (let i = claim.length - 22; i >= 0; i--) {
      if (view.getUint32(i, true) === 0x02014b50) {
        view.setUint32(i + 24, 100 * 1024 * 1024, true);
        break;
      }
    }
    await expectFileFormatError(() => deidentifyFile(claim, 'xlsx', {}), /too large: 10\d(\.\d)? MiB/);
  });

  it('refuses files that are not workbooks', async () => {
    await expectFileFormatError(
      () => deidentifyFile(Buffer.from('Jane Doe,536-22-1234'), 'xlsx', {}),
      /not a valid XLSX workbook/,
      ['Jane'],
    );
    const notWorkbook = zipSync({ 'hello.txt': strToU8('Jane Doe') });
    await expectFileFormatError(() => deidentifyFile(notWorkbook, 'xlsx', {}), /not a valid XLSX workbook/, ['Jane']);
    const files = unzipSync(await buildWorkbook());
    files['xl/sharedStrings.xml'] = strToU8('<sst><si><t>Jane Doe</t></si>');
    await expectFileFormatError(
      () => deidentifyFile(zipSync(files), 'xlsx', {}),
      /sharedStrings\.xml is not well-formed XML/,
      ['Jane'],
    );
  });
});
