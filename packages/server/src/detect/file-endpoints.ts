import {
  DEIDENTIFY_FILE_FORMATS,
  type DeidentifyFileFormat,
  REIDENTIFY_FILE_FORMATS,
  type ReidentifyFileFormat,
} from '@strongroom/detect';
import { badRequest } from '../errors.js';

/** The §6.4 de-identify file endpoints, by the path segment after `/v1/detect/deidentify/`. */
export type FileEndpointName =
  | 'file'
  | 'file/text'
  | 'file/structured_text'
  | 'file/document'
  | 'file/document/pdf'
  | 'file/image'
  | 'file/spreadsheet'
  | 'file/presentation'
  | 'file/audio';

export interface FileEndpoint {
  readonly name: FileEndpointName;
  readonly path: string;
  /** Every `file.data_format` the endpoint takes on the wire (§6.4, with the OAS additions). */
  readonly formats: readonly string[];
  /** The format assumed when `data_format` is missing (the PDF endpoint only; Python relies on it). */
  readonly defaultFormat?: string;
  /** Whether `token_type` may ask for vault tokens here (`TokenType` rather than `TokenTypeWithoutVault`). */
  readonly vaultTokens: boolean | ((format: string) => boolean);
  /** Whether the endpoint takes `transformations` (§6.4: text, structured text, generic, audio). */
  readonly transformations: boolean;
}

const endpoint = (
  name: FileEndpointName,
  formats: readonly string[],
  extra: Omit<FileEndpoint, 'name' | 'path' | 'formats'>,
): FileEndpoint => ({ name, path: `/v1/detect/deidentify/${name}`, formats, ...extra });

/** §6.4's table. */
export const FILE_ENDPOINTS: readonly FileEndpoint[] = [
  endpoint(
    'file',
    [
      'bmp',
      'csv',
      'dcm',
      'doc',
      'docx',
      'gif',
      'jpeg',
      'jpg',
      'json',
      'jsonl',
      'mp3',
      'pdf',
      'png',
      'ppt',
      'pptx',
      'tif',
      'tiff',
      'txt',
      'wav',
      'xls',
      'xlsx',
      'xml',
      'zip',
    ],
    { vaultTokens: true, transformations: true },
  ),
  endpoint('file/text', ['txt'], { vaultTokens: true, transformations: true }),
  endpoint('file/structured_text', ['json', 'xml', 'jsonl'], { vaultTokens: true, transformations: true }),
  endpoint('file/document', ['pdf', 'doc', 'docx'], { vaultTokens: false, transformations: false }),
  endpoint('file/document/pdf', ['pdf'], { defaultFormat: 'pdf', vaultTokens: false, transformations: false }),
  endpoint('file/image', ['jpg', 'jpeg', 'tif', 'tiff', 'png', 'bmp', 'dcm', 'gif'], {
    vaultTokens: false,
    transformations: false,
  }),
  // OAS: vault tokens only for CSV.
  endpoint('file/spreadsheet', ['csv', 'xls', 'xlsx'], {
    vaultTokens: (format) => format === 'csv',
    transformations: false,
  }),
  endpoint('file/presentation', ['ppt', 'pptx'], { vaultTokens: false, transformations: false }),
  endpoint('file/audio', ['mp3', 'wav'], { vaultTokens: false, transformations: true }),
];

const PROCESSED = new Set<string>(DEIDENTIFY_FILE_FORMATS);
const REIDENTIFIED = new Set<string>(REIDENTIFY_FILE_FORMATS);

/** The formats §6.6 names for re-identification (OAS adds jsonl). */
const REIDENTIFY_WIRE_FORMATS = ['txt', 'csv', 'json', 'xml', 'jsonl'];

const list = (formats: Iterable<string>) => [...formats].join(', ');

function notYet(format: string, supported: Iterable<string>, what: string): Error {
  return badRequest(
    `data_format "${format}" is not supported yet: Strongroom ${what} ${list(supported)} files. ` +
      'PDF, images, presentations, audio and the other formats come in a later release.',
  );
}

/** Lower-cased, and at most a short word: the wire value is an extension. */
function normalise(format: unknown): string {
  return typeof format === 'string' ? format.trim().toLowerCase().slice(0, 32) : '';
}

/**
 * The format a de-identify request's file is processed as: it must be one the endpoint takes (400
 * naming the endpoint's formats otherwise) and one Strongroom processes (400 saying it is not supported
 * yet otherwise).
 */
export function deidentifyFormatOf(endpoint: FileEndpoint, dataFormat: string | undefined): DeidentifyFileFormat {
  const format = normalise(dataFormat ?? endpoint.defaultFormat);
  if (format === '')
    throw badRequest(`file.data_format is required; ${endpoint.path} takes ${list(endpoint.formats)}.`);
  if (!endpoint.formats.includes(format)) {
    throw badRequest(
      `data_format "${format}" is not accepted by ${endpoint.path}; it takes ${list(endpoint.formats)}.`,
    );
  }
  if (!PROCESSED.has(format)) throw notYet(format, DEIDENTIFY_FILE_FORMATS, 'de-identifies');
  return format as DeidentifyFileFormat;
}

/** The format of a §6.6 re-identify file request (400 for other formats). */
export function reidentifyFormatOf(dataFormat: string): ReidentifyFileFormat {
  const format = normalise(dataFormat);
  if (!REIDENTIFY_WIRE_FORMATS.includes(format)) {
    throw badRequest(
      `data_format "${format}" is not accepted by /v1/detect/reidentify/file; it takes ${list(REIDENTIFY_WIRE_FORMATS)}.`,
    );
  }
  if (!REIDENTIFIED.has(format)) throw notYet(format, REIDENTIFY_FILE_FORMATS, 're-identifies');
  return format as ReidentifyFileFormat;
}

/** Whether vault tokens may be asked for on this endpoint with this format. */
export function allowsVaultTokens(endpoint: FileEndpoint, format: string): boolean {
  return typeof endpoint.vaultTokens === 'function' ? endpoint.vaultTokens(format) : endpoint.vaultTokens;
}

/** §6.5 `processedFileType` of a run's main output: plain text files are `redacted_text`. */
export function processedFileType(format: string): 'redacted_text' | 'redacted_file' {
  return format === 'txt' ? 'redacted_text' : 'redacted_file';
}
