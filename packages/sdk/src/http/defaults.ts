import { consoleLogger, Log, type Logger, LogLevel } from '../logging/logger.js';
import { type RetryOptions, retryPolicy } from './retry-policy.js';
import type { TransportSettings } from './transport.js';

/** Timeout of one HTTP attempt unless configured: long enough for a 25-record batch on a slow link. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** Transport settings a client or a stand-alone helper can configure. */
export interface TransportOptions {
  /** Timeout of each HTTP attempt in milliseconds (default 60,000). */
  readonly timeoutMs?: number | undefined;
  /** Retry policy for idempotent requests, or `false` for none. */
  readonly retry?: RetryOptions | false | undefined;
  /** The `fetch` to use (default: the global one), e.g. one with a proxy agent. */
  readonly fetch?: typeof fetch | undefined;
}

export function transportSettings(options: TransportOptions, log: Log): TransportSettings {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new RangeError('timeoutMs must be a number > 0');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new TypeError('No fetch implementation is available.');
  return {
    // Bound to globalThis: some browsers throw "Illegal invocation" when fetch is called as a method.
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    timeoutMs,
    retry: retryPolicy(options.retry),
    log,
  };
}

/** A fixed-level log for stand-alone helpers (`generateBearerToken` and friends). */
export function fixedLog(level: LogLevel | undefined, logger: Logger | undefined): Log {
  const threshold = level ?? LogLevel.ERROR;
  const sink = logger ?? consoleLogger;
  return new Log(
    () => threshold,
    () => sink,
  );
}
