import type BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { AuditAppendOptions, AuditBatch, AuditEventRow, AuditHead } from './types.js';

/** How a store appends to the audit chain (see {@link Store.appendAudit}). */
export interface AuditAppender {
  append(link: (head: AuditHead) => AuditBatch, options: AuditAppendOptions): Promise<AuditHead>;
  close(): Promise<void>;
}

/** The link before the first entry, when the head row is missing. */
const GENESIS: AuditHead = { seq: 0, hash: Buffer.alloc(32) };

/** The columns of `audit_events`, in the order {@link auditRowValues} gives a row's values. */
export const AUDIT_COLUMNS = [
  'seq',
  'id',
  'ts',
  'request_id',
  'actor',
  'actor_type',
  'auth_mode',
  'jwt_id',
  'context_id',
  'ip_address',
  'api_name',
  'http_method',
  'uri',
  'action_type',
  'resource_type',
  'vault_id',
  'resource_ids',
  'status_code',
  'message',
  'prev_hash',
  'hash',
] as const;

/** A row's values in the order of {@link AUDIT_COLUMNS}, as SQLite stores them. */
export function auditRowValues(r: AuditEventRow): unknown[] {
  return [
    r.seq,
    r.id,
    r.ts,
    r.requestId,
    r.actor,
    r.actorType,
    r.authMode,
    r.jwtId,
    r.contextId,
    r.ipAddress,
    r.apiName,
    r.httpMethod,
    r.uri,
    r.actionType,
    r.resourceType,
    r.vaultId,
    JSON.stringify(r.resourceIds),
    r.statusCode,
    r.message,
    r.prevHash,
    r.hash,
  ];
}

/** Most times a batch is chained again after another writer's; each retry follows a write that succeeded. */
const MAX_ATTEMPTS = 1000;

/** Rows one SQLite insert statement takes (21 parameters each, far below SQLite's limit). */
const SQLITE_ROWS_PER_INSERT = 32;

/**
 * SQLite: each attempt runs synchronously on the store's connection, with statements prepared once:
 * `BEGIN IMMEDIATE`, move the head from where the caller expects it to the batch's last link (compare
 * and set), insert the rows (many per statement), commit. Going through the query builder instead cost
 * about eight builds and round trips of the query layer per batch, more than the database's own work
 * (bench/data-api). When the head is not where the caller expected (the first append of the process,
 * or another process appended to the same file), nothing is written and the batch is chained again
 * after the actual head.
 *
 * `exclusive` runs an attempt when nothing else uses the connection: the store passes its Kysely
 * connection's (`db.connection().execute`), which waits for any query on it in progress.
 */
export function sqliteAuditAppender(
  database: BetterSqlite3.Database,
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>,
  configured: 'FULL' | 'NORMAL',
): AuditAppender {
  let statements: ReturnType<typeof prepare> | undefined;
  const inserts = new Map<number, BetterSqlite3.Statement>();

  // Prepared on first use: a store is opened before its schema is migrated.
  function prepare() {
    return {
      begin: database.prepare('begin immediate'),
      commit: database.prepare('commit'),
      rollback: database.prepare('rollback'),
      relax: database.prepare('pragma synchronous = NORMAL'),
      restore: database.prepare(`pragma synchronous = ${configured}`),
      head: database.prepare('select seq, hash from audit_head where id = 1'),
      genesis: database.prepare('insert into audit_head (id, seq, hash) values (1, 0, ?) on conflict (id) do nothing'),
      move: database.prepare('update audit_head set seq = ?, hash = ? where id = 1 and seq = ? and hash = ?'),
    };
  }

  function insert(rows: number): BetterSqlite3.Statement {
    let statement = inserts.get(rows);
    if (!statement) {
      const tuple = `(${AUDIT_COLUMNS.map(() => '?').join(', ')})`;
      statement = database.prepare(
        `insert into audit_events (${AUDIT_COLUMNS.join(', ')}) values ${new Array(rows).fill(tuple).join(', ')}`,
      );
      inserts.set(rows, statement);
    }
    return statement;
  }

  /** One attempt: the batch stored (undefined), or the actual head when it was not where expected. */
  function attempt(expected: AuditHead, batch: AuditBatch, relaxed: boolean): AuditHead | undefined {
    statements ??= prepare();
    const s = statements;
    // Only between transactions can SQLite change how a commit waits for the disk.
    if (relaxed) s.relax.run();
    try {
      s.begin.run();
      try {
        if (s.move.run(batch.head.seq, batch.head.hash, expected.seq, expected.hash).changes !== 1) {
          const stored = s.head.get() as { seq: number | bigint; hash: Uint8Array } | undefined;
          // The head row exists from the migration on; recreated here should it ever be missing.
          if (!stored) s.genesis.run(GENESIS.hash);
          s.commit.run();
          return stored ? { seq: Number(stored.seq), hash: Buffer.from(stored.hash) } : GENESIS;
        }
        for (let i = 0; i < batch.rows.length; i += SQLITE_ROWS_PER_INSERT) {
          const part = batch.rows.slice(i, i + SQLITE_ROWS_PER_INSERT);
          insert(part.length).run(part.flatMap(auditRowValues));
        }
        s.commit.run();
        return undefined;
      } catch (err) {
        if (database.inTransaction) s.rollback.run();
        throw err;
      }
    } finally {
      if (relaxed) s.restore.run();
    }
  }

  return {
    append(link, options) {
      const relaxed = options.durability === 'relaxed' && configured === 'FULL';
      return exclusive(async () => {
        let expected = options.expected ?? GENESIS;
        for (let tries = 0; tries < MAX_ATTEMPTS; tries++) {
          const batch = link(expected);
          const actual = attempt(expected, batch, relaxed);
          if (actual === undefined) return batch.head;
          expected = actual;
        }
        throw new Error('audit log: the chain head kept moving; the batch could not be appended');
      });
    },
    async close() {},
  };
}

