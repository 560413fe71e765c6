import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/** How often the background thread copies the write-ahead log into the database file. */
const CHECKPOINT_INTERVAL_MS = 200;

/** SQLite's own default: a connection checkpoints once the log holds this many pages. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

/**
 * The background thread's code (CommonJS, run with `eval`, so that it needs no file of its own next to
 * the compiled modules). It opens a connection of its own to each file and runs a PASSIVE checkpoint on
 * each now and then: one that never waits for, and never blocks, the readers and writers of the server's
 * connections. A file whose checkpoint fails is reported (by its index) and left to its connection.
 */
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const dbs = workerData.files.map((file) => new Database(file, { fileMustExist: true }));
const failed = new Set();
const timer = setInterval(() => {
  dbs.forEach((db, index) => {
    if (failed.has(index)) return;
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      failed.add(index);
      parentPort.postMessage({ index, error: String(err && err.message) });
    }
  });
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  for (const db of dbs) db.close();
  parentPort.close();
});
`;

/** Stops the background checkpoints (the connection's own are turned back on). */
export type StopCheckpointer = () => Promise<void>;

/** A WAL-mode connection and the file it has open. */
export interface CheckpointTarget {
  readonly database: BetterSqlite3.Database;
  readonly file: string;
}

/**
 * Moves the checkpoints of WAL-mode connections (the data file's and the audit log's) to one thread.
 * Left to a connection, a checkpoint runs inside whichever commit fills its log past 1,000 pages and
 * holds that commit (and, the driver being synchronous, the whole event loop) through two fsyncs: 17–85
 * ms each time on the benchmark machine, several times a second under a stream of audited requests
 * (bench/data-api; the audit log alone fills its log every ~250 commits of 25 entries). Should the
 * thread fail, each connection checkpoints by itself again, so no log grows unbounded.
 *
 * Only checkpoints move: a second connection that wrote (audit entries, say) would empty the server
 * connection's page cache at each of its commits, which SQLite does whenever another connection changed
 * the file, and turn every token lookup into reads from the file (measured: detokenize slower, not faster).
 */
export function checkpointInBackground(targets: readonly CheckpointTarget[]): StopCheckpointer {
  const worker = new Worker(WORKER_CODE, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      files: targets.map((target) => target.file),
      intervalMs: CHECKPOINT_INTERVAL_MS,
    },
  });
  // The thread must not keep a process alive that is otherwise done.
  worker.unref();
  let stopping = false;
  const checkpointHere = (target: CheckpointTarget) => {
    if (target.database.open) target.database.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  };
  const checkpointAllHere = () => {
    for (const target of targets) checkpointHere(target);
  };
  for (const target of targets) target.database.pragma('wal_autocheckpoint = 0');
  // A failed checkpoint (an I/O error, say): that file's connection takes its checkpoints over again.
  worker.on('message', (message: { index?: number }) => {
    const target = message.index === undefined ? undefined : targets[message.index];
    if (target) checkpointHere(target);
    else checkpointAllHere();
  });
  worker.on('error', checkpointAllHere);
  worker.on('exit', () => {
    if (!stopping) checkpointAllHere();
  });
  return async () => {
    if (stopping) return;
    stopping = true;
    const exited = once(worker, 'exit');
    // Waiting for it must keep the process alive (it is unref'd), or a process that stops right after
    // starting (a wrong root key, say) would end with the wait unsettled.
    worker.ref();
    worker.postMessage('stop');
    await exited;
    checkpointAllHere();
  };
}
