import type { ByteChunks } from '../vault/file-source.js';

/** Text to de-identify (`deidentifyText` also takes the string itself). */
export class DeidentifyTextRequest {
  constructor(public text: string) {}
}

/** De-identified text whose vault tokens to restore (`reidentifyText` also takes the string itself). */
export class ReidentifyTextRequest {
  constructor(public text: string) {}
}

/** Where the file to de-identify comes from: exactly one source (skyflow-node takes `file` or `filePath`). */
export interface DeidentifyFileInput {
  /** A `File` (its name gives the format) or a `Blob`, or the bytes. */
  readonly file?: Blob | Uint8Array | ArrayBuffer | undefined;
  /** A path to read (Node). */
  readonly filePath?: string | undefined;
  /** A stream of the bytes (Node `Readable`, web `ReadableStream`). */
  readonly stream?: ByteChunks | ReadableStream<Uint8Array> | undefined;
}

/** A file to de-identify (`deidentifyFile` also takes a path, bytes, a Blob or a stream directly). */
export class DeidentifyFileRequest {
  constructor(public input: DeidentifyFileInput) {}

  /** skyflow-node's accessor. */
  getFile(): DeidentifyFileInput {
    return this.input;
  }
}

/** A file run to look up (`getDetectRun` also takes the run ID itself). */
export class GetDetectRunRequest {
  public runId: string;
  constructor(init: { readonly runId: string }) {
    this.runId = init.runId;
  }
}
