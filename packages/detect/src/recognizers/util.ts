import type { DetectableType } from '../entity-types.js';
import type { Candidate } from '../model.js';

/**
 * Runs a global regex over `text` from position `from` and maps each match to zero or more candidates.
 * Digit-based recognizers start a little before the first digit: prose before it cannot match.
 */
export function matchAll(
  text: string,
  re: RegExp,
  map: (m: RegExpExecArray) => Candidate | Candidate[] | undefined,
  from = 0,
): Candidate[] {
  const out: Candidate[] = [];
  const margin = DIGIT_MARGIN.get(re);
  if (margin !== undefined) {
    const first = firstDigitOf(text);
    if (first < 0) return out;
    from = Math.max(from, first - margin);
  }
  re.lastIndex = from;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    const c = map(m);
    if (Array.isArray(c)) out.push(...c);
    else if (c) out.push(c);
  }
  return out;
}

/** Start and end of capture group `g` of a match made with the `d` flag, or of the whole match. */
export function groupSpan(m: RegExpExecArray, g = 0): [number, number] {
  const idx = m.indices?.[g];
  if (idx) return [idx[0], idx[1]];
  return [m.index, m.index + m[0].length];
}

/** Builds a candidate. */
export function cand(
  start: number,
  end: number,
  entityType: DetectableType,
  score: number,
  recognizer: string,
  extra?: Partial<Candidate>,
): Candidate {
  const c: Candidate = { start, end, entityType, score, recognizer };
  if (extra) {
    if (extra.context) c.context = extra.context;
    if (extra.requiresContext) c.requiresContext = true;
    if (extra.alternatives) c.alternatives = extra.alternatives;
  }
  return c;
}

const DIGIT_MARGIN = new WeakMap<RegExp, number>();

/**
 * Marks a regex whose every match contains a digit at most `margin` characters after the match start:
 * {@link matchAll} then starts it near the text's first digit and skips texts without digits.
 */
export function digitPattern(re: RegExp, margin: number): RegExp {
  DIGIT_MARGIN.set(re, margin);
  return re;
}

let lastText: string | undefined;
let lastFirstDigit = -1;
/** First ASCII digit of `text` (one-entry cache: the recognizers of one document ask in turn). */
function firstDigitOf(text: string): number {
  if (text !== lastText) {
    lastText = text;
    lastFirstDigit = text.search(/\d/);
  }
  return lastFirstDigit;
}

/** Where digit-based matching may start: `margin` characters before the first digit (0 if none found). */
export function digitStart(firstDigit: number, margin: number): number {
  return firstDigit < 0 ? 0 : Math.max(0, firstDigit - margin);
}

/** Digits of a string. */
export const digitsOf = (s: string): string => s.replace(/\D/g, '');
