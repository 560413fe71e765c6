import { base64ToBytes } from '../crypto/base64.js';
import { invalidInput } from '../errors/skyflow-error.js';
import { isObject } from '../http/error-response.js';

/** Bytes as Node streams them (`fs.createReadStream`, `Readable`) or any async iterable of chunks. */
export type ByteChunks = AsyncIterable<Uint8Array | string>;

/** Where a file to send comes from: exactly one of the sources, with an optional name and media type. */
export interface FileSource {
  /** Path of a file to read (Node only). */
  readonly filePath?: string | undefined;
  /** The file as base64. */
  readonly base64?: string | undefined;
  /** A `File` (its name is used) or a `Blob`. */
  readonly fileObject?: Blob | undefined;
  /** The bytes (a Node `Buffer` is a `Uint8Array`). */
  readonly buffer?: Uint8Array | ArrayBuffer | undefined;
  /** A stream of the bytes (Node `Readable`, web `ReadableStream`); read into memory first. */
  readonly stream?: ByteChunks | ReadableStream<Uint8Array> | undefined;
  /** Name of the file (default: the path's or File's name, else "file"). */
  readonly fileName?: string | undefined;
  /** Media type (default: the Blob's, else none). */
  readonly contentType?: string | undefined;
}

const SOURCES = ['filePath', 'base64', 'fileObject', 'buffer', 'stream'] as const;

/**
 * Reads a file from exactly one source into a Blob with its name. `OPERATION` names the calling operation
 * in error messages.
 */
export async function readFileSource(options: FileSource, operation: string): Promise<{ blob: Blob; name: string }> {
  const given = SOURCES.filter((source) => options[source] !== undefined);
  if (given.length !== 1) {
    throw invalidInput(
      `${operation}: give exactly one of ${SOURCES.join(', ')}${given.length > 1 ? `; got ${given.join(' and ')}` : ''}.`,
    );
  }
  const type = options.contentType;
  const named = (fallback: string | undefined) => options.fileName ?? fallback ?? 'file';
  if (options.filePath !== undefined) {
    const { readFile } = await nodeFs(operation);
    const { basename } = await import('node:path');
    let bytes: Uint8Array;
    try {
      bytes = await readFile(options.filePath);
    } catch (error) {
      const code = isObject(error) && typeof error.code === 'string' ? ` (${error.code})` : '';
      throw invalidInput(`${operation}: the file could not be read${code}.`);
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
      throw invalidInput(`${operation}: base64 is not valid base64.`);
    }
    return { blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: type ?? '' }), name: named(undefined) };
  }
  if (options.fileObject !== undefined) {
    const blob = options.fileObject;
    if (!(blob instanceof Blob)) throw invalidInput(`${operation}: fileObject must be a File or a Blob.`);
    const fileName = 'name' in blob && typeof blob.name === 'string' && blob.name ? blob.name : undefined;
    const typed = type !== undefined && type !== blob.type ? new Blob([blob], { type }) : blob;
    return { blob: typed, name: named(fileName) };
  }
  if (options.buffer !== undefined) {
    const bytes = options.buffer;
    if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer)) {
      throw invalidInput(`${operation}: buffer must be a Uint8Array, a Buffer or an ArrayBuffer.`);
    }
    return { blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: type ?? '' }), name: named(undefined) };
  }
  return { blob: new Blob(await readChunks(options.stream, operation), { type: type ?? '' }), name: named(undefined) };
}

/** Reads a whole stream; a multipart body needs the file's length, and a retry needs the bytes again. */
async function readChunks(stream: unknown, operation: string): Promise<Uint8Array<ArrayBuffer>[]> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  const encoder = new TextEncoder();
  const add = (chunk: unknown) => {
    if (typeof chunk === 'string') chunks.push(encoder.encode(chunk));
    else if (chunk instanceof Uint8Array) chunks.push(chunk as Uint8Array<ArrayBuffer>);
    else throw invalidInput(`${operation}: stream chunks must be bytes or strings.`);
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
    throw invalidInput(`${operation}: stream must be a ReadableStream or an async iterable of bytes.`);
  }
  return chunks;
}

async function nodeFs(operation: string): Promise<typeof import('node:fs/promises')> {
  try {
    return await import('node:fs/promises');
  } catch {
    throw invalidInput(`${operation}: filePath needs Node; in a browser give a File, a Blob or bytes.`);
  }
}
