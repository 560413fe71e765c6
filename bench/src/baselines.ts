/**
 * In-process baselines: the least work the server's job needs, written directly against the database
 * driver, on the same database, with the same rows, value sizes and encryption, and with no HTTP.
 *
 * - detokenize: per token, the primary-key lookup of its `tokens` row (the columns detokenize needs)
 *   and the AES-256-GCM decryption of its value under the vault's real data key, with the same
 *   associated data the server binds. The lookup hash is computed beforehand (the server also HMACs
 *   each token; the baseline does not).
 *   SQLite: one prepared-statement `get` per token, with the server's page cache size. PostgreSQL: one prepared
 *   `token_hash = ANY($2)` query per batch of 25 (what a hand-written client would do; one round trip
 *   per token would make the baseline slower than the server), as many batches in flight as the load
 *   generator has connections.
 * - insert: per batch of 25 records × 5 columns, what storing them costs at least: a random UUID token
 *   and its HMAC-SHA256 lookup hash per value, three AES-256-GCM seals (the cell, the token, the token's
 *   value), and the same rows (`records`, `record_values`, `tokens`, all their indexes) written in one
 *   transaction — SQLite: prepared single-row inserts in `BEGIN IMMEDIATE` with the server's pragmas
 *   (WAL, synchronous FULL, foreign keys, page cache size, memory map); PostgreSQL: three prepared multi-row
 *   inserts, as many transactions in flight as the load generator has connections. No validation, no collision lookups,
 *   no query builder. Baseline rows go to a vault ID of their own, so they never meet the server's.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { SQLITE_CACHE_MIB, SQLITE_MMAP_MIB } from '../../packages/server/dist/store/sqlite.js';
import { COLUMNS, type Person, type PoolToken, TABLE } from './fixture.js';

export interface LoopResult {
  readonly name: string;
  /** Tokens (detokenize) or records (insert) per second. */
  readonly unitsPerSecond: number;
  /** This process's CPU time per unit. */
  readonly cpuMicrosPerUnit: number;
}

export interface Baseline {
  run(seconds: number): Promise<LoopResult>;
  close(): Promise<void>;
}

const ENVELOPE_HEADER = 5;
const NONCE = 12;
const TAG = 16;

/** The server's unambiguous encoding of a list of strings (4-byte length, UTF-8 bytes). */
function encodeParts(parts: readonly string[]): Buffer {
  const buffers: Buffer[] = [];
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(bytes.length, 0);
    buffers.push(length, bytes);
  }
  return Buffer.concat(buffers);
}

/** Opens a token value envelope (`format ‖ version ‖ nonce ‖ ciphertext ‖ tag`) as the server seals it. */
function openValue(dataKeys: ReadonlyMap<number, Buffer>, vaultId: string, hash: Buffer, envelope: Buffer): string {
  const header = envelope.subarray(0, ENVELOPE_HEADER);
  const key = dataKeys.get(header.readUInt32BE(1));
  if (!key) throw new Error('baseline: unknown key version');
  const decipher = createDecipheriv('aes-256-gcm', key, envelope.subarray(ENVELOPE_HEADER, ENVELOPE_HEADER + NONCE), {
    authTagLength: TAG,
  });
  decipher.setAAD(Buffer.concat([header, encodeParts(['token-value', vaultId, hash.toString('hex')])]));
  decipher.setAuthTag(envelope.subarray(envelope.length - TAG));
  return Buffer.concat([
    decipher.update(envelope.subarray(ENVELOPE_HEADER + NONCE, envelope.length - TAG)),
    decipher.final(),
  ]).toString('utf8');
}

/** Seals like the server: `format(1) ‖ version(4) ‖ nonce ‖ ciphertext ‖ tag`, the header in the AAD. */
function sealValue(key: Buffer, context: readonly string[], plaintext: Buffer): Buffer {
  const header = Buffer.from([1, 0, 0, 0, 1]);
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG });
  cipher.setAAD(Buffer.concat([header, encodeParts(context)]));
  return Buffer.concat([header, nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** Draws `n` tokens of the pool at random (the load generator draws the same way). */
export function drawTokens(pool: readonly PoolToken[], n: number): PoolToken[] {
  return Array.from({ length: n }, () => pool[Math.floor(Math.random() * pool.length)] as PoolToken);
}

async function timed(name: string, seconds: number, work: (deadline: number) => Promise<number>): Promise<LoopResult> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const units = await work(start + seconds * 1000);
  const elapsed = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    name,
    unitsPerSecond: units / elapsed,
    cpuMicrosPerUnit: (used.user + used.system) / Math.max(1, units),
  };
}

