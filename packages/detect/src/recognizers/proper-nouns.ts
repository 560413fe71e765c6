import { contextBefore } from '../context.js';
import type { DetectableType } from '../entity-types.js';
import { G, gazetteers, PERSON, PLACE, tokenFlags } from '../gazetteers/index.js';
import { MEDICAL_FACILITY_WORDS } from '../gazetteers/lists.js';
import type { Candidate, Recognizer } from '../model.js';
import type { Doc, Token } from '../text/doc.js';
import { cand } from './util.js';

const PERSON_CONTEXT = [
  'name is',
  'named',
  'called',
  'i am',
  "i'm",
  'im',
  'this is',
  'dear',
  'hi',
  'hello',
  'hey',
  'thanks',
  'thank you',
  'regards',
  'sincerely',
  'signed',
  'contact',
  'ask for',
  'ask',
  'tell',
  'met',
  'meet',
  'with',
  'by',
  'patient',
  'customer',
  'client',
  'mother',
  'father',
  'son',
  'daughter',
  'wife',
  'husband',
  'brother',
  'sister',
  'friend',
  'colleague',
  'manager',
  'boss',
  'doctor',
  'nurse',
  'attention',
  'attn',
  'cc',
  'from',
  'to',
  'and',
  'name',
  'names',
  'author',
  'user',
  'employee',
  'applicant',
  'mrs',
  'mr',
  'ms',
  'dr',
];
const ORG_CONTEXT = [
  'work at',
  'works at',
  'worked at',
  'working at',
  'work for',
  'works for',
  'worked for',
  'working for',
  'employed by',
  'employed at',
  'employer',
  'employer is',
  'company',
  'company is',
  'joined',
  'join',
  'ceo of',
  'founder of',
  'director of',
  'manager at',
  'engineer at',
  'intern at',
  'job at',
  'position at',
  'customer of',
  'client of',
  'account with',
  'bank',
  'bank is',
  'organization',
  'organisation',
  'firm',
  'shares of',
  'stock',
  'acquired',
  'subsidiary',
  'partnered',
  'partner',
  'vendor',
  'supplier',
  'insurer',
  'provider',
  'at',
  'for',
  'with',
];
const PLACE_CONTEXT = [
  'in',
  'from',
  'to',
  'near',
  'visit',
  'visited',
  'visiting',
  'live in',
  'lives in',
  'lived in',
  'living in',
  'based in',
  'located in',
  'born in',
  'moved to',
  'move to',
  'travel to',
  'traveled to',
  'travelled to',
  'flew to',
  'fly to',
  'city of',
  'town of',
  'state of',
  'country',
  'city',
  'town',
  'village',
  'region',
  'province',
  'capital',
  'citizen of',
  'resident of',
];
/** Context that makes even an everyday word a name ("my name is Will", "Dear Rose"). */
const STRONG_PERSON_CONTEXT = [
  'name is',
  'named',
  'called',
  'dear',
  'hi',
  'hello',
  'hey',
  'mr',
  'mrs',
  'ms',
  'dr',
  'signed',
  'regards',
  'sincerely',
  'thanks',
  'attn',
  'attention',
  'ask for',
  'i am',
  "i'm",
  'this is',
];

/** Context that makes a listed name a place ("in Jackson", "moved to Florence"). */
const STRONG_PLACE_CONTEXT = [
  'in',
  'near',
  'live in',
  'lives in',
  'lived in',
  'living in',
  'based in',
  'located in',
  'born in',
  'moved to',
  'move to',
  'city of',
  'town of',
  'visit',
  'visited',
  'visiting',
  'travel to',
  'traveled to',
  'travelled to',
  'flew to',
  'resident of',
  'citizen of',
];

/** Endings that mark family names in many languages (patronymic and locative suffixes). */
const SURNAME_ENDING =
  /(?:sson|ssen|sen|son|ez|ski|ska|sky|wicz|owicz|ewicz|czyk|ová|ova|eva|enko|chuk|escu|eanu|ović|ovic|vić|vic|ić|ian|yan|poulos|opoulou|akis|oglu|oğlu|ini|elli|etti|ucci|stein|mann|berg|feld|baum|ler|ner|ssohn|nen|lä|inen|ainen|ek|ák|ík)$/;

