import { invalidInput } from '../errors/skyflow-error.js';
import { assignDefined, CallOptionsBase } from '../vault/common.js';
import type { ByteChunks } from '../vault/file-source.js';
import { DetectEntities, TokenType } from './enums.js';

export interface TokenFormatInit {
  /** The format of every entity type not listed below (default `ENTITY_UNIQUE_COUNTER`). */
  readonly default?: TokenType | undefined;
  /** Types written as vault tokens (their values are stored in the vault). */
  readonly vaultToken?: DetectEntities[] | undefined;
  readonly entityUniqueCounter?: DetectEntities[] | undefined;
  readonly entityOnly?: DetectEntities[] | undefined;
}

/** Which token format each entity type gets (§6.1 `token_type`); lists win over `default`. */
export class TokenFormat implements TokenFormatInit {
  default?: TokenType | undefined;
  vaultToken?: DetectEntities[] | undefined;
  entityUniqueCounter?: DetectEntities[] | undefined;
  entityOnly?: DetectEntities[] | undefined;

  constructor(init?: TokenFormatInit) {
    assignDefined(this, init as Partial<this>);
  }
  setDefault(tokenType: TokenType): this {
    this.default = tokenType;
    return this;
  }
  getDefault(): TokenType | undefined {
    return this.default;
  }
  setVaultToken(entities: DetectEntities[]): this {
    this.vaultToken = entities;
    return this;
  }
  getVaultToken(): DetectEntities[] | undefined {
    return this.vaultToken;
  }
  setEntityUniqueCounter(entities: DetectEntities[]): this {
    this.entityUniqueCounter = entities;
    return this;
  }
  getEntityUniqueCounter(): DetectEntities[] | undefined {
    return this.entityUniqueCounter;
  }
  setEntityOnly(entities: DetectEntities[]): this {
    this.entityOnly = entities;
    return this;
  }
  getEntityOnly(): DetectEntities[] | undefined {
    return this.entityOnly;
  }
}

/** Date shifting (§6.1 `transformations.shift_dates`): every date of the request moves by one random offset. */
export interface ShiftDays {
  /** Fewest days to move (may be negative). */
  readonly min?: number | undefined;
  /** Most days to move. */
  readonly max?: number | undefined;
  /** Which types move (default `date`, `date_interval` and `dob`). */
  readonly entities?: ('date' | 'date_interval' | 'dob')[] | undefined;
}

export class Transformations {
  shiftDays?: ShiftDays | undefined;

  constructor(init?: { readonly shiftDays?: ShiftDays | undefined }) {
    this.shiftDays = init?.shiftDays;
  }
  setShiftDays(shiftDays: ShiftDays): this {
    this.shiftDays = shiftDays;
    return this;
  }
  getShiftDays(): ShiftDays | undefined {
    return this.shiftDays;
  }
}

export interface DeidentifyTextOptionsInit {
  /** Entity types to find (default: all). */
  readonly entities?: DetectEntities[] | undefined;
  /** RE2 patterns whose matches stay in plain text. */
  readonly allowRegexList?: string[] | undefined;
  /** RE2 patterns whose matches become `[RESTRICTED]`. */
  readonly restrictRegexList?: string[] | undefined;
  readonly tokenFormat?: TokenFormat | TokenFormatInit | undefined;
  readonly transformations?: Transformations | { readonly shiftDays?: ShiftDays | undefined } | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

/** Options of `deidentifyText` (and the shared part of `deidentifyFile`'s). */
export class DeidentifyTextOptions extends CallOptionsBase implements DeidentifyTextOptionsInit {
  entities?: DetectEntities[] | undefined;
  allowRegexList?: string[] | undefined;
  restrictRegexList?: string[] | undefined;
  tokenFormat?: TokenFormat | TokenFormatInit | undefined;
  transformations?: Transformations | { readonly shiftDays?: ShiftDays | undefined } | undefined;

