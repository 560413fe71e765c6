import { type Unzipped, unzipSync, type Zippable, zipSync } from 'fflate';
import { FileFormatError } from './errors.js';
import { checkSize, type ResolvedLimits } from './limits.js';
import { decodeUtf8, encodeUtf8 } from './text-encoding.js';

/** Most entries an Office archive may have. */
export const MAX_ZIP_ENTRIES = 10_000;

/** A part of an archive decoded as UTF-8 text. */
export interface TextPart {
  readonly text: string;
  readonly bom: boolean;
}

/** An Office (OOXML) archive, read whole into memory once its declared size has been checked. */
export class ZipArchive {
  private readonly compression = new Map<string, number>();
  private readonly files: Unzipped;

  /**
   * Reads `input`; `what` names the expected kind of file in errors ("XLSX workbook"). The declared
   * uncompressed sizes are added up from the central directory before anything is inflated, and
   * inflation never writes past a declared size, so a zip bomb is refused without being expanded.
   */
  constructor(
    input: Uint8Array,
    private readonly what: string,
    limits: ResolvedLimits,
  ) {
    const data = input instanceof Buffer ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : input;
    if (data[0] !== 0x50 || data[1] !== 0x4b) throw new FileFormatError(`the file is not a valid ${what}`);
    let total = 0;
    let count = 0;
    try {
      unzipSync(data, {
        filter: (f) => {
          count++;
          if (count > MAX_ZIP_ENTRIES) {
            throw new FileFormatError(`the file has too many entries: more than the limit of ${MAX_ZIP_ENTRIES}`);
          }
          total += f.originalSize;
          this.compression.set(f.name, f.compression);
          return false;
        },
      });
      checkSize(total, limits);
      this.files = unzipSync(data);
    } catch (err) {
      if (err instanceof FileFormatError) throw err;
      throw new FileFormatError(`the file is not a valid ${what}`);
    }
  }

  /** Entry names, in archive order. */
  names(): string[] {
    return Object.keys(this.files);
  }

  has(name: string): boolean {
    return Object.hasOwn(this.files, name);
  }

  /** The text of a part; `undefined` when absent. */
  text(name: string): TextPart | undefined {
    const bytes = this.files[name];
    if (!bytes) return undefined;
    return decodeUtf8(bytes, `the part ${name} of the ${this.what}`);
  }

  /** The text of a part that must be there. */
  requireText(name: string): TextPart {
    const part = this.text(name);
    if (!part) throw new FileFormatError(`the file is not a valid ${this.what}: ${name} is missing`);
    return part;
  }

  setText(name: string, part: TextPart): void {
    const bytes = encodeUtf8(part.text, part.bom);
    this.files[name] = new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The archive, entries in their original order, each stored or deflated as it was. */
  toBuffer(): Buffer {
    const out: Zippable = {};
    for (const [name, data] of Object.entries(this.files)) {
      if (name.endsWith('/') && data.length === 0) out[name] = {};
      else out[name] = [data, { level: this.compression.get(name) === 0 ? 0 : 6 }];
    }
    return Buffer.from(zipSync(out));
  }
}

/** The part a relationship target points at, from the folder of the part that has the relationship. */
export function resolvePartName(fromFolder: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = fromFolder === '' ? [] : fromFolder.split('/');
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
}

/** The folder of a part name ("xl/worksheets/sheet1.xml" → "xl/worksheets"). */
export const folderOf = (name: string): string => name.slice(0, Math.max(0, name.lastIndexOf('/')));

/** The relationships part of a part ("xl/workbook.xml" → "xl/_rels/workbook.xml.rels"). */
export function relsPartOf(name: string): string {
  const folder = folderOf(name);
  const file = name.slice(folder.length === 0 ? 0 : folder.length + 1);
  return `${folder === '' ? '' : `${folder}/`}_rels/${file}.rels`;
}
