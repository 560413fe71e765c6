import { SkyflowError } from '../errors/skyflow-error.js';
import type { CallOptions } from '../http/transport.js';
import { throwIfAborted } from '../http/transport.js';
import { jwtExpiry } from '../jwt/decode.js';
import type { Log } from '../logging/logger.js';

/** What goes after `Bearer ` on a call, and whether it can be renewed. */
export interface AuthSource {
  /** The bearer token or API key for the next call. */
  authorization(call: CallOptions): Promise<string>;
  /** Whether a 401 is worth one more try with a fresh token. */
  readonly renewable: boolean;
  /** Forgets `value` after the server rejected it with a 401, so the next call gets a fresh one. */
  invalidate(value: string): void;
}

/** An API key: sent as it is, never renewed. */
export class ApiKeySource implements AuthSource {
  readonly renewable = false;
  constructor(private readonly apiKey: string) {}
  async authorization(): Promise<string> {
    return this.apiKey;
  }
  invalidate(): void {}
}

/** A bearer token given as it is: its `exp` is checked before each call, since nothing can renew it. */
export class StaticTokenSource implements AuthSource {
  readonly renewable = false;
  private readonly expiresAt: number | null | undefined;
  constructor(private readonly token: string) {
    this.expiresAt = jwtExpiry(token);
  }
  async authorization(): Promise<string> {
    if (typeof this.expiresAt === 'number' && Date.now() >= this.expiresAt) {
      throw new SkyflowError({
        code: 'TOKEN_EXPIRED',
        message: 'The bearer token given as credentials has expired; give a valid token.',
      });
    }
    return this.token;
  }
  invalidate(): void {}
}

interface CachedToken {
  readonly token: string;
  /** When the token expires (ms), or `undefined` when it carries no `exp` (kept until a 401). */
  readonly expiresAt: number | undefined;
  /** When to get the next one: `refreshMarginMs` before `expiresAt`, or half way for short-lived tokens. */
  readonly refreshAt: number | undefined;
}

/**
 * Bearer tokens obtained by `mint` (a service-account grant, or the caller's `getBearerToken`) and reused
 * until `refreshMarginMs` before they expire; then renewed before use, so a call never leaves with a token
 * about to lapse in flight. Concurrent calls share one renewal. If a renewal fails while the cached token
 * is still valid, the cached token is used (and a warning logged).
 */
export class CachedTokenSource implements AuthSource {
  readonly renewable = true;
  private cached: CachedToken | undefined;
  private inflight: Promise<CachedToken> | undefined;

  constructor(
    private readonly mint: (call: CallOptions) => Promise<string>,
    private readonly refreshMarginMs: () => number,
    private readonly log: Log,
    private readonly describe: string,
  ) {}

  async authorization(call: CallOptions): Promise<string> {
    const now = Date.now();
    const cached = this.cached;
    if (cached && (cached.refreshAt === undefined || now < cached.refreshAt)) return cached.token;
    try {
      return (await this.renew(call)).token;
    } catch (error) {
      if (cached?.expiresAt !== undefined && Date.now() < cached.expiresAt && !isAbort(error)) {
        this.log.warn('token renewal failed; using the cached token until it expires', {
          credentials: this.describe,
          reason: error instanceof SkyflowError ? error.code : 'error',
          expiresInMs: cached.expiresAt - Date.now(),
        });
        return cached.token;
      }
      throw error;
    }
  }

  invalidate(value: string): void {
    if (this.cached?.token === value) this.cached = undefined;
  }

  private renew(call: CallOptions): Promise<CachedToken> {
    if (!this.inflight) {
      this.log.debug('getting a bearer token', { credentials: this.describe });
      // The shared renewal is not tied to the signal of the call that happened to start it: another call
      // waiting on it may not want to stop. Each caller races it with its own signal instead.
      const renewal = this.mint({ timeoutMs: call.timeoutMs }).then((token) => {
        const entry = this.entry(token);
        this.cached = entry;
        return entry;
      });
      this.inflight = renewal;
      const clear = () => {
        if (this.inflight === renewal) this.inflight = undefined;
      };
      renewal.then(clear, clear);
    }
    return raceSignal(this.inflight, call.signal);
  }

  private entry(token: string): CachedToken {
    if (typeof token !== 'string' || token === '') {
      throw new SkyflowError({ code: 'INVALID_CREDENTIALS', message: `${this.describe} gave no bearer token.` });
    }
    const now = Date.now();
    const exp = jwtExpiry(token);
    if (typeof exp !== 'number') return { token, expiresAt: undefined, refreshAt: undefined };
    if (exp <= now) {
      throw new SkyflowError({
        code: 'TOKEN_EXPIRED',
        message: `${this.describe} gave a bearer token that has expired.`,
      });
    }
    const margin = Math.min(this.refreshMarginMs(), (exp - now) / 2);
    return { token, expiresAt: exp, refreshAt: exp - margin };
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof SkyflowError && error.code === 'ABORTED';
}

/** `promise`, or an `ABORTED` rejection as soon as `signal` fires. */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  throwIfAborted(signal, 'token');
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      try {
        throwIfAborted(signal, 'token');
      } catch (error) {
        reject(error);
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
