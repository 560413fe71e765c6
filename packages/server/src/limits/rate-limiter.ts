import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { Store } from '../store/types.js';

/** How often a node publishes its counts and reads the others' (PostgreSQL only). */
export const RATE_SYNC_MS = 200;

interface Window {
  /** Start of the window, ms. */
  start: number;
  windowMs: number;
  /** Requests this node let through in the window. */
  local: number;
  /** How many of them the store has seen. */
  published: number;
  /** Requests the other nodes reported for the same window. */
  others: number;
}

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

/**
 * Fixed-window rate limits, counted per bucket (`data:principal:<id>`, `token:ip:<address>`, …). Each
 * node decides from its own count plus what the other nodes last reported for the same window; on
 * PostgreSQL every node publishes its counts and reads the others' every {@link RATE_SYNC_MS}, so a
 * limit holds across the cluster to within what arrives between two syncs. On SQLite there is one node.
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  /** What the other nodes reported, for every bucket they use: seeds windows this node opens later. */
  private remote = new Map<string, { start: number; count: number }>();
  private readonly node = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private syncing = false;

  constructor(
    private readonly store: Store | undefined,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request against `limit` per `windowMs` in `bucket`, unless the limit is reached. */
  take(bucket: string, limit: number, windowMs: number): Verdict {
    if (limit <= 0) return { ok: true };
    const now = this.now();
    const start = now - (now % windowMs);
    let window = this.windows.get(bucket);
    if (!window || window.start !== start) {
      const reported = this.remote.get(bucket);
      window = { start, windowMs, local: 0, published: 0, others: reported?.start === start ? reported.count : 0 };
      this.windows.set(bucket, window);
    }
    if (window.local + window.others >= limit) {
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now) / 1000)) };
    }
    window.local += 1;
    return { ok: true };
  }

  /** Starts sharing counts through the store (PostgreSQL). */
  start(): void {
    if (this.store?.kind !== 'postgres' || this.timer) return;
    this.timer = setInterval(() => void this.sync(), RATE_SYNC_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Publishes this node's counts, reads the others', forgets windows that are over. */
  async sync(): Promise<void> {
    const store = this.store;
    if (!store || this.syncing) return;
    this.syncing = true;
    try {
      const now = this.now();
      const changed: { bucket: string; windowStart: number; count: number; expiresAt: number }[] = [];
      for (const [bucket, window] of this.windows) {
        if (window.start + window.windowMs <= now) {
          this.windows.delete(bucket);
          continue;
        }
        if (window.local !== window.published) {
          // Kept a little past the window's end: a node's clock may run slightly behind.
          changed.push({
            bucket,
            windowStart: window.start,
            count: window.local,
            expiresAt: window.start + window.windowMs + 2_000,
          });
        }
      }
      await store.rateCounters.publish(this.node, changed);
      for (const c of changed) {
        const window = this.windows.get(c.bucket);
        if (window && window.start === c.windowStart) window.published = Math.max(window.published, c.count);
      }
      const remote = new Map<string, { start: number; count: number }>();
      for (const other of await store.rateCounters.others(this.node, now)) {
        const seen = remote.get(other.bucket);
        if (!seen || seen.start < other.windowStart)
          remote.set(other.bucket, { start: other.windowStart, count: other.count });
        const window = this.windows.get(other.bucket);
        if (window && window.start === other.windowStart) window.others = other.count;
      }
      this.remote = remote;
      await store.rateCounters.deleteExpired(now);
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'rate limit counters could not be shared');
    } finally {
      this.syncing = false;
    }
  }
}
