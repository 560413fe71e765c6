import { CONTEXT_BOOST, CONTEXT_FLOOR, CONTEXT_WINDOW, contextAfter, contextBefore } from './context.js';
import { type DetectableType, selectTypes } from './entity-types.js';
import { gazetteers } from './gazetteers/index.js';
import type { Candidate, DetectedEntity, Recognizer } from './model.js';
import { BUILT_IN_RECOGNIZERS } from './recognizers/index.js';
import { resolveOverlaps } from './resolve.js';
import { type Doc, prepare } from './text/doc.js';
import { compileUserPatterns, covered, matchSpans, overlaps, type Span } from './user-regex.js';

/** Options of one analysis; the names mirror the §6.2 request fields. */
export interface AnalyzeOptions {
  /** §6.9 types to report (`all`, empty or absent: every type). Broad types include their narrower ones. */
  entityTypes?: readonly string[] | null;
  /** Text matching any of these (RE2 syntax) is never reported: an entity inside a match is dropped. */
  allowRegex?: readonly string[] | null;
  /**
   * Text matching any of these (RE2 syntax) is always redacted as `[RESTRICTED]`, whether or not an
   * entity was detected there; an entity overlapping a match is restricted whole. `allowRegex` wins.
   */
  restrictRegex?: readonly string[] | null;
  /** Entities scoring below this are dropped (default {@link DEFAULT_MIN_SCORE}). */
  minScore?: number;
}

/** A region that `restrict_regex` forces to `[RESTRICTED]`. */
export interface RestrictedSpan extends Span {
  text: string;
  /** The type of the detected entity the region covers, if it covers one. */
  entityType?: DetectableType;
  /** The entities the region swallowed. */
  entities: DetectedEntity[];
}

/** What an analysis found. */
export interface AnalysisResult {
  /** Detected entities in text order, non-overlapping, excluding restricted ones. */
  entities: DetectedEntity[];
  /** Regions forced to `[RESTRICTED]` by `restrictRegex`, in text order, not overlapping `entities`. */
  restricted: RestrictedSpan[];
}

/** Default score threshold; chosen so that a bare pattern match without validator or context is dropped. */
export const DEFAULT_MIN_SCORE = 0.4;

/** Options of an {@link Analyzer}. */
export interface AnalyzerOptions {
  /** Recognizers to run instead of the built-in set (e.g. the built-ins plus your own). */
  recognizers?: readonly Recognizer[];
}

/**
 * Detects PII in text. Stateless between calls; construct once and reuse (the gazetteers are loaded
 * on first use and shared by every analyzer in the process).
 */
export class Analyzer {
  readonly recognizers: readonly Recognizer[];

  constructor(options: AnalyzerOptions = {}) {
    this.recognizers = options.recognizers ?? BUILT_IN_RECOGNIZERS;
  }

  /** Loads the gazetteers now rather than on the first call (call at server start-up). */
  warmUp(): void {
    gazetteers();
    this.analyze('Warm up for John Smith at 1 Main Street, Springfield on 2020-01-01.');
  }

  /** Candidates of every recognizer after context scoring, before thresholds and overlap resolution. */
  candidates(text: string): Candidate[] {
    const doc = prepare(text);
    const out: Candidate[] = [];
    for (const r of this.recognizers) {
      for (const c of r.find(doc)) {
        const scored = applyContext(doc, c);
        if (scored) out.push(scored);
      }
    }
    return out;
  }