  constructor(init?: DeidentifyTextOptionsInit) {
    super();
    assignDefined(this, init as Partial<this>);
  }
  setEntities(entities: DetectEntities[]): this {
    this.entities = entities;
    return this;
  }
  getEntities(): DetectEntities[] | undefined {
    return this.entities;
  }
  setAllowRegexList(patterns: string[]): this {
    this.allowRegexList = patterns;
    return this;
  }
  getAllowRegexList(): string[] | undefined {
    return this.allowRegexList;
  }
  setRestrictRegexList(patterns: string[]): this {
    this.restrictRegexList = patterns;
    return this;
  }
  getRestrictRegexList(): string[] | undefined {
    return this.restrictRegexList;
  }
  setTokenFormat(tokenFormat: TokenFormat | TokenFormatInit): this {
    this.tokenFormat = tokenFormat;
    return this;
  }
  getTokenFormat(): TokenFormat | TokenFormatInit | undefined {
    return this.tokenFormat;
  }
  setTransformations(transformations: Transformations | { readonly shiftDays?: ShiftDays | undefined }): this {
    this.transformations = transformations;
    return this;
  }
  getTransformations(): Transformations | { readonly shiftDays?: ShiftDays | undefined } | undefined {
    return this.transformations;
  }
}

export interface ReidentifyTextOptionsInit {
  /** Types that come back as `[TYPE]` (the vault is not asked). */
  readonly redactedEntities?: DetectEntities[] | undefined;
  /** Types that come back masked. */
  readonly maskedEntities?: DetectEntities[] | undefined;
  /** Types that come back as their values (the default for unlisted types). */
  readonly plainTextEntities?: DetectEntities[] | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

export class ReidentifyTextOptions extends CallOptionsBase implements ReidentifyTextOptionsInit {
  redactedEntities?: DetectEntities[] | undefined;
  maskedEntities?: DetectEntities[] | undefined;
  plainTextEntities?: DetectEntities[] | undefined;

  constructor(init?: ReidentifyTextOptionsInit) {
    super();
    assignDefined(this, init as Partial<this>);
  }
  setRedactedEntities(entities: DetectEntities[]): this {
    this.redactedEntities = entities;
    return this;
  }
  getRedactedEntities(): DetectEntities[] | undefined {
    return this.redactedEntities;
  }
  setMaskedEntities(entities: DetectEntities[]): this {
    this.maskedEntities = entities;
    return this;
  }
  getMaskedEntities(): DetectEntities[] | undefined {
    return this.maskedEntities;
  }
  setPlainTextEntities(entities: DetectEntities[]): this {
    this.plainTextEntities = entities;
    return this;
  }
  getPlainTextEntities(): DetectEntities[] | undefined {
    return this.plainTextEntities;
  }
}

/** Longest `waitTime` (seconds), as in Skyflow's SDKs. */
export const MAX_WAIT_TIME = 64;

export interface DeidentifyFileOptionsInit extends DeidentifyTextOptionsInit {
  /**
   * How long to poll the run, in seconds (default and most 64): the first poll at once, then after 2,
   * 4, 8… s, the last wait shortened so the total is `waitTime`. A run still going then comes back with
   * `status: 'IN_PROGRESS'` and its `runId`, for {@link DetectController.getDetectRun}.
   */
  readonly waitTime?: number | undefined;
  /** Node: a directory to write the processed file (and the entities) into, as `processed-<name>.<ext>`. */
  readonly outputDirectory?: string | undefined;
  /** The file's name when it is given as bytes or a stream (its extension picks the endpoint). */
  readonly fileName?: string | undefined;
  /** The file's format (`txt`, `csv`, `json`, …) when its name has no extension. */
  readonly format?: string | undefined;
}

export class DeidentifyFileOptions extends DeidentifyTextOptions implements DeidentifyFileOptionsInit {
  waitTime?: number | undefined;
  outputDirectory?: string | undefined;
  fileName?: string | undefined;
  format?: string | undefined;

