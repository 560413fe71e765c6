import type { AuditTarget } from '../store/types.js';
import type { AuditEntry } from './audit-chain.js';
import type { AuditLog } from './audit-log.js';

/** What the audit thread is started with. */
export interface AuditThreadData {
  readonly target: AuditTarget;
  /** The chain's HMAC key (derived from the root key; never leaves the process). */
  readonly key: Uint8Array;
  readonly durability: 'full' | 'relaxed';
  /** See {@link AuditLog}'s `gatherMs`. */
  readonly gatherMs: number;
}

/** Request thread → audit thread. */
export type ToAuditThread =
  | { readonly kind: 'append'; readonly batch: number; readonly entries: readonly AuditEntry[] }
  | { readonly kind: 'close' };

/** Audit thread → request thread. */
export type FromAuditThread =
  /** Every entry of the batch is committed, but those at the `failed` positions (with the first error). */
  | { readonly kind: 'settled'; readonly batch: number; readonly failed?: readonly number[]; readonly error?: string }
  | { readonly kind: 'log'; readonly fields: Record<string, unknown>; readonly message: string };
