import {
  type DeidentifiedEntity,
  type DeidentifyHooks,
  type DeidentifyRequestOptions,
  type DeidentifySession,
  defaultDeidentifier,
  type PlannedPiece,
  type Replacement,
} from '../deidentify/index.js';
import type { ReidentifyHooks, ReidentifyRequestOptions } from '../reidentify/index.js';
import { type FoundPiece, ReidentifySession } from '../reidentify/index.js';
import { CellCounter, type ResolvedLimits } from './limits.js';
import { type FileProgress, ProgressReporter } from './progress.js';

/** An entity found in a file: the §6.2 entity plus where in the file it was. */
export interface DeidentifiedFileEntity extends DeidentifiedEntity {
  /**
   * Where the piece of text holding the entity is: `line 12` (txt), `row 3, column email` (csv), a JSON
   * pointer (`/users/0/email`), an XPath-like path (`/people/person[2]/@email`), a cell (`Sheet1!B3`), or
   * a paragraph (`document paragraph 12`). Locations are relative to that piece, except in txt files,
   * where they count from the start of the file.
   */
  readonly path: string;
}

/** What every format needs from the caller. */
export interface FormatContext {
  readonly limits: ResolvedLimits;
  readonly cells: CellCounter;
  readonly onProgress: ((p: FileProgress) => void) | undefined;
}

export function formatContext(
  limits: ResolvedLimits,
  onProgress: ((p: FileProgress) => void) | undefined,
): FormatContext {
  return { limits, cells: new CellCounter(limits), onProgress };
}

/**
 * The de-identification of one file: plans pieces of text (reporting progress), fetches the vault
 * tokens once, renders pieces and gathers the entities and counts of the whole file.
 */
export class DeidentifyJob {
  readonly entities: DeidentifiedFileEntity[] = [];
  wordCount = 0;
  characterCount = 0;
  private readonly session: DeidentifySession;
  readonly progress: ProgressReporter;

  constructor(request: DeidentifyRequestOptions, hooks: DeidentifyHooks, context: FormatContext, totalUnits: number) {
    this.session = defaultDeidentifier().session(request, hooks);
    this.progress = new ProgressReporter(totalUnits, context.onProgress);
  }

  /** Detects the entities of one piece, counting `units` of progress. */
  async plan(text: string, units = 1): Promise<PlannedPiece> {
    const planned = this.session.plan(text);
    await this.progress.advance(units);
    return planned;
  }

  /** Counts progress for work that needs no detection (empty cells, numbers). */
  async skip(units: number): Promise<void> {
    await this.progress.advance(units);
  }

  resolve(): Promise<void> {
    return this.session.resolve();
  }

  /**
   * The processed text of a planned piece; records its entities (with `path`, and offsets moved by
   * `base` when given) and counts its words and characters.
   */
  render(
    text: string,
    planned: PlannedPiece,
    path: string | ((r: Replacement) => string),
    base?: { original: number; processed: number },
  ): string {
    const response = this.session.render(text, planned);
    this.wordCount += response.word_count;
    this.characterCount += response.character_count;
    response.entities.forEach((e, i) => {
      const where = typeof path === 'string' ? path : path(planned.replacements[i] as Replacement);
      const loc = e.location;
      this.entities.push({
        ...e,
        location: base
          ? {
              start_index: loc.start_index + base.original,
              end_index: loc.end_index + base.original,
              start_index_processed: loc.start_index_processed + base.processed,
              end_index_processed: loc.end_index_processed + base.processed,
            }
          : loc,
        path: where,
      });
    });
    return response.processed_text;
  }
}

/** The re-identification of one file: collects placeholders, detokenizes once, renders pieces. */
export class ReidentifyJob {
  private readonly session: ReidentifySession;
  readonly progress: ProgressReporter;

  constructor(request: ReidentifyRequestOptions, hooks: ReidentifyHooks, context: FormatContext, totalUnits: number) {
    this.session = new ReidentifySession(request.format, hooks);
    this.progress = new ProgressReporter(totalUnits, context.onProgress);
  }

  async collect(text: string, units = 1): Promise<FoundPiece> {
    const found = this.session.collect(text);
    await this.progress.advance(units);
    return found;
  }

  async skip(units: number): Promise<void> {
    await this.progress.advance(units);
  }

  resolve(): Promise<void> {
    return this.session.resolve();
  }

  render(text: string, found: FoundPiece): string {
    return this.session.render(text, found);
  }
}
