import type { DeidentifyHooks, DeidentifyRequestOptions } from '../../deidentify/index.js';
import { FileFormatError } from '../errors.js';
import { DeidentifyJob, type FormatContext } from '../job.js';
import { attributeUnit, deidentifyUnits, groupUnit, type OpenPart, PartSet, type TextUnit } from '../ooxml.js';
import { extractGroups, type GroupRules, localName } from '../xml/groups.js';
import { relationshipsOf } from '../xml/relationships.js';
import { relsPartOf, ZipArchive } from '../zip.js';

const WHAT = 'DOCX document';

/** Parts besides the main document whose paragraphs are de-identified (relationship types). */
const TEXT_PARTS = new Set(['header', 'footer', 'footnotes', 'endnotes', 'comments']);

/**
 * A paragraph's text is its `<w:t>` runs joined, tabs and breaks standing as characters; text deleted
 * with change tracking (`<w:delText>`) is de-identified on its own, since it is no longer part of the
 * paragraph's reading.
 */
const PARAGRAPHS: GroupRules = {
  groups: new Set(['w:p']),
  text: new Map([
    ['w:t', ''],
    ['w:delText', 'deleted'],
  ]),
  separators: new Map([
    ['w:tab', '\t'],
    ['w:br', '\n'],
    ['w:cr', '\n'],
  ]),
  separatorParent: 'w:r',
};

const baseName = (part: string): string => part.slice(part.lastIndexOf('/') + 1).replace(/\.xml$/, '');

function paragraphUnits(part: OpenPart, context: FormatContext): TextUnit[] {
  const name = baseName(part.name);
  return extractGroups(part.doc, PARAGRAPHS).map((g) => {
    context.cells.add();
    const path = `${name} paragraph ${g.ordinal}${g.channel === 'deleted' ? ' (deleted text)' : ''}`;
    return groupUnit(part, g, path, (el) => el.name === 'w:t' || el.name === 'w:delText');
  });
}

/** Targets of external hyperlinks (a `mailto:` link holds an email address). */
function hyperlinkUnits(parts: PartSet, partName: string): TextUnit[] {
  const rels = parts.open(relsPartOf(partName));
  if (!rels) return [];
  const units: TextUnit[] = [];
  for (const token of rels.doc.tokens()) {
    if (token.kind !== 'open' || token.name !== 'Relationship') continue;
    if (rels.doc.attribute(token, 'TargetMode') !== 'External') continue;
    if (!(rels.doc.attribute(token, 'Type') ?? '').endsWith('/hyperlink')) continue;
    const target = token.attributes.find((a) => a.name === 'Target');
    if (target)
      units.push(
        attributeUnit(rels, target, `${baseName(partName)} hyperlink ${rels.doc.attribute(token, 'Id') ?? ''}`),
      );
  }
  return units;
}

/**
 * De-identifies the paragraphs of a Word document: the body, headers, footers, footnotes, endnotes and
 * comments, plus external hyperlink targets. Detection runs on each paragraph's whole text; every
 * replacement is written into the run where its entity starts and the entity's remaining characters
 * are removed from the following runs, so run formatting is kept. Progress counts paragraphs.
 */
export async function deidentifyDocx(
  input: Uint8Array,
  request: DeidentifyRequestOptions,
  hooks: DeidentifyHooks,
  context: FormatContext,
): Promise<{ output: Buffer; job: DeidentifyJob }> {
  const archive = new ZipArchive(input, WHAT, context.limits);
  const parts = new PartSet(archive);
  const main = relationshipsOf(archive, '').find((r) => r.type === 'officeDocument');
  const document = main?.part ? parts.open(main.part) : undefined;
  if (!document) throw new FileFormatError(`the file is not a valid ${WHAT}: no document part`);
  const root = (() => {
    for (const t of document.doc.tokens()) if (t.kind === 'open') return localName(t.name);
    return undefined;
  })();
  if (root !== 'document')
    throw new FileFormatError(`the file is not a valid ${WHAT}: the main part is not a document`);

  const units: TextUnit[] = [...paragraphUnits(document, context), ...hyperlinkUnits(parts, document.name)];
  for (const rel of relationshipsOf(archive, document.name)) {
    if (!TEXT_PARTS.has(rel.type) || !rel.part) continue;
    const part = parts.open(rel.part);
    if (!part) continue;
    units.push(...paragraphUnits(part, context), ...hyperlinkUnits(parts, part.name));
  }

  const job = new DeidentifyJob(request, hooks, context, units.length);
  await deidentifyUnits(units, job);
  parts.save();
  const output = archive.toBuffer();
  job.progress.finish();
  return { output, job };
}
