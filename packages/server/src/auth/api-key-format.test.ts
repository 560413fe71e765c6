import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { API_KEY_PATTERN, generateApiKey, hashApiKey } from './api-key-format.js';

const SKYFLOW_SHAPE = /^sky-[a-zA-Z0-9]{5}-[a-fA-F0-9]{32}$/;

describe('generateApiKey', () => {
  it("produces keys in Skyflow's shape, with the prefix and hash that belong to them", () => {
    for (let i = 0; i < 200; i++) {
      const { key, prefix, hash } = generateApiKey();
      expect(key).toMatch(SKYFLOW_SHAPE);
      expect(key).toMatch(API_KEY_PATTERN);
      expect(key.slice(4, 9)).toBe(prefix);
      expect(hash).toBe(hashApiKey(key));
    }
  });

  it('never repeats a key, a secret part or a hash over many draws', () => {
    const n = 5000;
    const keys = Array.from({ length: n }, () => generateApiKey());
    expect(new Set(keys.map((k) => k.key)).size).toBe(n);
    expect(new Set(keys.map((k) => k.key.slice(10))).size).toBe(n);
    expect(new Set(keys.map((k) => k.hash)).size).toBe(n);
  });

  it('uses the whole alphanumeric alphabet for prefixes and all hex digits for the secret', () => {
    const prefixChars = new Set<string>();
    const secretChars = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const { key, prefix } = generateApiKey();
      for (const c of prefix) prefixChars.add(c);
      for (const c of key.slice(10)) secretChars.add(c);
    }
    expect(prefixChars.size).toBe(62);
    expect([...secretChars].sort().join('')).toBe('0123456789abcdef');
  });
});

describe('API_KEY_PATTERN', () => {
  it.each(['sky-abcde-0123456789abcdef0123456789abcdef', 'sky-A1b2C-0123456789ABCDEF0123456789abcdef'])(
    'accepts %s',
    (key) => {
      expect(API_KEY_PATTERN.test(key)).toBe(true);
    },
  );

  it.each([
    ['a short prefix', 'sky-abcd-0123456789abcdef0123456789abcdef'],
    ['a short secret', 'sky-abcde-0123456789abcdef0123456789abcde'],
    ['a non-hex secret', 'sky-abcde-0123456789abcdef0123456789abcdeg'],
    ['another scheme', 'skx-abcde-0123456789abcdef0123456789abcdef'],
    ['a trailing newline', 'sky-abcde-0123456789abcdef0123456789abcdef\n'],
    ['a symbol in the prefix', 'sky-ab_de-0123456789abcdef0123456789abcdef'],
  ])('rejects %s', (_, key) => {
    expect(API_KEY_PATTERN.test(key)).toBe(false);
  });
});

describe('hashApiKey', () => {
  it('is the hex SHA-256 of the lower-cased key (pinned: stored hashes must stay findable)', () => {
    // Independently computed: sha256("sky-abcde-0123456789abcdef0123456789abcdef").
    const expected = 'e08692d4298f177ddb4b90fab829cdec755c7c8b40addd9731096e26d2f70a4c';
    expect(hashApiKey('sky-abcde-0123456789abcdef0123456789abcdef')).toBe(expected);
    expect(hashApiKey('SKY-ABCDE-0123456789ABCDEF0123456789ABCDEF')).toBe(expected);
  });

  it('is stable, 64 lowercase hex digits, and case-insensitive', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (key) => {
        const hash = hashApiKey(key);
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
        expect(hashApiKey(key)).toBe(hash);
        expect(hashApiKey(key.toUpperCase())).toBe(hashApiKey(key.toLowerCase()));
      }),
      { numRuns: 300 },
    );
  });

  it('distinguishes keys that differ other than by case', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.hash).not.toBe(b.hash);
    const flipped = a.key.slice(0, -1) + (a.key.endsWith('0') ? '1' : '0');
    expect(hashApiKey(flipped)).not.toBe(a.hash);
  });
});
