import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type AuditEntry, ChainVerifier, chain } from '../../src/audit/audit-chain.js';
import { auditFileOf } from '../../src/store/sqlite-audit-file.js';
import type { AuditHead, Store } from '../../src/store/types.js';
import { auditEntry } from './audit-fixtures.js';
import { postgresTarget, rawConnection, type StoreTarget, sqliteTarget, unavailable } from './harness.js';

const KEY = Buffer.alloc(32, 7);

const entry = auditEntry;

/** Appends `entries` the way the audit log does: chained after whatever head the store reports. */
function append(store: Store, entries: AuditEntry[], expected?: AuditHead): Promise<AuditHead> {
  return store.appendAudit((head) => chain(KEY, head, entries), { durability: 'relaxed', expected });
}

async function verify(store: Store): Promise<ReturnType<ChainVerifier['finish']>> {
  const verifier = new ChainVerifier(KEY);
  verifier.feed(await store.audit.scan(1, 10_000));
  return verifier.finish(await store.audit.head());
}

// SQLite with and without its checkpoint thread (the server runs one; the CLI and tests do not).
const TARGETS: [string, () => StoreTarget][] = [
  ['sqlite', () => sqliteTarget()],
  ['sqlite, checkpoints in the background', () => sqliteTarget({ backgroundCheckpoints: true })],
  ['postgres', () => postgresTarget()],
];

for (const [name, makeTarget] of TARGETS) {
  const kind = name.startsWith('sqlite') ? 'sqlite' : 'postgres';
  describe.skipIf(await unavailable(kind))(`audit appends (${name})`, () => {
    const target = makeTarget();
    afterEach(async () => {
      await target.reset();
    });
    afterAll(async () => {
      await target.dispose();
    });

    it('stores a batch after the head in one step and reports the new head', async () => {
      const store = await target.fresh();
      const first = await append(store, [entry(1), entry(2), entry(3)]);
      expect(first.seq).toBe(3);
      const second = await append(store, [entry(4)], first);
      expect(second.seq).toBe(4);
      expect(await store.audit.head()).toEqual(second);
      const rows = await store.audit.scan(1, 100);
      expect(rows.map((r) => r.requestId)).toEqual(['request-1', 'request-2', 'request-3', 'request-4']);
      expect(rows[3]?.uri).toBe(entry(4).uri);
      expect(rows[3]?.resourceIds).toEqual(['VAULT/v', 'RECORD/4']);
      expect(await verify(store)).toEqual({ ok: true, entries: 4 });
    });

    it('two nodes appending with stale heads still build one unbroken chain with every entry once', async () => {
      const a = await target.fresh();
      const b = target.reopen(a);
      let headA: AuditHead | undefined;
      let headB: AuditHead | undefined;
      let n = 0;
      for (let round = 0; round < 10; round++) {
        // Each node remembers only the head it wrote itself: after the other node's batch it is stale.
        const batchA = [entry(++n), entry(++n)];
        const batchB = [entry(++n)];
        [headA, headB] = await Promise.all([append(a, batchA, headA), append(b, batchB, headB)]);
      }
      expect(await verify(a)).toEqual({ ok: true, entries: n });
      const requests = (await a.audit.scan(1, 1000)).map((r) => r.requestId).sort();
      expect(requests).toEqual(Array.from({ length: n }, (_, i) => `request-${i + 1}`).sort());
      await b.close();
    });

    it('appends and the store’s other writes, in and out of transactions, interleave without losing either', async () => {
      const store = await target.fresh();
      let head: AuditHead | undefined;
      let n = 0;
      const appends = (async () => {
        for (let round = 0; round < 40; round++) head = await append(store, [entry(++n), entry(++n)], head);
      })();
      const writes = (async () => {
        for (let i = 0; i < 40; i++) {
          await store.meta.setIfAbsent(`plain-${i}`, 'x');
          await store.transaction(async (tx) => {
            await tx.meta.setIfAbsent(`tx-${i}`, 'y');
            await new Promise((resolve) => setImmediate(resolve));
            await tx.meta.setIfAbsent(`tx-${i}-b`, 'z');
          });
        }
      })();
      await Promise.all([appends, writes]);
      expect(await verify(store)).toEqual({ ok: true, entries: 80 });
      expect(await store.meta.setIfAbsent('tx-39-b', 'other')).toBe('z');
      expect(await store.meta.setIfAbsent('plain-39', 'other')).toBe('x');
    });

    it('a batch that cannot be stored leaves nothing behind and the chain continues after the head', async () => {
      const store = await target.fresh();
      const head = await append(store, [entry(1)]);
      const location = target.locationOf(store);
      // The SQLite store keeps its audit log in a file of its own.
      const raw = await rawConnection(kind, kind === 'sqlite' ? auditFileOf(location) : location, { writable: true });
      const trigger =
        kind === 'sqlite'
          ? [
              `CREATE TRIGGER audit_down BEFORE INSERT ON audit_events WHEN NEW.request_id = 'request-3' BEGIN SELECT RAISE(ABORT, 'disk failure'); END`,
            ]
          : [
              `CREATE FUNCTION audit_down() RETURNS trigger AS $$ BEGIN IF NEW.request_id = 'request-3' THEN RAISE EXCEPTION 'disk failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
              'CREATE TRIGGER audit_down BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_down()',
            ];
      try {
        for (const statement of trigger) await raw.all(statement);
        await expect(append(store, [entry(2), entry(3)], head)).rejects.toThrow(/disk failure/);
        expect(await store.audit.head()).toEqual(head);
        expect((await store.audit.scan(1, 100)).map((r) => r.requestId)).toEqual(['request-1']);
        const next = await append(store, [entry(4)], head);
        expect(next.seq).toBe(2);
        expect(await verify(store)).toEqual({ ok: true, entries: 2 });
      } finally {
        await raw.close();
      }
    });
  });
}