export function sqliteDetokenizeBaseline(
  file: string,
  vaultId: string,
  dataKeys: ReadonlyMap<number, Buffer>,
  pool: readonly PoolToken[],
  batch: number,
): Baseline {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  // The server's connection settings (page cache size, memory map): the database does the same work for both.
  db.pragma(`cache_size = ${-SQLITE_CACHE_MIB * 1024}`);
  db.pragma(`mmap_size = ${SQLITE_MMAP_MIB * 2 ** 20}`);
  const lookup = db.prepare(
    'SELECT value, table_name, column_name, expires_at FROM tokens WHERE vault_id = ? AND token_hash = ?',
  );
  return {
    run: (seconds) =>
      timed('in-process detokenize (better-sqlite3)', seconds, async (deadline) => {
        let tokens = 0;
        while (performance.now() < deadline) {
          for (const { hash } of drawTokens(pool, batch)) {
            const row = lookup.get(vaultId, hash) as { value: Buffer } | undefined;
            if (!row) throw new Error('baseline: token not found');
            openValue(dataKeys, vaultId, hash, row.value);
          }
          tokens += batch;
        }
        return tokens;
      }),
    async close() {
      db.close();
    },
  };
}

/** A pg pool on a `postgres://…?schema=…` URL, as the server opens it (the schema as search path). */
export function pgPool(databaseUrl: string, max: number): pg.Pool {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  return new pg.Pool({ connectionString: url.toString(), max, ...(schema && { options: `-c search_path=${schema}` }) });
}