  /** Detects entities in `text`. Throws `InvalidRegexError` for an invalid allow/restrict pattern. */
  analyze(text: string, options: AnalyzeOptions = {}): AnalysisResult {
    const allowPatterns = compileUserPatterns(options.allowRegex);
    const restrictPatterns = compileUserPatterns(options.restrictRegex);
    const minScore = options.minScore ?? DEFAULT_MIN_SCORE;
    const selected = selectTypes(options.entityTypes);

    // Every recognizer runs whatever was requested: a date must beat a phone-number reading of the same
    // digits even when only phone numbers were asked for. Filtering by type happens after resolution.
    const all = this.candidates(text);
    const cands: Candidate[] = [];
    for (const c of all) if (c.score >= minScore) cands.push(c);
    const winners = resolveOverlaps(cands);
    let entities: DetectedEntity[] = [];
    for (const w of winners) {
      for (const e of narrowToSelection(text, w, selected)) entities.push(e);
    }

    const allowed = matchSpans(allowPatterns, text);
    if (allowed.length > 0) {
      entities = entities.filter((e) => !covered(allowed, e.start, e.end));
    }

    const restricted: RestrictedSpan[] = [];
    if (restrictPatterns.length > 0) {
      const regions = matchSpans(restrictPatterns, text)
        .filter((r) => !covered(allowed, r.start, r.end))
        .sort((a, b) => a.start - b.start);
      // Grow each region over the entities it touches, then merge regions that now overlap.
      for (const r of regions) {
        let { start, end } = r;
        for (const e of entities) {
          if (e.start < end && e.end > start) {
            start = Math.min(start, e.start);
            end = Math.max(end, e.end);
          }
        }
        const prev = restricted[restricted.length - 1];
        if (prev && start <= prev.end) prev.end = Math.max(prev.end, end);
        else restricted.push({ start, end, text: '', entities: [] });
      }
      for (const r of restricted) {
        r.entities = entities.filter((e) => e.start < r.end && e.end > r.start);
        for (const e of r.entities) {
          r.start = Math.min(r.start, e.start);
          r.end = Math.max(r.end, e.end);
        }
        r.text = text.slice(r.start, r.end);
        const first = r.entities[0];
        if (first) r.entityType = first.entityType;
      }
      entities = entities.filter((e) => !overlaps(restricted, e.start, e.end));
    }
    return { entities, restricted };
  }
}

/** Raises (or requires) a candidate's score by the context words around it. */
function applyContext(doc: Doc, c: Candidate): Candidate | undefined {
  if (!c.context || c.context.length === 0) return c.requiresContext ? undefined : c;
  const hit = contextBefore(doc, c.start, CONTEXT_WINDOW, c.context) ?? contextAfter(doc, c.end, 2, c.context);
  if (!hit) return c.requiresContext ? undefined : c;
  // Candidates are fresh objects owned by this analysis: adjust in place rather than copy.
  c.score = Math.min(1, Math.max(c.score + CONTEXT_BOOST, CONTEXT_FLOOR));
  return c;
}

/**
 * Turns a resolved candidate into the entities the request selected: as is when its type is selected;
 * split into given and family names when only those were asked for; as the broad type when only that
 * was (a city is reported as `location_city`, which a request for `location` selects already).
 */
function narrowToSelection(
  text: string,
  w: Candidate & { scores: Partial<Record<DetectableType, number>> },
  selected: ReadonlySet<DetectableType>,
): DetectedEntity[] {
  const entity = (start: number, end: number, entityType: DetectableType): DetectedEntity => ({
    start,
    end,
    text: text.slice(start, end),
    entityType,
    score: w.score,
    scores: entityType === w.entityType ? w.scores : { [entityType]: w.score, ...w.scores },
    recognizer: w.recognizer,
  });
  if (selected.has(w.entityType)) return [entity(w.start, w.end, w.entityType)];
  if (w.entityType === 'name' && (selected.has('name_given') || selected.has('name_family'))) {
    // "Dr. Jane A. Doe": the last word is the family name, the first word after any title the given name.
    const words = [...text.slice(w.start, w.end).matchAll(/[\p{L}\p{M}][\p{L}\p{M}'’-]*/gu)].filter(
      (m) => !/^(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|herr|frau)$/i.test(m[0]) && m[0].length > 1,
    );
    const out: DetectedEntity[] = [];
    const given = words[0];
    const family = words.length > 1 ? words[words.length - 1] : undefined;
    if (given && selected.has('name_given') && given !== family) {
      out.push(entity(w.start + given.index, w.start + given.index + given[0].length, 'name_given'));
    }
    if (family && selected.has('name_family')) {
      out.push(entity(w.start + family.index, w.start + family.index + family[0].length, 'name_family'));
    }
    return out;
  }
  // A broad reading the recognizer offered as an alternative ("dob" also scored as "date").
  for (const t of Object.keys(w.scores) as DetectableType[]) {
    if (selected.has(t)) return [entity(w.start, w.end, t)];
  }
  return [];
}
