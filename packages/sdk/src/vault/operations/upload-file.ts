import { base64ToBytes } from '../../crypto/base64.js';
import { invalidInput } from '../../errors/skyflow-error.js';
import { isObject } from '../../http/error-response.js';
import { assignDefined, CallOptionsBase, optionalBoolean, requireTable, type SkyflowRecordError } from '../common.js';
import type { OperationPlan } from '../operation.js';

/**
 * A file for a file column of a table: into the record `skyflowId` (an option) or into a new record.
 * skyflow-node's older `new FileUploadRequest(table, skyflowId, columnName)` is accepted too.
 */
export class FileUploadRequest {
  public table: string;
  public columnName: string;
  /** @deprecated give the record in `FileUploadOptions.skyflowId`. */
  public skyflowId?: string | undefined;

  constructor(table: string, columnNameOrSkyflowId: string, columnName?: string) {
    this.table = table;
    if (columnName === undefined) {
      this.columnName = columnNameOrSkyflowId;
    } else {
      this.skyflowId = columnNameOrSkyflowId;
      this.columnName = columnName;
    }
  }
}

/** Bytes as Node streams them (`fs.createReadStream`, `Readable`) or any async iterable of chunks. */
export type ByteChunks = AsyncIterable<Uint8Array | string>;

export interface FileUploadOptionsInit {
  /** The record to put the file in; without it a new record is created. */
  readonly skyflowId?: string | undefined;
  /** Path of a file to read (Node only). */
  readonly filePath?: string | undefined;
  /** The file as base64, with `fileName`. */
  readonly base64?: string | undefined;
  /** A `File` (its name is used) or a `Blob` (with `fileName`). */
  readonly fileObject?: Blob | undefined;
  /** The bytes (a Node `Buffer` is a `Uint8Array`), with `fileName`. */
  readonly buffer?: Uint8Array | ArrayBuffer | undefined;
  /** A stream of the bytes (Node `Readable`, web `ReadableStream`), with `fileName`; read into memory first. */
  readonly stream?: ByteChunks | ReadableStream<Uint8Array> | undefined;
  /** Name stored with the file (default: the path's or File's name, else "file"). */
  readonly fileName?: string | undefined;
  /** Media type stored with the file (default: the Blob's, else application/octet-stream). */
  readonly contentType?: string | undefined;
  /** Return the file's name, size and type. */
  readonly returnFileMetadata?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

export class FileUploadOptions extends CallOptionsBase implements FileUploadOptionsInit {
  skyflowId?: string | undefined;
  filePath?: string | undefined;
  base64?: string | undefined;
  fileObject?: Blob | undefined;
  buffer?: Uint8Array | ArrayBuffer | undefined;
  stream?: ByteChunks | ReadableStream<Uint8Array> | undefined;
  fileName?: string | undefined;
  contentType?: string | undefined;
  returnFileMetadata?: boolean | undefined;

