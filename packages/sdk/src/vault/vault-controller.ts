import { type ControllerContext, runPlan } from '../client/plan-runner.js';
import type { CallOptions } from '../http/transport.js';
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

/** What a vault controller needs from its client (see {@link ControllerContext}). */
export type VaultContext = ControllerContext;

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

  private run<R>(
    plan: () => OperationPlan<R> | Promise<OperationPlan<R>>,
    options: CallOptions | undefined,
  ): Promise<R> {
    return runPlan(this.context, this.vaultId, plan, options);
  }
}
