import { badRequest } from '../../errors.js';
import type { ColumnSpec } from '../schema/model.js';
import { compileSafe } from '../schema/safe-pattern.js';

/** Longest string value accepted in any column (bytes of UTF-8); unique columns are limited further. */
export const MAX_STRING_BYTES = 64 * 1024;
export const MAX_UNIQUE_STRING_CHARS = 2500;
/** Values longer than this are not run through validation regexes (bounds regex cost). */
const MAX_REGEX_INPUT = 64 * 1024;

/** A value accepted for a column, in the one canonical form that is stored and compared. */
export type CanonicalValue = string | number | boolean | null | unknown[] | Record<string, unknown>;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)(:([0-5]\d)(\.\d{1,9})?)?$/;
const DATETIME =
  /^\d{4}-\d{2}-\d{2}[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$/;

const invalid = (table: string, column: ColumnSpec, why: string) =>
  badRequest(`Invalid value for column "${table}.${column.name}": ${why}.`, [
    { column: `${table}.${column.name}`, problem: why },
  ]);

/** A real calendar date in the proleptic Gregorian calendar, years 0000–9999 (RFC 3339 full-date). */
function validDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Arithmetic, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return days !== undefined && d >= 1 && d <= days;
}

/**
 * True when a numeric string denotes a whole number exactly. `Number()` rounds, so "4503599627370496.5"
 * and "1e-400" would otherwise pass as the integers 4503599627370496 and 0.
 */
function denotesInteger(text: string): boolean {
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) return false;
  const digits = (m[1] ?? '') + (m[2] ?? '');
  const point = (m[1] ?? '').length + Number(m[3] ?? 0);
  return /^0*$/.test(digits.slice(Math.max(0, point)));
}

function numberFrom(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (
    typeof value === 'string' &&
    value.trim() !== '' &&
    /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value.trim())
  ) {
    return Number(value);
  }
  return undefined;
}

/**
 * Checks a value against its column's datatype and validation tags and returns its canonical form.
 * Numbers given as numeric strings are accepted and stored as numbers; everything else keeps its JSON type.
 * Error messages name the column and the rule, never the value.
 */
