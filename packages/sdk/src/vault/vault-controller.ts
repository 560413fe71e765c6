import type { AuthSources } from '../auth/auth-sources.js';
import { resolveCredentials } from '../credentials/resolve.js';
import type { Credentials } from '../credentials/types.js';
import { SkyflowError } from '../errors/skyflow-error.js';
import { errorFromResponse } from '../http/error-response.js';
import { type CallOptions, type HttpResponse, send, type TransportSettings } from '../http/transport.js';
import type { Log } from '../logging/logger.js';
import type { OperationPlan } from './operation.js';
import { type DeleteRequest, type DeleteResponse, planDelete } from './operations/delete.js';
import {
  type DetokenizeOptions,
  type DetokenizeOptionsInit,
  type DetokenizeRequest,
  type DetokenizeResponse,
  planDetokenize,
} from './operations/detokenize.js';
import {
  type GetColumnRequest,
  type GetOptions,
  type GetOptionsInit,
  type GetRequest,
  type GetResponse,
  planGet,
} from './operations/get.js';
import {
  type InsertOptions,
  type InsertOptionsInit,
  type InsertRequest,
  type InsertResponse,
  planInsert,
} from './operations/insert.js';
import { planQuery, type QueryRequest, type QueryResponse } from './operations/query.js';
import { planTokenize, type TokenizeRequest, type TokenizeResponse } from './operations/tokenize.js';
import {
  planUpdate,
  type UpdateOptions,
  type UpdateOptionsInit,
  type UpdateRequest,
  type UpdateResponse,
} from './operations/update.js';
import {
  type FileUploadOptions,
  type FileUploadOptionsInit,
  type FileUploadRequest,
  type FileUploadResponse,
  planUploadFile,
} from './operations/upload-file.js';

/** What a vault controller needs from its client, read afresh on every call so run-time changes apply. */
export interface VaultContext {
  /** The vault's current config: its base URL and own credentials (throws once the config is removed). */
  vault(vaultId: string): { readonly baseUrl: string; readonly credentials: Credentials | undefined };
  clientCredentials(): Credentials | undefined;
  readonly auth: AuthSources;
  transport(): TransportSettings;
  readonly log: Log;
}

/**
 * The Data API of one vault (`client.vault(id)`). Every method takes a request and optional options (a
 * class as in skyflow-node, or a plain object), including `signal` and `timeoutMs`. Partial results of
 * `insert` and `detokenize` with `continueOnError` come back in `errors`; any other failure throws a
 * {@link SkyflowError}.
 */
export class VaultController {
  constructor(
    readonly vaultId: string,
    private readonly context: VaultContext,
  ) {}

  /** Inserts records (or upserts them on a unique column); with `returnTokens`, returns their tokens. */
  insert(request: InsertRequest, options?: InsertOptions | InsertOptionsInit): Promise<InsertResponse> {
    return this.run(() => planInsert(request, options), options);
  }

  /** Records by `skyflow_id`, by unique column values, or a page of the table. */
  get(request: GetRequest | GetColumnRequest, options?: GetOptions | GetOptionsInit): Promise<GetResponse> {
    return this.run(() => planGet(request, options), options);
  }

  /** Updates columns of one record (`data.skyflowId`). */
  update(request: UpdateRequest, options?: UpdateOptions | UpdateOptionsInit): Promise<UpdateResponse> {
    return this.run(() => planUpdate(request, options), options);
  }

  /** Deletes records by `skyflow_id`. */
  delete(request: DeleteRequest, options?: CallOptions): Promise<DeleteResponse> {
    return this.run(() => planDelete(request), options);
  }

  /** Runs a SQL `SELECT`. */
  query(request: QueryRequest, options?: CallOptions): Promise<QueryResponse> {
    return this.run(() => planQuery(request), options);
  }

  /** Uploads a file (path, bytes, stream, File or Blob) into a file column. */
  uploadFile(
    request: FileUploadRequest,
    options?: FileUploadOptions | FileUploadOptionsInit,
  ): Promise<FileUploadResponse> {
    return this.run(() => planUploadFile(request, options), options);
  }

