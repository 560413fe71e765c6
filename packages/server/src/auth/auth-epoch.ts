import type { Logger } from '../logger.js';
import type { Store } from '../store/types.js';

/** How often each node reads the shared generation: revocations reach every node within this (plus a request). */
export const AUTH_POLL_MS = 250;

/**
 * A counter bumped whenever something that affects authentication changes (a service account, key, API
 * key, role assignment or a revocation). Cached principals from an older generation are re-resolved.
 * Local changes take effect here at once; through the store's shared generation, which every node polls
 * every {@link AUTH_POLL_MS}, they reach the other nodes within a fraction of a second.
 */
export class AuthEpoch {
  private value = 0;
  private shared: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private store: Store | undefined;
  private logger: Logger | undefined;

  get generation(): number {
    return this.value;
  }

  bump(): void {
    this.value += 1;
    this.store?.revocations.bumpGeneration().catch((err: Error) => {
      this.logger?.warn({ err: { message: err.message } }, 'could not publish an authentication change to other nodes');
    });
  }

  /**
   * Starts following the store's shared generation. The first reading is taken before this resolves:
   * a change made elsewhere between start-up and a later first poll would otherwise go unnoticed.
   */
  async follow(store: Store, logger: Logger, intervalMs = AUTH_POLL_MS): Promise<void> {
    this.store = store;
    this.logger = logger;
    if (this.timer) return;
    await this.poll();
    this.timer = setInterval(() => void this.poll(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.store = undefined;
  }

  /** Reads the shared generation once; a change made elsewhere invalidates every cached principal here. */
  async poll(): Promise<void> {
    const store = this.store;
    if (!store) return;
    try {
      const shared = await store.revocations.generation();
      if (this.shared !== undefined && shared !== this.shared) this.value += 1;
      this.shared = shared;
    } catch (err) {
      this.logger?.warn(
        { err: { message: (err as Error).message } },
        'could not read the shared authentication generation',
      );
    }
  }
}
