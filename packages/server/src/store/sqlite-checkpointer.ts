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
 * the compiled modules). It opens its own connection and runs a PASSIVE checkpoint now and then: one
 * that never waits for, and never blocks, the readers and writers of the server's connection.
 */
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** Stops the background checkpoints (the connection's own are turned back on). */
export type StopCheckpointer = () => Promise<void>;

/**
 * Moves a WAL-mode connection's checkpoints to a thread of their own. Left to the connection, a
 * checkpoint runs inside whichever commit fills the log past 1,000 pages and holds that commit (and, the
 * driver being synchronous, the whole event loop) through two fsyncs: 17–85 ms each time on the
 * benchmark machine, several times a second under a stream of audited requests (bench/data-api).
 * Should the thread fail, the connection checkpoints by itself again, so the log never grows unbounded.
 *
 * Only checkpoints move: a second connection that wrote (audit entries, say) would empty the server
 * connection's page cache at each of its commits, which SQLite does whenever another connection changed
 * the file, and turn every token lookup into reads from the file (measured: detokenize slower, not faster).
 */
export function checkpointInBackground(database: BetterSqlite3.Database, file: string): StopCheckpointer {
  const worker = new Worker(WORKER_CODE, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      file,
      intervalMs: CHECKPOINT_INTERVAL_MS,
    },
  });
  // The thread must not keep a process alive that is otherwise done.
  worker.unref();
  let stopping = false;
  const checkpointHere = () => {
    if (database.open) database.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  };
  database.pragma('wal_autocheckpoint = 0');
  // A failed checkpoint (an I/O error, say): the connection takes checkpoints over again.
  worker.on('message', checkpointHere);
  worker.on('error', checkpointHere);
  worker.on('exit', () => {
    if (!stopping) checkpointHere();
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
    checkpointHere();
  };
}
