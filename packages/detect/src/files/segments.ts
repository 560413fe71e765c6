import type { Replacement } from '../deidentify/index.js';

/** A run of a piece's text that comes from one place in the file (a `<w:t>` element, for example). */
export interface SegmentRange {
  /** UTF-16 offsets into the joined piece text, end exclusive. */
  readonly start: number;
  readonly end: number;
}

/**
 * Writes a de-identified piece back into the segments it was joined from: each replacement goes into
 * the segment where its entity starts, and the entity's remaining characters are removed from the
 * segments that follow. Text between segments (separators such as tabs) is not part of any segment and
 * is left where it is. Returns the new text of every segment, in order.
 */
export function distribute(
  text: string,
  segments: readonly SegmentRange[],
  replacements: readonly Pick<Replacement, 'start' | 'end' | 'placeholder'>[],
): string[] {
  // Where each placeholder goes: its entity's start, or the first segment character after it.
  const at = replacements.map((r) => {
    for (const s of segments) {
      if (s.end > r.start && s.start < r.end) return Math.max(s.start, r.start);
    }
    return -1;
  });
  const out: string[] = [];
  let j = 0;
  for (const seg of segments) {
    let piece = '';
    let pos = seg.start;
    while (pos < seg.end) {
      while (j < replacements.length && (replacements[j]?.end ?? 0) <= pos) j++;
      const r = replacements[j];
      if (!r || r.start >= seg.end) {
        piece += text.slice(pos, seg.end);
        break;
      }
      if (r.start > pos) {
        piece += text.slice(pos, r.start);
        pos = r.start;
      }
      if (at[j] === pos) piece += r.placeholder;
      pos = Math.min(r.end, seg.end);
    }
    out.push(piece);
  }
  return out;
}
