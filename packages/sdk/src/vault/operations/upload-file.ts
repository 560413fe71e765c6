import { invalidInput } from '../../errors/skyflow-error.js';
import { isObject } from '../../http/error-response.js';
import { assignDefined, CallOptionsBase, optionalBoolean, requireTable, type SkyflowRecordError } from '../common.js';
import { type ByteChunks, readFileSource } from '../file-source.js';
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
  const file = await readFileSource(options, OPERATION);
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

export type { ByteChunks };
