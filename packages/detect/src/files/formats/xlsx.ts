import type { DeidentifyHooks, DeidentifyRequestOptions } from '../../deidentify/index.js';
import { FileFormatError } from '../errors.js';
import { DeidentifyJob, type FormatContext } from '../job.js';
import { deidentifyUnits, groupUnit, type OpenPart, PartSet, type TextUnit } from '../ooxml.js';
import { addSegment, extractGroups, localName, newGroup, type TextGroup } from '../xml/groups.js';
import { relationshipsOf } from '../xml/relationships.js';
import type { XmlOpenTag } from '../xml/scan.js';
import { ZipArchive } from '../zip.js';

const WHAT = 'XLSX workbook';

interface Sheet {
  readonly name: string;
  readonly part: string;
}

/** What the cells of a sheet hold, in order: a shared string's index, or a string of the sheet itself. */
type CellText = { kind: 'shared'; index: number; path: string } | { kind: 'inline'; group: TextGroup; path: string };

/** A string of the workbook as a unit; only `<t>` elements take `xml:space`. */
const unit = (part: OpenPart, group: TextGroup, path: string): TextUnit =>
  groupUnit(part, group, path, (el) => localName(el.name) === 't');

function invalid(why: string): never {
  throw new FileFormatError(`the file is not a valid ${WHAT}: ${why}`);
}

/** The workbook part and its sheets, in workbook order. */
function readWorkbook(parts: PartSet): { workbook: OpenPart; sheets: Sheet[] } {
  const main = relationshipsOf(parts.archive, '').find((r) => r.type === 'officeDocument');
  const workbook = main?.part ? parts.open(main.part) : undefined;
  if (!workbook) invalid('no workbook part');
  const rels = relationshipsOf(parts.archive, workbook.name);
  const sheets: Sheet[] = [];
  let root: string | undefined;
  for (const token of workbook.doc.tokens()) {
    if (token.kind !== 'open') continue;
    root ??= localName(token.name);
    if (localName(token.name) !== 'sheet') continue;
    const id = token.attributes.find((a) => localName(a.name) === 'id' && a.name !== 'id');
    const rel = id ? rels.find((r) => r.id === workbook.doc.valueOf(id)) : undefined;
    // Chart sheets and dialog sheets hold no cells.
    if (rel?.type === 'worksheet' && rel.part)
      sheets.push({ name: workbook.doc.attribute(token, 'name') ?? '', part: rel.part });
  }
  if (root !== 'workbook') invalid('the main part is not a workbook');
  return { workbook, sheets };
}

/** The string cells of one sheet, in document order: shared-string references, inline strings, formula strings. */
function sheetTexts(part: OpenPart, sheetName: string, context: FormatContext): CellText[] {
  const { doc } = part;
  const out: CellText[] = [];
  const stack: XmlOpenTag[] = [];
  let cell: { ref: string; type: string } | undefined;
  let inline: TextGroup | undefined;
  let phonetic: TextGroup | undefined;
  let readings: TextGroup[] = [];
  let inlineCount = 0;
  const label = sheetName.length > 0 ? `${sheetName}!` : '';
  for (const token of doc.tokens()) {
    if (token.kind === 'open') {
      const name = localName(token.name);
      if (name === 'c') {
        context.cells.add();
        cell = { ref: doc.attribute(token, 'r') ?? '', type: doc.attribute(token, 't') ?? 'n' };
      } else if (cell && name === 'is' && !token.selfClosing) {
        inline = newGroup(token, ++inlineCount, '', [...stack]);
      } else if (inline && name === 'rPh' && !token.selfClosing) {
        phonetic = newGroup(token, inlineCount, 'phonetic', [...stack]);
      }
      if (!token.selfClosing) stack.push(token);
    } else if (token.kind === 'close') {
      stack.pop();
      const name = localName(token.name);
      if (name === 'c') cell = undefined;
      else if (name === 'rPh' && phonetic) {
        if (phonetic.text.trim() !== '') readings.push(phonetic);
        phonetic = undefined;
      } else if (name === 'is' && inline) {
        if (inline.text.trim() !== '') out.push({ kind: 'inline', group: inline, path: `${label}${cell?.ref}` });
        for (const group of readings) out.push({ kind: 'inline', group, path: `${label}${cell?.ref} (phonetic)` });
        inline = undefined;
        readings = [];
      }
    } else if ((token.kind === 'text' || token.kind === 'cdata') && cell) {
      const parent = stack[stack.length - 1];
      if (!parent) continue;
      const name = localName(parent.name);
      if (name === 't' && (phonetic ?? inline)) addSegment((phonetic ?? inline) as TextGroup, doc, token, parent);
      else if (name === 'v' && cell.type === 's') {
        const index = Number.parseInt(doc.textOf(token).trim(), 10);
        if (!Number.isInteger(index) || index < 0) invalid(`a cell refers to no shared string (${part.name})`);
        out.push({ kind: 'shared', index, path: `${label}${cell.ref}` });
      } else if (name === 'v' && cell.type === 'str') {
        // The cached result of a string formula: shown as the cell's value until recalculation.
        const group = newGroup(parent, 0, '', [...stack]);
        addSegment(group, doc, token, parent);
        if (group.text.trim() !== '') out.push({ kind: 'inline', group, path: `${label}${cell.ref}` });
      }
    }
  }
  return out;
}

