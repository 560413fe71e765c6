import type { DetectableType } from '../entity-types.js';
import { G, gazetteers, tokenFlags } from '../gazetteers/index.js';
import type { Candidate, Recognizer } from '../model.js';
import { cand } from './util.js';

const NRP = G.DEMONYM | G.RELIGION | G.POLITICAL;
const LANGUAGE_CONTEXT =
  /\b(?:speak|speaks|spoke|speaking|language|languages|fluent|native|translate|translated|in)\s+$/;

/**
 * Nationalities and ethnic origins (origin), religions (religion) and political affiliations
 * (political_affiliation), from word lists; plural and lower-case forms too.
 */
export const nrpRecognizer: Recognizer = {
  name: 'nrp',
  entityTypes: ['origin', 'religion', 'political_affiliation', 'language'],
  find(doc) {
    const g = gazetteers();
    const flagsOf = tokenFlags(doc);
    const out: Candidate[] = [];
    const toks = doc.tokens;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (t?.kind !== 'word' || t.text.length < 3) continue;
      // Two-word entries first ("South African", "Roman Catholic").
      const next = toks[i + 1];
      let flags = 0;
      let end = t.end;
      const own = flagsOf[i] ?? 0;
      if (!(own & (NRP | G.PHRASE_START))) continue;
      if (next && next.kind === 'word' && next.spaceBefore === ' ' && own & G.PHRASE_START) {
        flags = g.phrase(`${t.lower} ${next.lower}`) & NRP;
        if (flags) end = next.end;
      }
      if (!flags) flags = own & NRP;
      let type: DetectableType | undefined;
      if (flags & G.RELIGION) type = 'religion';
      else if (flags & G.POLITICAL) type = 'political_affiliation';
      else if (flags & G.DEMONYM) type = 'origin';
      if (!type) continue;
      const capitalised = t.casing === 'title' || t.casing === 'upper';
      // Lower-case party words ("liberal", "green") are ordinary adjectives; only capitalised ones count.
      if (type === 'political_affiliation' && !capitalised) continue;
      let score = capitalised ? 0.7 : 0.5;
      let entityType = type;
      if (type === 'origin' && LANGUAGE_CONTEXT.test(doc.lower.slice(Math.max(0, t.start - 30), t.start))) {
        entityType = 'language';
        score = 0.6;
      }
      out.push(
        cand(
          t.start,
          end,
          entityType,
          score,
          'nrp',
          entityType === 'language' ? { alternatives: { origin: 0.5 } } : {},
        ),
      );
      if (end !== t.end) i++;
    }
    return out;
  },
};
