import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isId, newId, newUuid } from './ids.js';

describe('newId', () => {
  it('is 32 lowercase hex digits', () => {
    for (let i = 0; i < 500; i++) expect(newId()).toMatch(/^[0-9a-f]{32}$/);
  });

  it('starts with the creation time in milliseconds as 12 hex digits', () => {
    const now = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
    const id = newId(now);
    expect(Number.parseInt(id.slice(0, 12), 16)).toBe(now);
    expect(newId(0).slice(0, 12)).toBe('000000000000');
  });

  it('sorts IDs made later after IDs made earlier, whatever their random parts', () => {
    const time = fc.integer({ min: 0, max: 2 ** 48 - 1 });
    fc.assert(
      fc.property(time, time, (a, b) => {
        fc.pre(a !== b);
        const [earlier, later] = a < b ? [a, b] : [b, a];
        expect(newId(earlier) < newId(later)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('sorts IDs from the real clock in creation order across milliseconds', async () => {
    const first = newId();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = newId();
    expect(first < second).toBe(true);
    expect([second, first].sort()).toEqual([first, second]);
  });

  it('is unique, even within one millisecond (80 random bits)', () => {
    const now = Date.now();
    const ids = Array.from({ length: 10_000 }, () => newId(now));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('isId', () => {
  it('accepts every newId', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (t) => {
        expect(isId(newId(t))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['empty', ''],
    ['31 digits', 'a'.repeat(31)],
    ['33 digits', 'a'.repeat(33)],
    ['uppercase hex', 'A'.repeat(32)],
    ['a non-hex letter', `${'a'.repeat(31)}g`],
    ['a UUID', '123e4567-e89b-12d3-a456-426614174000'],
    ['a trailing newline', `${'a'.repeat(32)}\n`],
  ])('rejects %s', (_, value) => {
    expect(isId(value)).toBe(false);
  });
});

describe('newUuid', () => {
  it('is a random (version 4) UUID', () => {
    const uuid = newUuid();
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newUuid()).not.toBe(uuid);
  });
});
