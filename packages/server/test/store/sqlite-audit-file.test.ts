import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { chain, GENESIS } from '../../src/audit/audit-chain.js';
import { verifyAuditLog } from '../../src/audit/verify-log.js';
import { migrateToLatest } from '../../src/store/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { auditFileOf } from '../../src/store/sqlite-audit-file.js';
import type { AuditEventRow } from '../../src/store/types.js';
import { auditEntry, insertAuditRow } from './audit-fixtures.js';

const KEY = Buffer.alloc(32, 9);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const entry = auditEntry;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function newFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'strongroom-audit-file-'));
  dirs.push(dir);
  return path.join(dir, 'strongroom.db');
}

const insertRow = insertAuditRow;

/**
 * A data file as an earlier version left it: every migration applied by the data file's own migrator,
 * the audit log (`count` chained entries) still in `audit_events` and `audit_head` of the data file.
 */
async function oldLayout(file: string, count: number): Promise<AuditEventRow[]> {
  const database = new BetterSqlite3(file);
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  await migrateToLatest(db, 'sqlite');
  await db.destroy();
  const raw = new BetterSqlite3(file);
  const { rows, head } = chain(
    KEY,
    { seq: 0, hash: GENESIS },
    Array.from({ length: count }, (_, i) => entry(i + 1)),
  );
  for (const row of rows) insertRow(raw, row);
  raw.prepare('update audit_head set seq = ?, hash = ? where id = 1').run(head.seq, head.hash);
  raw.close();
  return rows;
}

const tablesOf = (file: string): string[] => {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return (db.prepare(`select name from sqlite_schema where type = 'table'`).all() as { name: string }[]).map(
      (r) => r.name,
    );
  } finally {
    db.close();
  }
};

describe('the SQLite audit file', () => {
  it('sits next to the data file, named after it', () => {
    expect(auditFileOf('/var/lib/strongroom/strongroom.db')).toBe('/var/lib/strongroom/strongroom-audit.db');
    expect(auditFileOf('/data/vault')).toBe('/data/vault-audit');
    expect(auditFileOf(':memory:')).toBe(':memory:');
  });

  it('a new store keeps its log in the audit file and none in the data file', async () => {
    const file = newFile();
    const store = openSqliteStore(file);
    await store.migrate();
    await store.appendAudit((head) => chain(KEY, head, [entry(1), entry(2)]), { durability: 'relaxed' });
    await store.close();
    expect(tablesOf(file)).not.toContain('audit_events');
    expect(tablesOf(auditFileOf(file))).toEqual(expect.arrayContaining(['audit_events', 'audit_head']));
    const reopened = openSqliteStore(file);
    await reopened.migrate();
    expect(await verifyAuditLog(reopened, KEY)).toEqual({ ok: true, entries: 2 });
    await reopened.close();
  });

  it("has its log copied into the file by the server's checkpoint thread, not inside commits", async () => {
    const file = newFile();
    const auditFile = auditFileOf(file);
    const store = openSqliteStore(file, { backgroundCheckpoints: true });
    try {
      await store.migrate();
      const sizeOf = () => statSync(auditFile).size;
      const grows = async (from: number) => {
        for (let waited = 0; waited < 5000 && sizeOf() <= from; waited += 50) await sleep(50);
        return sizeOf() > from;
      };
      // The schema itself is first written to the log, then copied into the file by the thread.
      expect(await grows(0)).toBe(true);
      await sleep(300);
      const before = sizeOf();
      // A few pages: a connection left to itself would copy nothing before its log held 1,000 pages.
      await store.appendAudit(
        (head) =>
          chain(
            KEY,
            head,
            Array.from({ length: 200 }, (_, i) => entry(i + 1)),
          ),
        { durability: 'relaxed' },
      );
      expect(await grows(before)).toBe(true);
      expect(await verifyAuditLog(store, KEY)).toEqual({ ok: true, entries: 200 });
    } finally {
      await store.close();
    }
  });

  it('moves the log of a data file written by an earlier version, and the chain carries on', async () => {
    const file = newFile();
    const rows = await oldLayout(file, 2500);
    expect(existsSync(auditFileOf(file))).toBe(false);
    const store = openSqliteStore(file);
    await store.migrate();
    expect(tablesOf(file)).not.toContain('audit_events');
    expect(tablesOf(file)).not.toContain('audit_head');
    expect(await verifyAuditLog(store, KEY)).toEqual({ ok: true, entries: 2500 });
    expect((await store.audit.scan(1, 3)).map((r) => r.id)).toEqual(rows.slice(0, 3).map((r) => r.id));
    const head = await store.appendAudit((h) => chain(KEY, h, [entry(2501)]), { durability: 'relaxed' });
    expect(head.seq).toBe(2501);
    expect(await verifyAuditLog(store, KEY)).toEqual({ ok: true, entries: 2501 });
    await store.close();
  });

  it('finishes a move that was interrupted after the copy, without duplicating an entry', async () => {
    const file = newFile();
    await oldLayout(file, 40);
    // The first start copied the log and stopped before dropping the data file's tables.
    const first = openSqliteStore(file);
    await first.migrate();
    await first.close();
    const audit = new BetterSqlite3(auditFileOf(file));
    const copied = audit.prepare('select * from audit_events order by seq').all() as Record<string, unknown>[];
    const headRow = audit.prepare('select seq, hash from audit_head').get() as { seq: number; hash: Buffer };
    audit.close();
    const data = new BetterSqlite3(file);
    const columns = Object.keys(copied[0] as object);
    data.exec(`create table audit_events (${columns.join(', ')}); create table audit_head (id, seq, hash);`);
    const put = data.prepare(`insert into audit_events values (${columns.map(() => '?').join(', ')})`);
    for (const row of copied) put.run(Object.values(row));
    data.prepare('insert into audit_head values (1, ?, ?)').run(headRow.seq, headRow.hash);
    data.close();

    const again = openSqliteStore(file);
    await again.migrate();
    expect(tablesOf(file)).not.toContain('audit_events');
    expect(await verifyAuditLog(again, KEY)).toEqual({ ok: true, entries: 40 });
    await again.close();
  });
});
