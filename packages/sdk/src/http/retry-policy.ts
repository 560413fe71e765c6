/** When and how long to wait before trying an idempotent request again. */
export interface RetryOptions {
  /** Retries after the first attempt (0 turns retrying off). Default 2. */
  readonly maxRetries?: number;
  /** Delay before the first retry, doubled for each further one, before jitter. Default 500 ms. */
  readonly baseDelayMs?: number;
  /**
   * Longest wait between two attempts. A `Retry-After` asking for more is not waited for: the error is
   * returned at once. Default 10,000 ms.
   */
  readonly maxDelayMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 10_000 };

/** 408, 429 and every 5xx: answers that say "not now" rather than "never". */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Exponential backoff with jitter: before retry `retry` (0 for the first), a delay drawn uniformly from
 * [½, 1] × min(maxDelay, base × 2^retry). Jitter spreads clients that failed together; keeping the lower
 * half out keeps the backoff real.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * A `Retry-After` header in milliseconds from `now`: delay-seconds (`120`) or an HTTP date. `undefined`
 * when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function retryPolicy(options: RetryOptions | false | undefined): RetryPolicy {
  if (options === false) return { ...DEFAULT_RETRY, maxRetries: 0 };
  const policy = { ...DEFAULT_RETRY, ...stripUndefined(options ?? {}) };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`retry.${name} must be a number ≥ 0`);
  }
  return policy;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
