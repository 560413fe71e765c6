import type { DeidentifyHooks, DeidentifyRequestOptions, PlannedPiece } from '../../deidentify/index.js';
import type { FoundPiece, ReidentifyHooks, ReidentifyRequestOptions } from '../../reidentify/index.js';
import { DeidentifyJob, type FormatContext, ReidentifyJob } from '../job.js';
import { checkSize } from '../limits.js';
import { decodeUtf8Piece, utf8BomLength } from '../text-encoding.js';

/** Target size of one piece of a text file; pieces end at a line break, preferably a blank line. */
export const TXT_PIECE_BYTES = 64 * 1024;

const LF = 0x0a;
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** Byte ranges of the pieces of a text file, each ending just after a line break (or at the end). */
export function pieceRanges(bytes: Uint8Array, from: number, target = TXT_PIECE_BYTES): Array<[number, number]> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Array<[number, number]> = [];
  let start = from;
  while (start < buf.length) {
    if (buf.length - start <= target) {
      out.push([start, buf.length]);
      break;
    }
    const limit = start + target;
    let cut: number;
    // A blank line in the second half of the window keeps paragraphs (and multi-line addresses) whole.
    const blank = buf.lastIndexOf('\n\n', limit - 2);
    if (blank >= start + target / 2) cut = blank + 2;
    else {
      const lf = buf.lastIndexOf(LF, limit - 1);
      if (lf >= start) cut = lf + 1;
      else {
        const next = buf.indexOf(LF, limit);
        cut = next < 0 ? buf.length : next + 1;
      }
    }
    out.push([start, cut]);
    start = cut;
  }
  return out;
}

/** Where the text starts: after a UTF-8 BOM (kept for the output), refusing UTF-16. */
const textStart = (bytes: Uint8Array): number => utf8BomLength(bytes);

const codePoints = (text: string): number => {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
};

/**
 * De-identifies a UTF-8 text file piece by piece (bounded memory, progress in bytes). Entity locations
 * count from the start of the file (without BOM); `path` gives the line.
 */
export async function deidentifyTxt(
  input: Uint8Array,
  request: DeidentifyRequestOptions,
  hooks: DeidentifyHooks,
  context: FormatContext,
): Promise<{ output: Buffer; job: DeidentifyJob }> {
  checkSize(input.byteLength, context.limits);
  const bom = textStart(input);
  const ranges = pieceRanges(input, bom);
  const job = new DeidentifyJob(request, hooks, context, input.byteLength);
  const planned: PlannedPiece[] = [];
  for (const [from, to] of ranges) {
    context.cells.add();
    planned.push(await job.plan(decodeUtf8Piece(input.subarray(from, to)), to - from));
  }
  await job.resolve();

  const unit = hooks.indexUnit ?? 'code_point';
  const parts: Buffer[] = bom ? [Buffer.from(UTF8_BOM)] : [];
  let line = 1;
  const base = { original: 0, processed: 0 };
  ranges.forEach(([from, to], i) => {
    const text = decodeUtf8Piece(input.subarray(from, to));
    const piece = planned[i] as PlannedPiece;
    // Lines of the entities, counted incrementally through the piece.
    let lineAt = line;
    let scanned = 0;
    const processed = job.render(
      text,
      piece,
      (r) => {
        for (let k = text.indexOf('\n', scanned); k >= 0 && k < r.start; k = text.indexOf('\n', k + 1)) lineAt++;
        scanned = r.start;
        return `line ${lineAt}`;
      },
      { ...base },
    );
    for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) line++;
    base.original += unit === 'utf16' ? text.length : codePoints(text);
    base.processed += unit === 'utf16' ? processed.length : codePoints(processed);
    parts.push(Buffer.from(processed, 'utf8'));
  });
  job.progress.finish();
  return { output: Buffer.concat(parts), job };
}

/** Restores the vault tokens of a UTF-8 text file (placeholders never span a line break). */
export async function reidentifyTxt(
  input: Uint8Array,
  request: ReidentifyRequestOptions,
  hooks: ReidentifyHooks,
  context: FormatContext,
): Promise<Buffer> {
  checkSize(input.byteLength, context.limits);
  const bom = textStart(input);
  const ranges = pieceRanges(input, bom);
  const job = new ReidentifyJob(request, hooks, context, input.byteLength);
  const found: FoundPiece[] = [];
  for (const [from, to] of ranges) found.push(await job.collect(decodeUtf8Piece(input.subarray(from, to)), to - from));
  await job.resolve();
  const parts: Buffer[] = bom ? [Buffer.from(UTF8_BOM)] : [];
  ranges.forEach(([from, to], i) => {
    const text = decodeUtf8Piece(input.subarray(from, to));
    parts.push(Buffer.from(job.render(text, found[i] as FoundPiece), 'utf8'));
  });
  job.progress.finish();
  return Buffer.concat(parts);
}
