import { Analyzer } from '../analyzer.js';
import { type DetectableType, isEntityType, placeholderStem, SUBTYPES } from '../entity-types.js';
import type { DetectedEntity } from '../model.js';
import { planShift, type ShiftPlan, shiftDateText } from './date-shift.js';
import { indexMapper } from './offsets.js';

/** §6.1 token formats. */
export type TokenFormat = 'entity_unq_counter' | 'entity_only' | 'vault_token';

/** §6.1 `token_type`. Empty or null members mean "not set". */
export interface TokenTypeOptions {
  default?: TokenFormat | null;
  vault_token?: readonly string[] | null;
  entity_unq_counter?: readonly string[] | null;
  entity_only?: readonly string[] | null;
}

/** §6.1 `transformations`. */
export interface Transformations {
  shift_dates?: {
    min_days?: number | null;
    max_days?: number | null;
    entity_types?: readonly string[] | null;
  } | null;
}

/**
 * The options of a §6.2/§6.4 request: everything but the text or file, as received (snake_case). Fields
 * the engine does not use (`vault_id`, `configuration_id`) may be present and are ignored.
 */
export interface DeidentifyRequestOptions {
  entity_types?: readonly string[] | null;
  token_type?: TokenTypeOptions | null;
  allow_regex?: readonly string[] | null;
  restrict_regex?: readonly string[] | null;
  transformations?: Transformations | null;
  [other: string]: unknown;
}

/** The §6.2 request body, as received (snake_case). */
export interface DeidentifyStringRequest extends DeidentifyRequestOptions {
  text: string;
}

/** One entity of the §6.2 response. */
export interface DeidentifiedEntity {
  /** What replaced the value: "NAME_1", "NAME", the vault token, "RESTRICTED", or the shifted date. */
  token: string;
  value: string;
  location: {
    start_index: number;
    end_index: number;
    start_index_processed: number;
    end_index_processed: number;
  };
  entity_type: string;
  entity_scores: Record<string, number>;
}

/** The §6.2 response body. */
export interface DeidentifyStringResponse {
  processed_text: string;
  entities: DeidentifiedEntity[];
  word_count: number;
  character_count: number;
}

/** A value to store in the vault for a `vault_token` entity. */
export interface TokenizeItem {
  value: string;
  entityType: DetectableType;
}

/**
 * Stores values in the vault and returns one token per item, in order. Called with the distinct values
 * that need a vault token: at most once per string request; a file (a {@link DeidentifySession}) calls it
 * once per {@link VAULT_TOKEN_BATCH} distinct values, after the whole file was analysed. Tokens must match
 * `[A-Za-z0-9-]+` so that re-identification can find them in text (written as `[ENTITY_TYPE_<token>]`).
 */
export type VaultTokenizer = (items: readonly TokenizeItem[]) => Promise<readonly string[]>;

/** Hooks a caller (the server) plugs into de-identification. */
export interface DeidentifyHooks {
  /** Required when any entity is to become a `vault_token`. */
  tokenizer?: VaultTokenizer;
  /** Random source for the date shift (default `Math.random`); inject a seeded one in tests. */
  random?: () => number;
  /** How indices in the response count characters (default `code_point`, like Skyflow's Python service). */
  indexUnit?: 'code_point' | 'utf16';
  /** Minimum entity score (default the analyzer's). */
  minScore?: number;
}

/** Raised for a request the engine cannot honour (e.g. vault tokens without a tokenizer). */
export class DeidentifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeidentifyError';
  }
}

const identity = (i: number): number => i;

/** "NAME_3" and "[NAME_3]", built once per type and number (most requests reuse the first few). */
const COUNTER_TOKENS = new Map<string, Array<[string, string]>>();
function counterToken(stem: string, n: number): [string, string] {
  let list = COUNTER_TOKENS.get(stem);
  if (!list) {
    list = [];
    COUNTER_TOKENS.set(stem, list);
  }
  if (n < 64) {
    const hit = list[n];
    if (hit) return hit;
  }
  const token = `${stem}_${n}`;
  const pair: [string, string] = [token, `[${token}]`];
  if (n < 64) list[n] = pair;
  return pair;
}

const ONLY_PLACEHOLDERS = new Map<string, string>();
function onlyPlaceholder(stem: string): string {
  let p = ONLY_PLACEHOLDERS.get(stem);
  if (p === undefined) {
    p = `[${stem}]`;
    ONLY_PLACEHOLDERS.set(stem, p);
  }
  return p;
}

const VAULT_TOKEN_RE = /^[A-Za-z0-9-]+$/;

