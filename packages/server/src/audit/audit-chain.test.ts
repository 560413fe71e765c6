import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditEventRow } from '../store/types.js';
import { type AuditEntry, ChainVerifier, chain, GENESIS } from './audit-chain.js';

const KEY = randomBytes(32);

function entry(i: number): AuditEntry {
  return {
    id: `id-${i}`,
    ts: 1_700_000_000_000 + i,
    requestId: `req-${i}`,
    actor: 'sa-1',
    actorType: 'SERVICE_ACCOUNT',
    authMode: 'SERVICE_ACCOUNT_JWT',
    jwtId: `jti-${i}`,
    contextId: '',
    ipAddress: '127.0.0.1',
    apiName: 'GET /v1/vaults/:vaultID/:tableName',
    httpMethod: 'GET',
    uri: '/v1/vaults/v/persons',
    actionType: 'READ',
    resourceType: 'RECORD',
    vaultId: 'v',
    resourceIds: ['VAULT/v'],
    statusCode: 200,
    message: '',
  };
}

function build(n: number): { rows: AuditEventRow[]; head: { seq: number; hash: Buffer } } {
  return chain(
    KEY,
    { seq: 0, hash: GENESIS },
    Array.from({ length: n }, (_, i) => entry(i + 1)),
  );
}

function verify(rows: readonly AuditEventRow[], head: { seq: number; hash: Buffer }, key: Uint8Array = KEY) {
  const verifier = new ChainVerifier(key);
  verifier.feed(rows);
  return verifier.finish(head);
}

describe('the audit chain', () => {
  it('verifies an intact chain, including one appended in several batches', () => {
    const first = build(5);
    const more = chain(KEY, first.head, [entry(6), entry(7)]);
    expect(verify([...first.rows, ...more.rows], more.head)).toEqual({ ok: true, entries: 7 });
    expect(verify([], { seq: 0, hash: GENESIS })).toEqual({ ok: true, entries: 0 });
  });

  it('finds a modified entry', () => {
    const { rows, head } = build(5);
    const tampered = rows.map((r) => (r.seq === 3 ? { ...r, statusCode: 403 } : r));
    expect(verify(tampered, head)).toEqual({ ok: false, problem: { kind: 'modified', seq: 3 } });
  });

  it('finds a deleted entry, in the middle or at the end', () => {
    const { rows, head } = build(5);
    expect(
      verify(
        rows.filter((r) => r.seq !== 2),
        head,
      ),
    ).toEqual({
      ok: false,
      problem: { kind: 'missing', afterSeq: 1, found: 3 },
    });
    expect(verify(rows.slice(0, 4), head)).toEqual({
      ok: false,
      problem: { kind: 'head-mismatch', headSeq: 5, lastSeq: 4 },
    });
  });

  it('finds an inserted or replaced entry, even renumbered and rehashed without the key', () => {
    const { rows, head } = build(4);
    const forger = randomBytes(32);
    // Replace entry 3 by a forged one, linked and hashed with another key.
    const forged = chain(forger, { seq: 2, hash: rows[1]!.hash }, [{ ...entry(3), actor: 'someone-else' }]).rows[0]!;
    expect(verify([rows[0]!, rows[1]!, forged, rows[3]!], head)).toEqual({
      ok: false,
      problem: { kind: 'modified', seq: 3 },
    });
    // Insert an entry between 2 and 3 and shift the rest.
    const inserted = { ...rows[2]!, seq: 3, id: 'extra' };
    const shifted = rows.slice(2).map((r) => ({ ...r, seq: r.seq + 1 }));
    expect(verify([rows[0]!, rows[1]!, inserted, ...shifted], { seq: 5, hash: head.hash }).ok).toBe(false);
    // Swap two entries.
    expect(verify([rows[0]!, rows[2]!, rows[1]!, rows[3]!], head).ok).toBe(false);
  });

  it('a different key fails the first entry', () => {
    const { rows, head } = build(3);
    expect(verify(rows, head, randomBytes(32))).toEqual({ ok: false, problem: { kind: 'modified', seq: 1 } });
  });

  it('any change to any field of any entry is found', () => {
    const { rows, head } = build(6);
    const fields = Object.keys(entry(1)) as (keyof AuditEntry)[];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.constantFrom(...fields),
        fc.string({ minLength: 1, maxLength: 5 }),
        (i, field, junk) => {
          const row = rows[i]!;
          const value = row[field];
          const changed =
            typeof value === 'number'
              ? value + junk.length
              : Array.isArray(value)
                ? [...value, junk]
                : `${String(value)}${junk}`;
          const tampered = rows.map((r, k) => (k === i ? { ...r, [field]: changed } : r));
          expect(verify(tampered, head).ok).toBe(false);
        },
      ),
    );
  });
});
