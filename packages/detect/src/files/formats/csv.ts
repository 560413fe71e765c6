import { CsvError, parse } from 'csv-parse/sync';
import {
  type DeidentifyHooks,
  type DeidentifyRequestOptions,
  defaultDeidentifier,
  type PlannedPiece,
} from '../../deidentify/index.js';
import type { FoundPiece, ReidentifyHooks, ReidentifyRequestOptions } from '../../reidentify/index.js';
import { FileFormatError } from '../errors.js';
import { DeidentifyJob, type FormatContext, ReidentifyJob } from '../job.js';
import { checkSize } from '../limits.js';
import { decodeUtf8, encodeUtf8 } from '../text-encoding.js';

/** A parsed field and whether it was quoted (kept so that the output quotes the same fields). */
interface Field {
  value: string;
  quoted: boolean;
}

/** A CSV file as parsed: its records and the dialect to write it back in. */
interface CsvFile {
  records: Field[][];
  delimiter: string;
  recordDelimiter: string;
  endsWithBreak: boolean;
  bom: boolean;
}

const DELIMITERS = [',', ';', '\t'] as const;

/** The first record's line (up to a line break outside quotes). */
function firstLine(text: string): string {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) return text.slice(0, i);
  }
  return text;
}

/** The delimiter used most outside quotes in the first line (`,` when none is). */
export function detectDelimiter(text: string): string {
  const line = firstLine(text);
  let best: string = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    let count = 0;
    let quoted = false;
    for (const c of line) {
      if (c === '"') quoted = !quoted;
      else if (!quoted && c === d) count++;
    }
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

function detectRecordDelimiter(text: string): string {
  const line = firstLine(text);
  if (text[line.length] === '\r') return text[line.length + 1] === '\n' ? '\r\n' : '\r';
  return '\n';
}

/** Error texts of csv-parse quote their input: say only what is wrong and on which line. */
const CSV_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is not closed',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field',
  CSV_INVALID_CLOSING_QUOTE: 'characters after a closing quote',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'a record with a different number of fields',
  CSV_MAX_RECORD_SIZE: 'a record is too large',
};

function readCsv(input: Uint8Array, context: FormatContext): CsvFile {
  checkSize(input.byteLength, context.limits);
  const { text, bom } = decodeUtf8(input);
  const delimiter = detectDelimiter(text);
  let parsed: Array<{ record: string[]; raw: string }>;
  try {
    parsed = parse(text, {
      delimiter,
      relax_column_count: true,
      skip_empty_lines: false,
      raw: true,
    }) as unknown as Array<{
      record: string[];
      raw: string;
    }>;
  } catch (err) {
    if (err instanceof CsvError) {
      const problem = CSV_PROBLEMS[err.code] ?? 'malformed CSV';
      const line = (err as CsvError & { lines?: number }).lines;
      throw new FileFormatError(`the file is not a valid CSV: ${problem}${line ? ` (line ${line})` : ''}`);
    }
    throw err;
  }
  const records = parsed.map(({ record, raw }) => {
    const quoted = quotedFields(raw, delimiter);
    return record.map((value, i) => ({ value, quoted: quoted[i] ?? false }));
  });
  for (const r of records) context.cells.add(r.length);
  return {
    records,
    delimiter,
    recordDelimiter: detectRecordDelimiter(text),
    endsWithBreak: text.endsWith('\n') || text.endsWith('\r'),
    bom,
  };
}

/**
 * Which fields of a record's raw text were quoted. The text was accepted by the parser, so fields are
 * either quoted (quotes inside doubled) or run to the next delimiter.
 */
function quotedFields(raw: string, delimiter: string): boolean[] {
  const out: boolean[] = [];
  let i = 0;
  for (;;) {
    const quoted = raw[i] === '"';
    out.push(quoted);
    if (quoted) {
      i++;
      for (;;) {
        const q = raw.indexOf('"', i);
        if (q < 0) return out;
        i = q + 1;
        if (raw[i] !== '"') break;
        i++;
      }
    }
    const next = raw.indexOf(delimiter, i);
    if (next < 0) return out;
    i = next + delimiter.length;
  }
}

