import { type DetokenizeItem, maskValue, type TokenizeItem } from '@strongroom/detect';
import type { VaultKeys } from '../crypto/keyring.js';
import type { Repositories, Store, TokenRow } from '../store/types.js';
import { UniqueViolationError } from '../store/types.js';
import { tokenContext, tokenValueContext } from '../vault/records/table-context.js';
import { valueBytes, valueFromBytes } from '../vault/records/values.js';
import { deterministicInput, deterministicRandom, generateToken } from '../vault/tokens/index.js';

/**
 * The table name under which Detect's vault tokens are stored. A vault schema's table names start with a
 * letter, so no schema table can ever be called this, and the Data API never resolves these tokens
 * (detokenize answers "Token not found." for them): only Detect's re-identification does.
 */
export const DETECT_TABLE = '$detect';

/** The token group of an entity type: equal values of one type share a token, values of two types never do. */
export const detectGroup = (entityType: string): string => `${DETECT_TABLE}:${entityType}`;

/** Detect tokens are UUID-shaped, so they match the `[A-Za-z0-9-]+` that placeholders can embed. */
const POLICY = { type: 'DETERMINISTIC_UUID' } as const;

/** How many times a store round that lost a race with another writer of the same values is redone. */
const MAX_ROUNDS = 4;
/** How many times a token colliding with another value's token is drawn again (never happens in practice). */
const MAX_ATTEMPTS = 8;

/**
 * Detect's vault tokens (§6.1 `vault_token`): each value is stored in the vault's `tokens` table, sealed
 * under the vault's data key like every token, and found again through its blind value index, so the same
 * value and entity type always get the same token within a vault.
 */
export class DetectVaultTokens {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** The token of each value, in order; values seen for the first time are stored. */
  async tokenize(keys: VaultKeys, items: readonly TokenizeItem[]): Promise<string[]> {
    for (let round = 1; ; round++) {
      try {
        return await this.store.transaction((tx) => this.assign(tx, keys, items));
      } catch (err) {
        // Another request stored one of these values at the same moment: its token is now there to find.
        if (err instanceof UniqueViolationError && round < MAX_ROUNDS) continue;
        throw err;
      }
    }
  }

  /**
   * What re-identification puts back for each token: the value, its masked form, or `undefined` when the
   * vault holds no Detect token of that entity type under it.
   */
  async lookUp(keys: VaultKeys, items: readonly DetokenizeItem[]): Promise<(string | undefined)[]> {
    const hashes = items.map((item) => keys.tokenHash(item.token));
    const distinct = [...new Map(hashes.map((h) => [h.toString('latin1'), h])).values()];
    const rows = await this.store.tokens.getMany(keys.vaultId, distinct);
    const byHash = new Map(rows.map((row) => [row.tokenHash.toString('latin1'), row]));
    return items.map((item, i) => {
      const row = byHash.get((hashes[i] as Buffer).toString('latin1'));
      // Only tokens Detect made for this entity type: a record's token stays under its column's policies.
      if (!row || row.table !== DETECT_TABLE || row.column !== item.entityType) return undefined;
      const value = valueFromBytes(keys.open(tokenValueContext(row.tokenHash), row.value));
      if (typeof value !== 'string') return undefined;
      return item.redaction === 'masked' ? maskValue(item.entityType, value) : value;
    });
  }

  private async assign(tx: Repositories, keys: VaultKeys, items: readonly TokenizeItem[]): Promise<string[]> {
    const vaultId = keys.vaultId;
    const keyOf = (item: TokenizeItem) => `${item.entityType}\u0000${item.value}`;
    const distinct = new Map<string, { item: TokenizeItem; valueIndex: Buffer }>();
    for (const item of items) {
      const key = keyOf(item);
      if (!distinct.has(key)) {
        const valueIndex = keys.tokenValueIndex(detectGroup(item.entityType), Buffer.from(item.value, 'utf8'));
        distinct.set(key, { item, valueIndex });
      }
    }
    const tokens = new Map<string, string>();
    // Values stored before: one lookup per entity type.
    const byType = new Map<string, { key: string; valueIndex: Buffer }[]>();
    for (const [key, { item, valueIndex }] of distinct) {
      byType.set(item.entityType, [...(byType.get(item.entityType) ?? []), { key, valueIndex }]);
    }
    for (const [type, entries] of byType) {
      const found = await tx.tokens.findByValueIndex(
        vaultId,
        detectGroup(type),
        entries.map((e) => e.valueIndex),
      );
      const keyByIndex = new Map(entries.map((e) => [e.valueIndex.toString('latin1'), e.key]));
      for (const row of found) {
        const key = keyByIndex.get((row.valueIndex as Buffer).toString('latin1'));
        if (key !== undefined) tokens.set(key, keys.open(tokenContext(row.tokenHash), row.token).toString('utf8'));
      }
    }
    // New values: a token derived from the value under the group's key, drawn again on a collision.
    let pending = [...distinct.keys()].filter((key) => !tokens.has(key));
    const rows: TokenRow[] = [];
    const now = this.now();
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error('could not draw an unused Detect token');
      const drawn = pending.map((key) => {
        const { item } = distinct.get(key) as { item: TokenizeItem };
        const group = detectGroup(item.entityType);
        const token = generateToken(
          POLICY,
          item.value,
          deterministicRandom(keys.tokenSeedKey(group), deterministicInput(item.value, attempt)),
        );
        return { key, token, tokenHash: keys.tokenHash(token) };
      });
      const taken = new Set(
        (
          await tx.tokens.getMany(
            vaultId,
            drawn.map((d) => d.tokenHash),
          )
        ).map((row) => row.tokenHash.toString('latin1')),
      );
      const again: string[] = [];
      for (const { key, token, tokenHash } of drawn) {
        const hashKey = tokenHash.toString('latin1');
        if (taken.has(hashKey)) {
          again.push(key);
          continue;
        }
        taken.add(hashKey);
        const { item, valueIndex } = distinct.get(key) as { item: TokenizeItem; valueIndex: Buffer };
        tokens.set(key, token);
        rows.push({
          vaultId,
          tokenHash,
          token: keys.seal(tokenContext(tokenHash), Buffer.from(token, 'utf8')),
          value: keys.seal(tokenValueContext(tokenHash), valueBytes(item.value)),
          groupName: detectGroup(item.entityType),
          valueIndex,
          table: DETECT_TABLE,
          column: item.entityType,
          keyVersion: keys.activeVersion,
          expiresAt: null,
          createdAt: now,
        });
      }
      pending = again;
    }
    await tx.tokens.insertMany(rows);
    return items.map((item) => tokens.get(keyOf(item)) as string);
  }
}