/** Context that makes a following capitalised word part of a sentence rather than a name. */
const NOT_NAME_CONTEXT = ['the', 'a', 'an', 'this', 'that', 'these', 'those', 'our', 'your', 'their'];

function isCapWord(t: Token | undefined): boolean {
  return !!t && t.kind === 'word' && (t.casing === 'title' || t.casing === 'upper');
}

interface Run {
  /** Token indices of the words of the run (particles and initials included). */
  first: number;
  last: number;
  honorific: boolean;
}

const isInitial = (toks: Token[], i: number): boolean => {
  const t = toks[i];
  return !!t && t.kind === 'word' && t.text.length === 1 && t.casing !== 'lower' && toks[i + 1]?.text === '.';
};

/** Collects runs of capitalised words that may form a name. */
function runsOf(doc: Doc, flagsOf: Int32Array): Run[] {
  const toks = doc.tokens;
  const flag = (k: number): number => flagsOf[k] ?? 0;
  const runs: Run[] = [];
  let i = 0;
  while (i < toks.length) {
    const t = toks[i];
    if (!t || !isCapWord(t)) {
      i++;
      continue;
    }
    let honorific = false;
    let first = i;
    let last = i;
    let j = i;
    // An honorific ("Mr.", "Dr") opens a run; the name follows.
    if (flag(i) & G.HONORIFIC && t.casing === 'title') {
      let k = i + 1;
      if (toks[k]?.text === '.' && toks[k]?.spaceBefore === '') k++;
      if (isCapWord(toks[k]) && toks[k]?.spaceBefore === ' ') {
        honorific = true;
        j = k;
        last = k;
      }
    }
    // Extend over capitalised words, initials ("J."), and particles between capitalised words.
    for (;;) {
      const cur = toks[j];
      if (!cur) break;
      let k = j + 1;
      if (isInitial(toks, j)) k = j + 2;
      const n = toks[k];
      if (n?.spaceBefore !== ' ') break;
      // Words that are no PII alone stop a run, unless they end a company name ("Mercy Hospital").
      if (isCapWord(n) && (!(flag(k) & G.NOT_PII) || flag(k) & G.ORG_SUFFIX)) {
        j = k;
        last = k;
        continue;
      }
      if (n.kind === 'word' && flag(k) & G.PARTICLE) {
        let m = k + 1;
        while (toks[m]?.kind === 'word' && flag(m) & G.PARTICLE && m - k < 3) m++;
        if (isCapWord(toks[m]) && toks[m]?.spaceBefore === ' ') {
          j = m;
          last = m;
          continue;
        }
      }
      break;
    }
    // Most runs are one everyday word starting a sentence ("The", "Please"): drop them here, as the
    // trimming below would, without building anything.
    const f = flag(first);
    const ordinary = !(f & (PERSON | PLACE | G.ORG_SUFFIX)) && (f & (G.NOT_PII | G.FUNCTION | G.COMMON)) !== 0;
    if (honorific || last !== first || !ordinary) runs.push({ first, last, honorific });
    i = last + 1;
    first = i;
  }
  return runs;
}

/**
 * Person names, places and organisations from capitalised word runs: honorifics, name and place
 * gazetteers (census and per-locale lists), company suffixes, and the words before the run decide the
 * type. A run of capitalised words that are not ordinary English is reported even when no list knows it
 * (new company and place names are the common case), typed by context and with a lower score.
 */
