import { FileFormatError } from './errors.js';

/** Bounds on the work one file may cause. */
export interface FileLimits {
  /**
   * Most bytes of text the file may hold once uncompressed: the file itself for txt, csv, json and xml,
   * the sum of the archive's entries for xlsx and docx (a zip bomb is refused before it is inflated).
   * Default 64 MiB.
   */
  maxUncompressedBytes?: number;
  /**
   * Most pieces of text the file may have: CSV fields, spreadsheet cells, JSON values, XML text nodes and
   * attributes, docx paragraphs. Default 1,000,000.
   */
  maxCells?: number;
}

export const DEFAULT_MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_CELLS = 1_000_000;

/** Limits with their defaults filled in. */
export interface ResolvedLimits {
  readonly maxUncompressedBytes: number;
  readonly maxCells: number;
}

export function resolveLimits(limits: FileLimits | undefined): ResolvedLimits {
  return {
    maxUncompressedBytes: limits?.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES,
    maxCells: limits?.maxCells ?? DEFAULT_MAX_CELLS,
  };
}

const mib = (bytes: number): string => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;

/** Refuses a file whose (uncompressed) size is over the limit. */
export function checkSize(bytes: number, limits: ResolvedLimits): void {
  if (bytes > limits.maxUncompressedBytes) {
    throw new FileFormatError(
      `the file is too large: ${mib(bytes)} uncompressed, more than the limit of ${mib(limits.maxUncompressedBytes)}`,
    );
  }
}

/** Counts pieces of text against `maxCells`. */
export class CellCounter {
  private count = 0;
  constructor(private readonly limits: ResolvedLimits) {}

  add(n = 1): void {
    this.count += n;
    if (this.count > this.limits.maxCells) {
      throw new FileFormatError(
        `the file has too many cells or values: more than the limit of ${this.limits.maxCells}`,
      );
    }
  }
}
