import { SkyflowError } from '../errors/skyflow-error.js';
import type { Log } from '../logging/logger.js';
import { backoffDelay, isRetryableStatus, parseRetryAfter, type RetryPolicy } from './retry-policy.js';

/** Per-call controls, accepted by every operation next to its own options. */
export interface CallOptions {
  /** Cancels the call (every attempt and every wait between attempts). */
  readonly signal?: AbortSignal | undefined;
  /** Timeout of each HTTP attempt, in milliseconds; overrides the client's `timeoutMs`. */
  readonly timeoutMs?: number | undefined;
}

export interface TransportSettings {
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly log: Log;
  /** Source of jitter (tests pin it). */
  readonly random?: () => number;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string | FormData;
  /**
   * Whether sending the request twice has the effect of sending it once. Only idempotent requests are
   * retried after a network error, a timeout, 408, 429 or 5xx: a lost answer to an insert may mean the
   * records were stored.
   */
  readonly idempotent: boolean;
  /** Name of the operation, for logs (never the URL: query strings can carry column values). */
  readonly operation: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly text: string;
  readonly requestId: string | undefined;
}

/** Why an attempt ended without an answer. */
const TIMED_OUT = Symbol('timeout');

/**
 * Sends a request: each attempt bounded by the timeout, idempotent requests retried with exponential
 * backoff and jitter (honouring `Retry-After`), everything cancelled by the caller's signal. Answers of any
 * status are returned; only the absence of an answer throws.
 */
export async function send(
  settings: TransportSettings,
  request: HttpRequest,
  call: CallOptions = {},
): Promise<HttpResponse> {
  const timeoutMs = call.timeoutMs ?? settings.timeoutMs;
  if (!(timeoutMs > 0)) throw new RangeError('timeoutMs must be a number > 0');
  const { retry, log } = settings;
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(call.signal, request.operation);
    const mayRetry = request.idempotent && attempt < retry.maxRetries;
    let response: HttpResponse;
    try {
      response = await attemptOnce(settings.fetch, request, timeoutMs, call.signal);
    } catch (error) {
      if (!(error instanceof SkyflowError) || error.code === 'ABORTED' || !mayRetry) throw error;
      const delay = backoffDelay(attempt, retry, settings.random);
      log.warn('request failed without an answer; retrying', {
        operation: request.operation,
        reason: error.code,
        attempt: attempt + 1,
        delayMs: delay,
      });
      await sleep(delay, call.signal, request.operation);
      continue;
    }
    if (!mayRetry || !isRetryableStatus(response.status)) return response;
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), Date.now());
    if (retryAfter !== undefined && retryAfter > retry.maxDelayMs) {
      log.warn('server asked to retry later than retry.maxDelayMs; giving up', {
        operation: request.operation,
        status: response.status,
        retryAfterMs: retryAfter,
        requestId: response.requestId,
      });
      return response;
    }
    const delay = retryAfter ?? backoffDelay(attempt, retry, settings.random);
    log.warn('retryable answer; retrying', {
      operation: request.operation,
      status: response.status,
      attempt: attempt + 1,
      delayMs: delay,
      requestId: response.requestId,
    });
    await sleep(delay, call.signal, request.operation);
  }
}

async function attemptOnce(
  fetchImpl: typeof fetch,
  request: HttpRequest,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<HttpResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(TIMED_OUT), timeoutMs);
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetchImpl(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined && { body: request.body }),
      signal: controller.signal,
    });
    // The timeout covers the body too: a server that stalls mid-answer is as stuck as one that never answers.
    const text = await response.text();
    return {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      text,
      requestId: response.headers.get('x-request-id') ?? undefined,
    };
  } catch (error) {
    if (controller.signal.aborted) {
      if (controller.signal.reason === TIMED_OUT) {
        throw new SkyflowError({
          code: 'TIMEOUT',
          message: `${request.operation}: no answer within ${timeoutMs} ms.`,
        });
      }
      throw aborted(request.operation, signal?.reason);
    }
    throw new SkyflowError({
      code: 'NETWORK_ERROR',
      message: `${request.operation}: the request could not be completed (${describe(error)}).`,
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function describe(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = cause && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  return code ?? (error instanceof Error ? error.message : 'unknown error');
}

function aborted(operation: string, reason: unknown): SkyflowError {
  return new SkyflowError({ code: 'ABORTED', message: `${operation}: aborted by the caller.`, cause: reason });
}

export function throwIfAborted(signal: AbortSignal | undefined, operation: string): void {
  if (signal?.aborted) throw aborted(operation, signal.reason);
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined, operation: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(operation, signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted(operation, signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
