import type { Logger } from '../logger.js';
import type { Store } from '../store/types.js';
import { type AuditEntry, chain, GENESIS } from './audit-chain.js';

/** Most entries one transaction appends. */
const BATCH = 500;

interface Pending {
  readonly entry: AuditEntry;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/**
 * Appends entries to the audit chain with group commit: entries arriving while a write is in progress
 * go together in the next transaction, so the log costs one commit per batch rather than per request,
 * and every caller still learns whether its own entry is stored before it answers (fail-closed).
 */
export class AuditLog {
  private queue: Pending[] = [];
  private writing = false;

  constructor(
    private readonly store: Store,
    private readonly key: Uint8Array,
    private readonly logger: Logger,
    private readonly durability: 'full' | 'relaxed' = 'full',
  ) {}

  /** Resolves once the entry is committed; rejects if it could not be. */
  append(entry: AuditEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        // Let the requests of this turn of the event loop join the first batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, BATCH);
      try {
        await this.store.transaction(
          async (tx) => {
            const head = (await tx.audit.head()) ?? { seq: 0, hash: GENESIS };
            const linked = chain(
              this.key,
              head,
              batch.map((p) => p.entry),
            );
            await tx.audit.insertMany(linked.rows);
            await tx.audit.setHead(linked.head.seq, linked.head.hash);
          },
          { durability: this.durability },
        );
        for (const p of batch) p.resolve();
      } catch (err) {
        this.logger.error(
          { err: { message: (err as Error).message }, entries: batch.length },
          'audit log write failed',
        );
        for (const p of batch) p.reject(err as Error);
      }
    }
    this.writing = false;
  }
}
