import { contextBefore } from '../context.js';
import type { DetectableType } from '../entity-types.js';
import { G, tokenFlags } from '../gazetteers/index.js';
import type { Candidate, Recognizer } from '../model.js';
import { cand, matchAll } from './util.js';

interface WordClass {
  type: DetectableType;
  score: number;
  context: string[];
  requiresContext?: boolean;
  /** Only capitalised occurrences count (zodiac signs: "Leo", not "leo"). */
  capitalised?: boolean;
}

const GENDER: WordClass = {
  type: 'gender',
  score: 0.5,
  context: ['gender', 'sex', 'identifies', 'identify', 'pronouns'],
};
const MARITAL: WordClass = {
  type: 'marital_status',
  score: 0.3,
  context: ['marital', 'marital status', 'status', 'i am', "i'm", 'is', 'recently', 'happily', 'got', 'are', 'was'],
  requiresContext: true,
};
const SEXUALITY: WordClass = {
  type: 'sexuality',
  score: 0.45,
  context: [
    'sexuality',
    'sexual orientation',
    'orientation',
    'identify as',
    'identifies as',
    'i am',
    "i'm",
    'came out',
    'is',
    'as',
  ],
};
const ZODIAC: WordClass = {
  type: 'zodiac_sign',
  score: 0.35,
  context: ['sign', 'zodiac', 'star sign', 'horoscope', 'astrological', 'a', 'an'],
  requiresContext: true,
  capitalised: true,
};

/** Single words (and the first word of two-word terms, checked against the next word). */
const WORDS = new Map<string, WordClass>([
  ...[
    'male',
    'female',
    'non-binary',
    'nonbinary',
    'genderqueer',
    'genderfluid',
    'transgender',
    'cisgender',
    'intersex',
    'agender',
  ].map((w) => [w, GENDER] as const),
  ...['married', 'unmarried', 'single', 'divorced', 'widowed', 'widow', 'widower', 'separated', 'engaged'].map(
    (w) => [w, MARITAL] as const,
  ),
  ...[
    'gay',
    'lesbian',
    'bisexual',
    'heterosexual',
    'homosexual',
    'asexual',
    'pansexual',
    'queer',
    'straight',
    'lgbt',
    'lgbtq',
  ].map((w) => [w, SEXUALITY] as const),
  ...[
    'aries',
    'taurus',
    'gemini',
    'cancer',
    'leo',
    'virgo',
    'libra',
    'scorpio',
    'sagittarius',
    'capricorn',
    'aquarius',
    'pisces',
  ].map((w) => [w, ZODIAC] as const),
]);

const BLOOD = /(?<![\w+-])(?:AB|A|B|O)(?:[+-]|\s?(?:pos|neg|positive|negative)\b)(?![\w+-])/g;
const BLOOD_CONTEXT = ['blood', 'blood type', 'blood group', 'type', 'group'];

/** Gender, marital status, sexuality, blood type and zodiac sign from word lists and context. */
export const personalAttributesRecognizer: Recognizer = {
  name: 'personal_attributes',
  entityTypes: ['blood_type', 'gender', 'marital_status', 'sexuality', 'zodiac_sign'],
  find(doc) {
    const out: Candidate[] = [];
    const flagsOf = tokenFlags(doc);
    for (const t of doc.tokens) {
      if (!((flagsOf[t.i] ?? 0) & G.ATTRIBUTE)) continue;
      const c = WORDS.get(t.lower);
      if (!c) continue;
      if (c.capitalised && t.casing !== 'title') continue;
      const ctx = contextBefore(doc, t.start, 4, c.context);
      if (c.requiresContext && !ctx) continue;
      out.push(cand(t.start, t.end, c.type, ctx ? Math.max(c.score + 0.35, 0.6) : c.score, 'personal_attributes'));
    }
    if (/[+-]|pos|neg/.test(doc.lower)) {
      out.push(
        ...matchAll(doc.text, BLOOD, (m) =>
          cand(m.index, m.index + m[0].length, 'blood_type', 0.45, 'personal_attributes', { context: BLOOD_CONTEXT }),
        ),
      );
    }
    return out;
  },
};
