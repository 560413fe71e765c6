import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  needsRehash,
  passwordProblem,
  SCRYPT_PARAMS,
  verifyPassword,
} from './passwords.js';

// Every hash here uses the production parameters (about 0.1-0.2 s each on a small machine), so the
// property runs are few but each one is the real thing.
const RUNS = 6;
const PROPERTY_TIMEOUT = 120_000;

const HASH_SHAPE = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

describe('password hashing', () => {
  it('stores the parameters, a 16-byte salt and a 32-byte hash in one self-describing string', async () => {
    const stored = await hashPassword('correct horse battery staple');
    const [, n, r, p, salt, hash] = HASH_SHAPE.exec(stored) ?? [];
    expect([Number(n), Number(r), Number(p)]).toEqual([SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p]);
    expect(SCRYPT_PARAMS.N).toBeGreaterThanOrEqual(2 ** 15);
    expect(Buffer.from(salt as string, 'base64url')).toHaveLength(16);
    expect(Buffer.from(hash as string, 'base64url')).toHaveLength(32);
    expect(stored).not.toContain('correct horse');
    expect(needsRehash(stored)).toBe(false);
  });

  it('salts every hash afresh: the same password never hashes to the same string', async () => {
    const [a, b] = await Promise.all([hashPassword('same password 1'), hashPassword('same password 1')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password 1', a)).toBe(true);
    expect(await verifyPassword('same password 1', b)).toBe(true);
  });

  it(
    'hash then verify round-trips any password; any other password fails',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ minLength: 1, maxLength: 64, unit: 'grapheme' }),
          fc.string({ minLength: 1, maxLength: 64, unit: 'grapheme' }),
          async (password, other) => {
            fc.pre(password.normalize('NFKC') !== other.normalize('NFKC'));
            const stored = await hashPassword(password);
            expect(await verifyPassword(password, stored)).toBe(true);
            expect(await verifyPassword(other, stored)).toBe(false);
          },
        ),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'a stored hash altered in any one character verifies nothing',
    async () => {
      const password = 'Tamper-proof 123';
      const stored = await hashPassword(password);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_$';
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: stored.length - 1 }),
          fc.constantFrom(...alphabet),
          async (index, replacement) => {
            fc.pre(stored[index] !== replacement);
            const tampered = stored.slice(0, index) + replacement + stored.slice(index + 1);
            expect(await verifyPassword(password, tampered)).toBe(false);
          },
        ),
        { numRuns: RUNS * 2 },
      );
    },
    PROPERTY_TIMEOUT,
  );

  it('rejects malformed and out-of-bounds hash strings without running scrypt on them', async () => {
    const stored = await hashPassword('Bounds checked 1');
    const [, , , , salt, hash] = HASH_SHAPE.exec(stored) as unknown as string[];
    const malformed = [
      '',
      'plaintext',
      `bcrypt$32768$8$1$${salt}$${hash}`,
      `scrypt$32768$8$1$${salt}`,
      `scrypt$32768$8$1$${salt}$${hash}$extra`,
      `scrypt$32769$8$1$${salt}$${hash}`, // N not a power of two
      `scrypt$1024$8$1$${salt}$${hash}`, // N below the floor
      `scrypt$2097152$8$1$${salt}$${hash}`, // N above the ceiling (would need gigabytes)
      `scrypt$032768$8$1$${salt}$${hash}`, // not canonical
      `scrypt$32768$0$1$${salt}$${hash}`,
      `scrypt$32768$8$99$${salt}$${hash}`,
      `scrypt$32768$8$1$${salt}=$${hash}`,
      `scrypt$32768$8$1$${(salt as string).slice(0, 10)}$${hash}`, // salt too short
      `scrypt$32768$8$1$${salt}$${(hash as string).slice(0, 20)}`, // hash too short
      ` ${stored}`,
      `${stored}\n`,
    ];
    const started = Date.now();
    for (const value of malformed) {
      expect(await verifyPassword('Bounds checked 1', value), value).toBe(false);
      expect(needsRehash(value)).toBe(true);
    }
    // Sixteen scrypt runs would take seconds; refusing to parse takes nothing.
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('compares passwords in NFKC form, so composed and decomposed accents match', async () => {
    const composed = 'Caf\u00e9-au-lait-2024';
    const decomposed = 'Cafe\u0301-au-lait-2024';
    const stored = await hashPassword(composed);
    expect(await verifyPassword(decomposed, stored)).toBe(true);
  });

  it('tells when a hash uses weaker parameters than new hashes do', async () => {
    const stored = await hashPassword('Old but gold 12');
    expect(needsRehash(stored.replace(`scrypt$${SCRYPT_PARAMS.N}$`, 'scrypt$16384$'))).toBe(true);
  });
});

describe('password policy', () => {
  it('accepts 12 or more characters of at least two kinds', () => {
    for (const ok of [
      'abcdefghijk1',
      'ABCDEFGHIJKl',
      'correct horse battery',
      'Ünïcödé-pässwörd',
      '123456789012!',
      `${'a'.repeat(11)}B`,
    ]) {
      expect(passwordProblem(ok), ok).toBeUndefined();
    }
  });

  it('refuses short passwords, one kind of character, and the email address itself, never echoing the password', () => {
    const cases: [string, RegExp, string?][] = [
      ['Short1!', /at least 12 characters/],
      ['abcdefghijklmnop', /two kinds of characters/],
      ['ABCDEFGHIJKLMNOP', /two kinds of characters/],
      ['123456789012345', /two kinds of characters/],
      ['!!!!!!!!!!!!!!!!', /two kinds of characters/],
      ['Ada.Lovelace@example.com', /must not be the email address/, 'ada.lovelace@example.com'],
      [`${'x'.repeat(MAX_PASSWORD_LENGTH)}Y`, /at most 1024 characters/],
      ['abcdefghijk\ud800Z', /unpaired UTF-16 surrogates/],
    ];
    for (const [password, why, email] of cases) {
      const problem = passwordProblem(password, email);
      expect(problem, password).toMatch(why);
      expect(problem).not.toContain(password);
    }
    // Counted in characters, not UTF-16 units: twelve emoji are twelve characters.
    expect(passwordProblem(`${'😀'.repeat(11)}a`)).toBeUndefined();
    expect(passwordProblem(`${'😀'.repeat(5)}a`)).toMatch(/at least 12/);
    expect(MIN_PASSWORD_LENGTH).toBe(12);
  });
});
