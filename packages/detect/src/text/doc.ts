/** How a word token is capitalised; decides whether it can start or continue a proper noun. */
export type Casing = 'title' | 'upper' | 'lower' | 'mixed';

export type TokenKind = 'word' | 'number' | 'punct';

/** A token of the analysed text (whitespace is not a token; `spaceBefore` records it). */
export interface Token {
  /** Position in `Doc.tokens`. */
  i: number;
  start: number;
  end: number;
  text: string;
  /** Lower-cased text, for gazetteer and context look-ups. */
  lower: string;
  kind: TokenKind;
  casing: Casing;
  /** The whitespace between the previous token and this one: '' (none), ' ' (spaces/tabs) or '\n'. */
  spaceBefore: '' | ' ' | '\n';
  /** First word of a sentence (text start, after . ! ? or a line break). */
  sentenceStart: boolean;
}

/**
 * A document prepared once per analysis and shared by every recognizer: the text, its lower-cased copy
 * and its tokens.
 */
export interface Doc {
  text: string;
  lower: string;
  tokens: Token[];
  /** Index of the token covering a UTF-16 position, or -1 for whitespace. */
  tokenAt(pos: number): number;
  /** True when the text contains an ASCII digit (lets digit-only recognizers skip prose). */
  hasDigit: boolean;
  /** Index of the first ASCII digit, or -1. */
  firstDigit: number;
  /** Length of the longest run of non-whitespace characters (a 17-character VIN needs one). */
  longestRun: number;
  /** Gazetteer flags per token, filled on first use by `tokenFlags` (gazetteers/index.ts). */
  flags?: Int32Array;
  /** The distinct lower-cased tokens, filled on first use by `mayHaveContext` (context.ts). */
  keys?: Set<string>;
}

// Words are letters and combining marks with inner apostrophes or hyphens (O'Neil, Jean-Luc); numbers
// are digit runs; anything else that is not whitespace is one punctuation token.
/** The token grammar; `prepare` implements it with a faster hand-written scanner. */
export const TOKEN_RE = /([\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+|-[\p{L}\p{M}]+)*)|(\p{Nd}+)|([^\s\p{L}\p{M}\p{Nd}])/gu;

function casingOf(word: string): Casing {
  const c = word.charCodeAt(0);
  if (c < 128) {
    let ascii = true;
    let upper = 0;
    for (let k = 1; k < word.length; k++) {
      const d = word.charCodeAt(k);
      if (d >= 128) {
        ascii = false;
        break;
      }
      if (d >= 65 && d <= 90) upper++;
    }
    if (ascii) {
      const letters = word.length - 1;
      const firstUp = c >= 65 && c <= 90;
      if (!firstUp) return upper === 0 ? 'lower' : 'mixed';
      if (upper === 0) return 'title';
      return upper === letters ? 'upper' : 'title';
    }
  }
  // ASCII fast path; everything else through the Unicode-aware case mapping.
  const firstUpper = c < 128 ? c >= 65 && c <= 90 : word.charAt(0) !== word.charAt(0).toLowerCase();
  const rest = word.slice(1);
  const restLower = rest.toLowerCase();
  if (!firstUpper) return rest === restLower ? 'lower' : 'mixed';
  if (rest === restLower) return 'title';
  if (rest === rest.toUpperCase()) return 'upper';
  // McDonald, DeVito, O'Brien-Smith: title-like words with inner capitals.
  return 'title';
}

/**
 * Lower-cases without changing any UTF-16 offset: a few characters (e.g. 'İ') lower-case to longer
 * strings, and recognizers slice the lower-cased copy with offsets of the original.
 */
export function lowerSameLength(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  let out = '';
  for (const ch of text) {
    const l = ch.toLowerCase();
    out += l.length === ch.length ? l : ch;
  }
  return out;
}

const LETTER = /[\p{L}\p{M}]/u;
const DIGIT = /\p{Nd}/u;
const SPACE = /\s/u;

/** Length in UTF-16 units of the character at `i` (2 for a surrogate pair). */
function charLen(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
}

function isSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return SPACE.test(String.fromCharCode(c));
}

function isLetterAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return LETTER.test(text.slice(i, i + charLen(text, i)));
}

function isDigitAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return c >= 48 && c <= 57;
  return DIGIT.test(text.slice(i, i + charLen(text, i)));
}

/** Tokenises `text` into a {@link Doc}. */
export function prepare(text: string): Doc {
  const tokens: Token[] = [];
  const lower = lowerSameLength(text);
  let prevEnd = 0;
  let sentenceStart = true;
  const push = (start: number, end: number, kind: TokenKind): void => {
    const tokenText = text.slice(start, end);
    const casing = kind === 'word' ? casingOf(tokenText) : 'lower';
    let spaceBefore: Token['spaceBefore'] = '';
    if (start > prevEnd) {
      spaceBefore = ' ';
      for (let k = prevEnd; k < start; k++) {
        if (text.charCodeAt(k) === 10) {
          spaceBefore = '\n';
          break;
        }
      }
    }
    if (spaceBefore === '\n') sentenceStart = true;
    tokens.push({
      i: tokens.length,
      start,
      end,
      text: tokenText,
      // Lower-case and punctuation tokens share their text (one string fewer per token).
      lower: casing === 'lower' ? tokenText : lower.slice(start, end),
      kind,
      casing,
      spaceBefore,
      sentenceStart: sentenceStart && kind !== 'punct',
    });
    if (kind !== 'punct') sentenceStart = false;
    else if (tokenText === '.' || tokenText === '!' || tokenText === '?' || tokenText === ':') {
      // A full stop after an initial or an abbreviation is taken as a sentence end too; the name
      // recognizer handles initials itself, so this only costs a little recall on the next word.
      sentenceStart = true;
    } else if (tokenText === '"' || tokenText === '“' || tokenText === '(' || tokenText === '-') {
      // Opening quotes and list dashes keep a pending sentence start for the word that follows.
    } else sentenceStart = false;
    prevEnd = end;
  };
  // A hand-written scanner equivalent to TOKEN_RE (kept above as the specification): several times
  // faster than the Unicode-property regex on mostly-ASCII text.
  const n = text.length;
  let i = 0;
  let runStart = 0;
  let longestRun = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      if (i - runStart > longestRun) longestRun = i - runStart;
      i++;
      runStart = i;
      continue;
    }
    const start = i;
    if (isLetterAt(text, i)) {
      i += charLen(text, i);
      for (;;) {
        while (i < n && isLetterAt(text, i)) i += charLen(text, i);
        // Inner apostrophe or hyphen followed by a letter joins ("O'Neil", "Jean-Luc").
        const j = text.charCodeAt(i);
        if ((j === 39 || j === 0x2019 || j === 45) && i + 1 < n && isLetterAt(text, i + 1)) {
          i += 1;
          continue;
        }
        break;
      }
      const len = i - start;
      const last = text.charCodeAt(i - 1);
      const apos = text.charCodeAt(i - 2);
      if ((last === 115 || last === 83) && (apos === 39 || apos === 0x2019) && len > 3) {
        // "Smith's" is the name Smith plus a possessive: split so that look-ups see the name.
        push(start, i - 2, 'word');
        push(i - 2, i, 'punct');
      } else push(start, i, 'word');
      continue;
    }
    if (isDigitAt(text, i)) {
      i += charLen(text, i);
      while (i < n && isDigitAt(text, i)) i += charLen(text, i);
      push(start, i, 'number');
      continue;
    }
    i += charLen(text, i);
    push(start, i, 'punct');
  }
  const firstDigit = text.search(/\d/);
  return {
    text,
    lower,
    tokens,
    hasDigit: firstDigit >= 0,
    longestRun: Math.max(longestRun, n - runStart),
    firstDigit,
    tokenAt(pos: number): number {
      // Binary search for the token containing `pos`.
      let lo = 0;
      let hi = tokens.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const t = tokens[mid] as Token;
        if (pos < t.start) hi = mid - 1;
        else if (pos >= t.end) lo = mid + 1;
        else return mid;
      }
      return -1;
    },
  };
}
