/**
 * One vault operation, planned: the HTTP request to send and how to read a successful answer. Planning is
 * pure (validation and body building), so each operation's wire mapping can be read and tested on its own.
 */
export interface OperationPlan<Response> {
  /** Name for logs and error messages. */
  readonly operation: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under `/v1/vaults/{vaultID}` (or the full path after the vault URL when `absolutePath`). */
  readonly path: string;
  /** `path` is the whole path after the vault URL (Detect's `/v1/detect/…`), not one under the vault. */
  readonly absolutePath?: boolean;
  /** JSON body, or multipart form. */
  readonly body?: unknown;
  readonly form?: FormData;
  /** Whether the request may be sent again after a lost answer (see `HttpRequest.idempotent`). */
  readonly idempotent: boolean;
  /** Log context: a table name and a count, never values. */
  readonly table?: string;
  readonly count?: number;
  /** Reads the JSON of a 2xx answer. */
  parse(body: unknown, requestId: string | undefined): Response;
}
