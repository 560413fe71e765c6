import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

/**
 * The SQLite store keeps its audit log in a file of its own next to the data file
 * (`strongroom.db` → `strongroom-audit.db`), with a connection of its own.
 *
 * Why: under audited load most of what a read-heavy vault commits is audit entries. In the data file
 * they went through its write-ahead log and its checkpoints with everything else; on their own they do
 * not grow the data file's log, and the data connection's page cache is not shared with the log's
 * pages. The log, which only grows, can also be archived or shipped on its own. Audit entries never
 * shared a transaction with the data they describe (a request's entry is appended after its answer is
 * computed), so two files lose no atomicity. (The server connection cannot ATTACH the log file instead:
 * its `BEGIN IMMEDIATE` write transactions would then take the log's write lock as well.)
 */
export function auditFileOf(file: string): string {
  if (file === ':memory:') return ':memory:';
  const { dir, name, ext } = path.parse(file);
  return path.join(dir, `${name}-audit${ext}`);
}

/** Version of the audit file's schema (`pragma user_version`); 0 is a new, empty file. */
const AUDIT_SCHEMA_VERSION = 1;

/**
 * The tables of the data file's migration `0005_audit`: the chain of entries and its head. Two
 * differences, both for the cost of an append (measured per entry, batches of five: 24 → 19 µs of the
 * database's work): `seq INTEGER PRIMARY KEY` is the row ID, so entries are stored in chain order at no
 * extra index; and `id` is not indexed — nothing looks an entry up by it, and a UUIDv7's random bits keep
 * it unique without an index to check it, which cost more than the other two indexes together.
 */
const AUDIT_SCHEMA = `
create table if not exists audit_events (
  seq integer primary key,
  id text not null,
  ts integer not null,
  request_id text not null,
  actor text not null,
  actor_type text not null,
  auth_mode text not null,
  jwt_id text not null,
  context_id text not null,
  ip_address text not null,
  api_name text not null,
  http_method text not null,
  uri text not null,
  action_type text not null,
  resource_type text not null,
  vault_id text not null,
  resource_ids text not null,
  status_code integer not null,
  message text not null,
  prev_hash blob not null,
  hash blob not null
);
create index if not exists audit_events_ts on audit_events (ts, seq);
create index if not exists audit_events_vault on audit_events (vault_id, seq);
create table if not exists audit_head (id integer primary key, seq integer not null, hash blob not null);
insert into audit_head (id, seq, hash) values (1, 0, zeroblob(32)) on conflict (id) do nothing;
`;

/** How long a connection waits for another process's write lock on the log (a CLI next to the server). */
export const AUDIT_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens the audit file (creating it owner-only, like the data file) in WAL mode. The schema is created
 * by {@link migrateAuditFile}, not here: a connection may open a file another process is migrating.
 */
export function openAuditFile(file: string, synchronous: 'FULL' | 'NORMAL'): BetterSqlite3.Database {
  if (file !== ':memory:') closeSync(openSync(file, 'a', 0o600));
  const database = new BetterSqlite3(file, { timeout: AUDIT_BUSY_TIMEOUT_MS });
  database.pragma('journal_mode = WAL');
  database.pragma(`synchronous = ${synchronous}`);
  return database;
}

/** Rows copied per statement when the log moves out of the data file. */
const MOVE_CHUNK = 1000;

/**
 * Creates the audit file's tables, and moves the log of a data file written by an earlier version (which
 * kept `audit_events` and `audit_head` in the data file) into it. Safe to repeat and to interrupt: rows
 * are copied with `insert or ignore` and the head only ever moves forward, in a transaction of the log
 * file that commits before the data file's copies are dropped; an interrupted move is finished by the
 * next start. The data file's write lock is held throughout, so two processes never move at once.
 */
export function migrateAuditFile(data: BetterSqlite3.Database, audit: BetterSqlite3.Database): void {
  if (Number(audit.pragma('user_version', { simple: true })) < AUDIT_SCHEMA_VERSION) {
    audit
      .transaction(() => {
        audit.exec(AUDIT_SCHEMA);
        audit.pragma(`user_version = ${AUDIT_SCHEMA_VERSION}`);
      })
      .immediate();
  }
  const hasOldLog = () =>
    data.prepare(`select 1 from sqlite_schema where type = 'table' and name = 'audit_events'`).get() !== undefined;
  if (!hasOldLog()) return;
  data
    .transaction(() => {
      if (!hasOldLog()) return;
      const read = data.prepare('select * from audit_events where seq > ? order by seq limit ?');
      const columns = (read.columns() as { name: string }[]).map((c) => c.name);
      const write = audit.prepare(
        `insert or ignore into audit_events (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`,
      );
      const oldHead = data.prepare('select seq, hash from audit_head where id = 1').get() as
        | { seq: number; hash: Buffer }
        | undefined;
      audit
        .transaction(() => {
          for (let after = 0; ; ) {
            const rows = read.raw().all(after, MOVE_CHUNK) as unknown[][];
            for (const row of rows) write.run(row);
            if (rows.length < MOVE_CHUNK) break;
            after = Number((rows[rows.length - 1] as unknown[])[columns.indexOf('seq')]);
          }
          if (oldHead) {
            audit
              .prepare('update audit_head set seq = ?, hash = ? where id = 1 and seq < ?')
              .run(oldHead.seq, oldHead.hash, oldHead.seq);
          }
        })
        .immediate();
      data.exec('drop table audit_events; drop table if exists audit_head;');
    })
    .immediate();
}