/** Resolves the token format of an entity type from `token_type` (lists beat `default`; a broad type's list covers its narrower types). */
export function tokenFormatFor(type: DetectableType, options: TokenTypeOptions | null | undefined): TokenFormat {
  const lists: Array<[TokenFormat, readonly string[] | null | undefined]> = [
    ['vault_token', options?.vault_token],
    ['entity_only', options?.entity_only],
    ['entity_unq_counter', options?.entity_unq_counter],
  ];
  for (const [format, list] of lists) {
    if (!list || list.length === 0) continue;
    if (list.includes(type) || list.includes('all')) return format;
    for (const broad of list) {
      if (isEntityType(broad) && broad !== 'all' && SUBTYPES[broad]?.includes(type)) return format;
    }
  }
  return options?.default ?? 'entity_unq_counter';
}

/** Words (whitespace-separated runs) and characters (code points) of a text, as §6.2 reports them. */
export function countWordsAndCharacters(text: string): { words: number; characters: number } {
  let words = 0;
  let inWord = false;
  let surrogatePairs = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) surrogatePairs++;
    // Whitespace as JavaScript's \s defines it (ASCII, NBSP, Unicode spaces, line separators).
    const space =
      c === 32 ||
      (c >= 9 && c <= 13) ||
      c === 0xa0 ||
      c === 0x1680 ||
      (c >= 0x2000 && c <= 0x200a) ||
      c === 0x2028 ||
      c === 0x2029 ||
      c === 0x202f ||
      c === 0x205f ||
      c === 0x3000 ||
      c === 0xfeff;
    if (space) inWord = false;
    else if (!inWord) {
      inWord = true;
      words++;
    }
  }
  return { words, characters: text.length - surrogatePairs };
}

/** Key under which two mentions of a value share a counter: case and inner spacing do not matter. */
const valueKey = (type: string, value: string): string =>
  `${type}\u0000${(/\s\s|[\t\n\r]|^\s|\s$/u.test(value) ? value.trim().replace(/\s+/gu, ' ') : value).toLowerCase()}`;
/** Key under which mentions share a vault token: the exact value, since the vault gives back what it stored. */
const exactKey = (type: string, value: string): string => `${type}\u0000${value}`;

/** One entity's planned replacement; offsets are UTF-16 indices into the analysed text, end exclusive. */
export interface Replacement {
  start: number;
  end: number;
  value: string;
  entityType: string;
  scores: Record<string, number>;
  /** Filled in once tokens are known. */
  token: string;
  placeholder: string;
  format: TokenFormat | 'restricted' | 'shifted';
}

/**
 * De-identifies text (§6.2): detects entities, replaces each by its token, and reports where every
 * entity was in the original and where its token is in the processed text.
 */
export class Deidentifier {
  readonly analyzer: Analyzer;

  constructor(analyzer: Analyzer = new Analyzer()) {
    this.analyzer = analyzer;
  }

  /**
   * De-identifies text (§6.2). Calls `hooks.tokenizer` once when any entity is to become a vault
   * token. Throws `InvalidRegexError` for a bad allow/restrict pattern and {@link DeidentifyError} for
   * a request the hooks cannot serve.
   */
  async deidentify(request: DeidentifyStringRequest, hooks: DeidentifyHooks = {}): Promise<DeidentifyStringResponse> {
    const reps = this.plan(request, hooks);
    if (reps.some((r) => r.format === 'vault_token')) await assignVaultTokens(reps, hooks);
    return render(request.text, reps, hooks);
  }

  /**
   * The synchronous form of {@link deidentify} for requests that need no vault token (counters,
   * entity-only placeholders, restriction and date shifting); throws {@link DeidentifyError} otherwise.
   */
  deidentifySync(
    request: DeidentifyStringRequest,
    hooks: Omit<DeidentifyHooks, 'tokenizer'> = {},
  ): DeidentifyStringResponse {
    const reps = this.plan(request, hooks);
    if (reps.some((r) => r.format === 'vault_token')) {
      throw new DeidentifyError('token type vault_token needs the asynchronous deidentify() with a vault tokenizer');
    }
    return render(request.text, reps, hooks);
  }

  /**
   * Starts the de-identification of many pieces of text (a file's cells, values or paragraphs) as one
   * request: the counters (`NAME_1`), the date shift and the vault tokens span every piece.
   */
  session(request: DeidentifyRequestOptions, hooks: DeidentifyHooks = {}): DeidentifySession {
    return new DeidentifySession(this, request, hooks);
  }

  /** Detects entities and decides each one's replacement (vault tokens still to be fetched). */
  private plan(request: DeidentifyStringRequest, hooks: Omit<DeidentifyHooks, 'tokenizer'>): Replacement[] {
    const shift = planShift(request.transformations?.shift_dates, hooks.random ?? Math.random);
    const reps = this.detect(request.text, request, hooks, shift);
    numberCounters(reps, { counters: new Map(), seen: new Map() });
    return reps;
  }

