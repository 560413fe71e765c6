import type { Logger } from '../../logger.js';
import type { Store } from '../../store/types.js';

/**
 * Removes transient values (NON_DETERMINISTIC_TRANSIENT_UUID columns) and their tokens once their TTL
 * has passed. Reads already hide expired values; the sweeper makes them gone from the store too. Every
 * node may sweep: the deletes are idempotent.
 */
export class ExpirySweeper {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly intervalMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.sweep().catch((err: Error) => this.logger.warn({ err: { message: err.message } }, 'expiry sweep failed'));
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One sweep; returns how many cells and tokens it removed. */
  async sweep(): Promise<{ cells: number; tokens: number }> {
    const now = this.now();
    const cells = await this.store.records.deleteExpiredCells(now);
    const tokens = await this.store.tokens.deleteExpired(now);
    if (cells + tokens > 0) this.logger.info({ cells, tokens }, 'expired transient values removed');
    // Revocations of bearer tokens that have expired anyway are no longer needed.
    await this.store.revocations.deleteExpired(now);
    return { cells, tokens };
  }
}
