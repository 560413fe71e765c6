import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { deidentifyFile } from '../../src/files/index.js';
import { expectFileFormatError, memoryVault, progressRecorder } from './support.js';

const W =
  'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

const run = (text: string, props = ''): string =>
  `<w:r>${props ? `<w:rPr>${props}</w:rPr>` : ''}<w:t xml:space="preserve">${text}</w:t></w:r>`;

const BODY = [
  // The name is split over three runs with different formatting.
  `<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>${run('Patient: ')}${run('Jane ', '<w:b/>')}${run('D', '<w:i/>')}${run('oe visited on 2024-03-14.')}</w:p>`,
  `<w:p>${run('Contact ')}<w:hyperlink r:id="rId9"><w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr><w:t>jane.doe@example.com</w:t></w:r></w:hyperlink>${run(' or ')}<w:r><w:t>+1 212 555 0123</w:t></w:r></w:p>`,
  `<w:p><w:r><w:t>SSN:</w:t><w:tab/><w:t>536-22-1234</w:t></w:r></w:p>`,
  `<w:tbl><w:tr><w:tc><w:p>${run('John Smith')}</w:p></w:tc><w:tc><w:p>${run('no personal data here')}</w:p></w:tc></w:tr></w:tbl>`,
  `<w:p><w:del w:id="1" w:author="Editor"><w:r><w:delText>Card 4111 1111 1111 1111</w:delText></w:r></w:del>${run('Removed.')}</w:p>`,
  // The address runs into a run whose text then starts with a space, which Word would drop without xml:space.
  '<w:p><w:r><w:t>Write to jane.doe@</w:t></w:r><w:r><w:rPr><w:u/></w:rPr><w:t>example.com now</w:t></w:r></w:p>',
  '<w:p/>',
].join('');

/** A minimal Word document: body, a header, a mailto hyperlink. */
function buildDocx(body = BODY): Uint8Array {
  return zipSync({
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/></Types>',
    ),
    '_rels/.rels': strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="word/document.xml"/></Relationships>`,
    ),
    'word/_rels/document.xml.rels': strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Type="${REL}/header" Target="header1.xml"/><Relationship Id="rId9" Type="${REL}/hyperlink" Target="mailto:jane.doe@example.com" TargetMode="External"/></Relationships>`,
    ),
    'word/document.xml': strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ${W}><w:body>${body}<w:sectPr><w:headerReference w:type="default" r:id="rId7"/></w:sectPr></w:body></w:document>`,
    ),
    'word/header1.xml': strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr ${W}><w:p><w:r><w:t>Confidential: Jane Doe</w:t></w:r></w:p></w:hdr>`,
    ),
  });
}

const part = (docx: Uint8Array, name: string): string => strFromU8(unzipSync(docx)[name] as Uint8Array);

/** The paragraphs of a part as the text of their <w:t> runs, each run in brackets. */
const runsOf = (xml: string): string[][] =>
  [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>|<w:p\/>/g)].map((p) =>
    [...p[0].matchAll(/<w:(?:t|delText)(?: [^>]*)?>([^<]*)<\/w:(?:t|delText)>/g)].map((m) => m[1] ?? ''),
  );

