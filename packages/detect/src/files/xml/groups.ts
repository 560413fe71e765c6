import { FileFormatError } from '../errors.js';
import type { SegmentRange } from '../segments.js';
import { cdataSection, encodeXmlText } from './escape.js';
import type { XmlDocument, XmlEdit, XmlOpenTag, XmlToken } from './scan.js';

/** Character data of one text element, in a group. */
export interface TextSegment {
  /** The token's range in the document (a whole CDATA section for `cdata`). */
  readonly start: number;
  readonly end: number;
  readonly cdata: boolean;
  readonly text: string;
  /** The text element's start tag, to mark it `xml:space="preserve"` when edges become spaces. */
  readonly element: XmlOpenTag;
}

/**
 * The text of one group element (a paragraph, a shared string): the character data of its text
 * elements joined, with separators (a tab, a line break) where empty elements stand for them.
 */
export interface TextGroup {
  /** 1-based number of the group element in the document, counted per element name. */
  readonly ordinal: number;
  /** The group element's start tag, and the elements it is inside (outermost first). */
  readonly tag: XmlOpenTag;
  readonly ancestors: readonly XmlOpenTag[];
  /** Which text elements filled it, when a rule splits them (`deleted` for tracked deletions). */
  readonly channel: string;
  readonly segments: TextSegment[];
  /** The joined text and where each segment sits in it. */
  text: string;
  readonly ranges: SegmentRange[];
}

/** Which elements make groups and hold their text. */
export interface GroupRules {
  /** Elements whose text forms one piece; text goes to the innermost open one. */
  readonly groups: ReadonlySet<string>;
  /** Elements holding character data, mapped to a channel ('' for the group's main text). */
  readonly text: ReadonlyMap<string, string>;
  /** Empty elements that stand for a character inside `separatorParent` (tabs and breaks of a run). */
  readonly separators?: ReadonlyMap<string, string>;
  readonly separatorParent?: string;
  /** Match elements by local name, whatever their prefix (SpreadsheetML is written with and without one). */
  readonly localNames?: boolean;
}

/** An element name without its namespace prefix. */
export const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

export function newGroup(
  tag: XmlOpenTag,
  ordinal: number,
  channel: string,
  ancestors: readonly XmlOpenTag[],
): TextGroup {
  return { ordinal, tag, ancestors, channel, segments: [], text: '', ranges: [] };
}

/** Appends the character data of `token` (inside the text element `element`) to a group. */
export function addSegment(
  group: TextGroup,
  doc: XmlDocument,
  token: Extract<XmlToken, { kind: 'text' | 'cdata' }>,
  element: XmlOpenTag,
): void {
  const text = doc.textOf(token);
  group.ranges.push({ start: group.text.length, end: group.text.length + text.length });
  group.text += text;
  group.segments.push({ start: token.start, end: token.end, cdata: token.kind === 'cdata', text, element });
}

/** The groups of a document, ordered by where each group element starts; groups without text left out. */
export function extractGroups(doc: XmlDocument, rules: GroupRules): TextGroup[] {
  const name = rules.localNames ? localName : (n: string) => n;
  const groups: TextGroup[] = [];
  const stack: XmlOpenTag[] = [];
  // Open group elements, innermost last, with their groups per channel.
  const open: Array<{ tag: XmlOpenTag; ordinal: number; ancestors: XmlOpenTag[]; channels: Map<string, TextGroup> }> =
    [];
  const ordinals = new Map<string, number>();
  const groupFor = (channel: string): TextGroup | undefined => {
    const top = open[open.length - 1];
    if (!top) return undefined;
    let g = top.channels.get(channel);
    if (!g) {
      g = newGroup(top.tag, top.ordinal, channel, top.ancestors);
      top.channels.set(channel, g);
      groups.push(g);
    }
    return g;
  };
  for (const token of doc.tokens()) {
    if (token.kind === 'open') {
      const local = name(token.name);
      if (rules.groups.has(local)) {
        const n = (ordinals.get(local) ?? 0) + 1;
        ordinals.set(local, n);
        if (!token.selfClosing) open.push({ tag: token, ordinal: n, ancestors: [...stack], channels: new Map() });
      }
      const sep = rules.separators?.get(local);
      const parent = stack[stack.length - 1];
      if (sep !== undefined && parent && name(parent.name) === rules.separatorParent) {
        const g = groupFor('');
        if (g) g.text += sep;
      }
      if (!token.selfClosing) stack.push(token);
    } else if (token.kind === 'close') {
      const closed = stack.pop();
      if (closed && open[open.length - 1]?.tag === closed) open.pop();
    } else if (token.kind === 'text' || token.kind === 'cdata') {
      const parent = stack[stack.length - 1];
      const channel = parent ? rules.text.get(name(parent.name)) : undefined;
      if (!parent || channel === undefined) continue;
      const g = groupFor(channel);
      if (g) addSegment(g, doc, token, parent);
    }
  }
  const kept = groups.filter((g) => g.segments.length > 0 && g.text.trim() !== '');
  kept.sort((a, b) => a.tag.start - b.tag.start || (a.channel < b.channel ? -1 : 1));
  return kept;
}

/**
 * The edits that write new segment texts into the document. A text element for which `preserveSpace`
 * holds, whose new text starts or ends with whitespace, gets `xml:space="preserve"` (OOXML readers trim
 * such text otherwise).
 */
export function segmentEdits(
  segments: readonly TextSegment[],
  texts: readonly string[],
  preserveSpace: (element: XmlOpenTag) => boolean,
): XmlEdit[] {
  if (texts.length !== segments.length) throw new FileFormatError('internal error: segment count mismatch');
  const edits: XmlEdit[] = [];
  const marked = new Set<XmlOpenTag>();
  segments.forEach((seg, i) => {
    const text = texts[i] ?? '';
    if (text === seg.text) return;
    edits.push({ start: seg.start, end: seg.end, text: seg.cdata ? cdataSection(text) : encodeXmlText(text) });
    const el = seg.element;
    if (
      /^\s|\s$/.test(text) &&
      !marked.has(el) &&
      preserveSpace(el) &&
      !el.attributes.some((a) => a.name === 'xml:space')
    ) {
      marked.add(el);
      // Just before the start tag's closing '>' (an element holding text is never self-closing).
      edits.push({ start: el.end - 1, end: el.end - 1, text: ' xml:space="preserve"' });
    }
  });
  return edits;
}
