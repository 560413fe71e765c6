import { createHmac, randomBytes } from 'node:crypto';
import type { Repositories, VaultKeyRow } from '../store/types.js';
import { DecryptionError, KEY_BYTES, open, seal } from './aead.js';
import { encodeParts } from './encoding.js';
import { deriveKey } from './kdf.js';

/** Where a stored value lives; bound into its ciphertext so it cannot be moved to another cell. */
export interface CellAddress {
  readonly table: string;
  readonly column: string;
  readonly record: string;
}

const ENVELOPE_FORMAT = 0x01;
const HEADER_BYTES = 5;

/**
 * The keys of one vault, unwrapped: versioned data keys (values are encrypted under the active
 * version, older versions only decrypt) and the index key from which per-column blind-index keys
 * are derived.
 *
 * Value envelope: `format(1) ‖ keyVersion(u32 BE) ‖ nonce(12) ‖ ciphertext ‖ tag(16)`. The associated
 * data is the header plus the cell address, so a ciphertext fails to decrypt if it is moved to another
 * vault, table, column or record, or if its version header is altered.
 */
export class VaultKeys {
  private readonly columnIndexKeys = new Map<string, Buffer>();
  private readonly derivedKeys = new Map<string, Buffer>();
  /** The key of {@link tokenHash}, which runs once per token of every detokenize. */
  private tokenLookupKey: Buffer | undefined;

  constructor(
    readonly vaultId: string,
    private readonly dataKeys: ReadonlyMap<number, Buffer>,
    readonly activeVersion: number,
    private readonly indexKey: Buffer,
  ) {
    if (!dataKeys.has(activeVersion)) throw new Error(`vault ${vaultId}: active key version ${activeVersion} missing`);
  }

  /** Versions this keyring can decrypt. */
  get versions(): number[] {
    return [...this.dataKeys.keys()].sort((a, b) => a - b);
  }

  encrypt(cell: CellAddress, plaintext: Uint8Array, version: number = this.activeVersion): Buffer {
    return this.seal(['cell', cell.table, cell.column, cell.record], plaintext, version);
  }

  decrypt(cell: CellAddress, envelope: Uint8Array): Buffer {
    return this.open(['cell', cell.table, cell.column, cell.record], envelope);
  }

  /**
   * Seals a secret of this vault bound to `context` (its kind first, then what identifies it): a
   * token row's value is bound to `['token-value', tokenHash]`, a file to its cell, and so on.
   */
  seal(context: readonly string[], plaintext: Uint8Array, version: number = this.activeVersion): Buffer {
    const key = this.dataKeys.get(version);
    if (!key) throw new Error(`vault ${this.vaultId}: no data key version ${version}`);
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    header.writeUInt8(ENVELOPE_FORMAT, 0);
    header.writeUInt32BE(version, 1);
    return Buffer.concat([header, seal(key, plaintext, this.aad(header, context))]);
  }

  open(context: readonly string[], envelope: Uint8Array): Buffer {
    if (envelope.length < HEADER_BYTES || envelope[0] !== ENVELOPE_FORMAT) throw new DecryptionError();
    const header = Buffer.from(envelope.subarray(0, HEADER_BYTES));
    const key = this.dataKeys.get(header.readUInt32BE(1));
    if (!key) throw new DecryptionError();
    return open(key, envelope.subarray(HEADER_BYTES), this.aad(header, context));
  }

  /** How a token is found: HMAC-SHA256 of the token under this vault's token-lookup key. */
  tokenHash(token: string): Buffer {
    this.tokenLookupKey ??= this.derived(['token-lookup']);
    return createHmac('sha256', this.tokenLookupKey).update(token, 'utf8').digest();
  }

  /** Blind index of a value within a token group (a column group, or one column). */
  tokenValueIndex(group: string, canonicalValue: Uint8Array): Buffer {
    return createHmac('sha256', this.derived(['token-group', group]))
      .update(canonicalValue)
      .digest();
  }

  /** The key deterministic tokens of a group are generated from. */
  tokenSeedKey(group: string): Buffer {
    return this.derived(['token-seed', group]);
  }

  /** The data-key version an envelope was sealed under (without decrypting it). */
  static versionOf(envelope: Uint8Array): number {
    if (envelope.length < HEADER_BYTES || envelope[0] !== ENVELOPE_FORMAT) throw new DecryptionError();
    return Buffer.from(envelope.subarray(1, HEADER_BYTES)).readUInt32BE(0);
  }

  /**
   * Keyed HMAC-SHA256 of a canonical value under a key private to this vault, table and column:
   * equality lookups without plaintext, and equal values in two columns never share an index.
   */
  blindIndex(table: string, column: string, canonicalValue: Uint8Array): Buffer {
    return createHmac('sha256', this.columnKey(table, column)).update(canonicalValue).digest();
  }

  /** A 32-byte key for `purpose`, derived from the vault's index key (e.g. deterministic tokens). */
  deriveIndexKey(purpose: readonly string[]): Buffer {
    return deriveKey(this.indexKey, ['vault-derived', this.vaultId, ...purpose]);
  }

  /** {@link deriveIndexKey}, cached: these keys are used on every request. */
  private derived(purpose: readonly string[]): Buffer {
    const id = JSON.stringify(purpose);
    let key = this.derivedKeys.get(id);
    if (!key) {
      key = this.deriveIndexKey(purpose);
      this.derivedKeys.set(id, key);
    }
    return key;
  }

