import { contextBefore } from '../context.js';
import { G, tokenFlags } from '../gazetteers/index.js';
import { OCCUPATION_HEADS } from '../gazetteers/lists.js';
import type { Candidate, Recognizer } from '../model.js';
import { cand } from './util.js';

// Words that end a job title's modifiers when walking left from its head noun.
const STOP = new Set(
  'a an the my his her their our your its i you he she we they is am are was were be been being as at for of in on to with by from and or but this that these those who which what when where works work worked working job title position role occupation profession career employed hired become became'.split(
    ' ',
  ),
);
// Words shortly before a title that say it is someone's job ("works as a", "job title:", "is a").
const CONTEXT = [
  'as a',
  'as an',
  'as',
  'am a',
  'am an',
  'is a',
  'is an',
  'was a',
  'was an',
  'are',
  'were',
  'be a',
  'become a',
  'became a',
  'job',
  'title',
  'position',
  'role',
  'occupation',
  'profession',
  'work',
  'works',
  'worked',
  'working',
  'hired',
  'employed',
  'career',
  ':',
];

/** True when `lower` is the plural of an occupation head ("nurses") rather than a head itself. */
function isPluralHead(lower: string): boolean {
  return OCCUPATION_HEADS.has(lower.slice(0, -1)) && !OCCUPATION_HEADS.has(lower);
}

/** Job titles: modifiers plus an occupation head noun ("senior software engineer", "nurse"). */
export const occupationRecognizer: Recognizer = {
  name: 'occupation',
  entityTypes: ['occupation'],
  find(doc) {
    const out: Candidate[] = [];
    const toks = doc.tokens;
    const flagsOf = tokenFlags(doc);
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (!t || !((flagsOf[i] ?? 0) & G.OCCUPATION)) continue;
      // A person's job title is singular; "engineers" or "founders" name a group, not someone's occupation.
      if (t.lower.endsWith('s') && isPluralHead(t.lower)) continue;
      // Walk left over modifiers: words (any case), hyphenated words, "and"/"," inside lists of modifiers.
      let first = i;
      for (let j = i - 1; j >= 0 && i - j <= 6; j--) {
        const p = toks[j];
        if (!p) break;
        if (p.kind === 'word' && !STOP.has(p.lower)) {
          first = j;
          continue;
        }
        if (p.kind === 'punct' && (p.text === ',' || p.text === "'" || p.text === '’') && j > 0) continue;
        if (p.kind === 'word' && p.lower === 'and' && toks[j - 1]?.text === ',') continue;
        break;
      }
      const start = toks[first]?.start ?? t.start;
      const hasContext = contextBefore(doc, start, 4, CONTEXT) !== undefined;
      out.push(cand(start, t.end, 'occupation', hasContext ? 0.7 : 0.35, 'occupation'));
    }
    return out;
  },
};
