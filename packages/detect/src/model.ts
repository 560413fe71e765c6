import type { DetectableType } from './entity-types.js';
import type { Doc } from './text/doc.js';

/**
 * A span a recognizer proposes. Offsets are UTF-16 code-unit indices into the analysed text (what
 * `String.prototype.slice` takes), `end` exclusive.
 */
export interface Candidate {
  start: number;
  end: number;
  entityType: DetectableType;
  /** Confidence in 0..1 before context adjustment. */
  score: number;
  /** Name of the recognizer that proposed it (for explanations and tests). */
  recognizer: string;
  /**
   * Words that, seen shortly before the span, make this reading more likely (lower-case, single words
   * or short phrases). Set by pattern recognizers whose bare match is ambiguous.
   */
  context?: readonly string[];
  /** When true the candidate is only kept if a context word was found. */
  requiresContext?: boolean;
  /** Other readings of the same span with their scores (e.g. a name that is also a city). */
  alternatives?: Partial<Record<DetectableType, number>>;
}

/** A detected entity after context scoring, allow/deny lists and overlap resolution. */
export interface DetectedEntity {
  start: number;
  end: number;
  /** The original text of the span. */
  text: string;
  entityType: DetectableType;
  /** Confidence in 0..1. */
  score: number;
  /** Every reading considered for this span, best first; always includes `entityType`. */
  scores: Partial<Record<DetectableType, number>>;
  recognizer: string;
}

/** A recognizer finds candidates of one family of entity types in a prepared document. */
export interface Recognizer {
  readonly name: string;
  /**
   * The types it can produce (documentation and custom-recognizer bookkeeping: the analyzer runs every
   * recognizer whatever was requested, so that overlaps are resolved the same way for any selection).
   */
  readonly entityTypes: readonly DetectableType[];
  find(doc: Doc): Candidate[];
}
