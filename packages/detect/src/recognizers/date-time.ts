import { contextBefore } from '../context.js';
import { G, tokenFlags } from '../gazetteers/index.js';
import { MONTHS, WEEKDAYS } from '../gazetteers/lists.js';
import type { Candidate, Recognizer } from '../model.js';
import type { Doc } from '../text/doc.js';
import { fullYear, realDate, realTime } from '../validators/calendar.js';
import { cand, digitPattern, matchAll } from './util.js';

const MONTH_ALT = MONTHS.map(([m]) => m)
  .sort((a, b) => b.length - a.length)
  .join('|');
const WEEKDAY_ALT = [...WEEKDAYS].sort((a, b) => b.length - a.length).join('|');
export const MONTH_NUMBER = new Map<string, number>(MONTHS.map(([name, n]) => [name, n]));

const ISO = digitPattern(
  /(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\d-])/g,
  0,
);
const NUMERIC = digitPattern(/(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/]|[.-]\d)/g, 0);
const YMD = digitPattern(/(?<![\d/.-])(\d{4})([/.])(\d{1,2})\2(\d{1,2})(?![\d/]|[.-]\d)/g, 0);
const DAY = '(\\d{1,2})(?:st|nd|rd|th)?';
const MONTH = `(${MONTH_ALT})\\.?`;
const WEEKDAY_PREFIX = `(?:(?:${WEEKDAY_ALT})\\.?,?\\s+)?`;
// "March 4, 1985", "Mar. 4th", "March 1985"
const MDY = new RegExp(`\\b${WEEKDAY_PREFIX}${MONTH}(?:\\s+${DAY})?(?:,?\\s+(\\d{4}))?(?![\\w])`, 'giu');
// "4 March 1985", "4th of March, 1985"
const DMY = new RegExp(`\\b${WEEKDAY_PREFIX}${DAY}(?:\\s+of)?\\s+${MONTH}(?:,?\\s+(\\d{4}))?(?![\\w])`, 'giu');
const WEEKDAY = new RegExp(`\\b(${WEEKDAY_ALT})\\b`, 'giu');
const YEAR = digitPattern(/(?<![\d$€£.,#-])(1[89]\d{2}|20\d{2})(?:s)?(?![\d%]|[.,]\d)/g, 0);
const TIME = digitPattern(/(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(?:\s?([ap])\.?m\b\.?)?(?![\d:])/gi, 0);
const TIME_12 = digitPattern(/(?<![\d:])(1[0-2]|0?[1-9])\s?([ap])\.?m\b\.?/gi, 0);

const YEAR_CONTEXT = [
  'in',
  'since',
  'year',
  'born',
  'from',
  'until',
  'till',
  'by',
  'during',
  'of',
  'class of',
  'circa',
  'before',
  'after',
  'around',
  'early',
  'late',
  'mid',
  'fiscal',
  'fy',
  'spring',
  'summer',
  'autumn',
  'fall',
  'winter',
  'between',
  'and',
  'to',
  'established',
  'founded',
  'graduated',
  'married',
  'moved',
  'joined',
  'started',
  'date',
  'dated',
  'as of',
];
const MONTH_CONTEXT = [
  'in',
  'of',
  'since',
  'until',
  'during',
  'last',
  'next',
  'this',
  'every',
  'early',
  'late',
  'mid',
  'by',
  'from',
  'before',
  'after',
  'through',
  'each',
  'on',
  'month',
];
const DOB_CONTEXT = ['born', 'birth', 'date of birth', 'dob', 'd.o.b', 'birthday', 'birthdate', 'b .', 'bday'];

/** Ambiguous month names that are also everyday words when capitalised at a sentence start. */
const AMBIGUOUS_MONTHS = new Set(['may', 'march', 'mar', 'jan', 'jun', 'sat', 'sun', 'wed', 'dec', 'sep', 'aug']);

function numericDate(m: RegExpExecArray): boolean {
  const a = Number(m[1]);
  const b = Number(m[3]);
  const yStr = m[4] ?? '';
  const y = fullYear(Number(yStr), yStr.length);
  // Month-first (US) or day-first (most of the world): either reading must be a real day.
  return realDate(y, a, b) || realDate(y, b, a);
}

/** Classifies a date span as a date of birth when birth words precede it. */
function dateOrDob(doc: Doc, start: number): 'date' | 'dob' {
  return contextBefore(doc, start, 6, DOB_CONTEXT) ? 'dob' : 'date';
}

/** Joins two dates separated by "-", "to", "until", "through" or "and" (after "between") into an interval. */
function intervals(doc: Doc, dates: Candidate[]): Candidate[] {
  const sorted = [...dates].sort((a, b) => a.start - b.start);
  const out: Candidate[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i];
    const b = sorted[i + 1];
    if (a && b && b.start > a.end) {
      const gap = doc.lower.slice(a.end, b.start);
      if (/^\s*(?:-|–|—|to|until|till|through|thru|and)\s*$/.test(gap)) {
        out.push(
          cand(a.start, b.end, 'date_interval', Math.max(a.score, b.score), 'date_time', {
            alternatives: { date: a.score },
          }),
        );
      }
    }
  }
  return out;
}

/** Calendar dates (validated), date intervals, dates of birth, clock times, month and weekday names, years. */
export const dateTimeRecognizer: Recognizer = {
  name: 'date_time',
  entityTypes: ['date', 'dob', 'date_interval', 'time', 'year', 'month', 'day'],
  find(doc) {
    const { text } = doc;
    const dates: Candidate[] = [];
    const out: Candidate[] = [];
    const date = (start: number, end: number, score: number): void => {
      const type = dateOrDob(doc, start);
      dates.push(cand(start, end, type, score, 'date_time', type === 'dob' ? { alternatives: { date: score } } : {}));
    };
    const digits = doc.hasDigit;
    const flagsOf = tokenFlags(doc);
    let monthish = false;
    let weekdayish = false;
    for (let i = 0; i < flagsOf.length; i++) {
      const f = flagsOf[i] ?? 0;
      if (f & G.MONTH) monthish = true;
      if (f & G.WEEKDAY) weekdayish = true;
    }
    if (digits)
      matchAll(text, ISO, (m) => {
        if (!realDate(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
        if (m[4] !== undefined && !realTime(Number(m[4]), Number(m[5]), Number(m[6] ?? 0))) return undefined;
        date(m.index, m.index + m[0].length, 0.9);
        return undefined;
      });
    if (digits)
      matchAll(text, NUMERIC, (m) => {
        if (numericDate(m)) date(m.index, m.index + m[0].length, m[2] === '/' ? 0.75 : 0.6);
        return undefined;
      });
    if (digits)
      matchAll(text, YMD, (m) => {
        if (realDate(Number(m[1]), Number(m[3]), Number(m[4]))) date(m.index, m.index + m[0].length, 0.75);
        return undefined;
      });
    const textual = (monthName: string, day: string | undefined, year: string | undefined, m: RegExpExecArray) => {
      const month = MONTH_NUMBER.get(monthName.toLowerCase());
      if (!month) return;
      const y = year ? Number(year) : 2000;
      if (day && !realDate(y, month, Number(day))) return;
      const end = m.index + m[0].length;
      if (day || year) {
        date(m.index, end, day && year ? 0.9 : 0.75);
      } else {
        // A bare month name: only capitalised, and the ambiguous ones (May, March) only after a date word.
        const raw = m[0];
        if (raw.charAt(0) === raw.charAt(0).toLowerCase()) return;
        const ctx = contextBefore(doc, m.index, 2, MONTH_CONTEXT);
        if (AMBIGUOUS_MONTHS.has(monthName.toLowerCase()) && !ctx) return;
        if (raw.length < 3) return;
        out.push(cand(m.index, end, 'month', ctx ? 0.7 : 0.55, 'date_time'));
      }
    };
    if (monthish)
      matchAll(text, MDY, (m) => {
        textual(m[1] ?? '', m[2], m[3], m);
        return undefined;
      });
    if (monthish && digits)
      matchAll(text, DMY, (m) => {
        textual(m[2] ?? '', m[1], m[3], m);
        return undefined;
      });
    out.push(
      ...(!weekdayish
        ? []
        : matchAll(text, WEEKDAY, (m) => {
            const raw = m[0];
            if (raw.charAt(0) === raw.charAt(0).toLowerCase() || raw.length < 4) return undefined;
            return cand(m.index, m.index + raw.length, 'day', 0.55, 'date_time');
          })),
      ...(!digits
        ? []
        : matchAll(text, YEAR, (m) =>
            cand(m.index, m.index + m[0].length, 'year', 0.3, 'date_time', {
              context: YEAR_CONTEXT,
              requiresContext: true,
            }),
          )),
      ...(!digits
        ? []
        : matchAll(text, TIME, (m) => {
            const twelve = m[4] !== undefined;
            if (!realTime(Number(m[1]), Number(m[2]), Number(m[3] ?? 0), twelve)) return undefined;
            return cand(m.index, m.index + m[0].length, 'time', 0.7, 'date_time');
          })),
      ...(!digits
        ? []
        : matchAll(text, TIME_12, (m) => cand(m.index, m.index + m[0].length, 'time', 0.6, 'date_time'))),
    );
    return [...dates, ...intervals(doc, dates), ...out];
  },
};