/** How each of {@link AUDIT_COLUMNS} is read back out of a row of the JSON the rows travel as. */
const PG_FROM_JSON: Readonly<Record<(typeof AUDIT_COLUMNS)[number], (field: string) => string>> = {
  seq: (f) => `(${f})::bigint`,
  id: (f) => f,
  ts: (f) => `(${f})::bigint`,
  request_id: (f) => f,
  actor: (f) => f,
  actor_type: (f) => f,
  auth_mode: (f) => f,
  jwt_id: (f) => f,
  context_id: (f) => f,
  ip_address: (f) => f,
  api_name: (f) => f,
  http_method: (f) => f,
  uri: (f) => f,
  action_type: (f) => f,
  resource_type: (f) => f,
  vault_id: (f) => f,
  resource_ids: (f) => f,
  status_code: (f) => `(${f})::integer`,
  message: (f) => f,
  prev_hash: (f) => `decode(${f}, 'hex')`,
  hash: (f) => `decode(${f}, 'hex')`,
};

/**
 * Moves the head from ($3, $4) to ($1, $2) and inserts the rows, in one statement: when the head is no
 * longer ($3, $4) (another node appended), nothing is written and no row is reported. The rows travel
 * as one JSON array of arrays ($5): the statement's text, and its plan, are the same for any batch size,
 * and `JSON.stringify` costs the event loop a fraction of what the driver's escaping of one text array
 * per column did (measured: about 100 µs less per batch of four).
 */
const PG_APPEND = `with head as (
  update audit_head set seq = $1, hash = $2 where id = 1 and seq = $3 and hash = $4 returning id
)
insert into audit_events (${AUDIT_COLUMNS.join(', ')})
select ${AUDIT_COLUMNS.map((c, i) => PG_FROM_JSON[c](`r->>${i}`)).join(', ')}
from jsonb_array_elements($5::jsonb) as r
where exists (select 1 from head)`;

/**
 * A row's values as JSON can carry them: hashes in hex, strings well-formed. Text columns store a lone
 * UTF-16 surrogate as U+FFFD (as the link's UTF-8 encoding does); PostgreSQL's JSON would refuse it.
 */
function jsonValuesOf(row: AuditEventRow): unknown[] {
  return auditRowValues(row).map((value) =>
    typeof value === 'string'
      ? value.isWellFormed()
        ? value
        : value.toWellFormed()
      : Buffer.isBuffer(value)
        ? value.toString('hex')
        : value,
  );
}

/**
 * PostgreSQL: appends on a connection of its own, one statement per batch when this node wrote the
 * last entries (the usual case): the head this node left is compared and moved in the same statement
 * that inserts the rows. When another node appended in between, the head is locked and read in a
 * transaction and the batch chained after it. A connection of its own also lets the audit log's
 * durability (`synchronous_commit`) be set once for the session rather than per transaction.
 */
export function postgresAuditAppender(config: pg.PoolConfig): AuditAppender {
  const pool = new pg.Pool({ ...config, max: 1 });
  // See openPostgresStore: an idle connection ended by the server is dropped and replaced.
  pool.on('error', () => {});
  const modes = new WeakMap<pg.PoolClient, AuditAppendOptions['durability']>();

  async function write(client: pg.PoolClient, expected: AuditHead, batch: AuditBatch): Promise<boolean> {
    if (batch.rows.length === 0) return true;
    const result = await client.query({
      name: 'sr_audit_append',
      text: PG_APPEND,
      values: [
        batch.head.seq,
        batch.head.hash,
        expected.seq,
        expected.hash,
        JSON.stringify(batch.rows.map(jsonValuesOf)),
      ],
    });
    return result.rowCount === batch.rows.length;
  }

  async function appendLocked(client: pg.PoolClient, link: (head: AuditHead) => AuditBatch): Promise<AuditHead> {
    await client.query('begin');
    try {
      // The genesis head row exists from the migration on; recreated here should it ever be missing.
      await client.query('insert into audit_head (id, seq, hash) values (1, 0, $1) on conflict (id) do nothing', [
        GENESIS.hash,
      ]);
      const { rows } = await client.query<{ seq: number | string; hash: Buffer }>(
        'select seq, hash from audit_head where id = 1 for update',
      );
      const stored = rows[0] as { seq: number | string; hash: Buffer };
      const head = { seq: Number(stored.seq), hash: Buffer.from(stored.hash) };
      const batch = link(head);
      if (!(await write(client, head, batch))) throw new Error('audit head moved while locked');
      await client.query('commit');
      return batch.head;
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    }
  }

  return {
    async append(link, options) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        if (modes.get(client) !== options.durability) {
          await client.query(
            options.durability === 'relaxed' ? 'set synchronous_commit = off' : 'set synchronous_commit to default',
          );
          modes.set(client, options.durability);
        }
        if (options.expected) {
          const batch = link(options.expected);
          if (await write(client, options.expected, batch)) return batch.head;
        }
        return await appendLocked(client, link);
      } catch (err) {
        broken = err as Error;
        throw err;
      } finally {
        // A connection that failed mid-way may be in any state: the pool replaces it.
        client.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  };
}
