import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import type { AuditEntry } from './audit-chain.js';
import type { AppendCallback, AuditSink } from './audit-log.js';
import type { AuditThreadData, FromAuditThread, ToAuditThread } from './audit-thread-messages.js';

/**
 * The compiled entry of the thread. A thread runs JavaScript only: when this module itself runs from
 * the TypeScript sources (the test runner), the thread still runs the build's copy (`npm test` builds
 * first).
 */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/audit/audit-worker.js', here) : new URL('./audit-worker.js', here);
}

/**
 * The audit log written from a thread of its own. Requests still wait until their entry is committed
 * (fail-closed), but chaining (an HMAC per entry) and the database's work for the insert run beside the
 * request thread rather than on it: on the benchmark machine they had cost a single-token detokenize
 * about 90 µs of its ~210 µs (bench/data-api, audit on / off). What is left here is building the entry
 * and handing the entries of each turn of the event loop over in one message.
 *
 * Should the thread stop (a crash, an out-of-memory), the entries it was holding fail — their requests
 * answer 500, as for any failed write — and the next entry starts a new thread, which reads the chain's
 * head afresh.
 */
export class AuditThread implements AuditSink {
  private worker: Worker | undefined;
  private entries: AuditEntry[] = [];
  private callbacks: AppendCallback[] = [];
  private flushScheduled = false;
  private readonly inFlight = new Map<number, AppendCallback[]>();
  private nextBatch = 1;
  private closed = false;

  constructor(
    private readonly data: AuditThreadData,
    private readonly logger: Logger,
  ) {}

  /** Starts the thread now rather than with the first entry (the server does, at start). */
  start(): void {
    this.thread();
  }

  append(entry: AuditEntry, done: AppendCallback): void {
    if (this.closed) {
      done(new Error('the audit log is closed'));
      return;
    }
    this.entries.push(entry);
    this.callbacks.push(done);
    this.scheduleFlush();
  }

  /**
   * One batch in the thread at a time: entries arriving meanwhile wait here and travel together once
   * it is settled. Waking a thread costs more than handing it an entry (tens of microseconds each way
   * on the benchmark machine), so this keeps the wake-ups to two per batch whatever the request rate.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight.size > 0 || this.entries.length === 0) return;
    this.flushScheduled = true;
    // The entries of this turn of the event loop travel together.
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    if (this.entries.length === 0) return;
    const batch = this.nextBatch++;
    this.inFlight.set(batch, this.callbacks);
    const message: ToAuditThread = { kind: 'append', batch, entries: this.entries };
    this.entries = [];
    this.callbacks = [];
    this.thread().postMessage(message);
  };

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerUrl(), { workerData: this.data });
    // An idle thread must not keep a process alive that is otherwise done; waiting requests keep it anyway.
    worker.unref();
    worker.on('message', (message: FromAuditThread) => this.received(message));
    worker.on('error', (err) => {
      this.logger.error({ err: { message: err.message } }, 'audit thread failed');
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.failInFlight(new Error('the audit thread stopped'));
    });
    this.worker = worker;
    return worker;
  }

  private received(message: FromAuditThread): void {
    if (message.kind === 'log') {
      this.logger.error(message.fields, message.message);
      return;
    }
    const callbacks = this.inFlight.get(message.batch);
    if (!callbacks) return;
    this.inFlight.delete(message.batch);
    const error = message.error === undefined ? undefined : new Error(message.error);
    const failed = new Set(message.failed ?? []);
    callbacks.forEach((done, index) => {
      this.call(done, failed.has(index) ? error : undefined);
    });
    this.scheduleFlush();
  }

  private failInFlight(error: Error): void {
    const batches = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const callbacks of batches) for (const done of callbacks) this.call(done, error);
    // Entries that waited for the dead thread's batch go to a new thread.
    this.scheduleFlush();
  }

  private call(done: AppendCallback, err: Error | undefined): void {
    try {
      done(err);
    } catch (e) {
      // One caller's failure must not stop the others' answers, nor the log.
      this.logger.error({ err: { message: (e as Error).message } }, 'audit log callback failed');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    const worker = this.worker;
    if (!worker) return;
    // The thread appends what it was given, then exits; waiting for it keeps the process alive.
    worker.ref();
    const exited = once(worker, 'exit');
    worker.postMessage({ kind: 'close' } satisfies ToAuditThread);
    await exited;
  }
}
