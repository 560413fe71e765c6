import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DETERMINISTIC_TOKEN_POLICIES, TOKEN_POLICIES, type TokenPolicy } from '../schema/model.js';
import { compilePattern } from '../schema/regex.js';
import { TokenGenerationError } from './errors.js';
import { generateToken, isDeterministic, MIN_RIGHT_4_MIDDLE, RANDOM_TOKEN_LENGTH } from './generate.js';
import { luhnValid } from './luhn.js';
import { cryptoRandom, deterministicInput, deterministicRandom, type RandomSource } from './random.js';

const keyArb = fc.uint8Array({ minLength: 16, maxLength: 32 });
const det = (key: Uint8Array, value: string, attempt = 0): RandomSource =>
  deterministicRandom(key, deterministicInput(value, attempt));
const digitsArb = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength, maxLength });
const alnumArb = fc.constantFrom(...'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ');
/** A value with at least one ASCII letter or digit (shape-preserving tokens need one). */
const shapeableArb = fc
  .tuple(fc.string({ unit: 'grapheme', maxLength: 12 }), alnumArb, fc.string({ unit: 'grapheme', maxLength: 12 }))
  .map(([a, b, c]) => a + b + c);
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const cp = (s: string) => [...s];
const kind = (ch: string) => (/[0-9]/.test(ch) ? 'd' : /[a-z]/.test(ch) ? 'l' : /[A-Z]/.test(ch) ? 'u' : ch);

/** Pearson's chi-square statistic of observed counts against a uniform distribution. */
function chiSquare(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}
/** Upper critical value of chi-square with `df` degrees of freedom at p ≈ 1e-6 (Wilson–Hilferty). */
function chiSquareLimit(df: number): number {
  const z = 4.75;
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}
/** Asserts that the characters at `positions` of many tokens are uniform over `alphabet`. */
function expectUniform(tokens: readonly string[], positions: readonly number[], alphabet: string): void {
  const counts = new Array<number>(alphabet.length).fill(0);
  for (const t of tokens) {
    for (const p of positions) {
      const i = alphabet.indexOf(t[p] as string);
      expect(i).toBeGreaterThanOrEqual(0);
      counts[i] = (counts[i] ?? 0) + 1;
    }
  }
  expect(chiSquare(counts)).toBeLessThan(chiSquareLimit(alphabet.length - 1));
}
const KEY = new Uint8Array(32).fill(3);
/** Many tokens of one value from a seeded stream (reproducible, unlike cryptoRandom). */
const many = (policy: TokenPolicy, value: string, n: number) =>
  Array.from({ length: n }, (_, i) => generateToken(policy, value, det(KEY, value, i)));

describe('isDeterministic', () => {
  it('is true exactly for the DETERMINISTIC_* policies', () => {
    for (const type of TOKEN_POLICIES) {
      expect(isDeterministic({ type })).toBe(type.startsWith('DETERMINISTIC_'));
      expect(isDeterministic({ type })).toBe(DETERMINISTIC_TOKEN_POLICIES.has(type));
    }
  });
});

describe('every policy', () => {
  const policies: TokenPolicy[] = [
    ...TOKEN_POLICIES.map((type) => ({ type })),
    { type: 'FORMAT_PRESERVING_TOKEN', regex: '^[0-9]{3}-[0-9]{2}-[0-9]{4}$' },
    { type: 'DETERMINISTIC_FPT', regex: '^([a-z]{20})@([a-z]{10})\\.com$' },
    { type: 'DETERMINISTIC_PRESERVE_RIGHT_4', prefix: '99', separator: '_', fixedLength: 12 },
  ];

  it('generateToken is a pure function of (policy, value, key, input)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...policies), keyArb, shapeableArb, (policy, key, value) => {
        const token = generateToken(policy, value, det(key, value));
        expect(generateToken(policy, value, det(key, value))).toBe(token);
        expect(token).not.toBe(value);
        expect(token.length).toBeGreaterThan(0);
      }),
    );
  });

  it('gives different tokens for the next collision-retry attempt', () => {
    fc.assert(
      fc.property(fc.constantFrom(...policies), keyArb, fc.string({ minLength: 12 }), (policy, key, raw) => {
        const value = `${raw}A1b2C3d4`; // enough random positions for the shape-preserving fallbacks
        expect(generateToken(policy, value, det(key, value, 1))).not.toBe(
          generateToken(policy, value, det(key, value)),
        );
      }),
    );
  });
});