  constructor(init?: DeidentifyFileOptionsInit) {
    super();
    assignDefined(this, init as Partial<this>);
  }
  setWaitTime(seconds: number): this {
    this.waitTime = seconds;
    return this;
  }
  getWaitTime(): number | undefined {
    return this.waitTime;
  }
  setOutputDirectory(directory: string): this {
    this.outputDirectory = directory;
    return this;
  }
  getOutputDirectory(): string | undefined {
    return this.outputDirectory;
  }
  setFileName(fileName: string): this {
    this.fileName = fileName;
    return this;
  }
  setFormat(format: string): this {
    this.format = format;
    return this;
  }
}

/** A file to de-identify: a path (Node), bytes, a `File`/`Blob` or a stream. */
export type DetectFile = string | Uint8Array | ArrayBuffer | Blob | ByteChunks | ReadableStream<Uint8Array>;

const KNOWN_ENTITIES = new Set<string>(Object.values(DetectEntities));
const TOKEN_TYPES = new Set<string>(Object.values(TokenType));
const SHIFT_TYPES = new Set(['date', 'date_interval', 'dob']);

/** A list of entity types, checked against §6.9. */
export function entityList(value: unknown, operation: string, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidInput(`${operation}: ${name} must be a list of entity types.`);
  for (const item of value) {
    if (typeof item !== 'string' || !KNOWN_ENTITIES.has(item)) {
      throw invalidInput(
        `${operation}: ${name} holds "${String(item).slice(0, 40)}", which is not a Detect entity type.`,
      );
    }
  }
  return value as string[];
}

function patternList(value: unknown, operation: string, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((p) => typeof p !== 'string')) {
    throw invalidInput(`${operation}: ${name} must be a list of strings.`);
  }
  return value as string[];
}

function days(value: unknown, operation: string, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value)) throw invalidInput(`${operation}: ${name} must be a whole number of days.`);
  return value as number;
}

/** The §6.1 body fields of de-identification options (snake_case, unset fields left out). */
export function deidentifyBody(
  options: DeidentifyTextOptionsInit,
  operation: string,
  features: { transformations: boolean } = { transformations: true },
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const entityTypes = entityList(options.entities, operation, 'entities');
  if (entityTypes) body.entity_types = entityTypes;
  const allow = patternList(options.allowRegexList, operation, 'allowRegexList');
  if (allow) body.allow_regex = allow;
  const restrict = patternList(options.restrictRegexList, operation, 'restrictRegexList');
  if (restrict) body.restrict_regex = restrict;
  const format = options.tokenFormat;
  if (format !== undefined) {
    if (format.default !== undefined && !TOKEN_TYPES.has(format.default)) {
      throw invalidInput(`${operation}: tokenFormat.default must be one of ${[...TOKEN_TYPES].join(', ')}.`);
    }
    const tokenType: Record<string, unknown> = {};
    if (format.default !== undefined) tokenType.default = format.default;
    const vault = entityList(format.vaultToken, operation, 'tokenFormat.vaultToken');
    if (vault) tokenType.vault_token = vault;
    const counter = entityList(format.entityUniqueCounter, operation, 'tokenFormat.entityUniqueCounter');
    if (counter) tokenType.entity_unq_counter = counter;
    const only = entityList(format.entityOnly, operation, 'tokenFormat.entityOnly');
    if (only) tokenType.entity_only = only;
    body.token_type = tokenType;
  }
  const shift = options.transformations?.shiftDays;
  if (shift !== undefined && features.transformations) {
    const min = days(shift.min, operation, 'transformations.shiftDays.min');
    const max = days(shift.max, operation, 'transformations.shiftDays.max');
    const types = shift.entities;
    if (types !== undefined && (!Array.isArray(types) || types.some((t) => !SHIFT_TYPES.has(t)))) {
      throw invalidInput(`${operation}: transformations.shiftDays.entities takes date, date_interval and dob.`);
    }
    body.transformations = {
      shift_dates: {
        ...(min !== undefined && { min_days: min }),
        ...(max !== undefined && { max_days: max }),
        ...(types !== undefined && { entity_types: types }),
      },
    };
  }
  return body;
}
