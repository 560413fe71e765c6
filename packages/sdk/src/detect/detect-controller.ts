import { type ControllerContext, runPlan } from '../client/plan-runner.js';
import { base64ToBytes, bytesToBase64 } from '../crypto/base64.js';
import { invalidInput, SkyflowError } from '../errors/skyflow-error.js';
import { isObject } from '../http/error-response.js';
import type { CallOptions } from '../http/transport.js';
import { type FileSource, readFileSource } from '../vault/file-source.js';
import type { OperationPlan } from '../vault/operation.js';
import { DetectRunStatus } from './enums.js';
import { extensionOf, fileEndpointFor } from './file-endpoint.js';
import {
  DeidentifyFileOptions,
  type DeidentifyFileOptionsInit,
  type DeidentifyTextOptions,
  type DeidentifyTextOptionsInit,
  type DetectFile,
  deidentifyBody,
  entityList,
  MAX_WAIT_TIME,
  type ReidentifyTextOptions,
  type ReidentifyTextOptionsInit,
} from './options.js';
import { pollDelays, wait } from './polling.js';
import {
  DeidentifyFileRequest,
  DeidentifyTextRequest,
  GetDetectRunRequest,
  ReidentifyTextRequest,
} from './requests.js';
import {
  type DeidentifyFileResponse,
  type DeidentifyTextResponse,
  parseDeidentifyText,
  parseRun,
  ReidentifyTextResponse,
} from './responses.js';

/**
 * The Detect API of one vault (`client.detect(id)`): find personal data in text and files and replace it
 * with placeholders or vault tokens, and bring vault tokens back. Every method takes optional options (a
 * class as in skyflow-node, or a plain object), including `signal` and `timeoutMs`; failures throw a
 * {@link SkyflowError}.
 */
export class DetectController {
  constructor(
    readonly vaultId: string,
    private readonly context: ControllerContext,
  ) {}

  /**
   * De-identifies text (§6.2): each entity found becomes `[NAME_1]`, `[NAME]` or `[NAME_<vault token>]`.
   *
   * ```ts
   * const { processedText, entities } = await client.detect().deidentifyText('Call Ada on +1 212 555 0123', {
   *   tokenFormat: { default: TokenType.VAULT_TOKEN },
   * });
   * ```
   */
  deidentifyText(
    text: string | DeidentifyTextRequest,
    options?: DeidentifyTextOptions | DeidentifyTextOptionsInit,
  ): Promise<DeidentifyTextResponse> {
    const operation = 'deidentifyText';
    return this.run(() => {
      const body = {
        vault_id: this.vaultId,
        text: textOf(text, operation),
        ...deidentifyBody(options ?? {}, operation),
      };
      return post(operation, '/v1/detect/deidentify/string', body, parseDeidentifyText);
    }, options);
  }

  /**
   * Re-identifies text (§6.3): vault-token placeholders become their values, masked values or `[TYPE]`,
   * per entity type (plain text unless listed); other placeholders stay.
   */
  reidentifyText(
    text: string | ReidentifyTextRequest,
    options?: ReidentifyTextOptions | ReidentifyTextOptionsInit,
  ): Promise<ReidentifyTextResponse> {
    const operation = 'reidentifyText';
    return this.run(() => {
      const format: Record<string, string[]> = {};
      const redacted = entityList(options?.redactedEntities, operation, 'redactedEntities');
      const masked = entityList(options?.maskedEntities, operation, 'maskedEntities');
      const plaintext = entityList(options?.plainTextEntities, operation, 'plainTextEntities');
      if (redacted) format.redacted = redacted;
      if (masked) format.masked = masked;
      if (plaintext) format.plaintext = plaintext;
      const body = { vault_id: this.vaultId, text: textOf(text, operation), format };
      return post(
        operation,
        '/v1/detect/reidentify/string',
        body,
        (json) =>
          new ReidentifyTextResponse({
            processedText: isObject(json) && typeof json.text === 'string' ? json.text : '',
          }),
        // Reading values back changes nothing: safe to send again.
        true,
      );
    }, options);
  }