/** A field as written: quoted when it was, or when its value needs it (RFC 4180). */
function writeField(field: Field, delimiter: string): string {
  const v = field.value;
  const needs = field.quoted || v.includes(delimiter) || v.includes('"') || v.includes('\n') || v.includes('\r');
  return needs ? `"${v.replaceAll('"', '""')}"` : v;
}

function writeCsv(file: CsvFile): Buffer {
  const lines = file.records.map((r) => r.map((f) => writeField(f, file.delimiter)).join(file.delimiter));
  const text = lines.join(file.recordDelimiter) + (file.endsWithBreak && lines.length > 0 ? file.recordDelimiter : '');
  return encodeUtf8(text, file.bom);
}

/**
 * Whether the first record is a header row (kept as it is): labels that are all present, distinct,
 * without digits or `@`, and mostly free of entities. A first row of names or places is data.
 */
function isHeader(records: readonly Field[][], request: DeidentifyRequestOptions): boolean {
  const first = records[0];
  if (!first || records.length < 2) return false;
  const labels = first.map((f) => f.value.trim());
  if (labels.some((l) => l === '' || /[\d@]/.test(l)) || new Set(labels).size !== labels.length) return false;
  const analyzer = defaultDeidentifier().analyzer;
  const withEntities = labels.filter(
    (l) => analyzer.analyze(l, { entityTypes: request.entity_types ?? null }).entities.length > 0,
  ).length;
  return withEntities * 2 <= labels.length;
}

const columnName = (header: readonly Field[] | undefined, index: number): string =>
  header?.[index]?.value.trim() || `${index + 1}`;

/**
 * De-identifies every field of a CSV file (the header row excepted), keeping its rows, columns,
 * delimiter, line breaks and quoting. Progress counts fields.
 */
export async function deidentifyCsv(
  input: Uint8Array,
  request: DeidentifyRequestOptions,
  hooks: DeidentifyHooks,
  context: FormatContext,
): Promise<{ output: Buffer; job: DeidentifyJob }> {
  const file = readCsv(input, context);
  const header = isHeader(file.records, request) ? file.records[0] : undefined;
  const first = header ? 1 : 0;
  const total = file.records.reduce((n, r, i) => (i < first ? n : n + r.length), 0);
  const job = new DeidentifyJob(request, hooks, context, total);
  const planned: Array<{ field: Field; piece: PlannedPiece; path: string }> = [];
  for (let row = first; row < file.records.length; row++) {
    const record = file.records[row] as Field[];
    for (let col = 0; col < record.length; col++) {
      const field = record[col] as Field;
      if (field.value.trim() === '') {
        await job.skip(1);
        continue;
      }
      const path = `row ${row + 1}, column ${columnName(header, col)}`;
      planned.push({ field, piece: await job.plan(field.value), path });
    }
  }
  await job.resolve();
  for (const { field, piece, path } of planned) field.value = job.render(field.value, piece, path);
  const output = writeCsv(file);
  job.progress.finish();
  return { output, job };
}

/** Restores the vault tokens in every field of a CSV file, keeping its layout. */
export async function reidentifyCsv(
  input: Uint8Array,
  request: ReidentifyRequestOptions,
  hooks: ReidentifyHooks,
  context: FormatContext,
): Promise<Buffer> {
  const file = readCsv(input, context);
  const fields = file.records.flat();
  const job = new ReidentifyJob(request, hooks, context, fields.length);
  const found: FoundPiece[] = [];
  for (const f of fields) found.push(await job.collect(f.value));
  await job.resolve();
  fields.forEach((f, i) => {
    f.value = job.render(f.value, found[i] as FoundPiece);
  });
  const output = writeCsv(file);
  job.progress.finish();
  return output;
}
