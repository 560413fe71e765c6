import { hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wycheproofDir } from '../../test/support/shared-data.js';
import { encodeParts } from './encoding.js';
import { deriveKey } from './kdf.js';

const WYCHEPROOF = wycheproofDir();

interface HkdfVector {
  tcId: number;
  comment: string;
  flags: string[];
  ikm: string;
  salt: string;
  info: string;
  size: number;
  okm: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
const hkdfVectors = (
  JSON.parse(readFileSync(path.join(WYCHEPROOF, 'hkdf_sha256_test.json'), 'utf8')) as {
    testGroups: { tests: HkdfVector[] }[];
  }
).testGroups.flatMap((g) => g.tests);
const hex = (s: string) => Buffer.from(s, 'hex');

describe("Node's hkdfSync('sha256') against Wycheproof HKDF-SHA-256", () => {
  it('covers both valid vectors and invalid (oversized output) vectors', () => {
    expect(hkdfVectors.filter((t) => t.result === 'valid').length).toBeGreaterThan(80);
    expect(hkdfVectors.filter((t) => t.result === 'invalid').length).toBe(3);
  });

  it.each(hkdfVectors.filter((t) => t.result === 'valid').map((t) => [t.tcId, t] as const))(
    'valid tcId %i derives the expected output key material',
    (_, t) => {
      const okm = Buffer.from(hkdfSync('sha256', hex(t.ikm), hex(t.salt), hex(t.info), t.size));
      expect(okm.toString('hex')).toBe(t.okm);
    },
  );

  it.each(hkdfVectors.filter((t) => t.result === 'invalid').map((t) => [t.tcId, t] as const))(
    'invalid tcId %i (output longer than 255 hash blocks) is refused',
    (_, t) => {
      expect(t.size).toBeGreaterThan(255 * 32);
      expect(() => hkdfSync('sha256', hex(t.ikm), hex(t.salt), hex(t.info), t.size)).toThrow();
    },
  );
});

describe('encodeParts', () => {
  it('writes a 4-byte big-endian length before the UTF-8 bytes of each part', () => {
    expect(encodeParts(['ab', 'c']).toString('hex')).toBe('0000000261620000000163');
    expect(encodeParts(['a', 'bc']).toString('hex')).toBe('0000000161000000026263');
    expect(encodeParts(['é']).toString('hex')).toBe('00000002c3a9');
    expect(encodeParts([]).length).toBe(0);
    expect(encodeParts(['']).toString('hex')).toBe('00000000');
  });

  it('is injective: different lists of strings never encode alike', () => {
    // A small alphabet (with NUL and multi-byte characters) makes near-collisions likely.
    const unit = fc.constantFrom('a', 'b', '\u0000', 'é', '😀');
    const parts = fc.array(fc.string({ unit, maxLength: 6 }), { maxLength: 5 });
    fc.assert(
      fc.property(parts, parts, (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        expect(encodeParts(a).equals(encodeParts(b))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('never confuses two splits of the same text', () => {
    /** Cuts `text` at the given positions (sorted, duplicates allowed: they make empty parts). */
    const split = (text: string, cuts: number[]) => {
      const at = cuts.map((c) => c % (text.length + 1)).sort((x, y) => x - y);
      return [...at, text.length].map((end, i) => text.slice(i === 0 ? 0 : at[i - 1], end));
    };
    fc.assert(
      fc.property(
        fc.string({ maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (text, c1, c2) => {
          const a = split(text, c1);
          const b = split(text, c2);
          expect(a.join('')).toBe(b.join(''));
          if (JSON.stringify(a) !== JSON.stringify(b)) expect(encodeParts(a).equals(encodeParts(b))).toBe(false);
          else expect(encodeParts(a).equals(encodeParts(b))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('deriveKey', () => {
  const ikm = Buffer.from(Array.from({ length: 32 }, (_, i) => i));

  it('is HKDF-SHA256 with salt "strongroom/v1" and the encoded purpose as info (pinned known answers)', () => {
    // Computed independently (Python hmac/hashlib). Changing the derivation would orphan every stored key.
    expect(deriveKey(ikm, ['key-encryption-key']).toString('hex')).toBe(
      '176e3356288a0104a59c1a95c5e33a029d7ef580395c529d8170688df9a5b272',
    );
    expect(deriveKey(ikm, ['blind-index', 'v1', 't', 'c']).toString('hex')).toBe(
      'c302e03cd32aaae08cb7da6fcd570952fb6763a360c2032b5c3cb0cafc9bf34b',
    );
  });

  it('is deterministic and returns 32 bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.array(fc.string(), { maxLength: 4 }),
        (key, purpose) => {
          const a = deriveKey(key, purpose);
          expect(a.length).toBe(32);
          expect(a.equals(deriveKey(key, [...purpose]))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives distinct purposes distinct keys', () => {
    const purpose = fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 });
    fc.assert(
      fc.property(purpose, purpose, (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        expect(deriveKey(ikm, a).equals(deriveKey(ikm, b))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('encodes the purpose unambiguously: ["ab","c"] and ["a","bc"] give different keys', () => {
    expect(deriveKey(ikm, ['ab', 'c']).equals(deriveKey(ikm, ['a', 'bc']))).toBe(false);
    expect(deriveKey(ikm, ['abc']).equals(deriveKey(ikm, ['ab', 'c']))).toBe(false);
    expect(deriveKey(ikm, ['a', '']).equals(deriveKey(ikm, ['a']))).toBe(false);
    expect(deriveKey(ikm, ['a\u0000b']).equals(deriveKey(ikm, ['a', 'b']))).toBe(false);
  });

  it('gives different input key material different keys for the same purpose', () => {
    const other = Buffer.from(ikm);
    other[0] = (other[0] as number) ^ 1;
    expect(deriveKey(ikm, ['p']).equals(deriveKey(other, ['p']))).toBe(false);
  });
});