  /**
   * De-identifies a file (§6.4): a path (Node), bytes, a `File`/`Blob` or a stream; its extension picks the
   * endpoint. The server processes it as a run, which is polled for up to `waitTime` seconds (default 64):
   * a run still going then comes back with `status: 'IN_PROGRESS'` and its `runId`; a failed run throws.
   */
  async deidentifyFile(
    file: DetectFile | DeidentifyFileRequest,
    options?: DeidentifyFileOptions | DeidentifyFileOptionsInit,
  ): Promise<DeidentifyFileResponse> {
    const operation = 'deidentifyFile';
    const opts = options ?? new DeidentifyFileOptions();
    const waitTime = opts.waitTime ?? MAX_WAIT_TIME;
    if (typeof waitTime !== 'number' || !Number.isFinite(waitTime) || waitTime < 0 || waitTime > MAX_WAIT_TIME) {
      throw invalidInput(`${operation}: waitTime must be a number of seconds from 0 to ${MAX_WAIT_TIME}.`);
    }
    const { runId } = await this.run(async () => {
      const { blob, name } = await readFileSource(sourceOf(file, opts.fileName), operation);
      const extension = opts.format ?? extensionOf(name);
      if (!extension) {
        throw invalidInput(`${operation}: the file's format is unknown; give a fileName with an extension, or format.`);
      }
      const endpoint = fileEndpointFor(extension);
      const body = {
        vault_id: this.vaultId,
        file: { base64: bytesToBase64(new Uint8Array(await blob.arrayBuffer())), data_format: endpoint.dataFormat },
        ...deidentifyBody(opts, operation, { transformations: endpoint.transformations }),
      };
      return post(operation, endpoint.path, body, (json) => {
        const id = isObject(json) ? json.run_id : undefined;
        if (typeof id !== 'string' || id === '') {
          throw new SkyflowError({ code: 'INVALID_RESPONSE', message: `${operation}: the answer has no run_id.` });
        }
        return { runId: id };
      });
    }, opts);

    let result: DeidentifyFileResponse | undefined;
    for (const delay of [0, ...pollDelays(waitTime)]) {
      if (delay > 0) {
        await wait(
          delay * 1000,
          opts.signal,
          () => new SkyflowError({ code: 'ABORTED', message: `${operation}: aborted by the caller.` }),
        );
      }
      result = await this.getDetectRun(runId, { signal: opts.signal, timeoutMs: opts.timeoutMs });
      if (result.status !== DetectRunStatus.IN_PROGRESS) break;
    }
    const run = result as DeidentifyFileResponse;
    if (run.status === DetectRunStatus.FAILED) {
      throw new SkyflowError({
        code: 'API_ERROR',
        httpCode: 500,
        grpcCode: 13,
        httpStatus: 'Internal Server Error',
        message: run.message || `${operation}: the run ${runId} failed.`,
        details: [{ runId }],
      });
    }
    if (run.status === DetectRunStatus.SUCCESS && opts.outputDirectory !== undefined) {
      await writeOutputs(run, opts.outputDirectory, baseNameOf(file, opts.fileName), operation);
    }
    return run;
  }

  /** The state of a file run (§6.5), and its output once it has succeeded. */
  getDetectRun(run: string | GetDetectRunRequest, options?: CallOptions): Promise<DeidentifyFileResponse> {
    const operation = 'getDetectRun';
    return this.run(() => {
      const runId = run instanceof GetDetectRunRequest ? run.runId : run;
      if (typeof runId !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(runId)) {
        throw invalidInput(`${operation}: runId must be a run ID.`);
      }
      return {
        operation,
        method: 'GET',
        path: `/v1/detect/runs/${encodeURIComponent(runId)}?vault_id=${encodeURIComponent(this.vaultId)}`,
        absolutePath: true,
        idempotent: true,
        parse: (json, requestId) => parseRun(json, runId, operation, requestId),
      };
    }, options);
  }

  private run<R>(
    plan: () => OperationPlan<R> | Promise<OperationPlan<R>>,
    options: CallOptions | undefined,
  ): Promise<R> {
    return runPlan(this.context, this.vaultId, plan, options);
  }
}

function post<R>(
  operation: string,
  path: string,
  body: unknown,
  parse: (json: unknown) => R,
  idempotent = false,
): OperationPlan<R> {
  // De-identification may store new vault tokens; it is deterministic per value, but not retried blindly.
  return { operation, method: 'POST', path, absolutePath: true, body, idempotent, parse };
}

function textOf(text: unknown, operation: string): string {
  const value = text instanceof DeidentifyTextRequest || text instanceof ReidentifyTextRequest ? text.text : text;
  if (typeof value !== 'string') throw invalidInput(`${operation}: text must be a string.`);
  return value;
}

function sourceOf(file: DetectFile | DeidentifyFileRequest, fileName: string | undefined): FileSource {
  const named = fileName === undefined ? {} : { fileName };
  if (file instanceof DeidentifyFileRequest) {
    const { file: given, filePath, stream } = file.input ?? {};
    if (filePath !== undefined) return { filePath, ...named };
    if (stream !== undefined) return { stream, ...named };
    if (given !== undefined) return sourceOf(given, fileName);
    throw invalidInput('deidentifyFile: the request needs a file, a filePath or a stream.');
  }
  if (typeof file === 'string') return { filePath: file, ...named };
  if (file instanceof Blob) return { fileObject: file, ...named };
  if (file instanceof Uint8Array || file instanceof ArrayBuffer) return { buffer: file, ...named };
  return { stream: file, ...named };
}

function baseNameOf(file: DetectFile | DeidentifyFileRequest, fileName: string | undefined): string {
  let name = fileName;
  if (name === undefined && file instanceof DeidentifyFileRequest) name = file.input.filePath;
  if (name === undefined && typeof file === 'string') name = file;
  if (name === undefined && file instanceof Blob && 'name' in file) {
    name = String((file as { name: unknown }).name);
  }
  const base = (name ?? 'file').split(/[/\\]/).pop() ?? 'file';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Writes the processed file and the entity lists as skyflow-node does: `processed-<name>.<ext>`. */
async function writeOutputs(
  run: DeidentifyFileResponse,
  directory: string,
  baseName: string,
  operation: string,
): Promise<void> {
  let fs: typeof import('node:fs/promises');
  let path: typeof import('node:path');
  try {
    fs = await import('node:fs/promises');
    path = await import('node:path');
  } catch {
    throw invalidInput(`${operation}: outputDirectory needs Node.`);
  }
  await fs.mkdir(directory, { recursive: true });
  if (run.file !== undefined) {
    await fs.writeFile(path.join(directory, `processed-${baseName}.${run.extension ?? 'out'}`), run.file);
  }
  for (const [i, entities] of run.entities.entries()) {
    const suffix = i === 0 ? '' : `-${i + 1}`;
    await fs.writeFile(
      path.join(directory, `processed-${baseName}-entities${suffix}.${entities.extension || 'json'}`),
      base64ToBytes(entities.file),
    );
  }
}
