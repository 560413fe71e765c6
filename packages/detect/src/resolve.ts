import type { DetectableType } from './entity-types.js';
import type { Candidate } from './model.js';

/** How much lower a longer candidate may score and still absorb a shorter one it contains. */
const CONTAINMENT_MARGIN = 0.2;

/** A chosen candidate with the scores of every reading of its span. */
export type Resolved = Candidate & { scores: Partial<Record<DetectableType, number>> };

const byPriority = (a: Candidate, b: Candidate): number =>
  b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start;

/**
 * Chooses non-overlapping candidates. Highest score first (longer first on ties); a candidate that
 * overlaps an accepted one is dropped, except that a longer candidate containing accepted ones replaces
 * them when its score is close (an address containing a person's name, a date interval containing two
 * dates, a full name containing a given name). Returns the winners in text order, each with the scores
 * of every reading of its span.
 */
export function resolveOverlaps(cands: readonly Candidate[]): Resolved[] {
  if (cands.length === 0) return [];
  const sorted = cands.length < 2 ? cands : [...cands].sort(byPriority);
  // Accepted spans never overlap, so kept sorted by start the ones a candidate touches are one
  // contiguous run found by binary search: resolution stays O(n log n) on long documents.
  const accepted: Candidate[] = [];
  const firstEndingAfter = (pos: number): number => {
    let lo = 0;
    let hi = accepted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((accepted[mid] as Candidate).end <= pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (const c of sorted) {
    const from = firstEndingAfter(c.start);
    let to = from;
    let absorbs = true;
    while (to < accepted.length && (accepted[to] as Candidate).start < c.end) {
      const a = accepted[to] as Candidate;
      const contained = c.start <= a.start && c.end >= a.end && c.end - c.start > a.end - a.start;
      if (!contained || c.score < a.score - CONTAINMENT_MARGIN) absorbs = false;
      to++;
    }
    if (to === from) accepted.splice(from, 0, c);
    else if (absorbs) accepted.splice(from, to - from, c);
  }
  // Every reading of a winning span, for entity_scores: a linear scan for the usual handful of
  // candidates, an index by span for long documents.
  let bySpan: Map<number, Candidate[]> | undefined;
  if (cands.length > 64) {
    bySpan = new Map();
    for (const c of cands) {
      const key = c.start * 0x100000 + (c.end - c.start);
      const list = bySpan.get(key);
      if (list) list.push(c);
      else bySpan.set(key, [c]);
    }
  }
  const out: Resolved[] = [];
  for (const w of accepted) {
    const scores: Partial<Record<DetectableType, number>> = {};
    scores[w.entityType] = round(w.score);
    const addAlternatives = (c: Candidate): void => {
      if (!c.alternatives) return;
      for (const t in c.alternatives) {
        const s = c.alternatives[t as DetectableType];
        if (s !== undefined && scores[t as DetectableType] === undefined) scores[t as DetectableType] = round(s);
      }
    };
    addAlternatives(w);
    for (const c of bySpan ? (bySpan.get(w.start * 0x100000 + (w.end - w.start)) ?? []) : cands) {
      if (c === w || c.start !== w.start || c.end !== w.end) continue;
      if ((scores[c.entityType] ?? -1) < c.score) scores[c.entityType] = round(c.score);
      addAlternatives(c);
    }
    // Winners are the analysis's own candidate objects: attach the scores rather than copy.
    const resolved = w as Resolved;
    resolved.scores = scores;
    out.push(resolved);
  }
  return out;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
