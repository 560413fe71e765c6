import type { CanonicalValue } from '../records/values.js';
import type { Datatype } from '../schema/model.js';

/**
 * How values of a column compare. Every datatype maps to one class; two columns can be compared with each
 * other (JOIN … ON) only when their classes are equal.
 */
export type ValueClass = 'number' | 'text' | 'date' | 'datetime' | 'time' | 'bool' | 'json' | 'file';

export function valueClass(datatype: Datatype): ValueClass {
  switch (datatype) {
    case 'DT_INT32':
    case 'DT_INT64':
    case 'DT_FLOAT32':
    case 'DT_FLOAT64':
      return 'number';
    case 'DT_STRING':
    case 'DT_ENUM':
      return 'text';
    case 'DT_DATE':
      return 'date';
    case 'DT_DATETIME':
      return 'datetime';
    case 'DT_TIME':
      return 'time';
    case 'DT_BOOL':
      return 'bool';
    case 'DT_EMBEDDED':
      return 'json';
    case 'DT_FILE_TYPE':
      return 'file';
  }
}

/** Classes whose values can be tested for equality (=, !=, IN, JOIN … ON, COUNT(DISTINCT)). */
export const EQUALITY_CLASSES: ReadonlySet<ValueClass> = new Set([
  'number',
  'text',
  'date',
  'datetime',
  'time',
  'bool',
]);
/** Classes with an order (<, >, <=, >=, BETWEEN, ORDER BY, MIN, MAX). */
export const ORDERED_CLASSES = EQUALITY_CLASSES;
/** Classes held as text, which LIKE and ILIKE can match. */
export const TEXT_CLASSES: ReadonlySet<ValueClass> = new Set(['text', 'date', 'datetime', 'time']);

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.(\d{1,9}))?)?$/;
const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.(\d{1,9}))?)?(Z|([+-])([01]\d|2[0-3]):?([0-5]\d))?$/;

/** A real calendar date, years 0000–9999 (the same rule the record validator applies). */
export function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return days !== undefined && d >= 1 && d <= days;
}

export const isTime = (text: string): boolean => TIME.test(text);

export function isDatetime(text: string): boolean {
  return DATETIME.test(text) && isDate(text.slice(0, 10));
}

/** Days since 1970-01-01 of a proleptic Gregorian date (any year). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Seconds and the fraction (9 digits) of an instant; a date-time without an offset is read as UTC. */
interface Instant {
  readonly seconds: number;
  readonly fraction: string;
}

function datetimeInstant(text: string): Instant | undefined {
  const m = DATETIME.exec(text);
  if (!m) return undefined;
  const days = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
  let seconds = days * 86400 + Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6] ?? 0);
  if (m[9]) seconds -= (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 3600 + Number(m[11]) * 60);
  return { seconds, fraction: (m[7] ?? '').padEnd(9, '0') };
}

function timeInstant(text: string): Instant | undefined {
  const m = TIME.exec(text);
  if (!m) return undefined;
  return {
    seconds: Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0),
    fraction: (m[4] ?? '').padEnd(9, '0'),
  };
}

const sign = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);

/** True when a stored (non-null) value has the JavaScript type its class holds. */
export function fitsClass(cls: ValueClass, value: CanonicalValue): boolean {
  switch (cls) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'text':
    case 'date':
      return typeof value === 'string';
    case 'datetime':
      return typeof value === 'string' && DATETIME.test(value);
    case 'time':
      return typeof value === 'string' && TIME.test(value);
    case 'bool':
      return typeof value === 'boolean';
    case 'json':
    case 'file':
      return value !== null;
  }
}

/**
 * Total order of two non-null values of an ordered class (both must satisfy {@link fitsClass}).
 * Numbers compare numerically; text and dates by UTF-16 code units (dates are YYYY-MM-DD, so that is the
 * calendar order); booleans false < true; date-times and times by the instant they denote (a date-time
 * without an offset is read as UTC; `10:00` equals `10:00:00`). Because two texts can denote one instant,
 * the planner never answers `=` on a date-time or time column from the blind index (which matches text).
 */
export function compareValues(cls: ValueClass, a: CanonicalValue, b: CanonicalValue): number {
  switch (cls) {
    case 'number':
      return sign(a as number, b as number);
    case 'text':
    case 'date':
      return sign(a as string, b as string);
    case 'bool':
      return sign(a === true ? 1 : 0, b === true ? 1 : 0);
    case 'datetime':
    case 'time': {
      const x = instantOf(cls, a as string);
      const y = instantOf(cls, b as string);
      if (x && y) return sign(x.seconds, y.seconds) || sign(x.fraction, y.fraction);
      return sign(a as string, b as string);
    }
    case 'json':
    case 'file':
      return sign(JSON.stringify(a), JSON.stringify(b));
  }
}

function instantOf(cls: 'datetime' | 'time', text: string): Instant | undefined {
  return cls === 'datetime' ? datetimeInstant(text) : timeInstant(text);
}

/** A string equal for two values exactly when {@link compareValues} says they are equal (hash joins, DISTINCT). */
export function equalityKey(cls: ValueClass, value: CanonicalValue): string {
  if (typeof value === 'number') return `n:${value === 0 ? 0 : value}`;
  if ((cls === 'datetime' || cls === 'time') && typeof value === 'string') {
    const instant = instantOf(cls, value);
    if (instant) return `i:${instant.seconds}.${instant.fraction}`;
  }
  return `${typeof value}:${JSON.stringify(value)}`;
}

/** True when `=` on the class means "same stored text", so a blind-index lookup answers it exactly. */
export function indexAnswersEquality(cls: ValueClass): boolean {
  return cls !== 'datetime' && cls !== 'time';
}

/**
 * Compiles a LIKE pattern (PostgreSQL rules): `%` any run of characters, `_` exactly one character (code
 * point), the escape character (default backslash; empty turns escaping off) makes the next character
 * literal. Returns undefined when the pattern ends with the escape character, which PostgreSQL rejects.
 */
export function compileLike(pattern: string, escapeChar: string, caseInsensitive: boolean): RegExp | undefined {
  let source = '^';
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (escapeChar !== '' && c === escapeChar) {
      const next = chars[i + 1];
      if (next === undefined) return undefined;
      source += escapeRegExp(next);
      i += 1;
    } else if (c === '%') source += '[^]*';
    else if (c === '_') source += '[^]';
    else source += escapeRegExp(c);
  }
  return new RegExp(`${source}$`, caseInsensitive ? 'iu' : 'u');
}

const escapeRegExp = (c: string) => c.replace(/[\\^$.*+?()[\]{}|]/g, (m) => `\\${m}`);
