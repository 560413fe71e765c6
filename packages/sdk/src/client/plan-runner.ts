import type { AuthSources } from '../auth/auth-sources.js';
import { resolveCredentials } from '../credentials/resolve.js';
import type { Credentials } from '../credentials/types.js';
import { SkyflowError } from '../errors/skyflow-error.js';
import { errorFromResponse } from '../http/error-response.js';
import { type CallOptions, type HttpResponse, send, type TransportSettings } from '../http/transport.js';
import type { Log } from '../logging/logger.js';
import type { OperationPlan } from '../vault/operation.js';

/** What a controller needs from its client, read afresh on every call so run-time changes apply. */
export interface ControllerContext {
  /** The vault's current config: its base URL and own credentials (throws once the config is removed). */
  vault(vaultId: string): { readonly baseUrl: string; readonly credentials: Credentials | undefined };
  clientCredentials(): Credentials | undefined;
  readonly auth: AuthSources;
  transport(): TransportSettings;
  readonly log: Log;
}

/**
 * Plans and sends one operation on a vault, logging its outcome (operation, vault, table, count, timing
 * and error codes; never values). Failures throw a {@link SkyflowError}.
 */
export async function runPlan<R>(
  context: ControllerContext,
  vaultId: string,
  plan: () => OperationPlan<R> | Promise<OperationPlan<R>>,
  options: CallOptions | undefined,
): Promise<R> {
  const { log } = context;
  const call: CallOptions = { signal: options?.signal, timeoutMs: options?.timeoutMs };
  let planned: OperationPlan<R> | undefined;
  const started = Date.now();
  try {
    planned = await plan();
    const result = await executePlan(context, vaultId, planned, call);
    log.info(`${planned.operation} succeeded`, {
      vaultId,
      table: planned.table,
      count: planned.count,
      ms: Date.now() - started,
    });
    return result;
  } catch (error) {
    const e = error instanceof SkyflowError ? error : undefined;
    log.error(`${planned?.operation ?? 'request'} failed`, {
      vaultId,
      table: planned?.table,
      code: e?.code ?? 'UNEXPECTED',
      httpCode: e?.httpCode,
      grpcCode: e?.grpcCode,
      requestId: e?.requestId,
    });
    throw error;
  }
}

async function executePlan<R>(
  context: ControllerContext,
  vaultId: string,
  plan: OperationPlan<R>,
  call: CallOptions,
): Promise<R> {
  const { baseUrl, credentials } = context.vault(vaultId);
  const resolved = resolveCredentials(credentials, context.clientCredentials());
  const source = context.auth.for(resolved.credentials);
  const prefix = plan.absolutePath
    ? ''
    : plan.operation === 'uploadFile'
      ? `/v2/vaults/${vaultId}`
      : `/v1/vaults/${vaultId}`;
  const url = `${baseUrl}${prefix}${plan.path}`;
  const body = plan.form ?? (plan.body === undefined ? undefined : JSON.stringify(plan.body));
  const transport = context.transport();
  transport.log.debug(`${plan.operation} sending`, {
    vaultId,
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
      vaultId,
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