  /**
   * Detects the entities of one text and decides each one's token format (counters and vault tokens
   * still to be assigned). Internal to the package: {@link DeidentifySession} plans pieces with it.
   */
  detect(
    text: string,
    request: DeidentifyRequestOptions,
    hooks: Omit<DeidentifyHooks, 'tokenizer'>,
    shift: ShiftPlan | undefined,
  ): Replacement[] {
    const analysis = this.analyzer.analyze(text, {
      entityTypes: request.entity_types ?? null,
      allowRegex: request.allow_regex ?? null,
      restrictRegex: request.restrict_regex ?? null,
      ...(hooks.minScore !== undefined ? { minScore: hooks.minScore } : {}),
    });

    const reps: Replacement[] = [];
    const toEntity = (e: DetectedEntity): Replacement => {
      // The analysis's scores object is fresh per call: hand it on rather than copy it.
      const scores = e.scores as Record<string, number>;
      let format: Replacement['format'] = tokenFormatFor(e.entityType, request.token_type);
      let token = '';
      if (shift?.entityTypes.has(e.entityType)) {
        const shifted = shiftDateText(e.text, shift.days);
        if (shifted !== undefined) {
          format = 'shifted';
          token = shifted;
        }
      }
      return {
        start: e.start,
        end: e.end,
        value: e.text,
        entityType: e.entityType,
        scores,
        token,
        placeholder: token,
        format,
      };
    };
    for (const e of analysis.entities) reps.push(toEntity(e));
    for (const r of analysis.restricted) {
      reps.push({
        start: r.start,
        end: r.end,
        value: r.text,
        entityType: r.entityType ?? 'restricted',
        scores: r.entities[0]
          ? (Object.fromEntries(Object.entries(r.entities[0].scores)) as Record<string, number>)
          : {},
        token: 'RESTRICTED',
        placeholder: '[RESTRICTED]',
        format: 'restricted',
      });
    }
    // Entities come in text order; restricted regions have to be merged in.
    if (analysis.restricted.length > 0) reps.sort((a, b) => a.start - b.start);
    return reps;
  }
}

/** Counter state of one request: the last number per placeholder stem, and the number of each value seen. */
interface CounterState {
  counters: Map<string, number>;
  seen: Map<string, number>;
}

/** Counters: the same value gets the same number within the request, numbered in text order per type. */
function numberCounters(reps: readonly Replacement[], state: CounterState): void {
  const { counters, seen } = state;
  for (const r of reps) {
    if (r.format === 'entity_unq_counter') {
      const stem = placeholderStem(r.entityType as DetectableType);
      const key = valueKey(r.entityType, r.value);
      let n = seen.get(key);
      if (n === undefined) {
        n = (counters.get(stem) ?? 0) + 1;
        counters.set(stem, n);
        seen.set(key, n);
      }
      const cached = counterToken(stem, n);
      r.token = cached[0];
      r.placeholder = cached[1];
    } else if (r.format === 'entity_only') {
      const stem = placeholderStem(r.entityType as DetectableType);
      r.token = stem;
      r.placeholder = onlyPlaceholder(stem);
    }
  }
}

/** Most distinct values one tokenizer call receives while de-identifying a file. */
export const VAULT_TOKEN_BATCH = 10_000;

/**
 * Fetches vault tokens for the replacements that need one: the distinct values, in one tokenizer call
 * per `batchSize` of them (a string request has a single batch).
 */
async function assignVaultTokens(
  reps: readonly Replacement[],
  hooks: DeidentifyHooks,
  batchSize = Number.POSITIVE_INFINITY,
): Promise<void> {
  const vaultReps = reps.filter((r) => r.format === 'vault_token');
  if (vaultReps.length > 0) {
    if (!hooks.tokenizer)
      throw new DeidentifyError('token type vault_token needs a vault tokenizer, and none was configured');
    const distinct = new Map<string, TokenizeItem>();
    for (const r of vaultReps) {
      const key = exactKey(r.entityType, r.value);
      if (!distinct.has(key)) distinct.set(key, { value: r.value, entityType: r.entityType as DetectableType });
    }
    const keys = [...distinct.keys()];
    const items = [...distinct.values()];
    const tokens: string[] = [];
    for (let from = 0; from < items.length; from += batchSize) {
      const batch = items.slice(from, from + batchSize);
      const got = await hooks.tokenizer(batch);
      if (got.length !== batch.length) {
        throw new DeidentifyError(`the vault tokenizer returned ${got.length} tokens for ${batch.length} values`);
      }
      for (const t of got) tokens.push(t);
    }
    const byKey = new Map(keys.map((k, i) => [k, tokens[i] ?? '']));
    for (const r of vaultReps) {
      const token = byKey.get(exactKey(r.entityType, r.value)) ?? '';
      if (!VAULT_TOKEN_RE.test(token)) {
        throw new DeidentifyError(
          `the vault tokenizer returned a token that cannot be embedded in text: ${JSON.stringify(token)}`,
        );
      }
      r.token = token;
      r.placeholder = `[${placeholderStem(r.entityType as DetectableType)}_${token}]`;
    }
  }
}

