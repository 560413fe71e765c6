/**
 * HMAC-SHA256 is the primitive behind blind indexes (keyring.ts) and the root-key fingerprint; these
 * vectors check the `createHmac('sha256', …)` usage those rely on.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { wycheproofDir } from '../../test/support/shared-data.js';

const WYCHEPROOF = wycheproofDir();

interface MacVector {
  tcId: number;
  comment: string;
  flags: string[];
  key: string;
  msg: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface MacGroup {
  keySize: number;
  tagSize: number;
  tests: MacVector[];
}
const groups = (
  JSON.parse(readFileSync(path.join(WYCHEPROOF, 'hmac_sha256_test.json'), 'utf8')) as { testGroups: MacGroup[] }
).testGroups;
const cases = groups.flatMap((g) => g.tests.map((t) => ({ ...t, tagBytes: g.tagSize / 8 })));

/** Verifies a (possibly truncated) tag: the expected tag must equal the prefix of the full HMAC. */
function verify(t: (typeof cases)[number]): boolean {
  const full = createHmac('sha256', Buffer.from(t.key, 'hex')).update(Buffer.from(t.msg, 'hex')).digest();
  const expected = Buffer.from(t.tag, 'hex');
  if (expected.length !== t.tagBytes) return false;
  return timingSafeEqual(full.subarray(0, t.tagBytes), expected);
}

describe("createHmac('sha256') against Wycheproof HMAC-SHA256", () => {
  it('covers full-length and truncated tags, valid and invalid', () => {
    expect(new Set(groups.map((g) => g.tagSize))).toEqual(new Set([256, 128]));
    expect(cases.filter((t) => t.result === 'valid').length).toBeGreaterThan(50);
    expect(cases.filter((t) => t.result === 'invalid').length).toBeGreaterThan(100);
    expect(cases.filter((t) => t.result === 'acceptable')).toEqual([]);
  });

  it.each(cases.filter((t) => t.result === 'valid').map((t) => [t.tcId, t.tagBytes * 8, t] as const))(
    'valid tcId %i (%i-bit tag) verifies',
    (_, __, t) => {
      expect(verify(t)).toBe(true);
    },
  );

  it.each(cases.filter((t) => t.result === 'invalid').map((t) => [t.tcId, t.tagBytes * 8, t] as const))(
    'invalid tcId %i (%i-bit tag) is rejected',
    (_, __, t) => {
      expect(verify(t)).toBe(false);
    },
  );
});