  constructor(init?: FileUploadOptionsInit) {
    super();
    assignDefined(this, init as Partial<this>);
  }
  setSkyflowId(skyflowId: string): this {
    this.skyflowId = skyflowId;
    return this;
  }
  getSkyflowId(): string | undefined {
    return this.skyflowId;
  }
  setFilePath(filePath: string): this {
    this.filePath = filePath;
    return this;
  }
  getFilePath(): string | undefined {
    return this.filePath;
  }
  setBase64(base64: string): this {
    this.base64 = base64;
    return this;
  }
  getBase64(): string | undefined {
    return this.base64;
  }
  setFileObject(fileObject: Blob): this {
    this.fileObject = fileObject;
    return this;
  }
  getFileObject(): Blob | undefined {
    return this.fileObject;
  }
  setBuffer(buffer: Uint8Array | ArrayBuffer): this {
    this.buffer = buffer;
    return this;
  }
  setStream(stream: ByteChunks | ReadableStream<Uint8Array>): this {
    this.stream = stream;
    return this;
  }
  setFileName(fileName: string): this {
    this.fileName = fileName;
    return this;
  }
  getFileName(): string | undefined {
    return this.fileName;
  }
  setContentType(contentType: string): this {
    this.contentType = contentType;
    return this;
  }
  setReturnFileMetadata(returnFileMetadata: boolean): this {
    this.returnFileMetadata = returnFileMetadata;
    return this;
  }
}

export interface FileMetadata {
  readonly fileName: string;
  readonly fileSizeKB: number;
  readonly fileType: string;
}

export class FileUploadResponse {
  /** The record holding the file (new or given). */
  readonly skyflowId: string;
  /** With `returnFileMetadata`: the stored file's name, size and type. */
  readonly fileMetadata: FileMetadata | undefined;
  /** Always empty: an upload succeeds or fails as a whole. */
  readonly errors: SkyflowRecordError[];
  constructor(init: { skyflowId: string; fileMetadata?: FileMetadata | undefined; errors?: SkyflowRecordError[] }) {
    this.skyflowId = init.skyflowId;
    this.fileMetadata = init.fileMetadata;
    this.errors = init.errors ?? [];
  }
}

const OPERATION = 'uploadFile';
const SOURCES = ['filePath', 'base64', 'fileObject', 'buffer', 'stream'] as const;

export async function planUploadFile(
  request: FileUploadRequest,
  options: FileUploadOptionsInit = {},
): Promise<OperationPlan<FileUploadResponse>> {
  const table = requireTable(request?.table, OPERATION);
  const column = request.columnName;
  if (typeof column !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(column)) {
    throw invalidInput(`${OPERATION}: columnName must be a column name.`);
  }
  const skyflowId = options.skyflowId ?? request.skyflowId;
  if (skyflowId !== undefined && (typeof skyflowId !== 'string' || skyflowId === '')) {
    throw invalidInput(`${OPERATION}: skyflowId must be a record ID.`);
  }
  const returnFileMetadata = optionalBoolean(options.returnFileMetadata, OPERATION, 'returnFileMetadata') ?? false;
  const file = await fileOf(options);
  const form = new FormData();
  form.append('tableName', table);
  form.append('columnName', column);
  if (skyflowId !== undefined) form.append('skyflowID', skyflowId);
  form.append('returnFileMetadata', String(returnFileMetadata));
  form.append('file', file.blob, file.name);
  return {
    operation: OPERATION,
    method: 'POST',
    path: '/files/upload',
    form,
    // Into an existing record an upload replaces the file, so it can be repeated; a new record cannot.
    idempotent: skyflowId !== undefined,
    table,
    count: 1,
    parse: (body) => {
      const r = isObject(body) ? body : {};
      const metadata = isObject(r.fileMetadata) ? r.fileMetadata[column] : undefined;
      return new FileUploadResponse({
        skyflowId: String(r.skyflowID ?? r.skyflow_id ?? skyflowId ?? ''),
        fileMetadata: isObject(metadata) ? (metadata as unknown as FileMetadata) : undefined,
      });
    },
  };
}

async function fileOf(options: FileUploadOptionsInit): Promise<{ blob: Blob; name: string }> {
  const given = SOURCES.filter((source) => options[source] !== undefined);
  if (given.length !== 1) {
    throw invalidInput(
      `${OPERATION}: give exactly one of ${SOURCES.join(', ')}${given.length > 1 ? `; got ${given.join(' and ')}` : ''}.`,
    );
  }
  const type = options.contentType;
  const named = (fallback: string | undefined) => options.fileName ?? fallback ?? 'file';
  if (options.filePath !== undefined) {
    const { readFile } = await nodeFs();
    const { basename } = await import('node:path');
    let bytes: Uint8Array;
    try {
      bytes = await readFile(options.filePath);
    } catch (error) {
      const code = isObject(error) && typeof error.code === 'string' ? ` (${error.code})` : '';
      throw invalidInput(`${OPERATION}: the file could not be read${code}.`);
    }
    return {
      blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: type ?? '' }),
      name: named(basename(options.filePath)),
    };
  }
  if (options.base64 !== undefined) {
    let bytes: Uint8Array;
    try {
      bytes = base64ToBytes(options.base64);
    } catch {
      throw invalidInput(`${OPERATION}: base64 is not valid base64.`);
    }
    return { blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: type ?? '' }), name: named(undefined) };
  }
  if (options.fileObject !== undefined) {
    const blob = options.fileObject;
    if (!(blob instanceof Blob)) throw invalidInput(`${OPERATION}: fileObject must be a File or a Blob.`);
    const fileName = 'name' in blob && typeof blob.name === 'string' && blob.name ? blob.name : undefined;
    const typed = type !== undefined && type !== blob.type ? new Blob([blob], { type }) : blob;
    return { blob: typed, name: named(fileName) };
  }
  if (options.buffer !== undefined) {
    const bytes = options.buffer;
    if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer)) {
      throw invalidInput(`${OPERATION}: buffer must be a Uint8Array, a Buffer or an ArrayBuffer.`);
    }
    return { blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: type ?? '' }), name: named(undefined) };
  }
  return { blob: new Blob(await readChunks(options.stream), { type: type ?? '' }), name: named(undefined) };
}

/** Reads a whole stream; a multipart body needs the file's length, and a retry needs the bytes again. */
async function readChunks(stream: unknown): Promise<Uint8Array<ArrayBuffer>[]> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  const encoder = new TextEncoder();
  const add = (chunk: unknown) => {
    if (typeof chunk === 'string') chunks.push(encoder.encode(chunk));
    else if (chunk instanceof Uint8Array) chunks.push(chunk as Uint8Array<ArrayBuffer>);
    else throw invalidInput(`${OPERATION}: stream chunks must be bytes or strings.`);
  };
  if (typeof ReadableStream !== 'undefined' && stream instanceof ReadableStream) {
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      add(value);
    }
  } else if (
    isObject(stream) &&
    typeof (stream as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  ) {
    for await (const chunk of stream as unknown as ByteChunks) add(chunk);
  } else {
    throw invalidInput(`${OPERATION}: stream must be a ReadableStream or an async iterable of bytes.`);
  }
  return chunks;
}

async function nodeFs(): Promise<typeof import('node:fs/promises')> {
  try {
    return await import('node:fs/promises');
  } catch {
    throw invalidInput(`${OPERATION}: filePath needs Node; in a browser give a File, a Blob or bytes.`);
  }
}