/** Writes the processed text and the §6.2 response for planned replacements. */
function render(
  text: string,
  reps: readonly Replacement[],
  hooks: Omit<DeidentifyHooks, 'tokenizer'>,
): DeidentifyStringResponse {
  let processed = '';
  let cursor = 0;
  const processedStarts: number[] = new Array(reps.length);
  for (let i = 0; i < reps.length; i++) {
    const r = reps[i] as Replacement;
    processed += text.slice(cursor, r.start);
    processedStarts[i] = processed.length;
    processed += r.placeholder;
    cursor = r.end;
  }
  processed += text.slice(cursor);

  const unit = hooks.indexUnit ?? 'code_point';
  const counts = countWordsAndCharacters(text);
  // Placeholders are ASCII: the processed text has characters outside the BMP only where the original had.
  const astral = counts.characters !== text.length;
  const inOriginal = astral ? indexMapper(text, unit) : identity;
  const inProcessed = astral ? indexMapper(processed, unit) : identity;
  const entities: DeidentifiedEntity[] = new Array(reps.length);
  for (let i = 0; i < reps.length; i++) {
    const r = reps[i] as Replacement;
    const pStart = processedStarts[i] ?? 0;
    entities[i] = {
      token: r.token,
      value: r.value,
      location: {
        start_index: inOriginal(r.start),
        end_index: inOriginal(r.end),
        start_index_processed: inProcessed(pStart),
        end_index_processed: inProcessed(pStart + r.placeholder.length),
      },
      entity_type: r.entityType,
      entity_scores: r.scores,
    };
  }
  return { processed_text: processed, entities, word_count: counts.words, character_count: counts.characters };
}

/** A piece of text planned in a {@link DeidentifySession}. */
export interface PlannedPiece {
  /** Its replacements in text order (UTF-16 offsets into the piece); vault tokens are set by `resolve()`. */
  readonly replacements: readonly Replacement[];
}

/**
 * One de-identification request spread over many pieces of text: `plan()` every piece (detection, with
 * counters and the date shift shared by all), then `resolve()` once (the vault tokens of every piece,
 * batched), then `render()` each piece. Only the replacements are kept between the steps, not the text.
 */
export class DeidentifySession {
  private readonly counters: CounterState = { counters: new Map(), seen: new Map() };
  private readonly shift: ShiftPlan | undefined;
  private readonly vaultReps: Replacement[] = [];
  private resolved = false;

  constructor(
    private readonly engine: Deidentifier,
    private readonly request: DeidentifyRequestOptions,
    private readonly hooks: DeidentifyHooks,
  ) {
    this.shift = planShift(request.transformations?.shift_dates, hooks.random ?? Math.random);
  }

  /** Detects the entities of one piece. Throws {@link DeidentifyError} at once when a vault token is needed and no tokenizer was given. */
  plan(text: string): PlannedPiece {
    if (this.resolved) throw new Error('DeidentifySession: plan() after resolve()');
    const reps = this.engine.detect(text, this.request, this.hooks, this.shift);
    numberCounters(reps, this.counters);
    for (const r of reps) {
      if (r.format !== 'vault_token') continue;
      if (!this.hooks.tokenizer)
        throw new DeidentifyError('token type vault_token needs a vault tokenizer, and none was configured');
      this.vaultReps.push(r);
    }
    return { replacements: reps };
  }

  /** Fetches the vault tokens of every planned piece, {@link VAULT_TOKEN_BATCH} distinct values per tokenizer call. */
  async resolve(): Promise<void> {
    if (this.vaultReps.length > 0) await assignVaultTokens(this.vaultReps, this.hooks, VAULT_TOKEN_BATCH);
    this.resolved = true;
  }

  /** The §6.2 response for one planned piece; `text` is the piece as planned. */
  render(text: string, piece: PlannedPiece): DeidentifyStringResponse {
    if (!this.resolved && this.vaultReps.length > 0) throw new Error('DeidentifySession: render() before resolve()');
    return render(text, piece.replacements, this.hooks);
  }
}

let shared: Deidentifier | undefined;

/** The process-wide default engine (built on first use), which {@link deidentifyString} and the file functions share. */
export function defaultDeidentifier(): Deidentifier {
  shared ??= new Deidentifier();
  return shared;
}

/**
 * De-identifies `request.text` with the process-wide default engine (§6.2). The server calls this with
 * the request body as received plus its hooks.
 */
export function deidentifyString(
  request: DeidentifyStringRequest,
  hooks: DeidentifyHooks = {},
): Promise<DeidentifyStringResponse> {
  return defaultDeidentifier().deidentify(request, hooks);
}