  private columnKey(table: string, column: string): Buffer {
    // JSON of the pair, not a separator join: ("a\0b","c") and ("a","b\0c") must not share a cache entry.
    const id = JSON.stringify([table, column]);
    let key = this.columnIndexKeys.get(id);
    if (!key) {
      key = deriveKey(this.indexKey, ['blind-index', this.vaultId, table, column]);
      this.columnIndexKeys.set(id, key);
    }
    return key;
  }

  /** Header ‖ (kind, vault, …rest of the context): the vault is always bound. */
  private aad(header: Buffer, context: readonly string[]): Buffer {
    const [kind = '', ...rest] = context;
    return encodeParts([kind, this.vaultId, ...rest], header);
  }
}

/** Thrown when the configured root key is not the one this store was initialised with. */
export class WrongRootKeyError extends Error {
  constructor() {
    super(
      'the configured root key does not match this store: it was initialised with another root key. ' +
        'Start with the original key (STRONGROOM_ROOT_KEY / STRONGROOM_ROOT_KEY_FILE or <data-dir>/root.key).',
    );
    this.name = 'WrongRootKeyError';
  }
}

const CHECK_META_KEY = 'root_key_check';

/**
 * How long unwrapped vault keys are reused before the key rows are read again. A data-key rotation
 * started on one node reaches the others within this time; rotation waits longer than this before it
 * retires an old version.
 */
export const KEY_CACHE_MS = 10_000;

/**
 * Envelope encryption: the root key never encrypts data itself. It derives a key-encryption key that
 * wraps per-vault keys (data keys, index keys) and other server secrets; unwrapped vault keys are cached
 * in memory for the life of the process.
 */
export class Keyring {
  private readonly kek: Buffer;
  private readonly cache = new Map<string, { keys: Promise<VaultKeys>; loadedAt: number }>();

  constructor(rootKey: Uint8Array) {
    if (rootKey.length !== KEY_BYTES) throw new Error('root key must be 32 bytes');
    this.kek = deriveKey(rootKey, ['key-encryption-key']);
  }

  /**
   * Records a fingerprint of the root key on first use and compares it afterwards, so that starting with
   * a different root key fails at once instead of producing undecryptable data.
   */
  async checkRootKey(repos: Repositories): Promise<void> {
    const fingerprint = createHmac('sha256', this.kek).update('strongroom/root-key-check').digest('hex');
    const stored = await repos.meta.setIfAbsent(CHECK_META_KEY, fingerprint);
    if (stored !== fingerprint) throw new WrongRootKeyError();
  }

  /** A 32-byte key of the server itself (not of a vault) for `purpose`, e.g. signing download URLs. */
  serverKey(purpose: readonly string[]): Buffer {
    return deriveKey(this.kek, ['server-key', ...purpose]);
  }

  /** Seals a server secret under the key-encryption key, bound to `purpose`. */
  wrap(purpose: readonly string[], secret: Uint8Array): Buffer {
    return seal(this.kek, secret, encodeParts(['wrap', ...purpose]));
  }

  unwrap(purpose: readonly string[], wrapped: Uint8Array): Buffer {
    return open(this.kek, wrapped, encodeParts(['wrap', ...purpose]));
  }

  /** Fresh wrapped keys for a new vault: data key version 1 and the index key. */
  newVaultKeyRows(vaultId: string, now: number): VaultKeyRow[] {
    return [this.newVaultKeyRow(vaultId, 'data', 1, now), this.newVaultKeyRow(vaultId, 'index', 1, now)];
  }

  newVaultKeyRow(vaultId: string, kind: VaultKeyRow['kind'], version: number, now: number): VaultKeyRow {
    return {
      vaultId,
      kind,
      version,
      wrapped: this.wrap(['vault-key', vaultId, kind, String(version)], randomBytes(KEY_BYTES)),
      status: 'active',
      createdAt: now,
    };
  }

  /** The unwrapped keys of a vault, loaded once per process (see {@link forget}). */
  vault(vaultId: string, repos: Repositories): Promise<VaultKeys> {
    const now = Date.now();
    const cached = this.cache.get(vaultId);
    // Reloaded now and then, so a data key rotated on another node is picked up within the interval.
    if (cached && now - cached.loadedAt < KEY_CACHE_MS) return cached.keys;
    const keys = this.load(vaultId, repos);
    this.cache.set(vaultId, { keys, loadedAt: now });
    keys.catch(() => this.cache.delete(vaultId));
    return keys;
  }

  /** Drops cached keys of a vault (after rotation or deletion). */
  forget(vaultId: string): void {
    this.cache.delete(vaultId);
  }

  private async load(vaultId: string, repos: Repositories): Promise<VaultKeys> {
    const rows = await repos.vaultKeys.listForVault(vaultId);
    const dataKeys = new Map<number, Buffer>();
    let activeVersion = 0;
    let indexKey: Buffer | undefined;
    for (const row of rows) {
      // A retired data key sealed nothing that is still stored; it is not loaded at all.
      if (row.status === 'retired') continue;
      const key = this.unwrap(['vault-key', vaultId, row.kind, String(row.version)], row.wrapped);
      if (row.kind === 'index') indexKey = key;
      else {
        dataKeys.set(row.version, key);
        if (row.status === 'active' && row.version > activeVersion) activeVersion = row.version;
      }
    }
    if (!indexKey || activeVersion === 0) throw new Error(`vault ${vaultId} has no keys`);
    return new VaultKeys(vaultId, dataKeys, activeVersion, indexKey);
  }
}
