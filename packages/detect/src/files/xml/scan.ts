import { XMLValidator } from 'fast-xml-parser';
import { FileFormatError } from '../errors.js';
import { decodeXml } from './escape.js';

/** An attribute of a start tag: its name and the raw value's range (between the quotes). */
export interface XmlAttribute {
  readonly name: string;
  readonly valueStart: number;
  readonly valueEnd: number;
  readonly quote: '"' | "'";
}

/** A start tag (or empty-element tag); `end` is just past its `>`. */
export interface XmlOpenTag {
  readonly kind: 'open';
  readonly start: number;
  readonly end: number;
  readonly name: string;
  readonly selfClosing: boolean;
  readonly attributes: readonly XmlAttribute[];
}

/**
 * A lexical token of an XML document, with its range in the source. `text` is character data between
 * markup (raw: references not yet decoded); `cdata` is a whole CDATA section; `markup` is a comment, a
 * processing instruction or the XML declaration, which are passed through untouched.
 */
export type XmlToken =
  | { readonly kind: 'text'; readonly start: number; readonly end: number }
  | { readonly kind: 'cdata'; readonly start: number; readonly end: number }
  | XmlOpenTag
  | { readonly kind: 'close'; readonly start: number; readonly end: number; readonly name: string }
  | { readonly kind: 'markup'; readonly start: number; readonly end: number };

/** An XML document to rewrite: its source, checked for well-formedness, and helpers over it. */
export class XmlDocument {
  private lineStarts: number[] | undefined;

  /**
   * Checks `source` with fast-xml-parser's validator and refuses a DTD (no entity expansion, no
   * external entities: XXE and "billion laughs" documents are rejected, not defused). `what` names the
   * document in error messages ("the file", "the part word/document.xml").
   */
  constructor(
    readonly source: string,
    readonly what = 'the file',
  ) {
    if (/<!DOCTYPE/i.test(source) && this.hasDoctype()) {
      throw new FileFormatError(`${what} has a document type declaration (DTD), which is not accepted`);
    }
    const verdict = XMLValidator.validate(source);
    if (verdict !== true) {
      throw new FileFormatError(`${what} is not well-formed XML (line ${verdict.err.line})`);
    }
  }

