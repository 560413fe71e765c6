import type { DeidentifyHooks, DeidentifyRequestOptions, PlannedPiece } from '../../deidentify/index.js';
import type { FoundPiece, ReidentifyHooks, ReidentifyRequestOptions } from '../../reidentify/index.js';
import { FileFormatError } from '../errors.js';
import { DeidentifyJob, type FormatContext, ReidentifyJob } from '../job.js';
import { checkSize } from '../limits.js';
import { decodeUtf8, encodeUtf8 } from '../text-encoding.js';
import { cdataSection, encodeXmlAttribute, encodeXmlText } from '../xml/escape.js';
import { applyEdits, type XmlAttribute, XmlDocument, type XmlEdit } from '../xml/scan.js';

/** One piece of text of an XML document: character data, a CDATA section or an attribute value. */
interface XmlPiece {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly path: string;
  /** How to write a new text back in the range. */
  readonly encode: (text: string) => string;
}

/** Attributes that are markup, not content: namespace declarations and `xml:space`/`xml:lang`. */
const isMarkupAttribute = (name: string): boolean =>
  name === 'xmlns' || name.startsWith('xmlns:') || name.startsWith('xml:');

/** Refuses an XML declaration naming an encoding other than UTF-8. */
export function checkXmlEncoding(source: string, what: string): void {
  const m = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']/.exec(source);
  if (m && !/^(utf-?8|us-ascii)$/i.test(m[1] ?? '')) {
    throw new FileFormatError(`${what} declares an encoding other than UTF-8, which is not supported`);
  }
}

/** Reads a UTF-8 XML file, checking that it is well-formed and has no DTD. */
function readXml(input: Uint8Array, context: FormatContext): { doc: XmlDocument; bom: boolean } {
  checkSize(input.byteLength, context.limits);
  const { text, bom } = decodeUtf8(input);
  checkXmlEncoding(text, 'the file');
  return { doc: new XmlDocument(text), bom };
}

/** The text nodes, CDATA sections and attribute values of a document, in document order, with XPath-like paths. */
function xmlPieces(doc: XmlDocument, context: FormatContext): XmlPiece[] {
  const pieces: XmlPiece[] = [];
  const stack: Array<{ path: string; children: Map<string, number> }> = [];
  const attributePiece = (a: XmlAttribute, path: string): void => {
    if (isMarkupAttribute(a.name)) return;
    const text = doc.valueOf(a);
    if (text.trim() === '') return;
    pieces.push({
      start: a.valueStart,
      end: a.valueEnd,
      text,
      path: `${path}/@${a.name}`,
      encode: (t) => encodeXmlAttribute(t, a.quote),
    });
  };
  for (const token of doc.tokens()) {
    if (token.kind === 'open') {
      const parent = stack[stack.length - 1];
      let path = `/${token.name}`;
      if (parent) {
        const n = (parent.children.get(token.name) ?? 0) + 1;
        parent.children.set(token.name, n);
        path = `${parent.path}/${token.name}[${n}]`;
      }
      for (const a of token.attributes) attributePiece(a, path);
      if (!token.selfClosing) stack.push({ path, children: new Map() });
    } else if (token.kind === 'close') {
      stack.pop();
    } else if (token.kind === 'text' || token.kind === 'cdata') {
      const text = doc.textOf(token);
      if (text.trim() === '') continue;
      pieces.push({
        start: token.start,
        end: token.end,
        text,
        path: stack[stack.length - 1]?.path ?? '/',
        encode: token.kind === 'cdata' ? cdataSection : encodeXmlText,
      });
    }
  }
  context.cells.add(pieces.length);
  return pieces;
}

/**
 * De-identifies the text nodes, CDATA sections and attribute values of an XML document. Everything
 * else (element and attribute names, namespaces, comments, processing instructions, the declaration,
 * whitespace, untouched references) is written back byte for byte. Progress counts pieces of text.
 */
export async function deidentifyXml(
  input: Uint8Array,
  request: DeidentifyRequestOptions,
  hooks: DeidentifyHooks,
  context: FormatContext,
): Promise<{ output: Buffer; job: DeidentifyJob }> {
  const { doc, bom } = readXml(input, context);
  const pieces = xmlPieces(doc, context);
  const job = new DeidentifyJob(request, hooks, context, pieces.length);
  const planned: PlannedPiece[] = [];
  for (const p of pieces) planned.push(await job.plan(p.text));
  await job.resolve();
  const edits: XmlEdit[] = [];
  pieces.forEach((p, i) => {
    const processed = job.render(p.text, planned[i] as PlannedPiece, p.path);
    if (processed !== p.text) edits.push({ start: p.start, end: p.end, text: p.encode(processed) });
  });
  const output = encodeUtf8(applyEdits(doc.source, edits), bom);
  job.progress.finish();
  return { output, job };
}

/** Restores the vault tokens in the text nodes and attribute values of an XML document. */
export async function reidentifyXml(
  input: Uint8Array,
  request: ReidentifyRequestOptions,
  hooks: ReidentifyHooks,
  context: FormatContext,
): Promise<Buffer> {
  const { doc, bom } = readXml(input, context);
  const pieces = xmlPieces(doc, context);
  const job = new ReidentifyJob(request, hooks, context, pieces.length);
  const found: FoundPiece[] = [];
  for (const p of pieces) found.push(await job.collect(p.text));
  await job.resolve();
  const edits: XmlEdit[] = [];
  pieces.forEach((p, i) => {
    const restored = job.render(p.text, found[i] as FoundPiece);
    if (restored !== p.text) edits.push({ start: p.start, end: p.end, text: p.encode(restored) });
  });
  const output = encodeUtf8(applyEdits(doc.source, edits), bom);
  job.progress.finish();
  return output;
}
