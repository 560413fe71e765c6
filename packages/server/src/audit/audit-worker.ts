/**
 * The audit thread's code (see `audit-thread.ts`): an {@link AuditLog} on a connection of its own.
 * It receives batches of entries, chains and commits them (group commit across batches, as in the
 * request thread before), and answers each batch with its outcome.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { sqliteAuditAppender } from '../store/audit-append.js';
import { openAuditFile } from '../store/sqlite-audit-file.js';
import type { AuditTarget } from '../store/types.js';
import type { AuditEntry } from './audit-chain.js';
import { AuditLog } from './audit-log.js';
import type { AuditThreadData, FromAuditThread, ToAuditThread } from './audit-thread-messages.js';

const port = parentPort;
if (!port) throw new Error('audit-worker.js runs as a worker thread of the server');
const data = workerData as AuditThreadData;

function openWriter(target: AuditTarget) {
  const database = openAuditFile(target.file, target.synchronous);
  // The thread is the connection's only user: an attempt can run at once.
  const appender = sqliteAuditAppender(database, (fn) => fn(), target.synchronous);
  return {
    appendAudit: appender.append,
    close: async () => {
      await appender.close();
      database.close();
    },
  };
}

const send = (message: FromAuditThread) => port.postMessage(message);

// The thread has no logger of its own: what it would log goes to the server's, which redacts.
const logger = {
  error: (fields: Record<string, unknown>, message: string) => send({ kind: 'log', fields, message }),
};

const writer = openWriter(data.target);
const log = new AuditLog(writer, data.key, logger as never, data.durability, data.gatherMs);

function appendBatch(batch: number, entries: readonly AuditEntry[]): void {
  let pending = entries.length;
  const failed: number[] = [];
  let error: string | undefined;
  entries.forEach((entry, index) => {
    log.append(entry, (err) => {
      if (err) {
        failed.push(index);
        error ??= err.message;
      }
      pending -= 1;
      if (pending === 0) send({ kind: 'settled', batch, ...(error !== undefined && { failed, error }) });
    });
  });
}

port.on('message', (message: ToAuditThread) => {
  if (message.kind === 'append') {
    appendBatch(message.batch, message.entries);
    return;
  }
  void log
    .close()
    .then(() => writer.close())
    .finally(() => port.close());
});
