import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64ToBytes, base64UrlToBytes, bytesToBase64, bytesToBase64Url, fromUtf8, utf8 } from './base64.js';

describe('base64 and base64url', () => {
  it('round-trip any bytes and agree with Node’s Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const b64 = bytesToBase64(bytes);
        const url = bytesToBase64Url(bytes);
        expect(b64).toBe(Buffer.from(bytes).toString('base64'));
        expect(url).toBe(Buffer.from(bytes).toString('base64url'));
        expect(url).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(base64ToBytes(b64)).toEqual(bytes);
        expect(base64UrlToBytes(url)).toEqual(bytes);
      }),
    );
  });

  it('encode large inputs without overflowing the stack', () => {
    const big = new Uint8Array(3 * 1024 * 1024).fill(7);
    expect(base64ToBytes(bytesToBase64(big))).toEqual(big);
  });

  it('refuse text that is not base64url', () => {
    for (const bad of ['a+b', 'a/b', 'ab=', 'a', 'é']) expect(() => base64UrlToBytes(bad)).toThrow();
  });

  it('utf8 round-trips any string of valid code points', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(fromUtf8(utf8(s))).toBe(s);
      }),
    );
  });
});
