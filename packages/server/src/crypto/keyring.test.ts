import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/types.js';
import { DecryptionError, KEY_BYTES, open } from './aead.js';
import { encodeParts } from './encoding.js';
import { type CellAddress, Keyring, VaultKeys, WrongRootKeyError } from './keyring.js';

const HEADER_BYTES = 5;

function vaultKeys(vaultId: string, dataKeys: Record<number, Buffer>, active: number, indexKey: Buffer): VaultKeys {
  return new VaultKeys(vaultId, new Map(Object.entries(dataKeys).map(([v, k]) => [Number(v), k])), active, indexKey);
}

const k1 = randomBytes(KEY_BYTES);
const k2 = randomBytes(KEY_BYTES);
const indexKey = randomBytes(KEY_BYTES);
const keys = vaultKeys('vault-a', { 1: k1 }, 1, indexKey);

const cell = fc.record({ table: fc.string(), column: fc.string(), record: fc.string() });
const plaintext = fc.uint8Array({ maxLength: 256 });
const FIELDS = ['table', 'column', 'record'] as const;

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('VaultKeys envelopes', () => {
  it('round-trips arbitrary bytes at arbitrary cell addresses', () => {
    fc.assert(
      fc.property(cell, plaintext, (c, bytes) => {
        const envelope = keys.encrypt(c, bytes);
        expect(keys.decrypt(c, envelope).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('lays out format 0x01 ‖ version (u32 BE) ‖ nonce ‖ ciphertext ‖ tag', () => {
    const envelope = keys.encrypt({ table: 't', column: 'c', record: 'r' }, Buffer.from('hello'));
    expect(envelope[0]).toBe(0x01);
    expect(envelope.readUInt32BE(1)).toBe(1);
    expect(envelope.length).toBe(HEADER_BYTES + 12 + 5 + 16);
  });

  it('rejects an envelope with any single bit flipped, header included', () => {
    fc.assert(
      fc.property(cell, plaintext, fc.nat(), fc.integer({ min: 0, max: 7 }), (c, bytes, at, bit) => {
        const envelope = keys.encrypt(c, bytes);
        const i = at % envelope.length;
        envelope[i] = (envelope[i] as number) ^ (1 << bit);
        expect(() => keys.decrypt(c, envelope)).toThrow(DecryptionError);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects truncated envelopes', () => {
    const c = { table: 't', column: 'c', record: 'r' };
    const envelope = keys.encrypt(c, Buffer.from('value'));
    for (const length of [0, 1, HEADER_BYTES, HEADER_BYTES + 27, envelope.length - 1]) {
      expect(() => keys.decrypt(c, envelope.subarray(0, length))).toThrow(DecryptionError);
    }
  });

  it('fails when the ciphertext is moved to another table, column or record', () => {
    fc.assert(
      fc.property(cell, fc.constantFrom(...FIELDS), fc.string(), plaintext, (c, field, other, bytes) => {
        fc.pre(c[field] !== other);
        const moved: CellAddress = { ...c, [field]: other };
        const envelope = keys.encrypt(c, bytes);
        expect(() => keys.decrypt(moved, envelope)).toThrow(DecryptionError);
      }),
      { numRuns: 300 },
    );
  });

  it('binds the cell address unambiguously (no table/column boundary shifting)', () => {
    const envelope = keys.encrypt({ table: 'ab', column: 'c', record: 'r' }, Buffer.from('x'));
    expect(() => keys.decrypt({ table: 'a', column: 'bc', record: 'r' }, envelope)).toThrow(DecryptionError);
  });

  it('fails when the ciphertext is moved to another vault, even one holding the same key bytes', () => {
    const sameKeyOtherVault = vaultKeys('vault-b', { 1: k1 }, 1, indexKey);
    const otherVault = vaultKeys('vault-b', { 1: randomBytes(KEY_BYTES) }, 1, randomBytes(KEY_BYTES));
    fc.assert(
      fc.property(cell, plaintext, (c, bytes) => {
        const envelope = keys.encrypt(c, bytes);
        expect(() => sameKeyOtherVault.decrypt(c, envelope)).toThrow(DecryptionError);
        expect(() => otherVault.decrypt(c, envelope)).toThrow(DecryptionError);
      }),
      { numRuns: 100 },
    );
  });

  it('fails when the key-version header is altered, even if both versions hold the same key bytes', () => {
    // With identical key bytes under versions 1 and 2, only the header's place in the associated data
    // can make this fail.
    const twin = vaultKeys('vault-a', { 1: k1, 2: k1 }, 1, indexKey);
    const c = { table: 't', column: 'c', record: 'r' };
    const envelope = twin.encrypt(c, Buffer.from('value'));
    expect(twin.decrypt(c, envelope).toString()).toBe('value');
    const altered = Buffer.from(envelope);
    altered.writeUInt32BE(2, 1);
    expect(VaultKeys.versionOf(altered)).toBe(2);
    expect(() => twin.decrypt(c, altered)).toThrow(DecryptionError);
  });

  it('rejects an unknown envelope format byte and an unknown key version', () => {
    const c = { table: 't', column: 'c', record: 'r' };
    const envelope = keys.encrypt(c, Buffer.from('value'));
    const badFormat = Buffer.from(envelope);
    badFormat[0] = 0x02;
    expect(() => keys.decrypt(c, badFormat)).toThrow(DecryptionError);
    const unknownVersion = Buffer.from(envelope);
    unknownVersion.writeUInt32BE(7, 1);
    expect(() => keys.decrypt(c, unknownVersion)).toThrow(DecryptionError);
  });

  it('rejects decryption with another vault keyring', () => {
    const other = vaultKeys('vault-a', { 1: randomBytes(KEY_BYTES) }, 1, indexKey);
    const c = { table: 't', column: 'c', record: 'r' };
    expect(() => other.decrypt(c, keys.encrypt(c, Buffer.from('v')))).toThrow(DecryptionError);
  });

  it('refuses to encrypt under a version it does not hold, and to be built without its active version', () => {
    expect(() => keys.encrypt({ table: 't', column: 'c', record: 'r' }, Buffer.from('v'), 2)).toThrow(/version 2/);
    expect(() => vaultKeys('v', { 1: k1 }, 2, indexKey)).toThrow(/active key version 2/);
  });
});

describe('VaultKeys with a second data-key version', () => {
  const before = vaultKeys('vault-a', { 1: k1 }, 1, indexKey);
  const after = vaultKeys('vault-a', { 1: k1, 2: k2 }, 2, indexKey);

  it('still decrypts version-1 envelopes and seals new ones under version 2', () => {
    fc.assert(
      fc.property(cell, plaintext, (c, bytes) => {
        const old = before.encrypt(c, bytes);
        expect(VaultKeys.versionOf(old)).toBe(1);
        expect(after.decrypt(c, old).equals(Buffer.from(bytes))).toBe(true);
        const fresh = after.encrypt(c, bytes);
        expect(VaultKeys.versionOf(fresh)).toBe(2);
        expect(after.decrypt(c, fresh).equals(Buffer.from(bytes))).toBe(true);
        // A node that has not yet loaded version 2 cannot read it (and says so with DecryptionError).
        expect(() => before.decrypt(c, fresh)).toThrow(DecryptionError);
      }),
      { numRuns: 100 },
    );
  });

  it('lists its versions in ascending order and can still seal under an explicit older version', () => {
    expect(after.versions).toEqual([1, 2]);
    expect(after.activeVersion).toBe(2);
    const c = { table: 't', column: 'c', record: 'r' };
    const v1 = after.encrypt(c, Buffer.from('x'), 1);
    expect(VaultKeys.versionOf(v1)).toBe(1);
    expect(before.decrypt(c, v1).toString()).toBe('x');
  });
});

describe('VaultKeys.versionOf', () => {
  it('reads the version header of any envelope without decrypting', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (version) => {
        const vk = vaultKeys('v', { [version]: k1 }, version, indexKey);
        expect(VaultKeys.versionOf(vk.encrypt({ table: 't', column: 'c', record: 'r' }, Buffer.alloc(0)))).toBe(
          version,
        );
      }),
      { numRuns: 50 },
    );
  });

  it('throws DecryptionError for input too short or of another format', () => {
    expect(() => VaultKeys.versionOf(Buffer.alloc(0))).toThrow(DecryptionError);
    expect(() => VaultKeys.versionOf(Buffer.from([1, 0, 0, 0]))).toThrow(DecryptionError);
    expect(() => VaultKeys.versionOf(Buffer.from([2, 0, 0, 0, 1]))).toThrow(DecryptionError);
    expect(VaultKeys.versionOf(Buffer.from([1, 0, 0, 1, 0]))).toBe(256);
  });
});

describe('VaultKeys.blindIndex', () => {
  const value = fc.uint8Array({ maxLength: 64 });
  const name = fc.string({ maxLength: 10 });

  it('is deterministic per (table, column, value), also across VaultKeys instances', () => {
    const again = vaultKeys('vault-a', { 1: k2 }, 1, indexKey);
    fc.assert(
      fc.property(name, name, value, (t, c, v) => {
        const a = keys.blindIndex(t, c, v);
        expect(a.length).toBe(32);
        expect(keys.blindIndex(t, c, v).equals(a)).toBe(true);
        expect(again.blindIndex(t, c, v).equals(a)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('separates equal values in different columns or tables', () => {
    fc.assert(
      fc.property(name, name, name, value, (t, c, other, v) => {
        fc.pre(c !== other);
        expect(keys.blindIndex(t, c, v).equals(keys.blindIndex(t, other, v))).toBe(false);
        expect(keys.blindIndex(c, t, v).equals(keys.blindIndex(other, t, v))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('separates columns whose names would collide if joined with a NUL separator', () => {
    const v = Buffer.from('4111111111111111');
    const first = keys.blindIndex('a\u0000b', 'c', v);
    const second = keys.blindIndex('a', 'b\u0000c', v);
    expect(first.equals(second)).toBe(false);
    // Order of first use must not matter either (the per-column key cache).
    const fresh = vaultKeys('vault-a', { 1: k1 }, 1, indexKey);
    expect(fresh.blindIndex('a', 'b\u0000c', v).equals(second)).toBe(true);
    expect(fresh.blindIndex('a\u0000b', 'c', v).equals(first)).toBe(true);
  });

  it('separates vaults, even with the same index key bytes', () => {
    const otherVault = vaultKeys('vault-b', { 1: k1 }, 1, indexKey);
    const otherIndexKey = vaultKeys('vault-a', { 1: k1 }, 1, randomBytes(KEY_BYTES));
    fc.assert(
      fc.property(name, name, value, (t, c, v) => {
        const a = keys.blindIndex(t, c, v);
        expect(otherVault.blindIndex(t, c, v).equals(a)).toBe(false);
        expect(otherIndexKey.blindIndex(t, c, v).equals(a)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('gives different values different indexes', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        fc.pre(!Buffer.from(a).equals(Buffer.from(b)));
        expect(keys.blindIndex('t', 'c', a).equals(keys.blindIndex('t', 'c', b))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('derives purpose keys that are deterministic and private to the vault', () => {
    const a = keys.deriveIndexKey(['token', 't', 'c']);
    expect(a.length).toBe(32);
    expect(keys.deriveIndexKey(['token', 't', 'c']).equals(a)).toBe(true);
    expect(keys.deriveIndexKey(['token', 't', 'd']).equals(a)).toBe(false);
    expect(vaultKeys('vault-b', { 1: k1 }, 1, indexKey).deriveIndexKey(['token', 't', 'c']).equals(a)).toBe(false);
  });
});

describe('Keyring', () => {
  const root = randomBytes(KEY_BYTES);

  it('requires a 32-byte root key', () => {
    expect(() => new Keyring(Buffer.alloc(31))).toThrow(/32 bytes/);
    expect(() => new Keyring(Buffer.alloc(33))).toThrow(/32 bytes/);
  });

  it('wraps and unwraps secrets bound to their purpose', () => {
    const keyring = new Keyring(root);
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }),
        fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }),
        fc.uint8Array({ maxLength: 64 }),
        (purpose, otherPurpose, secret) => {
          const wrapped = keyring.wrap(purpose, secret);
          expect(keyring.unwrap(purpose, wrapped).equals(Buffer.from(secret))).toBe(true);
          fc.pre(JSON.stringify(purpose) !== JSON.stringify(otherPurpose));
          expect(() => keyring.unwrap(otherPurpose, wrapped)).toThrow(DecryptionError);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('unwraps with the same root key in a new instance, and not with another root key', () => {
    const wrapped = new Keyring(root).wrap(['signing-key'], Buffer.from('secret'));
    expect(new Keyring(Buffer.from(root)).unwrap(['signing-key'], wrapped).toString()).toBe('secret');
    expect(() => new Keyring(randomBytes(KEY_BYTES)).unwrap(['signing-key'], wrapped)).toThrow(DecryptionError);
  });

  it('never uses the root key itself as the key-encryption key', () => {
    // A value wrapped by the keyring must not open with the raw root key under the same associated data.
    const wrapped = new Keyring(root).wrap(['p'], Buffer.from('secret'));
    expect(() => open(root, wrapped, encodeParts(['wrap', 'p']))).toThrow(DecryptionError);
  });
});

describe('Keyring against a real SQLite store', () => {
  let store: Store;
  const root = randomBytes(KEY_BYTES);

  beforeEach(async () => {
    store = openSqliteStore(':memory:');
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
  });

  it('accepts the same root key twice and throws WrongRootKeyError for another root key', async () => {
    await new Keyring(root).checkRootKey(store);
    await new Keyring(Buffer.from(root)).checkRootKey(store);
    const err = await new Keyring(randomBytes(KEY_BYTES)).checkRootKey(store).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WrongRootKeyError);
    expect((err as Error).message).not.toContain(root.toString('base64'));
    // The fingerprint is not the key, nor the key in hex.
    const stored = await store.meta.get('root_key_check');
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toBe(root.toString('hex'));
  });

  it('loads vault keys written by newVaultKeyRows and decrypts across keyring instances', async () => {
    const keyring = new Keyring(root);
    for (const row of keyring.newVaultKeyRows('v1', Date.now())) await store.vaultKeys.insert(row);
    const vk = await keyring.vault('v1', store);
    expect(vk.vaultId).toBe('v1');
    expect(vk.versions).toEqual([1]);
    expect(vk.activeVersion).toBe(1);
    const c = { table: 'cards', column: 'number', record: 'r1' };
    const envelope = vk.encrypt(c, Buffer.from('4111111111111111'));

    // A second process with the same root key reads the same keys.
    const restarted = await new Keyring(Buffer.from(root)).vault('v1', store);
    expect(restarted.decrypt(c, envelope).toString()).toBe('4111111111111111');
    expect(restarted.blindIndex('cards', 'number', Buffer.from('x'))).toEqual(
      vk.blindIndex('cards', 'number', Buffer.from('x')),
    );
  });

  it('caches loaded keys per vault until forget()', async () => {
    const keyring = new Keyring(root);
    for (const row of keyring.newVaultKeyRows('v1', Date.now())) await store.vaultKeys.insert(row);
    const first = await keyring.vault('v1', store);
    expect(await keyring.vault('v1', store)).toBe(first);
    keyring.forget('v1');
    expect(await keyring.vault('v1', store)).not.toBe(first);
  });

  it('rotates online: after a version-2 data key row, old envelopes decrypt and new ones use version 2', async () => {
    const keyring = new Keyring(root);
    for (const row of keyring.newVaultKeyRows('v1', Date.now())) await store.vaultKeys.insert(row);
    const c = { table: 't', column: 'c', record: 'r' };
    const old = (await keyring.vault('v1', store)).encrypt(c, Buffer.from('old'));

    await store.vaultKeys.insert(keyring.newVaultKeyRow('v1', 'data', 2, Date.now()));
    keyring.forget('v1');
    const rotated = await keyring.vault('v1', store);
    expect(rotated.versions).toEqual([1, 2]);
    expect(rotated.activeVersion).toBe(2);
    expect(rotated.decrypt(c, old).toString()).toBe('old');
    expect(VaultKeys.versionOf(rotated.encrypt(c, Buffer.from('new')))).toBe(2);
  });

  it('neither uses nor even loads a retired data key', async () => {
    const keyring = new Keyring(root);
    for (const row of keyring.newVaultKeyRows('v1', Date.now())) await store.vaultKeys.insert(row);
    await store.vaultKeys.insert({ ...keyring.newVaultKeyRow('v1', 'data', 2, Date.now()), status: 'retired' });
    const vk = await keyring.vault('v1', store);
    expect(vk.versions).toEqual([1]);
    expect(vk.activeVersion).toBe(1);
  });

  it('seals secrets bound to their context: another context, or a cell context, does not open them', () => {
    const vk = new VaultKeys('v1', new Map([[1, randomBytes(KEY_BYTES)]]), 1, randomBytes(KEY_BYTES));
    const sealed = vk.seal(['token-value', 'abc'], Buffer.from('secret'));
    expect(vk.open(['token-value', 'abc'], sealed).toString()).toBe('secret');
    expect(() => vk.open(['token-value', 'abd'], sealed)).toThrow(DecryptionError);
    expect(() => vk.open(['token', 'abc'], sealed)).toThrow(DecryptionError);
    const cell = vk.encrypt({ table: 't', column: 'c', record: 'r' }, Buffer.from('x'));
    expect(vk.open(['cell', 't', 'c', 'r'], cell).toString()).toBe('x');
  });

  it('derives token lookup hashes, value indexes and seed keys that differ per vault and per group', () => {
    const index = randomBytes(KEY_BYTES);
    const a = new VaultKeys('v1', new Map([[1, randomBytes(KEY_BYTES)]]), 1, index);
    const b = new VaultKeys('v2', new Map([[1, randomBytes(KEY_BYTES)]]), 1, index);
    expect(a.tokenHash('tok')).toEqual(a.tokenHash('tok'));
    expect(a.tokenHash('tok')).not.toEqual(b.tokenHash('tok'));
    expect(a.tokenValueIndex('g1', Buffer.from('v'))).not.toEqual(a.tokenValueIndex('g2', Buffer.from('v')));
    expect(a.tokenSeedKey('g1')).not.toEqual(a.tokenSeedKey('g2'));
    expect(a.tokenSeedKey('g1')).not.toEqual(b.tokenSeedKey('g1'));
  });

  it('refuses key rows copied to another vault, and does not cache the failure', async () => {
    const keyring = new Keyring(root);
    for (const row of keyring.newVaultKeyRows('v1', Date.now())) {
      await store.vaultKeys.insert({ ...row, vaultId: 'v2' });
    }
    await expect(keyring.vault('v2', store)).rejects.toBeInstanceOf(DecryptionError);
    await store.vaultKeys.deleteForVault('v2');
    for (const row of keyring.newVaultKeyRows('v2', Date.now())) await store.vaultKeys.insert(row);
    await expect(keyring.vault('v2', store)).resolves.toBeInstanceOf(VaultKeys);
  });

  it('cannot load a vault with another root key, nor a vault without keys', async () => {
    const keyring = new Keyring(root);
    for (const row of keyring.newVaultKeyRows('v1', Date.now())) await store.vaultKeys.insert(row);
    await expect(new Keyring(randomBytes(KEY_BYTES)).vault('v1', store)).rejects.toBeInstanceOf(DecryptionError);
    await expect(keyring.vault('missing', store)).rejects.toThrow(/has no keys/);
  });

  it('gives two vaults independent keys', async () => {
    const keyring = new Keyring(root);
    for (const id of ['v1', 'v2']) {
      for (const row of keyring.newVaultKeyRows(id, Date.now())) await store.vaultKeys.insert(row);
    }
    const [a, b] = [await keyring.vault('v1', store), await keyring.vault('v2', store)];
    const c = { table: 't', column: 'c', record: 'r' };
    expect(() => b.decrypt(c, a.encrypt(c, Buffer.from('x')))).toThrow(DecryptionError);
    expect(a.blindIndex('t', 'c', Buffer.from('x')).equals(b.blindIndex('t', 'c', Buffer.from('x')))).toBe(false);
    expect(catchError(() => b.decrypt(c, a.encrypt(c, Buffer.from('secret-value'))))).not.toHaveProperty(
      'message',
      expect.stringContaining('secret-value'),
    );
  });
});