  /** 1-based line number of an offset, for error messages. */
  lineAt = (offset: number): number => {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = this.source.indexOf('\n'); i >= 0; i = this.source.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    }
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };

  /** The decoded text of a `text` or `cdata` token. */
  textOf(token: { kind: 'text' | 'cdata'; start: number; end: number }): string {
    if (token.kind === 'cdata') return this.source.slice(token.start + 9, token.end - 3);
    return decodeXml(this.source.slice(token.start, token.end), this.lineAt, token.start);
  }

  /** The decoded value of an attribute. */
  valueOf(attribute: XmlAttribute): string {
    return decodeXml(this.source.slice(attribute.valueStart, attribute.valueEnd), this.lineAt, attribute.valueStart);
  }

  /** The decoded value of the attribute `name` of a start tag, if present. */
  attribute(tag: XmlOpenTag, name: string): string | undefined {
    const a = tag.attributes.find((x) => x.name === name);
    return a ? this.valueOf(a) : undefined;
  }

  private fail(offset: number, why: string): never {
    throw new FileFormatError(`${this.what} is not well-formed XML: ${why} (line ${this.lineAt(offset)})`);
  }

  /** True when a `<!DOCTYPE` occurs as markup, not inside a comment, CDATA section or attribute. */
  private hasDoctype(): boolean {
    try {
      for (const _ of this.tokens()) {
        // Scanning reaches a DOCTYPE only as markup; tokens() throws there.
      }
      return false;
    } catch (err) {
      if (err instanceof DoctypeFound) return true;
      throw err;
    }
  }

  /**
   * The document's tokens in order. Also checks what the validator lets through: tags balance, one
   * root element, no character data outside it, no `<` in attribute values, only defined references.
   */
  *tokens(): Generator<XmlToken> {
    const s = this.source;
    const n = s.length;
    const open: string[] = [];
    let rootSeen = false;
    let i = 0;
    while (i < n) {
      if (s.charCodeAt(i) !== 60 /* < */) {
        let lt = s.indexOf('<', i);
        if (lt < 0) lt = n;
        if (open.length === 0) {
          if (s.slice(i, lt).trim() !== '') this.fail(i, 'character data outside the root element');
        } else {
          yield { kind: 'text', start: i, end: lt };
        }
        i = lt;
        continue;
      }
      if (s.startsWith('<!--', i)) {
        const end = s.indexOf('-->', i + 4);
        if (end < 0) this.fail(i, 'an unterminated comment');
        yield { kind: 'markup', start: i, end: end + 3 };
        i = end + 3;
      } else if (s.startsWith('<![CDATA[', i)) {
        const end = s.indexOf(']]>', i + 9);
        if (end < 0 || open.length === 0) this.fail(i, 'a misplaced or unterminated CDATA section');
        yield { kind: 'cdata', start: i, end: end + 3 };
        i = end + 3;
      } else if (s.startsWith('<?', i)) {
        const end = s.indexOf('?>', i + 2);
        if (end < 0) this.fail(i, 'an unterminated processing instruction');
        yield { kind: 'markup', start: i, end: end + 2 };
        i = end + 2;
      } else if (s.startsWith('<!', i)) {
        if (/^<!DOCTYPE/i.test(s.slice(i, i + 9))) throw new DoctypeFound();
        this.fail(i, 'an unexpected declaration');
      } else if (s.charCodeAt(i + 1) === 47 /* / */) {
        const end = s.indexOf('>', i + 2);
        if (end < 0) this.fail(i, 'an unterminated end tag');
        const name = s.slice(i + 2, end).trim();
        if (open.pop() !== name) this.fail(i, 'mismatched end tag');
        yield { kind: 'close', start: i, end: end + 1, name };
        i = end + 1;
      } else {
        const tag = this.readStartTag(i);
        if (open.length === 0) {
          if (rootSeen) this.fail(i, 'more than one root element');
          rootSeen = true;
        }
        if (!tag.selfClosing) open.push(tag.name);
        yield tag;
        i = tag.end;
      }
    }
    if (open.length > 0) this.fail(n, 'unclosed elements at the end');
    if (!rootSeen) this.fail(n, 'no root element');
  }

  private readStartTag(start: number): XmlOpenTag {
    const s = this.source;
    let i = start + 1;
    const nameStart = i;
    while (i < s.length && !/[\s/>]/.test(s[i] as string)) i++;
    const name = s.slice(nameStart, i);
    if (name === '') this.fail(start, 'a tag without a name');
    const attributes: XmlAttribute[] = [];
    for (;;) {
      while (i < s.length && /\s/.test(s[i] as string)) i++;
      const c = s[i];
      if (c === '>') return { kind: 'open', start, end: i + 1, name, selfClosing: false, attributes };
      if (c === '/' && s[i + 1] === '>')
        return { kind: 'open', start, end: i + 2, name, selfClosing: true, attributes };
      if (c === undefined) this.fail(start, 'an unterminated start tag');
      const eq = s.indexOf('=', i);
      if (eq < 0) this.fail(i, 'an attribute without a value');
      const attrName = s.slice(i, eq).trim();
      i = eq + 1;
      while (i < s.length && /\s/.test(s[i] as string)) i++;
      const quote = s[i];
      if (quote !== '"' && quote !== "'") this.fail(i, 'an unquoted attribute value');
      const close = s.indexOf(quote, i + 1);
      if (close < 0) this.fail(i, 'an unterminated attribute value');
      if (s.slice(i + 1, close).includes('<')) this.fail(i, "a '<' in an attribute value");
      attributes.push({ name: attrName, valueStart: i + 1, valueEnd: close, quote });
      i = close + 1;
    }
  }
}

class DoctypeFound extends Error {}

/** A replacement of the source range [start, end) by `text`. */
export interface XmlEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** The source with the edits applied; edits must not overlap. */
export function applyEdits(source: string, edits: XmlEdit[]): string {
  if (edits.length === 0) return source;
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  const parts: string[] = [];
  let cursor = 0;
  for (const e of edits) {
    parts.push(source.slice(cursor, e.start), e.text);
    cursor = e.end;
  }
  parts.push(source.slice(cursor));
  return parts.join('');
}
