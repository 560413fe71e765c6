import { folderOf, relsPartOf, resolvePartName, type ZipArchive } from '../zip.js';
import { XmlDocument } from './scan.js';

/** A relationship of an OOXML part. */
export interface Relationship {
  readonly id: string;
  /** The relationship type URI's last segment ("worksheet", "sharedStrings", "officeDocument"). */
  readonly type: string;
  /** The target part's name in the archive (internal targets only). */
  readonly part: string | undefined;
}

/** The relationships of `partName` ("" for the package's own, `_rels/.rels`). */
export function relationshipsOf(archive: ZipArchive, partName: string): Relationship[] {
  const relsName = partName === '' ? '_rels/.rels' : relsPartOf(partName);
  const rels = archive.text(relsName);
  if (!rels) return [];
  const doc = new XmlDocument(rels.text, `the part ${relsName}`);
  const out: Relationship[] = [];
  for (const token of doc.tokens()) {
    if (token.kind !== 'open' || token.name !== 'Relationship') continue;
    const target = doc.attribute(token, 'Target') ?? '';
    const external = doc.attribute(token, 'TargetMode') === 'External';
    const type = (doc.attribute(token, 'Type') ?? '').split('/').pop() ?? '';
    out.push({
      id: doc.attribute(token, 'Id') ?? '',
      type,
      part: external ? undefined : resolvePartName(folderOf(partName), target),
    });
  }
  return out;
}
