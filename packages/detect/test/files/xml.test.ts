import { describe, expect, it } from 'vitest';
import { deidentifyFile, reidentifyFile } from '../../src/files/index.js';
import { expectFileFormatError, memoryVault, progressRecorder, utf8 } from './support.js';

const DOC = `<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="patients.xsl"?>
<!-- export of 2 patients; contact Jane Doe for questions -->
<p:patients xmlns:p="urn:example:patients" xmlns="urn:example:default">
  <p:patient id="17" email='jane.doe@example.com' xml:lang="en">
    <name>Jane Doe</name>
    <ssn>536-22-1234</ssn>
    <note><![CDATA[Called <Jane Doe> from +1 212 555 0123 & left a message]]></note>
    <remark>Caf&#233; &amp; cr&#xE8;me — nothing personal</remark>
    <empty/>
  </p:patient>
  <p:patient id="18" email="john.smith@example.org">
    <name>John Smith</name>
    <note>Referred by Jane Doe</note>
  </p:patient>
</p:patients>
`;

/** The document with text and attribute values blanked: what must not change. */
const skeleton = (xml: string): string =>
  xml
    .replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '<![CDATA[]]>')
    .replace(/(<[a-z:]+(?:\s+[a-z:]+=(?:"[^"]*"|'[^']*'))*\s*\/?>)[^<]*/gi, '$1')
    .replace(/(email|id)=("|')[^"']*\2/g, '$1=$2$2');

describe('xml files', () => {
  it('changes text nodes, CDATA and attribute values, keeping names, namespaces, comments and instructions', async () => {
    const progress = progressRecorder();
    const r = await deidentifyFile(utf8(DOC), 'xml', {}, { onProgress: progress.onProgress });
    const out = r.output.toString('utf8');
    expect(skeleton(out)).toBe(skeleton(DOC));
    expect(out).toContain(`<p:patient id="17" email='[EMAIL_ADDRESS_1]' xml:lang="en">`);
    expect(out).toContain('<name>[NAME_1]</name>');
    expect(out).toContain('<ssn>[SSN_1]</ssn>');
    expect(out).toContain('<note><![CDATA[Called <[NAME_1]> from [PHONE_NUMBER_1] & left a message]]></note>');
    expect(out).toContain('<note>Referred by [NAME_1]</note>');
    expect(out).toContain('<name>[NAME_2]</name>');
    // Untouched values keep their references as written; comments and instructions are not content.
    expect(out).toContain('<remark>Caf&#233; &amp; cr&#xE8;me — nothing personal</remark>');
    expect(out).toContain('<!-- export of 2 patients; contact Jane Doe for questions -->');
    expect(out).toContain('<?xml-stylesheet type="text/xsl" href="patients.xsl"?>');
    expect(r.entities.find((e) => e.token === 'EMAIL_ADDRESS_1')?.path).toBe('/p:patients/p:patient[1]/@email');
    expect(r.entities.find((e) => e.token === 'NAME_2')?.path).toBe('/p:patients/p:patient[2]/name[1]');
    progress.expectCompleted();
  });

  it('round-trips through vault tokens', async () => {
    const vault = memoryVault();
    const d = await deidentifyFile(utf8(DOC), 'xml', { token_type: { default: 'vault_token' } }, vault);
    const out = d.output.toString('utf8');
    expect(out).not.toMatch(/<name>Jane Doe|536-22-1234|jane\.doe@|john\.smith@/);
    const back = await reidentifyFile(d.output, 'xml', {}, vault);
    // Equal except where a changed value was re-encoded: here byte for byte.
    expect(back.output.toString('utf8')).toBe(DOC);
  });

  it('escapes what re-identification puts back', async () => {
    const vault = memoryVault();
    const xml = '<r a="x"><v>Jane Doe &lt;jane.doe@example.com&gt;</v></r>';
    const d = await deidentifyFile(utf8(xml), 'xml', { token_type: { default: 'vault_token' } }, vault);
    const back = await reidentifyFile(d.output, 'xml', {}, vault);
    expect(back.output.toString('utf8')).toBe(xml);
  });

  it('refuses DTDs: external entities (XXE) and entity expansion (billion laughs)', async () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>';
    await expectFileFormatError(() => deidentifyFile(utf8(xxe), 'xml', {}), /document type declaration \(DTD\)/, [
      'passwd',
    ]);
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`,
    ).join('')}]><lolz>&lol9;</lolz>`;
    await expectFileFormatError(() => deidentifyFile(utf8(laughs), 'xml', {}), /DTD/, ['lol']);
    await expectFileFormatError(() => reidentifyFile(utf8(xxe), 'xml', {}, memoryVault()), /DTD/);
    // A DOCTYPE inside a comment is only text.
    const ok = await deidentifyFile(utf8('<r><!-- <!DOCTYPE r> --><v>x</v></r>'), 'xml', {});
    expect(ok.output.toString('utf8')).toBe('<r><!-- <!DOCTYPE r> --><v>x</v></r>');
  });

  it('refuses malformed XML and undefined entities without quoting the file', async () => {
    const secrets = ['Jane', 'secret'];
    await expectFileFormatError(
      () => deidentifyFile(utf8('<r><Jane>x</secret></r>'), 'xml', {}),
      /not well-formed XML/,
      secrets,
    );
    await expectFileFormatError(
      () => deidentifyFile(utf8('<r>Jane &secret; Doe</r>'), 'xml', {}),
      /not well-formed XML/,
      secrets,
    );
    await expectFileFormatError(
      () => deidentifyFile(utf8('<a>Jane</a><b>secret</b>'), 'xml', {}),
      /not well-formed XML/,
      secrets,
    );
    await expectFileFormatError(() => deidentifyFile(utf8('Jane secret'), 'xml', {}), /not well-formed XML/, secrets);
    await expectFileFormatError(
      () => deidentifyFile(utf8('<?xml version="1.0" encoding="ISO-8859-1"?><r/>'), 'xml', {}),
      /encoding other than UTF-8/,
    );
  });
});
