import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TOKEN_POLICIES, type TokenPolicy } from '../schema/model.js';
import { generateToken } from './generate.js';
import { cryptoRandom } from './random.js';
import { checkSuppliedToken, MAX_SUPPLIED_TOKEN_LENGTH } from './supplied.js';

const UUID = '358a03eb-2592-4037-be31-046032471d44';
const SSN = '^[0-9]{3}-[0-9]{2}-[0-9]{4}$';
const reasonOf = (policy: TokenPolicy, token: string) => {
  const r = checkSuppliedToken(policy, token);
  return r.ok ? undefined : r.reason;
};

describe('checkSuppliedToken: rules for every policy', () => {
  it.each(TOKEN_POLICIES)('%s rejects empty, over-long and control-character tokens', (type) => {
    const policy: TokenPolicy = { type };
    expect(reasonOf(policy, '')).toMatch(/empty/);
    for (const bad of ['a\nb', 'a\u0000', '\u007f', 'x\u0085y', '\tabc', 'a\uD800b', '\uDC00']) {
      expect(reasonOf(policy, bad)).toMatch(/control characters or lone surrogates/);
    }
    expect(reasonOf(policy, 'x'.repeat(MAX_SUPPLIED_TOKEN_LENGTH + 1))).toMatch(/longer than 256/);
  });

  it('counts length in code points and accepts well-formed astral characters', () => {
    expect(checkSuppliedToken({ type: 'RANDOM_TOKEN' }, '😀'.repeat(256))).toEqual({ ok: true });
    expect(checkSuppliedToken({ type: 'RANDOM_TOKEN' }, '😀'.repeat(257)).ok).toBe(false);
    expect(checkSuppliedToken({ type: 'RANDOM_TOKEN' }, 'x'.repeat(256))).toEqual({ ok: true });
  });

  it('never echoes the token in the reason', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TOKEN_POLICIES), fc.string({ minLength: 4 }), (type, token) => {
        const reason = reasonOf({ type, regex: SSN, prefix: 'tok_' }, `${token}\u0001`);
        expect(reason).toBeDefined();
        expect(reason?.includes(token)).toBe(false);
      }),
    );
  });
});

describe('checkSuppliedToken: per policy', () => {
  it('UUID policies want an 8-4-4-4-12 hexadecimal UUID, any version, either case', () => {
    for (const type of ['NON_DETERMINISTIC_UUID', 'DETERMINISTIC_UUID', 'NON_DETERMINISTIC_TRANSIENT_UUID'] as const) {
      expect(checkSuppliedToken({ type }, UUID)).toEqual({ ok: true });
      expect(checkSuppliedToken({ type }, UUID.toUpperCase())).toEqual({ ok: true });
      expect(checkSuppliedToken({ type }, '00000000-0000-1000-8000-000000000000')).toEqual({ ok: true });
      for (const bad of [`${UUID}x`, UUID.replaceAll('-', ''), `{${UUID}}`, UUID.replace('3', 'g'), 'tok_123']) {
        expect(reasonOf({ type }, bad)).toBe('the token must be a UUID');
      }
    }
  });

  it('format-preserving policies with a regex want a full match; without one, anything well-formed', () => {
    for (const type of ['FORMAT_PRESERVING_TOKEN', 'DETERMINISTIC_FPT', 'NON_DETERMINISTIC_FPT'] as const) {
      expect(checkSuppliedToken({ type, regex: SSN }, '123-45-6789')).toEqual({ ok: true });
      for (const bad of ['123-45-67890', 'x123-45-6789', '123456789']) {
        expect(reasonOf({ type, regex: SSN }, bad)).toMatch(/format_preserving_regex/);
      }
      expect(reasonOf({ type, regex: '[0-9]{3}' }, 'a123')).toMatch(/format_preserving_regex/);
      expect(checkSuppliedToken({ type }, 'anything at all')).toEqual({ ok: true });
      // Patterns that cannot be generated from (or are invalid) still check, and never throw.
      // a{300} is valid RE2 but cannot be generated from (tokens would exceed 256 characters).
      expect(checkSuppliedToken({ type, regex: '^b|a{300}$' }, 'b')).toEqual({ ok: true });
      expect(reasonOf({ type, regex: '^b|a{300}$' }, 'c')).toMatch(/format_preserving_regex/);
      // RE2 has no lookarounds: such a pattern matches nothing.
      expect(reasonOf({ type, regex: '^(?=a)[a-z]+$' }, 'abc')).toMatch(/format_preserving_regex/);
      expect(checkSuppliedToken({ type, regex: '^abc$' }, 'abc')).toEqual({ ok: true });
      expect(reasonOf({ type, regex: '[' }, 'abc')).toMatch(/format_preserving_regex/);
    }
  });

  it('PRESERVE_RIGHT_4 policies with a prefix want the prefix', () => {
    for (const type of ['DETERMINISTIC_PRESERVE_RIGHT_4', 'NON_DETERMINISTIC_PRESERVE_RIGHT_4'] as const) {
      expect(checkSuppliedToken({ type, prefix: '99', separator: '_' }, '99_1234_7852')).toEqual({ ok: true });
      expect(reasonOf({ type, prefix: '99' }, '98_1234_7852')).toMatch(/token_prefix/);
      expect(checkSuppliedToken({ type }, 'abc')).toEqual({ ok: true });
    }
  });

  it('other policies accept any well-formed token', () => {
    for (const type of [
      'RANDOM_TOKEN',
      'DETERMINISTIC_PRESERVE_LEFT_6_RIGHT_4',
      'DETERMINISTIC_PRESERVE_EMAIL_DOMAIN',
    ] as const) {
      expect(checkSuppliedToken({ type }, 'my token 1')).toEqual({ ok: true });
    }
  });

  it('accepts every token the generators produce', () => {
    const policies: TokenPolicy[] = [
      ...TOKEN_POLICIES.map((type) => ({ type })),
      { type: 'FORMAT_PRESERVING_TOKEN', regex: SSN },
      { type: 'NON_DETERMINISTIC_FPT', regex: '^(0[1-9]|1[0-2])/[0-9]{2}$' },
      { type: 'DETERMINISTIC_PRESERVE_RIGHT_4', prefix: '99', separator: '_', fixedLength: 12 },
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...policies),
        fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }).map((s) => `${s}7`),
        (policy, value) => {
          expect(checkSuppliedToken(policy, generateToken(policy, value, cryptoRandom()))).toEqual({ ok: true });
        },
      ),
    );
  });
});