describe('RANDOM_TOKEN', () => {
  const policy: TokenPolicy = { type: 'RANDOM_TOKEN' };

  it('is 24 lowercase alphanumerics, fresh every time, never containing the value', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6 }), (value) => {
        const a = generateToken(policy, value, cryptoRandom());
        const b = generateToken(policy, value, cryptoRandom());
        expect(a).toMatch(new RegExp(`^[0-9a-z]{${RANDOM_TOKEN_LENGTH}}$`));
        expect(a).not.toBe(b);
        expect(a.includes(value)).toBe(false);
      }),
    );
  });

  it('draws every character uniformly', () => {
    const tokens = many(policy, 'v', 400);
    expectUniform(tokens, [...Array(RANDOM_TOKEN_LENGTH).keys()], '0123456789abcdefghijklmnopqrstuvwxyz');
  });
});

describe.each(['NON_DETERMINISTIC_UUID', 'DETERMINISTIC_UUID', 'NON_DETERMINISTIC_TRANSIENT_UUID'] as const)(
  '%s',
  (type) => {
    const policy: TokenPolicy = { type };

    it('is an RFC 4122 version-4 UUID that does not contain the value', () => {
      fc.assert(
        fc.property(keyArb, fc.string({ minLength: 12 }), (key, value) => {
          for (const token of [
            generateToken(policy, value, det(key, value)),
            generateToken(policy, value, cryptoRandom()),
          ]) {
            expect(token).toMatch(UUID_V4);
            expect(token.includes(value)).toBe(false);
          }
        }),
      );
    });

    it('is fresh from a cryptographic source', () => {
      fc.assert(
        fc.property(fc.string(), (value) => {
          expect(generateToken(policy, value, cryptoRandom())).not.toBe(generateToken(policy, value, cryptoRandom()));
        }),
      );
    });

    it('from a deterministic source: equal for equal inputs, different for different values or keys', () => {
      fc.assert(
        fc.property(keyArb, keyArb, fc.string(), fc.string(), (k1, k2, v1, v2) => {
          fc.pre(v1 !== v2 && Buffer.compare(Buffer.from(k1), Buffer.from(k2)) !== 0);
          const token = generateToken(policy, v1, det(k1, v1));
          expect(generateToken(policy, v1, det(k1, v1))).toBe(token);
          expect(generateToken(policy, v2, det(k1, v2))).not.toBe(token);
          expect(generateToken(policy, v1, det(k2, v1))).not.toBe(token);
        }),
      );
    });

    it('has 122 uniformly random bits (hex digits outside the version and variant nibbles)', () => {
      const tokens = many(policy, 'v', 300).map((t) => t.replaceAll('-', ''));
      const free = [...Array(32).keys()].filter((i) => i !== 12 && i !== 16);
      expectUniform(tokens, free, '0123456789abcdef');
      expectUniform(tokens, [16], '89ab');
    });
  },
);

describe.each(['FORMAT_PRESERVING_TOKEN', 'DETERMINISTIC_FPT', 'NON_DETERMINISTIC_FPT'] as const)('%s', (type) => {
  const regexes = [
    '^[0-9]{4}-[0-9]{4}-([0-9]{4})-([0-9]{4})$',
    '^[0-9]{3}-[0-9]{2}-([0-9]{4})$',
    '^([a-z]{20})@([a-z]{10})\\.com$',
    '^[0-9]{3}-[0-9]{2}-[0-9]{4}$',
    '^(0[1-9]|1[0-2])/[0-9]{2}$',
    '(?i)\\A[a-z]{2}[0-9]{6,8}\\z',
  ];

  it('with a regex: a token the regex matches in full, whatever the value', () => {
    fc.assert(
      fc.property(fc.constantFrom(...regexes), keyArb, fc.string(), (regex, key, value) => {
        const { source, flags } = compilePattern(regex);
        const full = new RegExp(`^(?:${source})$`, flags);
        const token = generateToken({ type, regex }, value, det(key, value));
        expect(token).toMatch(full);
        expect(generateToken({ type, regex }, value, cryptoRandom())).toMatch(full);
        expect(generateToken({ type, regex }, value, det(key, value))).toBe(token);
      }),
    );
  });

  it('without a regex: keeps the shape (digits, letter case, everything else in place)', () => {
    fc.assert(
      fc.property(keyArb, shapeableArb, (key, value) => {
        const token = generateToken({ type }, value, det(key, value));
        expect(cp(token).map(kind)).toEqual(cp(value).map(kind));
        expect(token).not.toBe(value);
      }),
    );
    const random = cryptoRandom();
    expect(generateToken({ type }, '123-45-6789', random)).toMatch(/^\d{3}-\d{2}-\d{4}$/);
    expect(generateToken({ type }, 'Ada Lovelace', random)).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{7}$/);
    expect(generateToken({ type }, 'José-99 ✓', random)).toMatch(/^[A-Z][a-z]{2}é-\d\d ✓$/);
  });

  it('without a regex: fresh tokens differ, and the random positions are uniform', () => {
    fc.assert(
      fc.property(digitsArb(8, 20), (value) => {
        expect(generateToken({ type }, value, cryptoRandom())).not.toBe(generateToken({ type }, value, cryptoRandom()));
      }),
    );
    const tokens = many({ type }, '0000-aaaa-AAAA', 300);
    expectUniform(tokens, [0, 1, 2, 3], '0123456789');
    expectUniform(tokens, [5, 6, 7, 8], 'abcdefghijklmnopqrstuvwxyz');
    expectUniform(tokens, [10, 11, 12, 13], 'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
  });

  it('with a regex: the random positions are uniform', () => {
    const tokens = many({ type, regex: '^[0-9]{3}-[0-9]{2}-[0-9]{4}$' }, 'v', 300);
    expectUniform(tokens, [0, 1, 2, 4, 5, 7, 8, 9, 10], '0123456789');
  });

  it('without a regex, refuses a value with no ASCII letter or digit', () => {
    for (const value of ['', '---', '✓✓', 'éü']) {
      expect(() => generateToken({ type }, value, cryptoRandom())).toThrow(TokenGenerationError);
    }
  });
});