export function canonicalValue(table: string, column: ColumnSpec, value: unknown): CanonicalValue {
  let out: CanonicalValue;
  switch (column.datatype) {
    case 'DT_STRING':
    case 'DT_ENUM': {
      if (typeof value !== 'string') throw invalid(table, column, 'expected a string');
      out = value;
      break;
    }
    case 'DT_INT32':
    case 'DT_INT64': {
      const n = numberFrom(value);
      if (n === undefined || !Number.isInteger(n) || (typeof value === 'string' && !denotesInteger(value))) {
        throw invalid(table, column, 'expected a whole number');
      }
      if (column.datatype === 'DT_INT32' && (n < INT32_MIN || n > INT32_MAX)) {
        throw invalid(table, column, 'outside the 32-bit integer range');
      }
      if (!Number.isSafeInteger(n)) throw invalid(table, column, 'outside the range of exactly representable integers');
      out = n;
      break;
    }
    case 'DT_FLOAT32':
    case 'DT_FLOAT64': {
      const n = numberFrom(value);
      if (n === undefined) throw invalid(table, column, 'expected a number');
      out = n;
      break;
    }
    case 'DT_BOOL': {
      if (typeof value === 'boolean') out = value;
      else if (value === 'true' || value === 'false') out = value === 'true';
      else throw invalid(table, column, 'expected true or false');
      break;
    }
    case 'DT_DATE': {
      if (typeof value !== 'string' || !validDate(value)) throw invalid(table, column, 'expected a date YYYY-MM-DD');
      out = value;
      break;
    }
    case 'DT_TIME': {
      if (typeof value !== 'string' || !TIME.test(value))
        throw invalid(table, column, 'expected a time HH:MM[:SS[.fff]]');
      out = value;
      break;
    }
    case 'DT_DATETIME': {
      if (typeof value !== 'string' || !DATETIME.test(value) || !validDate(value.slice(0, 10))) {
        throw invalid(table, column, 'expected an RFC 3339 date-time');
      }
      out = value;
      break;
    }
    case 'DT_EMBEDDED': {
      out = value as CanonicalValue;
      break;
    }
    case 'DT_FILE_TYPE':
      throw invalid(table, column, 'file columns are written through the files endpoints');
  }
  const shape = checkShape(out, 0);
  if (shape === 'too-deep') throw invalid(table, column, `nested deeper than ${MAX_DEPTH} levels`);
  // A lone UTF-16 surrogate cannot be encoded as UTF-8; storing it would silently change the value.
  if (shape === 'ill-formed') throw invalid(table, column, 'contains an unpaired UTF-16 surrogate');
  if (typeof out === 'string') {
    if (Buffer.byteLength(out) > MAX_STRING_BYTES)
      throw invalid(table, column, `longer than ${MAX_STRING_BYTES} bytes`);
    if (column.unique && out.length > MAX_UNIQUE_STRING_CHARS) {
      throw invalid(table, column, `unique columns hold at most ${MAX_UNIQUE_STRING_CHARS} characters`);
    }
  }
  if (column.datatype === 'DT_EMBEDDED') {
    // JSON.stringify gives undefined (not a string) for undefined, functions and symbols, and throws on bigints.
    let json: string | undefined;
    try {
      json = JSON.stringify(out);
    } catch {
      json = undefined;
    }
    if (json === undefined) throw invalid(table, column, 'expected a JSON value');
    if (Buffer.byteLength(json) > MAX_STRING_BYTES) {
      throw invalid(table, column, `longer than ${MAX_STRING_BYTES} bytes of JSON`);
    }
  }
  if (column.predefinedValues && !column.predefinedValues.includes(String(out))) {
    throw invalid(table, column, 'not one of the predefined values');
  }
  if (typeof out === 'number') {
    if (column.minValue !== undefined && out < column.minValue)
      throw invalid(table, column, `less than ${column.minValue}`);
    if (column.maxValue !== undefined && out > column.maxValue)
      throw invalid(table, column, `greater than ${column.maxValue}`);
  }
  if (column.validation.length > 0) {
    const text = typeof out === 'string' ? out : JSON.stringify(out);
    if (text.length > MAX_REGEX_INPUT) throw invalid(table, column, 'too long to validate');
    for (const source of column.validation) {
      if (!compileSafe(source).test(text)) throw invalid(table, column, 'does not match the validation pattern');
    }
  }
  return out;
}

/** JSON values (DT_EMBEDDED) may nest at most this deep. */
const MAX_DEPTH = 64;

/** Whether every string in the value (keys included) is well-formed UTF-16, within the nesting limit. */
function checkShape(value: unknown, depth: number): 'ok' | 'ill-formed' | 'too-deep' {
  if (typeof value === 'string') return value.isWellFormed() ? 'ok' : 'ill-formed';
  if (value === null || typeof value !== 'object') return 'ok';
  if (depth >= MAX_DEPTH) return 'too-deep';
  for (const [key, item] of Object.entries(value)) {
    if (!Array.isArray(value) && !key.isWellFormed()) return 'ill-formed';
    const inner = checkShape(item, depth + 1);
    if (inner !== 'ok') return inner;
  }
  return 'ok';
}

/** Bytes that are encrypted for a value: its canonical JSON. */
export function valueBytes(value: CanonicalValue): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function valueFromBytes(bytes: Uint8Array): CanonicalValue {
  const text = Buffer.isBuffer(bytes) ? bytes.toString('utf8') : Buffer.from(bytes).toString('utf8');
  return JSON.parse(text) as CanonicalValue;
}

/**
 * Input to a blind index: a type marker plus the canonical JSON, so the string "1" and the number 1
 * never share an index entry.
 */
export function indexBytes(value: CanonicalValue): Buffer {
  return Buffer.from(`${typeof value}:${JSON.stringify(value)}`, 'utf8');
}
