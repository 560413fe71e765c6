import { describe, expect, it } from 'vitest';
import { alignRedacted } from './peers.js';
import { overlapsText, score } from './scorer.js';

const sample = (text: string, spans: Array<[string, string]>) => ({
  text,
  spans: spans.map(([label, value]) => {
    const start = text.indexOf(value);
    return { start, end: start + value.length, label };
  }),
});
const at = (text: string, value: string, type: string) => {
  const start = text.indexOf(value);
  return { start, end: start + value.length, type };
};

describe('span-overlap scorer', () => {
  const text = 'Mr. John Smith lives at 12 Main St, Springfield.';
  const gold = sample(text, [
    ['TITLE', 'Mr.'],
    ['PERSON', 'John Smith'],
    ['STREET_ADDRESS', '12 Main St'],
    ['GPE', 'Springfield'],
  ]);

  it('counts a prediction covering two gold spans once for precision and finds both', () => {
    const s = score([gold], [[at(text, 'Mr. John Smith', 'name')]]);
    expect(s.overall.agnostic.tpPred).toBe(1);
    expect(s.overall.agnostic.pred).toBe(1);
    expect(s.overall.agnostic.tpGold).toBe(2);
    expect(s.overall.agnostic.recall).toBe(0.5);
  });

  it('counts two predictions inside one gold span as two true positives finding it once', () => {
    const s = score([gold], [[at(text, '12', 'location_address'), at(text, 'Main St', 'location_address_street')]]);
    expect(s.overall.agnostic.precision).toBe(1);
    expect(s.overall.agnostic.tpGold).toBe(1);
  });

  it('needs a compatible §6.9 type for a typed match', () => {
    const s = score([gold], [[at(text, 'Springfield', 'organization'), at(text, 'John Smith', 'name')]]);
    expect(s.overall.agnostic.tpPred).toBe(2);
    expect(s.overall.typed.tpPred).toBe(1);
    expect(s.perEntity.GPE?.typed.recall).toBe(0);
    expect(s.perEntity.ORGANIZATION?.typed.pred).toBe(1); // attributed to its type's label as a false positive
    expect(s.perEntity.PERSON?.typed.precision).toBe(1);
  });

  it('does not count an overlap made only of whitespace', () => {
    expect(overlapsText('a b', { start: 0, end: 2 }, { start: 1, end: 3 })).toBe(false);
    expect(overlapsText('ab', { start: 0, end: 2 }, { start: 1, end: 2 })).toBe(true);
  });
});

describe('aligning redacted output', () => {
  it('recovers the spans a replace-only library redacted', () => {
    const markers = new Map([
      ['NAME', 'name'],
      ['PHONE', 'phone_number'],
    ]);
    const original = 'Hi David Johnson, call 555-555-5555 now';
    const spans = alignRedacted(original, 'Hi NAME, call PHONE now', markers);
    expect(spans?.map((s) => [original.slice(s.start, s.end), s.type])).toEqual([
      ['David Johnson', 'name'],
      ['555-555-5555', 'phone_number'],
    ]);
    expect(alignRedacted(original, 'something else entirely', markers)).toBeUndefined();
  });
});