/** A card-like value: `digits` with spaces or dashes inserted at some positions. */
const cardArb = (minDigits: number, maxDigits: number) =>
  fc
    .tuple(digitsArb(minDigits, maxDigits), fc.array(fc.tuple(fc.nat(), fc.constantFrom(' ', '-')), { maxLength: 5 }))
    .map(([digits, seps]) => {
      let s = digits;
      for (const [at, sep] of seps) {
        const i = at % (s.length + 1);
        s = s.slice(0, i) + sep + s.slice(i);
      }
      return s;
    });

describe('DETERMINISTIC_PRESERVE_LEFT_6_RIGHT_4', () => {
  const policy: TokenPolicy = { type: 'DETERMINISTIC_PRESERVE_LEFT_6_RIGHT_4' };
  const onlyDigits = (s: string) => s.replace(/[^0-9]/g, '');

  it('keeps the first 6 and last 4 digits and every separator; Luhn-valid for 12–19 digits', () => {
    fc.assert(
      fc.property(keyArb, cardArb(11, 24), (key, value) => {
        const token = generateToken(policy, value, det(key, value));
        expect(token).toHaveLength(value.length);
        expect(token.replace(/[0-9]/g, '0')).toBe(value.replace(/[0-9]/g, '0')); // separators in place
        const [t, v] = [onlyDigits(token), onlyDigits(value)];
        expect(t.slice(0, 6)).toBe(v.slice(0, 6));
        expect(t.slice(-4)).toBe(v.slice(-4));
        if (v.length >= 12 && v.length <= 19) expect(luhnValid(t)).toBe(true);
        expect(token).not.toBe(value);
        expect(generateToken(policy, value, det(key, value))).toBe(token);
      }),
    );
  });

  it('produces Luhn-valid tokens for well-known test card numbers', () => {
    for (const value of ['4111 1111 1111 1111', '4111-1111-1111-1111', '378282246310005', '4111111111111112']) {
      const token = generateToken(policy, value, cryptoRandom());
      expect(luhnValid(onlyDigits(token))).toBe(true);
      expect(onlyDigits(token).slice(0, 6)).toBe(onlyDigits(value).slice(0, 6));
    }
  });

  it('randomises the middle digits uniformly', () => {
    const value = '4111111111111111';
    const tokens = many(policy, value, 400);
    // Positions 6–10 are free; position 11 is the Luhn digit, uniform too because the others are.
    expectUniform(tokens, [6, 7, 8, 9, 10, 11], '0123456789');
  });

  it('falls back to shape preservation below 11 digits or with other characters', () => {
    fc.assert(
      fc.property(
        keyArb,
        fc.oneof(
          cardArb(1, 10),
          shapeableArb.filter((v) => !/^[0-9 -]*$/.test(v)),
        ),
        (key, value) => {
          const token = generateToken(policy, value, det(key, value));
          expect(cp(token).map(kind)).toEqual(cp(value).map(kind));
        },
      ),
    );
    // Below 11 digits the first and last digits are not kept: they are randomised like the rest.
    const starts = new Set(many(policy, '1234567890', 100).map((t) => t[0]));
    expect(starts.size).toBeGreaterThan(5);
  });
});

