import type { TokenValueRow, TokenValues } from './types.js';

interface Waiter {
  readonly hashes: readonly Buffer[];
  readonly resolve: (values: TokenValues) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Token-value reads of the same vault asked for in the same turn of the event loop (the detokenize
 * requests that arrived together) go to the database as one query, and each caller gets its own
 * tokens out of the answer. On PostgreSQL a read is a round trip, and the round trips, not the lookups,
 * are what the server and the database spend their time on under load (bench/data-api): ten requests
 * in flight cost one query instead of ten. On SQLite each statement outside a transaction is a read
 * transaction of its own, which locks and unlocks the write-ahead log's index with system calls.
 *
 * Every caller still reads committed state as of after its call, as a query of its own would.
 */
export class TokenValueBatcher {
  private pending = new Map<string, Waiter[]>();
  private scheduled = false;

  constructor(private readonly read: (vaultId: string, tokenHashes: readonly Buffer[]) => Promise<TokenValues>) {}

  get(vaultId: string, tokenHashes: readonly Buffer[]): Promise<TokenValues> {
    return new Promise<TokenValues>((resolve, reject) => {
      let waiters = this.pending.get(vaultId);
      if (!waiters) {
        waiters = [];
        this.pending.set(vaultId, waiters);
      }
      waiters.push({ hashes: tokenHashes, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this turn: the requests that arrived together have all asked by then.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const groups = this.pending;
    this.pending = new Map();
    for (const [vaultId, waiters] of groups) void this.run(vaultId, waiters);
  }

  private async run(vaultId: string, waiters: readonly Waiter[]): Promise<void> {
    if (waiters.length === 1) {
      const only = waiters[0] as Waiter;
      this.read(vaultId, only.hashes).then(only.resolve, only.reject);
      return;
    }
    // Keyed by the hash's bytes as a latin1 string: one character per byte, an exact key.
    const wanted = new Map<string, Buffer>();
    for (const waiter of waiters) for (const hash of waiter.hashes) wanted.set(hash.toString('latin1'), hash);
    let found: TokenValues;
    try {
      found = await this.read(vaultId, [...wanted.values()]);
    } catch (err) {
      for (const waiter of waiters) waiter.reject(err);
      return;
    }
    const byHash = new Map<string, TokenValueRow>();
    for (const row of found.rows) byHash.set(row.tokenHash.toString('latin1'), row);
    for (const waiter of waiters) {
      // As its own query would: each token found once, however often the caller named it.
      const rows = new Map<string, TokenValueRow>();
      for (const hash of waiter.hashes) {
        const key = hash.toString('latin1');
        const row = byHash.get(key);
        if (row) rows.set(key, row);
      }
      waiter.resolve({ vaultVersion: found.vaultVersion, rows: [...rows.values()] });
    }
  }
}
