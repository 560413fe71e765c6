import { describe, expect, it } from 'vitest';
import type { Candidate } from '../src/model.js';
import { resolveOverlaps } from '../src/resolve.js';
import { InvalidRegexError } from '../src/user-regex.js';
import { analyzer, found } from './helpers.js';

const c = (start: number, end: number, entityType: Candidate['entityType'], score: number): Candidate => ({
  start,
  end,
  entityType,
  score,
  recognizer: 'test',
});

describe('overlap resolution', () => {
  it('keeps the higher score when spans cross', () => {
    const out = resolveOverlaps([c(0, 10, 'phone_number', 0.5), c(5, 15, 'date', 0.8)]);
    expect(out.map((w) => w.entityType)).toEqual(['date']);
  });
  it('lets a longer span with a close score absorb the spans inside it', () => {
    const out = resolveOverlaps([
      c(0, 5, 'name', 0.85),
      c(0, 30, 'location_address', 0.8),
      c(10, 15, 'location_city', 0.7),
    ]);
    expect(out.map((w) => [w.entityType, w.start, w.end])).toEqual([['location_address', 0, 30]]);
  });
  it('does not let a much weaker long span swallow a strong one', () => {
    const out = resolveOverlaps([c(0, 5, 'credit_card', 0.95), c(0, 30, 'organization', 0.45)]);
    expect(out.map((w) => w.entityType)).toEqual(['credit_card']);
  });
  it('reports every reading of the winning span in entity_scores', () => {
    const out = resolveOverlaps([
      c(0, 8, 'location_city', 0.7),
      c(0, 8, 'name', 0.6),
      { ...c(0, 8, 'location_city', 0.7), alternatives: { location: 0.5 } },
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]?.scores).toEqual({ location_city: 0.7, name: 0.6, location: 0.5 });
  });
  it('returns non-overlapping entities in text order', () => {
    const { entities } = analyzer.analyze('Email a@b.co or call +1 212 555 0123, card 4111111111111111.');
    for (let i = 1; i < entities.length; i++) {
      expect(entities[i]?.start).toBeGreaterThanOrEqual(entities[i - 1]?.end ?? 0);
    }
    expect(entities.map((e) => e.entityType)).toEqual(['email_address', 'phone_number', 'credit_card']);
  });
});

describe('context words', () => {
  it('raise the score of an ambiguous match', () => {
    const plain = analyzer.analyze('reference 536-22-1234').entities[0];
    const withContext = analyzer.analyze('SSN: 536-22-1234').entities[0];
    expect(plain?.entityType).toBe('ssn');
    expect(withContext?.score ?? 0).toBeGreaterThan(plain?.score ?? 1);
  });
});

describe('entity type selection', () => {
  const text = 'Jane Doe, jane@example.com, 4111 1111 1111 1111, lives in Portugal.';
  it('returns only the requested types, broad types including their narrower ones', () => {
    expect(found(text, { entityTypes: ['email_address'] })).toEqual([['email_address', 'jane@example.com']]);
    expect(found(text, { entityTypes: ['location'] })).toEqual([['location_country', 'Portugal']]);
    expect(found(text, { entityTypes: ['all'] })).toHaveLength(4);
    expect(found(text, { entityTypes: [] })).toHaveLength(4);
  });
  it('still lets other types win overlaps before filtering', () => {
    // The digits are a date; asking only for phone numbers must not turn them into one.
    expect(found('Due 12.05.2020', { entityTypes: ['phone_number'] })).toEqual([]);
  });
});

describe('allow_regex and restrict_regex', () => {
  const text = 'Contact support@acme.com or jane@example.com about order ORD-1234.';
  it('leaves entities covered by an allow pattern in plain text', () => {
    expect(found(text, { allowRegex: ['support@acme\\.com'] })).toEqual([['email_address', 'jane@example.com']]);
  });
  it('keeps an entity only partly covered by an allow pattern', () => {
    expect(found(text, { allowRegex: ['jane'] })).toContainEqual(['email_address', 'jane@example.com']);
  });
  it('restricts text matching a restrict pattern even when no entity was detected there', () => {
    const r = analyzer.analyze(text, { restrictRegex: ['ORD-\\d+'] });
    expect(r.restricted.map((x) => x.text)).toEqual(['ORD-1234']);
    expect(r.restricted[0]?.entityType).toBeUndefined();
  });
  it('restricts a whole entity that a restrict pattern only touches', () => {
    const r = analyzer.analyze(text, { restrictRegex: ['example'] });
    expect(r.restricted.map((x) => [x.text, x.entityType])).toEqual([['jane@example.com', 'email_address']]);
    expect(r.entities.map((e) => e.text)).toEqual(['support@acme.com']);
  });
  it('lets allow win over restrict', () => {
    const r = analyzer.analyze(text, { allowRegex: ['ORD-\\d+'], restrictRegex: ['ORD-\\d+'] });
    expect(r.restricted).toEqual([]);
  });
  it('rejects patterns that are not RE2 (no back-references, so no catastrophic backtracking)', () => {
    expect(() => analyzer.analyze(text, { restrictRegex: ['(a)\\1'] })).toThrow(InvalidRegexError);
    expect(() => analyzer.analyze(text, { allowRegex: ['['] })).toThrow(InvalidRegexError);
  });
  it('stays fast on patterns that backtrack exponentially in JavaScript', () => {
    const t0 = Date.now();
    analyzer.analyze(`${'a'.repeat(5000)}!`, { restrictRegex: ['(a+)+$'] });
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('long documents', () => {
  it('analyse in time linear in their length', () => {
    const sentence =
      'Jane Doe (jane@example.com, +1 212 555 0123) moved to 42 Main St, Springfield, IL 62704 in 1998. ';
    const text = sentence.repeat(1500); // ~150 KB
    const t0 = Date.now();
    const { entities } = analyzer.analyze(text);
    expect(entities.length).toBeGreaterThanOrEqual(1500 * 4);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