describe('DETERMINISTIC_PRESERVE_EMAIL_DOMAIN', () => {
  const policy: TokenPolicy = { type: 'DETERMINISTIC_PRESERVE_EMAIL_DOMAIN' };

  it('replaces the local part with as many random [0-9a-z] and keeps everything from the last "@"', () => {
    fc.assert(
      fc.property(
        keyArb,
        fc.string(),
        fc.string().filter((d) => !d.includes('@')),
        (key, local, domain) => {
          const value = `${local}@${domain}`;
          const token = generateToken(policy, value, det(key, value));
          const at = token.indexOf('@');
          expect(token.slice(0, at)).toMatch(/^[0-9a-z]+$/);
          expect(cp(token.slice(0, at))).toHaveLength(Math.max(1, cp(local).length));
          expect(token.slice(at)).toBe(`@${domain}`);
          expect(generateToken(policy, value, det(key, value))).toBe(token);
        },
      ),
    );
    expect(generateToken(policy, 'ada.lovelace@example.com', cryptoRandom())).toMatch(/^[0-9a-z]{12}@example\.com$/);
    expect(generateToken(policy, '"a@b"@example.com', cryptoRandom())).toMatch(/^[0-9a-z]{5}@example\.com$/);
  });

  it('falls back to shape preservation without "@"', () => {
    expect(generateToken(policy, 'Ada Lovelace', cryptoRandom())).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{7}$/);
  });

  it('draws the local part uniformly', () => {
    expectUniform(
      many(policy, 'abcdefgh@x.org', 300),
      [0, 1, 2, 3, 4, 5, 6, 7],
      '0123456789abcdefghijklmnopqrstuvwxyz',
    );
  });
});

describe.each(['DETERMINISTIC_PRESERVE_RIGHT_4', 'NON_DETERMINISTIC_PRESERVE_RIGHT_4'] as const)('%s', (type) => {
  const optionArb = fc.record(
    {
      prefix: fc.string({ maxLength: 8 }),
      separator: fc.string({ maxLength: 3 }),
      fixedLength: fc.integer({ min: 1, max: 128 }),
    },
    { requiredKeys: [] },
  );

  it('is prefix, random middle and the last 4 characters joined by the separator; fixedLength is a minimum', () => {
    fc.assert(
      fc.property(keyArb, optionArb, fc.string({ unit: 'grapheme', maxLength: 24 }), (key, options, value) => {
        const policy: TokenPolicy = { type, ...options };
        const token = generateToken(policy, value, det(key, value));
        const chars = cp(value);
        const sep = options.separator ?? '';
        const head = options.prefix ? options.prefix + sep : '';
        expect(token.startsWith(head)).toBe(true);
        let suffix: string;
        if (chars.length > 4) {
          suffix = chars.slice(-4).join('');
          expect(token.endsWith(sep + suffix)).toBe(true);
        } else {
          // None of a short value is kept: the suffix has its shape but random letters and digits.
          suffix = cp(token)
            .slice(cp(token).length - chars.length)
            .join('');
          expect(cp(suffix).map(kind)).toEqual(chars.map(kind));
        }
        const tail = suffix ? sep + suffix : '';
        const middle = token.slice(head.length, token.length - tail.length);
        expect(middle).toMatch(/[A-Za-z]/.test(value) ? /^[0-9a-z]+$/ : /^[0-9]+$/);
        const natural = cp(head).length + Math.max(MIN_RIGHT_4_MIDDLE, chars.length - 4) + cp(tail).length;
        expect(cp(token)).toHaveLength(Math.max(natural, options.fixedLength ?? 0));
        expect(generateToken(policy, value, det(key, value))).toBe(token);
      }),
    );
  });

  it("matches the catalogue's example: prefix 99, separator _, fixed length 12", () => {
    const policy: TokenPolicy = { type, prefix: '99', separator: '_', fixedLength: 12 };
    const random = cryptoRandom();
    expect(generateToken(policy, '12347852', random)).toMatch(/^99_\d{4}_7852$/);
    expect(generateToken(policy, '7852', random)).toMatch(/^99_\d{4}_\d{4}$/);
    expect(generateToken(policy, '', random)).toMatch(/^99_\d{9}$/);
    expect(generateToken(policy, '4111 1111 1111 7852', random)).toMatch(/^99_\d{15}_7852$/);
    expect(generateToken(policy, 'AB-123-XYZ9', random)).toMatch(/^99_[0-9a-z]{7}_XYZ9$/);
    expect(generateToken({ type }, '123-45-6789', random)).toMatch(/^\d{7}6789$/);
  });

  it('never keeps a value of 4 characters or fewer', () => {
    fc.assert(
      fc.property(fc.string({ unit: alnumArb, minLength: 1, maxLength: 4 }), (value) => {
        const tokens = Array.from({ length: 8 }, () => generateToken({ type }, value, cryptoRandom()));
        expect(tokens.every((t) => t.endsWith(value))).toBe(false);
      }),
    );
  });

  it('draws the middle uniformly', () => {
    expectUniform(many({ type }, '123456789', 300), [0, 1, 2, 3, 4], '0123456789');
  });
});
