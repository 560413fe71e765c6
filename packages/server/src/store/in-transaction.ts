import type { Repositories, Store } from './types.js';

/** Runs `fn` in the caller's transaction when there is one, otherwise in a new one. */
export function inTransaction<T>(
  store: Store,
  tx: Repositories | undefined,
  fn: (tx: Repositories) => Promise<T>,
): Promise<T> {
  return tx ? fn(tx) : store.transaction(fn);
}
