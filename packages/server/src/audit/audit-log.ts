import type { Logger } from '../logger.js';
import type { AuditAppendOptions, AuditBatch, AuditHead } from '../store/types.js';
import { type AuditEntry, chain } from './audit-chain.js';

/** Most entries one append writes. */
const BATCH = 500;

/** Called once the entry is committed, or with the error that kept it from being stored. */
export type AppendCallback = (err?: Error) => void;

/** What the log writes through (a store). */
export interface AuditWriter {
  appendAudit(link: (head: AuditHead) => AuditBatch, options: AuditAppendOptions): Promise<AuditHead>;
}

/**
 * Appends entries to the audit chain with group commit: entries arriving while a write is in progress
 * go together in the next one, so the log costs one commit per batch rather than per request, and every
 * caller still learns whether its own entry is stored before it answers (fail-closed).
 *
 * The head this process last wrote is remembered, so that a batch is chained and stored in one
 * statement; the store checks that it is still the chain's head (another node may have appended) and
 * chains the batch again after the real one when it is not.
 */
export class AuditLog {
  private entries: AuditEntry[] = [];
  private callbacks: AppendCallback[] = [];
  private writing = false;
  private drained: Promise<void> = Promise.resolve();
  private head: AuditHead | undefined;

  constructor(
    private readonly store: AuditWriter,
    private readonly key: Uint8Array,
    private readonly logger: Logger,
    private readonly durability: 'full' | 'relaxed' = 'full',
  ) {}

  /**
   * Queues an entry; `done` is called once it is committed (or with the error that kept it from being
   * stored). A callback rather than a promise: this runs for every audited request.
   */
  append(entry: AuditEntry, done: AppendCallback): void {
    this.entries.push(entry);
    this.callbacks.push(done);
    if (!this.writing) {
      this.writing = true;
      // Let the requests of this turn of the event loop join the first batch.
      this.drained = new Promise((resolve) => setImmediate(() => void this.drain().then(resolve)));
    }
  }

  /** Resolves once the entries queued so far are settled (the server stops after its last request). */
  async close(): Promise<void> {
    await this.drained;
  }

  private async drain(): Promise<void> {
    while (this.entries.length > 0) {
      const entries = this.entries.splice(0, BATCH);
      const callbacks = this.callbacks.splice(0, BATCH);
      let failure: Error | undefined;
      try {
        this.head = await this.store.appendAudit((head) => chain(this.key, head, entries), {
          durability: this.durability,
          expected: this.head,
        });
      } catch (err) {
        failure = err as Error;
        // Read the head afresh next time: the failed write may or may not have moved it.
        this.head = undefined;
        this.logger.error({ err: { message: failure.message }, entries: entries.length }, 'audit log write failed');
      }
      for (const done of callbacks) {
        try {
          done(failure);
        } catch (err) {
          // One caller's failure must not stop the others' answers, nor the log.
          this.logger.error({ err: { message: (err as Error).message } }, 'audit log callback failed');
        }
      }
    }
    this.writing = false;
  }
}
