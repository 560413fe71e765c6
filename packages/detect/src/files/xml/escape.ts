import { FileFormatError } from '../errors.js';

const REFERENCE = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|apos|quot));/y;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

function charFor(hex: string | undefined, dec: string | undefined): string | undefined {
  const code = hex !== undefined ? Number.parseInt(hex, 16) : Number.parseInt(dec ?? '', 10);
  const allowed =
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff);
  return allowed ? String.fromCodePoint(code) : undefined;
}

/**
 * Decodes the character and predefined entity references of raw XML character data or an attribute
 * value. Any other entity reference is an error: documents with a DTD are refused, so none is defined.
 * `at` is the raw text's offset in the document, for the error's line number.
 */
export function decodeXml(raw: string, lineAt: (offset: number) => number, at: number): string {
  let amp = raw.indexOf('&');
  if (amp < 0) return raw;
  let out = '';
  let cursor = 0;
  while (amp >= 0) {
    REFERENCE.lastIndex = amp;
    const m = REFERENCE.exec(raw);
    const ch = m ? (m[3] !== undefined ? NAMED[m[3]] : charFor(m[1], m[2])) : undefined;
    if (!m || ch === undefined) {
      throw new FileFormatError(
        `the file is not well-formed XML: an undefined entity or character reference (line ${lineAt(at + amp)})`,
      );
    }
    out += raw.slice(cursor, amp) + ch;
    cursor = amp + m[0].length;
    amp = raw.indexOf('&', cursor);
  }
  return out + raw.slice(cursor);
}

/** Escapes character data: `&`, `<` and `>` (the last so that `]]>` can never appear). */
export function encodeXmlText(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Escapes an attribute value written between `quote`s. */
export function encodeXmlAttribute(value: string, quote: '"' | "'"): string {
  return value.replace(/[&<>"']/g, (c) => {
    if (c === '&') return '&amp;';
    if (c === '<') return '&lt;';
    if (c === '>') return '&gt;';
    if (c !== quote) return c;
    return c === '"' ? '&quot;' : '&apos;';
  });
}

/** A CDATA section holding `text` (split where the text contains its terminator). */
export function cdataSection(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}
