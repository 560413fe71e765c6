import { MONTHS, WEEKDAYS } from '../gazetteers/lists.js';
import { daysInMonth, fullYear, realDate } from '../validators/calendar.js';

/**
 * Date shifting (§6.1 `transformations.shift_dates`): every date of a request moves by the same number
 * of days and is written back in the format it was found in, so intervals between dates survive
 * de-identification while the real dates do not.
 */

const FULL_MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const FULL_WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTH_OF = new Map(MONTHS.map(([n, m]) => [n, m]));
const MONTH_ALT = MONTHS.map(([m]) => m)
  .sort((a, b) => b.length - a.length)
  .join('|');
const WEEKDAY_ALT = [...WEEKDAYS].sort((a, b) => b.length - a.length).join('|');

interface Ymd {
  y: number;
  m: number;
  d: number;
}

/** Adds whole days to a calendar date (UTC arithmetic, so no daylight-saving surprises). */
export function addDays(date: Ymd, days: number): Ymd {
  const t = Date.UTC(date.y, date.m - 1, date.d) + days * 86_400_000;
  const r = new Date(t);
  return { y: r.getUTCFullYear(), m: r.getUTCMonth() + 1, d: r.getUTCDate() };
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Writes a word in the capitalisation of `like` (MARCH, March, march). */
function caseLike(word: string, like: string): string {
  if (like === like.toUpperCase() && like !== like.toLowerCase()) return word.toUpperCase();
  if (like.charAt(0) === like.charAt(0).toUpperCase()) return word.charAt(0).toUpperCase() + word.slice(1);
  return word;
}

function monthName(m: number, like: string): string {
  const full = FULL_MONTHS[m - 1] ?? '';
  const bare = like.replace(/\.$/, '');
  // Abbreviated in the source ("Mar", "Sept") → abbreviated in the output, keeping the full stop.
  const name =
    bare.length <= 4 && bare.toLowerCase() !== full ? (m === 9 && bare.length === 4 ? 'sept' : full.slice(0, 3)) : full;
  return caseLike(name, bare) + (like.endsWith('.') ? '.' : '');
}

function weekdayName(date: Ymd, like: string): string {
  const idx = new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay();
  const full = FULL_WEEKDAYS[idx] ?? '';
  const bare = like.replace(/\.$/, '');
  const name = bare.length <= 4 ? full.slice(0, bare.length === 4 ? 4 : 3) : full;
  return caseLike(name, bare) + (like.endsWith('.') ? '.' : '');
}

function ordinal(d: number): string {
  if (d % 100 >= 11 && d % 100 <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][d % 10] ?? 'th';
}

type Shifter = (days: number) => string;

/** Pattern → function that re-renders the matched date shifted by some days, or undefined if invalid. */
const FORMATS: Array<[RegExp, (m: RegExpExecArray) => Shifter | undefined]> = [
  // ISO 8601 date, optional time kept as written.
  [
    /^(\d{4})-(\d{2})-(\d{2})((?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)$/,
    (m) => {
      const date = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
      if (!realDate(date.y, date.m, date.d)) return undefined;
      return (days) => {
        const r = addDays(date, days);
        return `${pad(r.y, 4)}-${pad(r.m, 2)}-${pad(r.d, 2)}${m[4] ?? ''}`;
      };
    },
  ],
  // Year first with / or . ("2021/03/04").
  [
    /^(\d{4})([/.])(\d{1,2})\2(\d{1,2})$/,
    (m) => {
      const date = { y: Number(m[1]), m: Number(m[3]), d: Number(m[4]) };
      if (!realDate(date.y, date.m, date.d)) return undefined;
      const mw = (m[3] ?? '').length;
      const dw = (m[4] ?? '').length;
      return (days) => {
        const r = addDays(date, days);
        return `${r.y}${m[2]}${pad(r.m, mw)}${m[2]}${pad(r.d, dw)}`;
      };
    },
  ],
  // Numeric day/month/year in either order: month first unless that reading is impossible (US default).
  [
    /^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})$/,
    (m) => {
      const a = Number(m[1]);
      const b = Number(m[3]);
      const yText = m[4] ?? '';
      const y = fullYear(Number(yText), yText.length);
      const monthFirst = realDate(y, a, b);
      if (!monthFirst && !realDate(y, b, a)) return undefined;
      const date = monthFirst ? { y, m: a, d: b } : { y, m: b, d: a };
      const w1 = (m[1] ?? '').length;
      const w2 = (m[3] ?? '').length;
      return (days) => {
        const r = addDays(date, days);
        const yOut = yText.length === 2 ? pad(r.y % 100, 2) : String(r.y);
        const first = monthFirst ? r.m : r.d;
        const second = monthFirst ? r.d : r.m;
        return `${w1 === 2 ? pad(first, 2) : first}${m[2]}${w2 === 2 ? pad(second, 2) : second}${m[2]}${yOut}`;
      };
    },
  ],
  // "Monday, March 4th, 1985", "Mar. 4", "March 1985".
  [
    new RegExp(
      `^(?:(${WEEKDAY_ALT})(\\.?,?\\s+))?(${MONTH_ALT})(\\.?)(?:(\\s+)(\\d{1,2})(st|nd|rd|th)?)?(?:(,?\\s+)(\\d{4}))?$`,
      'i',
    ),
    (m) => {
      const month = MONTH_OF.get((m[3] ?? '').toLowerCase());
      if (!month) return undefined;
      const hasDay = m[6] !== undefined;
      const y = m[9] ? Number(m[9]) : 2001;
      const date = { y, m: month, d: hasDay ? Number(m[6]) : 1 };
      if (!realDate(date.y, date.m, date.d)) return undefined;
      return (days) => {
        const r = hasDay ? addDays(date, days) : addMonthsByDays(date, days);
        let out = '';
        if (m[1]) out += weekdayName(r, m[1]) + (m[2] ?? ' ');
        out += monthName(r.m, (m[3] ?? '') + (m[4] ?? ''));
        if (hasDay) out += `${m[5] ?? ' '}${r.d}${m[7] ? ordinal(r.d) : ''}`;
        if (m[9]) out += `${m[8] ?? ' '}${r.y}`;
        return out;
      };
    },
  ],
  // "4 March 1985", "4th of March, 1985".
  [
    new RegExp(
      `^(?:(${WEEKDAY_ALT})(\\.?,?\\s+))?(\\d{1,2})(st|nd|rd|th)?(\\s+of)?(\\s+)(${MONTH_ALT})(\\.?)(?:(,?\\s+)(\\d{4}))?$`,
      'i',
    ),
    (m) => {
      const month = MONTH_OF.get((m[7] ?? '').toLowerCase());
      if (!month) return undefined;
      const date = { y: m[10] ? Number(m[10]) : 2001, m: month, d: Number(m[3]) };
      if (!realDate(date.y, date.m, date.d)) return undefined;
      return (days) => {
        const r = addDays(date, days);
        let out = '';
        if (m[1]) out += weekdayName(r, m[1]) + (m[2] ?? ' ');
        out += `${r.d}${m[4] ? ordinal(r.d) : ''}${m[5] ?? ''}${m[6] ?? ' '}${monthName(r.m, (m[7] ?? '') + (m[8] ?? ''))}`;
        if (m[10]) out += `${m[9] ?? ' '}${r.y}`;
        return out;
      };
    },
  ],
];

