import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY, isRetryableStatus, parseRetryAfter, retryPolicy } from './retry-policy.js';

describe('retry policy', () => {
  it('retries 408, 429 and 5xx only', () => {
    for (let status = 100; status < 600; status++) {
      expect(isRetryableStatus(status)).toBe(status === 408 || status === 429 || status >= 500);
    }
  });

  it('keeps every delay within [½, 1] of min(maxDelay, base × 2^retry)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, baseDelayMs, maxDelayMs, r) => {
          const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
          const delay = backoffDelay(retry, { maxRetries: 99, baseDelayMs, maxDelayMs }, () => r);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          expect(delay).toBeLessThanOrEqual(Math.ceil(ceiling));
        },
      ),
    );
  });

  it('reads Retry-After as seconds or an HTTP date, never negative, undefined when unreadable', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Mon, 31 Dec 2029 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    for (const bad of ['-1', '1.5', 'soon', '', '12abc']) expect(parseRetryAfter(bad, now)).toBeUndefined();
    fc.assert(
      fc.property(fc.string(), (text) => {
        const ms = parseRetryAfter(text, now);
        expect(ms === undefined || ms >= 0).toBe(true);
      }),
    );
  });

  it('builds policies from options, false turning retries off', () => {
    expect(retryPolicy(undefined)).toEqual(DEFAULT_RETRY);
    expect(retryPolicy(false).maxRetries).toBe(0);
    expect(retryPolicy({ maxRetries: 5, baseDelayMs: undefined })).toEqual({ ...DEFAULT_RETRY, maxRetries: 5 });
    expect(() => retryPolicy({ maxRetries: -1 })).toThrow(RangeError);
  });
});