export const properNounRecognizer: Recognizer = {
  name: 'proper_noun',
  entityTypes: [
    'name',
    'location',
    'location_city',
    'location_state',
    'location_country',
    'organization',
    'organization_medical_facility',
  ],
  find(doc) {
    const g = gazetteers();
    const flagsOf = tokenFlags(doc);
    const wordFlags = (t: Token): number => flagsOf[t.i] ?? 0;
    const toks = doc.tokens;
    const out: Candidate[] = [];
    for (const run of runsOf(doc, flagsOf)) {
      let { first } = run;
      let { last } = run;
      const honorific = run.honorific;
      const nameStart = honorific ? first + 1 + (toks[first + 1]?.text === '.' ? 1 : 0) : first;
      // Words of the run proper (without the honorific), initials and particles skipped for look-ups.
      const words: Token[] = [];
      for (let k = nameStart; k <= last; k++) {
        const t = toks[k];
        if (t?.kind === 'word' && !(t.text.length === 1 && toks[k + 1]?.text === '.')) words.push(t);
      }
      // Trim leading words that only start a sentence or a greeting ("Dear", "Please", "Thanks").
      while (!honorific && words.length > 0) {
        const w = words[0];
        if (!w) break;
        const f = wordFlags(w);
        const listed = (f & (PERSON | PLACE)) !== 0;
        const common = (f & G.COMMON) !== 0;
        if (
          f & G.NOT_PII ||
          (common && (!listed || w.sentenceStart || f & G.VERY_COMMON) && words.length > 1) ||
          (common && !listed)
        ) {
          words.shift();
          first = w.i + 1;
          continue;
        }
        break;
      }
      // Trim trailing ordinary words ("John Smith Thanks"); after an honorific every word is the name,
      // and after a given name only the most frequent words are not a surname ("Jane Doe", "John Smith").
      const givenFirst = ((words[0] && wordFlags(words[0])) ?? 0) & G.GIVEN;
      while (!honorific && words.length > 1) {
        const w = words[words.length - 1];
        if (!w) break;
        const f = wordFlags(w);
        if (f & G.ORG_SUFFIX && words.length > 1) break;
        const ordinary = givenFirst ? f & G.FUNCTION : f & G.COMMON;
        if (f & G.NOT_PII || (ordinary && !(f & (PERSON | PLACE)))) {
          words.pop();
          last = w.i - 1;
          while (last > first && toks[last]?.kind !== 'word') last--;
          continue;
        }
        break;
      }
      if (words.length === 0) continue;
      const firstWord = words[0];
      const lastWord = words[words.length - 1];
      if (!firstWord || !lastWord) continue;
      const spanStart = honorific ? (toks[run.first]?.start ?? firstWord.start) : firstWord.start;
      const spanEnd = toks[last]?.end ?? lastWord.end;
      if (spanEnd <= spanStart) continue;

      const flagsList = words.map((w) => wordFlags(w));
      const phraseFlags =
        words.length === 1
          ? (flagsList[0] ?? 0)
          : (flagsList[0] ?? 0) & G.PHRASE_START
            ? g.phrase(words.map((w) => w.lower).join(' '))
            : 0;
      // Context is only looked at when a decision needs it.
      const ctx = (phrases: readonly string[]): boolean => contextBefore(doc, spanStart, 4, phrases) !== undefined;
      const lastFlags = flagsList[flagsList.length - 1] ?? 0;
      const emit = (type: DetectableType, score: number, alternatives?: Candidate['alternatives']): void => {
        out.push(
          cand(spanStart, spanEnd, type, Math.min(score, 0.95), 'proper_noun', alternatives ? { alternatives } : {}),
        );
      };

      if (honorific) {
        emit('name', 0.9);
        continue;
      }
      // Organisations: a company suffix at the end ("Acme Corp", "Schmidt GmbH", "Mercy Hospital").
      if (
        words.length >= 2 &&
        lastFlags & G.ORG_SUFFIX &&
        (lastWord.casing === 'title' || lastWord.casing === 'upper')
      ) {
        const medical = MEDICAL_FACILITY_WORDS.has(lastWord.lower);
        emit(medical ? 'organization_medical_facility' : 'organization', 0.85);
        continue;
      }
      const allUpper = words.every((w) => w.casing === 'upper');
      const single = words.length === 1;
      const nameCount = flagsList.filter((f) => f & PERSON).length;
      // After a given name, a less frequent word is taken as a surname ("Jane Doe").
      const commonOnly = flagsList.filter(
        (f, idx) => f & (idx > 0 && givenFirst ? G.FUNCTION : G.COMMON) && !(f & (PERSON | PLACE)),
      ).length;
      const placeFlags = phraseFlags & PLACE;
      let personCtxCache: boolean | undefined;
      let placeCtxCache: boolean | undefined;
      let orgCtxCache: boolean | undefined;
      const personCtx = (): boolean => (personCtxCache ??= ctx(PERSON_CONTEXT));
      const placeCtx = (): boolean => (placeCtxCache ??= ctx(PLACE_CONTEXT));
      const orgCtx = (): boolean => (orgCtxCache ??= ctx(ORG_CONTEXT));
      const placeType: DetectableType =
        placeFlags & G.COUNTRY ? 'location_country' : placeFlags & G.STATE ? 'location_state' : 'location_city';

      // A whole run that is a known place, unless it reads better as a person ("Florence Smith" is a
      // person; "Florence" after "in" is a city).
      if (placeFlags && (!single || !((flagsList[0] ?? 0) & PERSON) || placeCtx() || !personCtx())) {
        const personToo = single ? (flagsList[0] ?? 0) & PERSON : 0;
        if (!personToo || placeCtx() || placeFlags & (G.COUNTRY | G.STATE)) {
          const score = placeFlags & G.COUNTRY ? 0.85 : placeFlags & G.STATE ? 0.8 : 0.7;
          emit(placeType, placeCtx() ? score + 0.1 : score, personToo ? { name: 0.5 } : undefined);
          continue;
        }
      }
      // Person names from the name lists (all-caps too, as forms write them, if more than one word or a
      // Faker-listed given/family name of 3+ letters).
      const capsOk =
        !allUpper || words.length > 1 || (firstWord.text.length >= 3 && (flagsList[0] ?? 0) & (G.GIVEN | G.FAMILY));
      if (nameCount > 0 && commonOnly === 0 && capsOk) {
        const firstFlags = flagsList[0] ?? 0;
        // One listed word right after "in", "near", "moved to"… is a place more often than a person.
        if (single && !firstWord.sentenceStart && ctx(STRONG_PLACE_CONTEXT) && !ctx(STRONG_PERSON_CONTEXT)) {
          emit('location', 0.6, { name: 0.5 });
          continue;
        }
        let score: number;
        if (words.length >= 2) {
          score = firstFlags & (G.GIVEN | G.NAME) && lastFlags & (G.FAMILY | G.NAME) ? 0.85 : 0.75;
        } else {
          const common = (firstFlags & G.COMMON) !== 0;
          if (common && !ctx(STRONG_PERSON_CONTEXT)) continue;
          score = firstWord.sentenceStart ? 0.55 : 0.65;
          if (common) score = 0.5;
        }
        if (personCtx()) score += 0.1;
        if (placeFlags) emit('name', score, { [placeType]: 0.5 });
        else emit('name', score);
        continue;
      }
      if (commonOnly > 0 && commonOnly === words.length) continue;
      // Capitalised words no list knows: a new name of some kind. Type it by the words before it.
      if (allUpper && words.length === 1 && (firstWord.text.length <= 4 || (flagsList[0] ?? 0) & G.COMMON)) continue;
      if (commonOnly > 0 && ctx(NOT_NAME_CONTEXT)) continue;
      const startsSentence = firstWord.sentenceStart;
      let base = startsSentence ? 0.45 : 0.55;
      if (commonOnly > 0) base -= 0.15;
      // A surname-shaped word (Andersson, Kowalski, Popescu, Petrović, Papadopoulos) is a person.
      const surnameShaped = words.some((w) => SURNAME_ENDING.test(w.lower));
      if ((personCtx() || surnameShaped) && !orgCtx()) emit('name', base + 0.1, { organization: base - 0.1 });
      else if (placeCtx() && !orgCtx()) emit('location', base + 0.05, { organization: base - 0.1 });
      else if (orgCtx()) emit('organization', base + 0.1);
      else emit('organization', base, { name: base - 0.1 });
    }
    return out;
  },
};