describe('docx files', () => {
  it('de-identifies paragraphs across runs, keeping paragraphs, runs and their formatting', async () => {
    const input = buildDocx();
    const progress = progressRecorder();
    const r = await deidentifyFile(input, 'docx', {}, { onProgress: progress.onProgress });
    const before = part(input, 'word/document.xml');
    const after = part(r.output, 'word/document.xml');
    expect(runsOf(after)).toEqual([
      ['Patient: ', '[NAME_1]', '', ' visited on [DATE_1].'],
      ['Contact ', '[EMAIL_ADDRESS_1]', ' or ', '[PHONE_NUMBER_1]'],
      ['SSN:', '[SSN_1]'],
      ['[NAME_2]'],
      ['no personal data here'],
      ['Card [CREDIT_CARD_1]', 'Removed.'],
      ['Write to [EMAIL_ADDRESS_1]', ' now'],
      [],
    ]);
    // Formatting, structure and element counts are those of the input.
    const markup = (xml: string) => xml.replace(/>[^<]*</g, '><').replace(/ xml:space="preserve"/g, '');
    expect(markup(after)).toBe(markup(before));
    expect(after).toContain('<w:rPr><w:b/></w:rPr><w:t xml:space="preserve">[NAME_1]</w:t>');
    // A run emptied by the replacement stays (with its formatting); a run that now starts with a space keeps it.
    expect(after).toContain('<w:rPr><w:i/></w:rPr><w:t xml:space="preserve"></w:t>');
    expect(after).toContain('<w:rPr><w:u/></w:rPr><w:t xml:space="preserve"> now</w:t>');
    // The header uses the same counter; the mailto link target is de-identified too.
    expect(runsOf(part(r.output, 'word/header1.xml'))).toEqual([['Confidential: [NAME_1]']]);
    expect(part(r.output, 'word/_rels/document.xml.rels')).toContain('Target="mailto:[EMAIL_ADDRESS_1]"');
    const everything = Object.values(unzipSync(r.output))
      .map((b) => strFromU8(b))
      .join('\n');
    for (const pii of ['Jane', 'Doe', 'John', 'Smith', 'example.com', '536-22', '4111', '555 0123']) {
      expect(everything).not.toContain(pii);
    }
    expect(r.entities.find((e) => e.token === 'SSN_1')?.path).toBe('document paragraph 3');
    expect(r.entities.find((e) => e.token === 'CREDIT_CARD_1')?.path).toBe('document paragraph 6 (deleted text)');
    expect(r.entities.find((e) => e.value === 'Jane Doe' && e.path.startsWith('header1'))?.path).toBe(
      'header1 paragraph 1',
    );
    expect(r.entities.find((e) => e.token === 'NAME_1')?.value).toBe('Jane Doe');
    progress.expectCompleted();
  });

  it('writes vault tokens, fetched in one tokenizer call', async () => {
    const vault = memoryVault();
    const r = await deidentifyFile(buildDocx(), 'docx', { token_type: { default: 'vault_token' } }, vault);
    expect(vault.tokenizeCalls).toHaveLength(1);
    const values = vault.tokenizeCalls[0]?.map((i) => i.value);
    expect(values).toContain('Jane Doe');
    expect(values?.filter((v) => v === 'Jane Doe')).toHaveLength(1);
    const runs = runsOf(part(r.output, 'word/document.xml'));
    expect(runs[0]?.[1]).toMatch(/^\[NAME_v[a-z0-9-]+\]$/);
    expect(runsOf(part(r.output, 'word/header1.xml'))[0]?.[0]).toBe(`Confidential: ${runs[0]?.[1]}`);
  });

  it('refuses archives that are not Word documents, zip bombs and DTDs', async () => {
    await expectFileFormatError(
      () => deidentifyFile(Buffer.from('Jane Doe'), 'docx', {}),
      /not a valid DOCX document/,
      ['Jane'],
    );
    const workbookLike = zipSync({ 'word/document.xml': strToU8('<w:document/>') });
    await expectFileFormatError(() => deidentifyFile(workbookLike, 'docx', {}), /not a valid DOCX document/);
    const bomb = zipSync({ ...unzipSync(buildDocx()), 'word/media/zeros.bin': new Uint8Array(3 * 1024 * 1024) });
    await expectFileFormatError(
      () => deidentifyFile(bomb, 'docx', {}, { limits: { maxUncompressedBytes: 1024 * 1024 } }),
      /too large/,
    );
    const files = unzipSync(buildDocx());
    files['word/document.xml'] = strToU8(
      `<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:document ${W}><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>`,
    );
    await expectFileFormatError(
      () => deidentifyFile(zipSync(files), 'docx', {}),
      /word\/document\.xml has a document type declaration/,
      ['passwd'],
    );
  });
});
