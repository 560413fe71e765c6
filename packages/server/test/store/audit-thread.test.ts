import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/audit/audit-chain.js';
import { AuditThread } from '../../src/audit/audit-thread.js';
import { verifyAuditLog } from '../../src/audit/verify-log.js';
import { createLogger } from '../../src/logger.js';
import { auditFileOf } from '../../src/store/sqlite-audit-file.js';
import type { Store } from '../../src/store/types.js';
import { rawConnection, sqliteTarget } from './harness.js';

const KEY = Buffer.alloc(32, 5);

function entry(requestId: string): AuditEntry {
  return {
    id: randomUUID(),
    ts: Date.now(),
    requestId,
    actor: 'actor',
    actorType: 'SERVICE_ACCOUNT',
    authMode: 'SERVICE_ACCOUNT_JWT',
    jwtId: 'jti',
    contextId: '{"user":"ü"}',
    ipAddress: '127.0.0.1',
    apiName: 'POST /v1/vaults/:vaultID/detokenize',
    httpMethod: 'POST',
    uri: '/v1/vaults/v/detokenize',
    actionType: 'READ',
    resourceType: 'TOKEN',
    vaultId: 'v',
    resourceIds: ['VAULT/v'],
    statusCode: 200,
    message: '',
  };
}

/** Appends through the thread; resolves with each entry's outcome (undefined: committed). */
function appendAll(thread: AuditThread, entries: AuditEntry[]): Promise<(string | undefined)[]> {
  return Promise.all(
    entries.map((e) => new Promise<string | undefined>((resolve) => thread.append(e, (err) => resolve(err?.message)))),
  );
}

const logger = createLogger('silent');

// Only a SQLite store appends from a thread (see `auditSink` in server/services.ts).
const kind = 'sqlite';

describe('the audit thread (sqlite)', () => {
  const target = sqliteTarget();
  const threads: AuditThread[] = [];
  function threadFor(store: Store, gatherMs = 1): AuditThread {
    if (!store.auditTarget) throw new Error('the store has no audit target');
    const thread = new AuditThread({ target: store.auditTarget, key: KEY, durability: 'relaxed', gatherMs }, logger);
    threads.push(thread);
    return thread;
  }
  afterEach(async () => {
    await Promise.all(threads.splice(0).map((t) => t.close()));
    await target.reset();
  });
  afterAll(async () => {
    await target.dispose();
  });

  it('commits every entry before answering, in one unbroken chain the store reads back', async () => {
    const store = await target.fresh();
    const thread = threadFor(store);
    const first = Array.from({ length: 30 }, (_, i) => entry(`a-${i}`));
    expect(await appendAll(thread, first)).toEqual(first.map(() => undefined));
    // Answered means stored: the store's own connection sees every entry at once.
    const rows = await store.audit.scan(1, 100);
    expect(rows.map((r) => r.requestId)).toEqual(first.map((e) => e.requestId));
    const second = Array.from({ length: 700 }, (_, i) => entry(`b-${i}`));
    await appendAll(thread, second);
    expect(await verifyAuditLog(store, KEY)).toEqual({ ok: true, entries: 730 });
    expect((await store.audit.scan(31, 1))[0]?.contextId).toBe('{"user":"ü"}');
  });

  it('fails exactly the entries whose write failed, and carries on after them', async () => {
    const store = await target.fresh();
    const thread = threadFor(store, 0);
    expect(await appendAll(thread, [entry('ok-1')])).toEqual([undefined]);
    const location = target.locationOf(store);
    const raw = await rawConnection(kind, auditFileOf(location), { writable: true });
    const failing = [
      `CREATE TRIGGER audit_down BEFORE INSERT ON audit_events WHEN NEW.request_id = 'bad' BEGIN SELECT RAISE(ABORT, 'disk failure'); END`,
    ];
    try {
      for (const statement of failing) await raw.all(statement);
      const outcomes = await appendAll(thread, [entry('bad')]);
      expect(outcomes[0]).toMatch(/disk failure/);
      expect(await appendAll(thread, [entry('ok-2'), entry('ok-3')])).toEqual([undefined, undefined]);
    } finally {
      await raw.close();
    }
    expect((await store.audit.scan(1, 10)).map((r) => r.requestId)).toEqual(['ok-1', 'ok-2', 'ok-3']);
    expect(await verifyAuditLog(store, KEY)).toEqual({ ok: true, entries: 3 });
  });

  it('when the thread dies, its pending entries fail and the next entry starts a new thread', async () => {
    const store = await target.fresh();
    const thread = threadFor(store, 50);
    expect(await appendAll(thread, [entry('before')])).toEqual([undefined]);
    // Gathering for 50 ms: the entry is still in the thread when it is stopped.
    const pending = appendAll(thread, [entry('lost')]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await (thread as unknown as { worker: Worker }).worker.terminate();
    expect((await pending)[0]).toMatch(/audit thread stopped/);
    expect(await appendAll(thread, [entry('after')])).toEqual([undefined]);
    expect((await store.audit.scan(1, 10)).map((r) => r.requestId)).toEqual(['before', 'after']);
    expect(await verifyAuditLog(store, KEY)).toEqual({ ok: true, entries: 2 });
  });

  it('close appends what was queued, then refuses more', async () => {
    const store = await target.fresh();
    const thread = threadFor(store, 20);
    const outcomes = appendAll(
      thread,
      Array.from({ length: 5 }, (_, i) => entry(`last-${i}`)),
    );
    await thread.close();
    expect(await outcomes).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(await appendAll(thread, [entry('late')])).toEqual(['the audit log is closed']);
    expect(await verifyAuditLog(store, KEY)).toEqual({ ok: true, entries: 5 });
  });
});
