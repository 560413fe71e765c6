import type { Doc } from './text/doc.js';

/** Index of the token containing `pos`, or of the first token after it (tokens.length if none). */
function firstTokenAtOrAfter(doc: Doc, pos: number): number {
  const toks = doc.tokens;
  let lo = 0;
  let hi = toks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((toks[mid]?.end ?? 0) <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * True when the first word of some phrase occurs anywhere in the document: a cheap test that lets a
 * recognizer whose matches all need context skip documents that cannot have it.
 */
export function mayHaveContext(doc: Doc, phrases: readonly string[]): boolean {
  let firsts = FIRST_WORDS.get(phrases);
  if (!firsts) {
    firsts = [...new Set(phrases.map((p) => p.split(' ')[0] ?? p))];
    FIRST_WORDS.set(phrases, firsts);
  }
  let keys = doc.keys;
  if (!keys) {
    keys = new Set();
    for (let i = 0; i < doc.tokens.length; i++) keys.add(tokenKey(doc, i));
    doc.keys = keys;
  }
  for (const w of firsts) if (keys.has(w)) return true;
  return false;
}

const FIRST_WORDS = new WeakMap<readonly string[], string[]>();

/** A phrase list indexed by each phrase's last token, for allocation-free matching over tokens. */
interface PhraseIndex {
  byLast: Map<string, Array<{ phrase: string; tokens: string[] }>>;
}

const INDEXES = new WeakMap<readonly string[], PhraseIndex>();

function indexOf(phrases: readonly string[]): PhraseIndex {
  let index = INDEXES.get(phrases);
  if (!index) {
    index = { byLast: new Map() };
    for (const phrase of phrases) {
      const tokens = phrase.split(' ');
      const last = tokens[tokens.length - 1] ?? phrase;
      const list = index.byLast.get(last) ?? [];
      list.push({ phrase, tokens });
      index.byLast.set(last, list);
    }
    INDEXES.set(phrases, index);
  }
  return index;
}

const tokenKey = (doc: Doc, i: number): string => {
  const t = doc.tokens[i];
  if (!t) return '';
  return t.kind === 'punct' ? t.text : t.lower;
};

/** Tries every phrase ending at token `k`, all of whose tokens lie in [lo, k]. */
function phraseEndingAt(doc: Doc, index: PhraseIndex, k: number, lo: number): string | undefined {
  const candidates = index.byLast.get(tokenKey(doc, k));
  if (!candidates) return undefined;
  for (const { phrase, tokens } of candidates) {
    const first = k - tokens.length + 1;
    if (first < lo) continue;
    let ok = true;
    for (let j = 0; j < tokens.length - 1 && ok; j++) ok = tokenKey(doc, first + j) === tokens[j];
    if (ok) return phrase;
  }
  return undefined;
}

/**
 * The first of `phrases` found among the `count` tokens before position `start` (stopping at the end of
 * the previous sentence), matched token by token: the same answer as
 * `findPhrase(wordsBefore(doc, start, count), phrases)` without building any string.
 */
export function contextBefore(doc: Doc, start: number, count: number, phrases: readonly string[]): string | undefined {
  const index = indexOf(phrases);
  const hi = firstTokenAtOrAfter(doc, start);
  // Window: up to `count` tokens, not reaching back past a sentence end once one token is taken.
  let lo = hi;
  while (lo > 0 && hi - lo < count) {
    const t = doc.tokens[lo - 1];
    if (!t) break;
    if (t.kind === 'punct' && (t.text === '.' || t.text === '!' || t.text === '?') && hi - lo > 0) break;
    lo--;
  }
  for (let k = hi - 1; k >= lo; k--) {
    const hit = phraseEndingAt(doc, index, k, lo);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** The first of `phrases` among the `count` tokens from position `end` on (see {@link contextBefore}). */
export function contextAfter(doc: Doc, end: number, count: number, phrases: readonly string[]): string | undefined {
  const index = indexOf(phrases);
  const lo = firstTokenAtOrAfter(doc, end);
  const hi = Math.min(doc.tokens.length, lo + count);
  for (let k = lo; k < hi; k++) {
    const hit = phraseEndingAt(doc, index, k, lo);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** How much a context word raises a candidate's score (Presidio's default enhancement is 0.35). */
export const CONTEXT_BOOST = 0.35;
/** Floor for a candidate whose context was found, so that even weak patterns pass the default threshold. */
export const CONTEXT_FLOOR = 0.6;
/** Tokens before a span that are searched for context words. */
export const CONTEXT_WINDOW = 6;
