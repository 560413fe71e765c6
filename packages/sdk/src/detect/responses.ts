import { base64ToBytes, fromUtf8 } from '../crypto/base64.js';
import { SkyflowError } from '../errors/skyflow-error.js';
import { isObject } from '../http/error-response.js';
import type { SkyflowRecordError } from '../vault/common.js';

/** An entity found by de-identification (skyflow-node's shape of §6.2's `entities`). */
export interface DetectedEntity {
  /** What replaced the value: `NAME_1`, `NAME`, a vault token, `RESTRICTED`, or the shifted date. */
  readonly token: string;
  readonly value: string;
  /** Where the value was in the original text (end exclusive, in code points). */
  readonly textIndex: { readonly start: number; readonly end: number };
  /** Where its token is in the processed text. */
  readonly processedIndex: { readonly start: number; readonly end: number };
  /** The §6.9 entity type. */
  readonly entity: string;
  /** Score of each reading of the span, by entity type. */
  readonly scores: Readonly<Record<string, number>>;
  /** In a file: where the text holding the entity is (a cell, a JSON pointer, a paragraph), when the server says. */
  readonly path?: string | undefined;
}

export class DeidentifyTextResponse {
  readonly processedText: string;
  readonly entities: DetectedEntity[];
  readonly wordCount: number;
  readonly charCount: number;
  /** Always empty: a call succeeds or throws. */
  readonly errors: SkyflowRecordError[] = [];
  constructor(init: { processedText: string; entities: DetectedEntity[]; wordCount: number; charCount: number }) {
    this.processedText = init.processedText;
    this.entities = init.entities;
    this.wordCount = init.wordCount;
    this.charCount = init.charCount;
  }
}

export class ReidentifyTextResponse {
  readonly processedText: string;
  constructor(init: { processedText: string }) {
    this.processedText = init.processedText;
  }
}

/** A file of a run's output: base64 and its extension (skyflow-node's shape). */
export interface DetectOutputFile {
  readonly file: string;
  readonly extension: string;
}

/** The result of `deidentifyFile` and `getDetectRun`. Fields after `status` are Strongroom's additions. */
export class DeidentifyFileResponse {
  /** The processed file's bytes (once the run succeeded). */
  readonly file: Uint8Array | undefined;
  /** The same, base64. */
  readonly fileBase64: string | undefined;
  /** `redacted_text` for text files, `redacted_file` for the others. */
  readonly type: string | undefined;
  /** The processed file's extension (its format). */
  readonly extension: string | undefined;
  readonly wordCount: number;
  readonly charCount: number;
  /** Size of the uploaded file in KB. */
  readonly sizeInKb: number;
  readonly durationInSeconds: number;
  readonly pageCount: number;
  readonly slideCount: number;
  /** The entity lists of the run, as files (JSON, base64). */
  readonly entities: DetectOutputFile[];
  readonly runId: string;
  /** `SUCCESS`, `IN_PROGRESS` (still running when polling stopped) or `FAILED` (from `getDetectRun`). */
  readonly status: string;
  /** The entities found, read from the entity files. */
  readonly detectedEntities: DetectedEntity[];
  /** Why the run failed, when it did. */
  readonly message: string;
  /** How far the server has got (in its own units) while the run is in progress. */
  readonly progress: { readonly done: number; readonly total: number } | undefined;

  constructor(init: Partial<Omit<DeidentifyFileResponse, 'runId' | 'status'>> & { runId: string; status: string }) {
    this.file = init.file;
    this.fileBase64 = init.fileBase64;
    this.type = init.type;
    this.extension = init.extension;
    this.wordCount = init.wordCount ?? 0;
    this.charCount = init.charCount ?? 0;
    this.sizeInKb = init.sizeInKb ?? 0;
    this.durationInSeconds = init.durationInSeconds ?? 0;
    this.pageCount = init.pageCount ?? 0;
    this.slideCount = init.slideCount ?? 0;
    this.entities = init.entities ?? [];
    this.runId = init.runId;
    this.status = init.status;
    this.detectedEntities = init.detectedEntities ?? [];
    this.message = init.message ?? '';
    this.progress = init.progress;
  }
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** One §6.2 entity (snake_case on the wire) in skyflow-node's camelCase shape. */
export function detectedEntity(raw: unknown): DetectedEntity {
  const e = isObject(raw) ? raw : {};
  const location = isObject(e.location) ? e.location : {};
  const scores = isObject(e.entity_scores) ? e.entity_scores : {};
  return {
    token: str(e.token),
    value: str(e.value),
    textIndex: { start: num(location.start_index), end: num(location.end_index) },
    processedIndex: { start: num(location.start_index_processed), end: num(location.end_index_processed) },
    entity: str(e.entity_type),
    scores: Object.fromEntries(Object.entries(scores).filter(([, v]) => typeof v === 'number')) as Record<
      string,
      number
    >,
    ...(typeof e.path === 'string' && { path: e.path }),
  };
}

export function parseDeidentifyText(body: unknown): DeidentifyTextResponse {
  const r = isObject(body) ? body : {};
  return new DeidentifyTextResponse({
    processedText: str(r.processed_text),
    entities: Array.isArray(r.entities) ? r.entities.map(detectedEntity) : [],
    wordCount: num(r.word_count),
    charCount: num(r.character_count),
  });
}

/** The §6.5 run status (camelCase on the wire) as a {@link DeidentifyFileResponse}. */
export function parseRun(body: unknown, runId: string, operation: string, requestId?: string): DeidentifyFileResponse {
  const r = isObject(body) ? body : {};
  const status = str(r.status).toUpperCase();
  const output = Array.isArray(r.output) ? r.output.filter(isObject) : [];
  const main = output[0];
  const entityFiles = output
    .filter((o) => o.processedFileType === 'entities')
    .map((o) => ({ file: str(o.processedFile), extension: str(o.processedFileExtension) }));
  const detectedEntities: DetectedEntity[] = [];
  for (const { file } of entityFiles) {
    try {
      const parsed: unknown = JSON.parse(fromUtf8(base64ToBytes(file)));
      if (Array.isArray(parsed)) detectedEntities.push(...parsed.map(detectedEntity));
    } catch {
      // No cause: a parser's message could quote the file, which holds values.
      throw new SkyflowError({
        code: 'INVALID_RESPONSE',
        message: `${operation}: the run's entity list is not JSON.`,
        requestId,
      });
    }
  }
  const counts = isObject(r.wordCharacterCount) ? r.wordCharacterCount : {};
  const progress = isObject(r.progress) ? { done: num(r.progress.done), total: num(r.progress.total) } : undefined;
  const fileBase64 = main && status === 'SUCCESS' ? str(main.processedFile) : undefined;
  return new DeidentifyFileResponse({
    file: fileBase64 === undefined ? undefined : base64ToBytes(fileBase64),
    fileBase64,
    type: main ? str(main.processedFileType) : undefined,
    extension: main ? str(main.processedFileExtension) : undefined,
    wordCount: num(counts.wordCount),
    charCount: num(counts.characterCount),
    sizeInKb: num(r.size),
    durationInSeconds: num(r.duration),
    pageCount: num(r.pages),
    slideCount: num(r.slides),
    entities: entityFiles,
    runId: str(r.runId) || runId,
    status,
    detectedEntities,
    message: str(r.message),
    progress,
  });
}