export function pgDetokenizeBaseline(
  databaseUrl: string,
  vaultId: string,
  dataKeys: ReadonlyMap<number, Buffer>,
  pool: readonly PoolToken[],
  batch: number,
  concurrency: number,
): Baseline {
  const connections = pgPool(databaseUrl, concurrency);
  return {
    run: (seconds) =>
      timed('in-process detokenize (pg)', seconds, async (deadline) => {
        let tokens = 0;
        const worker = async () => {
          while (performance.now() < deadline) {
            const drawn = drawTokens(pool, batch);
            const { rows } = await connections.query<{ token_hash: Buffer; value: Buffer }>({
              name: 'bench_detokenize',
              text: 'SELECT token_hash, value, table_name, column_name, expires_at FROM tokens WHERE vault_id = $1 AND token_hash = ANY($2)',
              values: [vaultId, drawn.map((t) => t.hash)],
            });
            const byHash = new Map(rows.map((row) => [row.token_hash.toString('base64'), row]));
            for (const { hash } of drawn) {
              const row = byHash.get(hash.toString('base64'));
              if (!row) throw new Error('baseline: token not found');
              openValue(dataKeys, vaultId, hash, row.value);
            }
            tokens += batch;
          }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
        return tokens;
      }),
    close: () => connections.end(),
  };
}

interface InsertRows {
  readonly records: unknown[][];
  readonly cells: unknown[][];
  readonly tokens: unknown[][];
}

/** The rows that store `people` with random UUID tokens: all the crypto of an insert. */
function insertRows(vaultId: string, dataKey: Buffer, lookupKey: Buffer, people: readonly Person[]): InsertRows {
  const now = Date.now();
  const out: InsertRows = { records: [], cells: [], tokens: [] };
  for (const person of people) {
    const id = randomUUID();
    out.records.push([vaultId, TABLE, id, now, now]);
    for (const column of COLUMNS) {
      const value = Buffer.from(JSON.stringify(person[column]), 'utf8');
      const token = randomUUID();
      const hash = createHmac('sha256', lookupKey).update(token, 'utf8').digest();
      const hex = hash.toString('hex');
      out.tokens.push([
        vaultId,
        hash,
        sealValue(dataKey, ['token', vaultId, hex], Buffer.from(token, 'utf8')),
        sealValue(dataKey, ['token-value', vaultId, hex], value),
        `${TABLE}.${column}`,
        null,
        TABLE,
        column,
        1,
        null,
        now,
      ]);
      out.cells.push([
        vaultId,
        TABLE,
        id,
        column,
        sealValue(dataKey, ['cell', vaultId, TABLE, column, id], value),
        1,
        null,
        null,
        hash,
        null,
      ]);
    }
  }
  return out;
}

const RECORD_COLUMNS = '(vault_id, table_name, id, created_at, updated_at)';
const TOKEN_COLUMNS =
  '(vault_id, token_hash, token, value, group_name, value_index, table_name, column_name, key_version, expires_at, created_at)';
const CELL_COLUMNS =
  '(vault_id, table_name, record_id, column_name, value, key_version, lookup_index, unique_index, token_hash, expires_at)';

export function sqliteInsertBaseline(file: string, people: readonly Person[]): Baseline {
  const db = new BetterSqlite3(file, { fileMustExist: true, timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`cache_size = ${-SQLITE_CACHE_MIB * 1024}`);
  db.pragma(`mmap_size = ${SQLITE_MMAP_MIB * 2 ** 20}`);
  const vaultId = `baseline-${randomUUID()}`;
  const dataKey = randomBytes(32);
  const lookupKey = randomBytes(32);
  const insertRecord = db.prepare(`INSERT INTO records ${RECORD_COLUMNS} VALUES (?, ?, ?, ?, ?)`);
  const insertToken = db.prepare(`INSERT INTO tokens ${TOKEN_COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertCell = db.prepare(`INSERT INTO record_values ${CELL_COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const write = db.transaction((rows: InsertRows) => {
    for (const row of rows.records) insertRecord.run(...row);
    for (const row of rows.tokens) insertToken.run(...row);
    for (const row of rows.cells) insertCell.run(...row);
  });
  return {
    run: (seconds) =>
      timed('in-process insert (better-sqlite3)', seconds, async (deadline) => {
        let records = 0;
        while (performance.now() < deadline) {
          write.immediate(insertRows(vaultId, dataKey, lookupKey, people));
          records += people.length;
        }
        return records;
      }),
    async close() {
      db.close();
    },
  };
}

/** `($1, $2, …), (…)`: a multi-row VALUES list. */
function placeholders(rows: number, columns: number): string {
  return Array.from(
    { length: rows },
    (_, r) => `(${Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}`).join(', ')})`,
  ).join(', ');
}

export function pgInsertBaseline(databaseUrl: string, people: readonly Person[], concurrency: number): Baseline {
  const connections = pgPool(databaseUrl, concurrency);
  const vaultId = `baseline-${randomUUID()}`;
  const dataKey = randomBytes(32);
  const lookupKey = randomBytes(32);
  const cells = people.length * COLUMNS.length;
  const recordsSql = `INSERT INTO records ${RECORD_COLUMNS} VALUES ${placeholders(people.length, 5)}`;
  const tokensSql = `INSERT INTO tokens ${TOKEN_COLUMNS} VALUES ${placeholders(cells, 11)}`;
  const cellsSql = `INSERT INTO record_values ${CELL_COLUMNS} VALUES ${placeholders(cells, 10)}`;
  return {
    run: (seconds) =>
      timed('in-process insert (pg)', seconds, async (deadline) => {
        let records = 0;
        const worker = async () => {
          while (performance.now() < deadline) {
            const rows = insertRows(vaultId, dataKey, lookupKey, people);
            const client = await connections.connect();
            try {
              await client.query('BEGIN');
              await client.query({ name: 'bench_records', text: recordsSql, values: rows.records.flat() });
              await client.query({ name: 'bench_tokens', text: tokensSql, values: rows.tokens.flat() });
              await client.query({ name: 'bench_cells', text: cellsSql, values: rows.cells.flat() });
              await client.query('COMMIT');
            } catch (err) {
              await client.query('ROLLBACK');
              throw err;
            } finally {
              client.release();
            }
            records += people.length;
          }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
        return records;
      }),
    close: () => connections.end(),
  };
}