  /** The existing tokens of stored values (deterministic tokenization); nothing is stored. */
  tokenize(request: TokenizeRequest, options?: CallOptions): Promise<TokenizeResponse> {
    return this.run(() => planTokenize(request), options);
  }

  /** Exchanges tokens for their values, each with its own redaction. */
  detokenize(
    request: DetokenizeRequest,
    options?: DetokenizeOptions | DetokenizeOptionsInit,
  ): Promise<DetokenizeResponse> {
    return this.run(() => planDetokenize(request, options), options);
  }

  private async run<R>(
    plan: () => OperationPlan<R> | Promise<OperationPlan<R>>,
    options: CallOptions | undefined,
  ): Promise<R> {
    const { log } = this.context;
    const call: CallOptions = { signal: options?.signal, timeoutMs: options?.timeoutMs };
    let planned: OperationPlan<R> | undefined;
    const started = Date.now();
    try {
      planned = await plan();
      const result = await this.execute(planned, call);
      log.info(`${planned.operation} succeeded`, {
        vaultId: this.vaultId,
        table: planned.table,
        count: planned.count,
        ms: Date.now() - started,
      });
      return result;
    } catch (error) {
      const e = error instanceof SkyflowError ? error : undefined;
      log.error(`${planned?.operation ?? 'request'} failed`, {
        vaultId: this.vaultId,
        table: planned?.table,
        code: e?.code ?? 'UNEXPECTED',
        httpCode: e?.httpCode,
        grpcCode: e?.grpcCode,
        requestId: e?.requestId,
      });
      throw error;
    }
  }

  private async execute<R>(plan: OperationPlan<R>, call: CallOptions): Promise<R> {
    const { baseUrl, credentials } = this.context.vault(this.vaultId);
    const resolved = resolveCredentials(credentials, this.context.clientCredentials());
    const source = this.context.auth.for(resolved.credentials);
    const prefix = plan.operation === 'uploadFile' ? `/v2/vaults/${this.vaultId}` : `/v1/vaults/${this.vaultId}`;
    const url = `${baseUrl}${prefix}${plan.path}`;
    const body = plan.form ?? (plan.body === undefined ? undefined : JSON.stringify(plan.body));
    const transport = this.context.transport();
    transport.log.debug(`${plan.operation} sending`, {
      vaultId: this.vaultId,
      table: plan.table,
      count: plan.count,
      credentials: resolved.source,
    });

    const attempt = async (authorization: string): Promise<HttpResponse> =>
      send(
        transport,
        {
          method: plan.method,
          url,
          headers: {
            authorization: `Bearer ${authorization}`,
            accept: 'application/json',
            // FormData sets its own multipart content type with the boundary.
            ...(typeof body === 'string' && { 'content-type': 'application/json' }),
          },
          ...(body !== undefined && { body }),
          idempotent: plan.idempotent,
          operation: plan.operation,
        },
        call,
      );

    let authorization = await source.authorization(call);
    let response = await attempt(authorization);
    if (response.status === 401 && source.renewable) {
      // A 401 is an answer to credentials, not to the request: nothing was done, so even an insert is safe
      // to send again, once, with a fresh token (the cached one may have been revoked or rotated).
      transport.log.info(`${plan.operation}: 401, renewing the bearer token and trying once more`, {
        vaultId: this.vaultId,
        requestId: response.requestId,
      });
      source.invalidate(authorization);
      authorization = await source.authorization(call);
      response = await attempt(authorization);
    }
    if (response.status < 200 || response.status > 299) {
      throw errorFromResponse(response.status, response.statusText, response.headers, response.text);
    }
    let json: unknown;
    try {
      json = response.text === '' ? {} : JSON.parse(response.text);
    } catch {
      // No cause: a JSON parser's message quotes the text it choked on, which may be vault data.
      throw new SkyflowError({
        code: 'INVALID_RESPONSE',
        message: `${plan.operation}: the answer is not JSON.`,
        httpCode: response.status,
        requestId: response.requestId,
      });
    }
    return plan.parse(json, response.requestId);
  }
}
