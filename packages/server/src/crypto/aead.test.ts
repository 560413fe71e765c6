import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wycheproofDir } from '../../test/support/shared-data.js';
import { DecryptionError, KEY_BYTES, NONCE_BYTES, open, seal, sealWithNonce, TAG_BYTES } from './aead.js';

const WYCHEPROOF = wycheproofDir();

interface AeadVector {
  tcId: number;
  comment: string;
  flags: string[];
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface AeadGroup {
  keySize: number;
  ivSize: number;
  tagSize: number;
  tests: AeadVector[];
}

const file = JSON.parse(readFileSync(path.join(WYCHEPROOF, 'aes_gcm_test.json'), 'utf8')) as {
  testGroups: AeadGroup[];
};
/** Our profile only: AES-256, 96-bit nonce, 128-bit tag. */
const vectors = file.testGroups
  .filter((g) => g.keySize === 256 && g.ivSize === 96 && g.tagSize === 128)
  .flatMap((g) => g.tests);
const hex = (s: string) => Buffer.from(s, 'hex');
const valid = vectors.filter((t) => t.result === 'valid');
const invalid = vectors.filter((t) => t.result === 'invalid');

describe('AES-256-GCM against Wycheproof (keySize 256, ivSize 96, tagSize 128)', () => {
  it('has the vectors of our profile, both valid and invalid, and no "acceptable" ones', () => {
    expect(valid.length).toBe(39);
    expect(invalid.length).toBe(27);
    expect(vectors.filter((t) => t.result === 'acceptable')).toEqual([]);
  });

  it.each(valid.map((t) => [t.tcId, t] as const))('valid tcId %i seals to nonce ‖ ct ‖ tag and opens', (_, t) => {
    const sealed = sealWithNonce(hex(t.key), hex(t.iv), hex(t.msg), hex(t.aad));
    expect(sealed.toString('hex')).toBe(t.iv + t.ct + t.tag);
    expect(open(hex(t.key), sealed, hex(t.aad)).toString('hex')).toBe(t.msg);
  });

  it.each(invalid.map((t) => [t.tcId, t] as const))('invalid tcId %i fails to open with DecryptionError', (_, t) => {
    const sealed = Buffer.concat([hex(t.iv), hex(t.ct), hex(t.tag)]);
    expect(() => open(hex(t.key), sealed, hex(t.aad))).toThrow(DecryptionError);
  });
});

const key = fc.uint8Array({ minLength: KEY_BYTES, maxLength: KEY_BYTES });
const bytes = (maxLength: number) => fc.uint8Array({ maxLength });

describe('seal / open', () => {
  it('round-trips arbitrary plaintext and associated data', () => {
    fc.assert(
      fc.property(key, bytes(512), bytes(64), (k, plaintext, aad) => {
        const sealed = seal(k, plaintext, aad);
        expect(sealed.length).toBe(NONCE_BYTES + plaintext.length + TAG_BYTES);
        expect(open(k, sealed, aad).equals(Buffer.from(plaintext))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('uses a fresh nonce each time, so sealing twice gives different outputs', () => {
    const k = Buffer.alloc(KEY_BYTES, 7);
    const a = seal(k, Buffer.from('same'), Buffer.alloc(0));
    const b = seal(k, Buffer.from('same'), Buffer.alloc(0));
    expect(a.subarray(0, NONCE_BYTES).equals(b.subarray(0, NONCE_BYTES))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it('rejects a sealed value with any single bit flipped', () => {
    fc.assert(
      fc.property(key, bytes(64), bytes(16), fc.nat(), fc.integer({ min: 0, max: 7 }), (k, plaintext, aad, at, bit) => {
        const sealed = seal(k, plaintext, aad);
        const i = at % sealed.length;
        sealed[i] = (sealed[i] as number) ^ (1 << bit);
        expect(() => open(k, sealed, aad)).toThrow(DecryptionError);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a sealed value opened with different associated data', () => {
    fc.assert(
      fc.property(key, bytes(64), bytes(16), bytes(16), (k, plaintext, aad, otherAad) => {
        fc.pre(!Buffer.from(aad).equals(Buffer.from(otherAad)));
        const sealed = seal(k, plaintext, aad);
        expect(() => open(k, sealed, otherAad)).toThrow(DecryptionError);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a sealed value opened with another key', () => {
    fc.assert(
      fc.property(key, key, bytes(64), (k, other, plaintext) => {
        fc.pre(!Buffer.from(k).equals(Buffer.from(other)));
        const sealed = seal(k, plaintext, Buffer.alloc(0));
        expect(() => open(other, sealed, Buffer.alloc(0))).toThrow(DecryptionError);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects inputs shorter than nonce plus tag, and truncated or extended outputs', () => {
    const k = Buffer.alloc(KEY_BYTES, 1);
    for (let length = 0; length < NONCE_BYTES + TAG_BYTES; length++) {
      expect(() => open(k, Buffer.alloc(length), Buffer.alloc(0))).toThrow(DecryptionError);
    }
    const sealed = seal(k, Buffer.from('hello'), Buffer.alloc(0));
    expect(() => open(k, sealed.subarray(0, sealed.length - 1), Buffer.alloc(0))).toThrow(DecryptionError);
    expect(() => open(k, Buffer.concat([sealed, Buffer.alloc(1)]), Buffer.alloc(0))).toThrow(DecryptionError);
  });

  it('opens an empty plaintext sealed to exactly nonce plus tag', () => {
    const k = Buffer.alloc(KEY_BYTES, 2);
    const sealed = seal(k, Buffer.alloc(0), Buffer.from('aad'));
    expect(sealed.length).toBe(NONCE_BYTES + TAG_BYTES);
    expect(open(k, sealed, Buffer.from('aad')).length).toBe(0);
  });

  it('reports a wrong-length key at open time as DecryptionError, saying nothing more', () => {
    const sealed = seal(Buffer.alloc(KEY_BYTES), Buffer.from('x'), Buffer.alloc(0));
    const err = (() => {
      try {
        open(Buffer.alloc(16), sealed, Buffer.alloc(0));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DecryptionError);
    expect((err as Error).name).toBe('DecryptionError');
  });
});
