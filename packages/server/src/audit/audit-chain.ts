import { createHmac } from 'node:crypto';
import { encodeParts } from '../crypto/encoding.js';
import type { AuditEventRow } from '../store/types.js';

/** The link before the first entry. */
export const GENESIS = Buffer.alloc(32);

/** An entry before it is chained: everything but its position and hashes. */
export type AuditEntry = Omit<AuditEventRow, 'seq' | 'prevHash' | 'hash'>;

/**
 * The entry's link: HMAC-SHA256 under the audit key over the previous link and every field of the entry
 * (its position included), in a fixed order and an unambiguous encoding. Without the key, which derives
 * from the root key, nobody can forge a link, so rewriting the table cannot be hidden by rehashing.
 */
export function linkOf(key: Uint8Array, prevHash: Uint8Array, seq: number, entry: AuditEntry): Buffer {
  const fields = encodeParts([
    String(seq),
    entry.id,
    String(entry.ts),
    entry.requestId,
    entry.actor,
    entry.actorType,
    entry.authMode,
    entry.jwtId,
    entry.contextId,
    entry.ipAddress,
    entry.apiName,
    entry.httpMethod,
    entry.uri,
    entry.actionType,
    entry.resourceType,
    entry.vaultId,
    JSON.stringify(entry.resourceIds),
    String(entry.statusCode),
    entry.message,
  ]);
  return createHmac('sha256', key).update(prevHash).update(fields).digest();
}

/** Chains entries after `head`: the rows to store and the new head. */
export function chain(
  key: Uint8Array,
  head: { seq: number; hash: Buffer },
  entries: readonly AuditEntry[],
): { rows: AuditEventRow[]; head: { seq: number; hash: Buffer } } {
  let { seq, hash } = head;
  const rows = entries.map((entry): AuditEventRow => {
    seq += 1;
    const prevHash = hash;
    hash = linkOf(key, prevHash, seq, entry);
    // Field by field rather than `{ ...entry, seq, prevHash, hash }`: every row then has one shape, and
    // this runs for every audited request (the spread was a third of chaining's cost).
    return {
      seq,
      id: entry.id,
      ts: entry.ts,
      requestId: entry.requestId,
      actor: entry.actor,
      actorType: entry.actorType,
      authMode: entry.authMode,
      jwtId: entry.jwtId,
      contextId: entry.contextId,
      ipAddress: entry.ipAddress,
      apiName: entry.apiName,
      httpMethod: entry.httpMethod,
      uri: entry.uri,
      actionType: entry.actionType,
      resourceType: entry.resourceType,
      vaultId: entry.vaultId,
      resourceIds: entry.resourceIds,
      statusCode: entry.statusCode,
      message: entry.message,
      prevHash,
      hash,
    };
  });
  return { rows, head: { seq, hash } };
}

export type ChainProblem =
  | { readonly kind: 'modified'; readonly seq: number }
  | { readonly kind: 'missing'; readonly afterSeq: number; readonly found: number }
  | { readonly kind: 'relinked'; readonly seq: number }
  | { readonly kind: 'head-mismatch'; readonly headSeq: number; readonly lastSeq: number };

/**
 * Walks the chain in order and reports the first break: an entry whose content no longer matches its
 * link (modified), a gap in the positions (deleted), an entry whose previous link is not the entry before
 * it (inserted or reordered), or a head that does not point at the last entry (the tail was cut off or
 * entries were appended around the log).
 */
export class ChainVerifier {
  private seq = 0;
  private hash: Buffer = GENESIS;
  private checked = 0;
  problem: ChainProblem | undefined;

  constructor(private readonly key: Uint8Array) {}

  /** Feeds the next entries (in seq order); returns false once a problem is found. */
  feed(rows: readonly AuditEventRow[]): boolean {
    for (const row of rows) {
      if (this.problem) return false;
      if (row.seq !== this.seq + 1) {
        this.problem = { kind: 'missing', afterSeq: this.seq, found: row.seq };
        return false;
      }
      if (!row.prevHash.equals(this.hash)) {
        this.problem = { kind: 'relinked', seq: row.seq };
        return false;
      }
      const { seq: _s, prevHash: _p, hash: stored, ...entry } = row;
      if (!linkOf(this.key, this.hash, row.seq, entry).equals(stored)) {
        this.problem = { kind: 'modified', seq: row.seq };
        return false;
      }
      this.seq = row.seq;
      this.hash = stored;
      this.checked += 1;
    }
    return true;
  }

  /** Checks the head after the last entry; returns the number of entries verified or the problem. */
  finish(
    head: { seq: number; hash: Buffer } | undefined,
  ): { ok: true; entries: number } | { ok: false; problem: ChainProblem } {
    if (!this.problem) {
      const headSeq = head?.seq ?? 0;
      if (headSeq !== this.seq || !(head?.hash ?? GENESIS).equals(this.hash)) {
        this.problem = { kind: 'head-mismatch', headSeq, lastSeq: this.seq };
      }
    }
    return this.problem ? { ok: false, problem: this.problem } : { ok: true, entries: this.checked };
  }
}

/** A problem in words, for the CLI and logs. */
export function describeProblem(problem: ChainProblem): string {
  switch (problem.kind) {
    case 'modified':
      return `entry ${problem.seq} was modified: its content does not match its link`;
    case 'missing':
      return `entries after ${problem.afterSeq} are missing: the next entry found is ${problem.found}`;
    case 'relinked':
      return `entry ${problem.seq} does not follow the entry before it: an entry was inserted, replaced or reordered`;
    case 'head-mismatch':
      return `the chain head points at entry ${problem.headSeq} but the last entry is ${problem.lastSeq}: entries were removed from the end or written around the log`;
  }
}