/** A month-and-year date moves by whole months: the shift in days, rounded to months. */
function addMonthsByDays(date: Ymd, days: number): Ymd {
  const months = Math.round(days / 30.44);
  const total = date.y * 12 + (date.m - 1) + months;
  const y = Math.floor(total / 12);
  const m = (total % 12) + 1;
  return { y, m, d: Math.min(date.d, daysInMonth(y, m)) };
}

/** Dates inside a longer text (the two ends of an interval): same formats, unanchored. */
const INNER_DATE = new RegExp(
  [
    '\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2})?)?',
    '\\d{4}[/.]\\d{1,2}[/.]\\d{1,2}',
    '\\d{1,2}[/.-]\\d{1,2}[/.-](?:\\d{4}|\\d{2})',
    `(?:(?:${WEEKDAY_ALT})\\.?,?\\s+)?(?:${MONTH_ALT})\\.?(?:\\s+\\d{1,2}(?:st|nd|rd|th)?)?(?:,?\\s+\\d{4})?`,
    `(?:(?:${WEEKDAY_ALT})\\.?,?\\s+)?\\d{1,2}(?:st|nd|rd|th)?(?:\\s+of)?\\s+(?:${MONTH_ALT})\\.?(?:,?\\s+\\d{4})?`,
  ].join('|'),
  'gi',
);

/**
 * Shifts a date (or every date inside a date interval) by `days`, keeping its format. Returns
 * undefined when no date in a format we can rewrite is found (the caller then tokenises the value).
 */
export function shiftDateText(text: string, days: number): string | undefined {
  const whole = shifterFor(text);
  if (whole) return whole(days);
  let changed = false;
  const out = text.replace(INNER_DATE, (part) => {
    const s = shifterFor(part);
    if (!s) return part;
    changed = true;
    return s(days);
  });
  return changed ? out : undefined;
}

function shifterFor(text: string): Shifter | undefined {
  const trimmed = text.trim();
  for (const [re, make] of FORMATS) {
    const m = re.exec(trimmed);
    if (m) {
      const s = make(m);
      if (s) {
        const lead = text.slice(0, text.indexOf(trimmed));
        const trail = text.slice(text.indexOf(trimmed) + trimmed.length);
        return (days) => lead + s(days) + trail;
      }
    }
  }
  return undefined;
}

/** Options of `shift_dates` after defaults. */
export interface ShiftPlan {
  days: number;
  entityTypes: ReadonlySet<string>;
}

/**
 * Picks the one offset used for every date of a request: uniformly in [min_days, max_days], never 0
 * when the range allows another value (a zero shift would leak the dates). Missing bounds: only
 * max_days → [1, max]; only min_days → [min, min]. Returns undefined when shifting is not requested
 * (both bounds absent; the SDKs send `{}` for "not set").
 */
export function planShift(
  options:
    | { min_days?: number | null; max_days?: number | null; entity_types?: readonly string[] | null }
    | null
    | undefined,
  random: () => number,
): ShiftPlan | undefined {
  if (!options) return undefined;
  const minSet = typeof options.min_days === 'number';
  const maxSet = typeof options.max_days === 'number';
  if (!minSet && !maxSet) return undefined;
  let lo = minSet ? Math.trunc(options.min_days as number) : Math.min(1, Math.trunc(options.max_days as number));
  let hi = maxSet ? Math.trunc(options.max_days as number) : lo;
  if (lo > hi) [lo, hi] = [hi, lo];
  let days = lo + Math.floor(random() * (hi - lo + 1));
  if (days === 0 && hi > lo) days = hi !== 0 ? hi : lo;
  const types =
    options.entity_types && options.entity_types.length > 0 ? options.entity_types : ['date', 'date_interval', 'dob'];
  return { days, entityTypes: new Set(types) };
}