/** The shared strings, by index: each string's main text and its phonetic reading, if any. */
function sharedStrings(part: OpenPart | undefined): Array<{ main?: TextGroup; phonetic?: TextGroup }> {
  if (!part) return [];
  const out: Array<{ main?: TextGroup; phonetic?: TextGroup }> = [];
  const groups = extractGroups(part.doc, {
    groups: new Set(['si', 'rPh']),
    text: new Map([['t', '']]),
    localNames: true,
  });
  for (const g of groups) {
    if (localName(g.tag.name) === 'si') out[g.ordinal - 1] = { ...out[g.ordinal - 1], main: g };
    else {
      // A phonetic reading belongs to the shared string it is inside.
      const si = g.ancestors.findLast((t) => localName(t.name) === 'si');
      const owner = groups.find((x) => x.tag === si);
      if (owner) out[owner.ordinal - 1] = { ...out[owner.ordinal - 1], phonetic: g };
    }
  }
  return out;
}

/** The comments of a sheet (legacy notes and threaded comments), and their authors' names. */
function commentUnits(parts: PartSet, sheet: Sheet, context: FormatContext): TextUnit[] {
  const units: TextUnit[] = [];
  for (const rel of relationshipsOf(parts.archive, sheet.part)) {
    if ((rel.type !== 'comments' && rel.type !== 'threadedComment') || !rel.part) continue;
    const part = parts.open(rel.part);
    if (!part) continue;
    const groups = extractGroups(part.doc, {
      groups: new Set(['text', 'author', 'rPh']),
      text: new Map([
        ['t', ''],
        ['text', ''],
        ['author', ''],
      ]),
      localNames: true,
    });
    for (const group of groups) {
      context.cells.add();
      const comment = group.ancestors.findLast((t) => /^(comment|threadedComment)$/.test(localName(t.name)));
      const ref = comment ? part.doc.attribute(comment, 'ref') : undefined;
      const what = localName(group.tag.name) === 'author' ? 'comment author' : 'comment';
      units.push(unit(part, group, `${sheet.name}!${ref ?? ''} (${what})`.replace('! (', ' (')));
    }
  }
  return units;
}

/**
 * De-identifies every string of a workbook: shared strings, inline strings and cached string-formula
 * results of every sheet, and cell comments. Numbers, dates, formulas, styles, sheet names and every
 * other part are kept byte for byte. Progress counts strings.
 */
export async function deidentifyXlsx(
  input: Uint8Array,
  request: DeidentifyRequestOptions,
  hooks: DeidentifyHooks,
  context: FormatContext,
): Promise<{ output: Buffer; job: DeidentifyJob }> {
  const archive = new ZipArchive(input, WHAT, context.limits);
  const parts = new PartSet(archive);
  const { workbook, sheets } = readWorkbook(parts);
  const sstRel = relationshipsOf(archive, workbook.name).find((r) => r.type === 'sharedStrings');
  const sstPart = sstRel?.part ? parts.open(sstRel.part) : undefined;
  const shared = sharedStrings(sstPart);
  context.cells.add(shared.length);

  // Units in reading order: a shared string where it is first used, sheet by sheet.
  const units: TextUnit[] = [];
  const used = new Set<number>();
  const useShared = (index: number, path: string): void => {
    if (used.has(index)) return;
    used.add(index);
    const s = shared[index];
    if (!sstPart || !s) return;
    if (s.main) units.push(unit(sstPart, s.main, path));
    if (s.phonetic) units.push(unit(sstPart, s.phonetic, `${path} (phonetic)`));
  };
  for (const sheet of sheets) {
    const part = parts.open(sheet.part);
    if (!part) invalid(`the sheet ${sheet.part} is missing`);
    for (const t of sheetTexts(part, sheet.name, context)) {
      if (t.kind === 'shared') useShared(t.index, t.path);
      else units.push(unit(part, t.group, t.path));
    }
    units.push(...commentUnits(parts, sheet, context));
  }
  shared.forEach((_, index) => {
    useShared(index, `shared string ${index + 1}`);
  });

  const job = new DeidentifyJob(request, hooks, context, units.length);
  await deidentifyUnits(units, job);
  parts.save();
  const output = archive.toBuffer();
  job.progress.finish();
  return { output, job };
}
