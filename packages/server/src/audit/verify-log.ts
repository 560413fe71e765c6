import type { Store } from '../store/types.js';
import { type ChainProblem, ChainVerifier } from './audit-chain.js';

const PAGE = 1000;

export type VerifyResult = { ok: true; entries: number } | { ok: false; problem: ChainProblem };

/** Walks the whole audit chain of a store, a page at a time, and checks every link and the head. */
export async function verifyAuditLog(store: Store, key: Uint8Array): Promise<VerifyResult> {
  const verifier = new ChainVerifier(key);
  // The head is read first: entries appended while the walk runs lie beyond it and are not judged.
  const head = await store.audit.head();
  let next = 1;
  for (;;) {
    const rows = (await store.audit.scan(next, PAGE)).filter((r) => r.seq <= (head?.seq ?? 0));
    if (rows.length === 0 || !verifier.feed(rows)) break;
    next = (rows.at(-1)?.seq ?? next) + 1;
    if (rows.length < PAGE) break;
  }
  return verifier.finish(head);
}
