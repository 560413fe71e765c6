import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bytesToBase64Url, utf8 } from '../crypto/base64.js';
import { decodeJwtPayload, isExpired, jwtExpiry } from './decode.js';

const token = (payload: unknown) =>
  `${bytesToBase64Url(utf8('{"alg":"RS256"}'))}.${bytesToBase64Url(utf8(JSON.stringify(payload)))}.c2ln`;

describe('JWT reading', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('reads any JSON object payload back', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (payload) => {
        expect(decodeJwtPayload(token(payload))).toEqual(JSON.parse(JSON.stringify(payload)));
      }),
    );
  });

  it('isExpired follows Skyflow’s SDKs: empty or undecodable → expired, no exp → not expired, else now > exp', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(isExpired('')).toBe(true);
    expect(isExpired('not-a-jwt')).toBe(true);
    expect(isExpired(`a.${bytesToBase64Url(utf8('[1]'))}.c`)).toBe(true);
    expect(isExpired(token({ sub: 'x' }))).toBe(false);
    expect(isExpired(token({ exp: now + 1 }))).toBe(false);
    expect(isExpired(token({ exp: now }))).toBe(false);
    vi.advanceTimersByTime(1001);
    expect(isExpired(token({ exp: now }))).toBe(true);
  });

  it('jwtExpiry distinguishes a JWT without exp (null) from something that is not a JWT (undefined)', () => {
    expect(jwtExpiry(token({ exp: 10 }))).toBe(10_000);
    expect(jwtExpiry(token({ exp: 'soon' }))).toBeNull();
    expect(jwtExpiry(`sky-abcde-${'0'.repeat(32)}`)).toBeUndefined();
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(typeof isExpired(text)).toBe('boolean');
      }),
    );
  });
});
