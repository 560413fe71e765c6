import type { DeidentifyHooks, DeidentifyRequestOptions } from '../deidentify/index.js';
import type { ReidentifyHooks, ReidentifyRequestOptions } from '../reidentify/index.js';
import { FileFormatError } from './errors.js';
import { deidentifyCsv, reidentifyCsv } from './formats/csv.js';
import { deidentifyDocx } from './formats/docx.js';
import { deidentifyJson, reidentifyJson } from './formats/json.js';
import { deidentifyTxt, reidentifyTxt } from './formats/txt.js';
import { deidentifyXlsx } from './formats/xlsx.js';
import { deidentifyXml, reidentifyXml } from './formats/xml.js';
import { type DeidentifiedFileEntity, type FormatContext, formatContext } from './job.js';
import { type FileLimits, resolveLimits } from './limits.js';
import type { FileProgress } from './progress.js';

export { FileFormatError } from './errors.js';
export type { DeidentifiedFileEntity } from './job.js';
export { DEFAULT_MAX_CELLS, DEFAULT_MAX_UNCOMPRESSED_BYTES, type FileLimits } from './limits.js';
export type { FileProgress } from './progress.js';

/** Formats {@link deidentifyFile} reads and writes (§6.4 `data_format` values). */
export const DEIDENTIFY_FILE_FORMATS = ['txt', 'csv', 'json', 'xml', 'xlsx', 'docx'] as const;
export type DeidentifyFileFormat = (typeof DEIDENTIFY_FILE_FORMATS)[number];

/** Formats {@link reidentifyFile} reads and writes (§6.6 `data_format` values). */
export const REIDENTIFY_FILE_FORMATS = ['txt', 'csv', 'json', 'xml'] as const;
export type ReidentifyFileFormat = (typeof REIDENTIFY_FILE_FORMATS)[number];

/** What the file functions take besides the request's own hooks. */
export interface FileHooks {
  /** Called as the analysis progresses, and once with `done === total` when the output is ready. */
  onProgress?: (p: FileProgress) => void;
  limits?: FileLimits;
}

/** A de-identified file. */
export interface DeidentifyFileResult {
  /** The processed file, in the format of the input. */
  readonly output: Buffer;
  /** Every entity found, in document order, each with the `path` of the piece of text it was in. */
  readonly entities: DeidentifiedFileEntity[];
  /** Words and characters of the file's text content (cells, values, text nodes, paragraphs; not markup). */
  readonly wordCount: number;
  readonly characterCount: number;
}

const DEIDENTIFIERS = {
  txt: deidentifyTxt,
  csv: deidentifyCsv,
  json: deidentifyJson,
  xml: deidentifyXml,
  xlsx: deidentifyXlsx,
  docx: deidentifyDocx,
} as const;

const REIDENTIFIERS = {
  txt: reidentifyTxt,
  csv: reidentifyCsv,
  json: reidentifyJson,
  xml: reidentifyXml,
} as const;

function context(hooks: FileHooks | undefined): FormatContext {
  return formatContext(resolveLimits(hooks?.limits), hooks?.onProgress);
}

/**
 * De-identifies a file (§6.4): only its text content changes; its structure, and in txt, csv, json and
 * xml files every byte outside the replaced values, stay as they were. One request's state — the
 * `NAME_1` counters, the date shift, the vault tokens (fetched in one tokenizer call per 10,000
 * distinct values, after the whole file was analysed) — spans the whole file.
 *
 * Throws {@link FileFormatError} for a malformed file or one over `hooks.limits` (its message is safe to
 * show: it never quotes the file), and, like `deidentifyString`, `InvalidRegexError` for a bad
 * allow/restrict pattern and `DeidentifyError` for vault tokens without a tokenizer.
 */
export async function deidentifyFile(
  input: Uint8Array,
  format: DeidentifyFileFormat,
  request: DeidentifyRequestOptions,
  hooks: DeidentifyHooks & FileHooks = {},
): Promise<DeidentifyFileResult> {
  const run = DEIDENTIFIERS[format];
  if (!run)
    throw new FileFormatError(`the file format ${JSON.stringify(format)} is not supported for de-identification`);
  const { output, job } = await run(input, request, hooks, context(hooks));
  return { output, entities: job.entities, wordCount: job.wordCount, characterCount: job.characterCount };
}

/**
 * Restores the vault tokens of a de-identified file (§6.6): every `[ENTITY_TYPE_token]` placeholder in
 * its text content is looked up through `hooks.detokenize` (one call per 10,000 distinct tokens) and
 * replaced by the value, its masked form or `[ENTITY_TYPE]` per `request.format`. Throws
 * {@link FileFormatError} like {@link deidentifyFile}.
 */
export async function reidentifyFile(
  input: Uint8Array,
  format: ReidentifyFileFormat,
  request: ReidentifyRequestOptions,
  hooks: ReidentifyHooks & FileHooks,
): Promise<{ output: Buffer }> {
  const run = REIDENTIFIERS[format];
  if (!run)
    throw new FileFormatError(`the file format ${JSON.stringify(format)} is not supported for re-identification`);
  return { output: await run(input, request, hooks, context(hooks)) };
}
