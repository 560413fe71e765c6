import type { Recognizer } from '../model.js';
import { cand, groupSpan, matchAll } from './util.js';

const N = '(\\d{1,3})';
// The age itself is the number; the words around it are how we know it is an age.
const PATTERNS: ReadonlyArray<readonly [RegExp, number, RegExp]> = [
  [
    new RegExp(`(?<![\\d.,])${N}(?:\\s*|-)(?:years?|yrs?|yr)(?:\\s*|-)old\\b`, 'gid'),
    0.9,
    /\d(?:\s*|-)(?:years?|yrs?|yr)(?:\s*|-)old/,
  ],
  [new RegExp(`(?<![\\d.,])${N}(?:\\s*|-)(?:years?|yrs?)(?:\\s*|-)of\\s+age\\b`, 'gid'), 0.9, /of\s+age/],
  [new RegExp(`(?<![\\d.,])${N}\\s*(?:y\\/o|y\\.o\\.|yo|yoa)\\b`, 'gid'), 0.85, /\d\s*(?:y\/o|y\.o|yo)/],
  [new RegExp(`\\b(?:aged?|age\\s*:|age\\s+is|ages)\\s*${N}(?![\\d.,]\\d|\\d)`, 'gid'), 0.85, /\bage/],
  [new RegExp(`\\b(?:turned|turning|turns|turn)\\s+${N}(?![\\d.,]\\d|\\d)`, 'gid'), 0.75, /turn/],
  [
    new RegExp(
      `\\b(?:i\\s+am|i'm|im|he\\s+is|she\\s+is|he's|she's|they\\s+are|is\\s+now|am\\s+now)\\s+${N}(?=\\s*(?:[,.;!?)]|$|and\\b|but\\b|now\\b|this\\b|today\\b|next\\b|in\\b))`,
      'gid',
    ),
    0.6,
    /(?:am|'m|im|is|'s|are)\s+\d/,
  ],
  [new RegExp(`(?<![\\d.,])${N}(?:-|\\s)year(?:-|\\s)old\\b`, 'gid'), 0.9, /\d(?:-|\s)year(?:-|\s)old/],
];

/** Ages: a number from 0 to 125 said to be someone's age ("42 years old", "aged 42", "turned 42"). */
export const ageRecognizer: Recognizer = {
  name: 'age',
  entityTypes: ['age'],
  find(doc) {
    if (!doc.hasDigit) return [];
    return PATTERNS.flatMap(([re, score, hint]) =>
      !hint.test(doc.lower)
        ? []
        : matchAll(doc.text, re, (m) => {
            const n = Number(m[1]);
            if (n > 125) return undefined;
            const [s, e] = groupSpan(m, 1);
            return cand(s, e, 'age', score, 'age');
          }),
    );
  },
};
