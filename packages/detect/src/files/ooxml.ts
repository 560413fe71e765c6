import type { PlannedPiece, Replacement } from '../deidentify/index.js';
import { checkXmlEncoding } from './formats/xml.js';
import type { DeidentifyJob } from './job.js';
import { distribute } from './segments.js';
import { encodeXmlAttribute } from './xml/escape.js';
import { segmentEdits, type TextGroup } from './xml/groups.js';
import { applyEdits, type XmlAttribute, XmlDocument, type XmlEdit, type XmlOpenTag } from './xml/scan.js';
import type { ZipArchive } from './zip.js';

/** An XML part of an Office archive, parsed, with the edits to write back. */
export interface OpenPart {
  readonly name: string;
  readonly doc: XmlDocument;
  readonly bom: boolean;
  readonly edits: XmlEdit[];
}

/** The parts of an archive that are read, each parsed once. */
export class PartSet {
  private readonly parts = new Map<string, OpenPart>();
  constructor(readonly archive: ZipArchive) {}

  /** The part `name`, parsed; `undefined` when the archive has no such part. */
  open(name: string): OpenPart | undefined {
    let part = this.parts.get(name);
    if (!part) {
      const text = this.archive.text(name);
      if (!text) return undefined;
      const what = `the part ${name}`;
      checkXmlEncoding(text.text, what);
      part = { name, doc: new XmlDocument(text.text, what), bom: text.bom, edits: [] };
      this.parts.set(name, part);
    }
    return part;
  }

  /** Writes every edited part back into the archive. */
  save(): void {
    for (const part of this.parts.values()) {
      if (part.edits.length > 0)
        this.archive.setText(part.name, { text: applyEdits(part.doc.source, part.edits), bom: part.bom });
    }
  }
}

/** A piece of text of an Office file, and how to write its de-identified form back. */
export interface TextUnit {
  readonly text: string;
  readonly path: string;
  /** Records the edits for the processed text (`replacements` in the piece's UTF-16 offsets). */
  apply(processed: string, replacements: readonly Replacement[]): void;
}

/**
 * A group of text elements (a paragraph, a shared string) as one piece: each replacement goes into the
 * text element where its entity starts.
 */
export function groupUnit(
  part: OpenPart,
  group: TextGroup,
  path: string,
  preserveSpace: (element: XmlOpenTag) => boolean,
): TextUnit {
  return {
    text: group.text,
    path,
    apply: (_processed, replacements) => {
      const texts = distribute(group.text, group.ranges, replacements);
      part.edits.push(...segmentEdits(group.segments, texts, preserveSpace));
    },
  };
}

/** An attribute value as one piece. */
export function attributeUnit(part: OpenPart, attribute: XmlAttribute, path: string): TextUnit {
  return {
    text: part.doc.valueOf(attribute),
    path,
    apply: (processed) => {
      part.edits.push({
        start: attribute.valueStart,
        end: attribute.valueEnd,
        text: encodeXmlAttribute(processed, attribute.quote),
      });
    },
  };
}

/** De-identifies units in order, as one request (shared counters, one batch of vault tokens). */
export async function deidentifyUnits(units: readonly TextUnit[], job: DeidentifyJob): Promise<void> {
  const planned: PlannedPiece[] = [];
  for (const u of units) planned.push(await job.plan(u.text));
  await job.resolve();
  units.forEach((u, i) => {
    const piece = planned[i];
    if (!piece) return;
    const processed = job.render(u.text, piece, u.path);
    if (processed !== u.text) u.apply(processed, piece.replacements);
  });
}
