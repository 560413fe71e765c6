import { FileFormatError } from './errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A decoded UTF-8 file: its text without the byte order mark, and whether it had one. */
export interface DecodedText {
  readonly text: string;
  readonly bom: boolean;
}

/** Length of a UTF-8 byte order mark at the start of `bytes` (0 or 3); UTF-16 text is refused. */
export function utf8BomLength(bytes: Uint8Array, what = 'the file'): number {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 3;
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new FileFormatError(`${what} is UTF-16 text; only UTF-8 is supported`);
  }
  return 0;
}

/** Decodes UTF-8 bytes, refusing anything else; a BOM is taken off and remembered. */
export function decodeUtf8(bytes: Uint8Array, what = 'the file'): DecodedText {
  const bom = utf8BomLength(bytes, what) > 0;
  try {
    return { text: decoder.decode(bom ? bytes.subarray(3) : bytes), bom };
  } catch {
    throw new FileFormatError(`${what} is not valid UTF-8 text`);
  }
}

/** Decodes part of a UTF-8 file that was cut at a line break (a U+FEFF at its start is content, not a BOM). */
export function decodeUtf8Piece(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new FileFormatError('the file is not valid UTF-8 text');
  }
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Encodes text as UTF-8, with a BOM when the input had one. */
export function encodeUtf8(text: string, bom: boolean): Buffer {
  const body = Buffer.from(text, 'utf8');
  return bom ? Buffer.concat([BOM, body]) : body;
}
