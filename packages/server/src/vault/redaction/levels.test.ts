import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnSpec, DefaultRedaction } from '../schema/model.js';
import {
  type AppliedRedaction,
  defaultRedaction,
  effectiveRedaction,
  isRedactionLevel,
  REDACTION_LEVELS,
  REDACTION_STRICTNESS,
  stricter,
} from './levels.js';

const column = (redaction: DefaultRedaction, system = false): Pick<ColumnSpec, 'redaction' | 'system'> => ({
  redaction,
  system,
});
const APPLIED: AppliedRedaction[] = ['PLAIN_TEXT', 'MASKED', 'REDACTED'];

describe('DEFAULT resolution', () => {
  it("resolves DEFAULT to the column's default_dlp_policy", () => {
    expect(effectiveRedaction(column('REDACT'), 'DEFAULT')).toBe('REDACTED');
    expect(effectiveRedaction(column('MASK'), 'DEFAULT')).toBe('MASKED');
    expect(effectiveRedaction(column('PLAIN_TEXT'), 'DEFAULT')).toBe('PLAIN_TEXT');
    expect(defaultRedaction(column('MASK'))).toBe('MASKED');
  });

  it('applies an explicitly requested level whatever the column default', () => {
    for (const redaction of ['REDACT', 'MASK', 'PLAIN_TEXT'] as const) {
      for (const level of APPLIED) expect(effectiveRedaction(column(redaction), level)).toBe(level);
    }
  });

  it('always shows the vault-managed skyflow_id column as plain text, even under a cap', () => {
    const skyflowId = column('PLAIN_TEXT', true);
    for (const level of REDACTION_LEVELS) {
      expect(effectiveRedaction(skyflowId, level)).toBe('PLAIN_TEXT');
      expect(effectiveRedaction(skyflowId, level, 'REDACTED')).toBe('PLAIN_TEXT');
    }
    expect(defaultRedaction(column('REDACT', true))).toBe('PLAIN_TEXT');
  });
});

describe('policy caps', () => {
  it('orders levels PLAIN_TEXT < MASKED < REDACTED', () => {
    expect(REDACTION_STRICTNESS.PLAIN_TEXT).toBeLessThan(REDACTION_STRICTNESS.MASKED);
    expect(REDACTION_STRICTNESS.MASKED).toBeLessThan(REDACTION_STRICTNESS.REDACTED);
    expect(stricter('PLAIN_TEXT', 'MASKED')).toBe('MASKED');
    expect(stricter('REDACTED', 'MASKED')).toBe('REDACTED');
    expect(stricter('PLAIN_TEXT', 'PLAIN_TEXT')).toBe('PLAIN_TEXT');
  });

  it('stricter is commutative, associative, idempotent and returns one of its arguments', () => {
    const level = fc.constantFrom(...APPLIED);
    fc.assert(
      fc.property(level, level, level, (a, b, c) => {
        expect(stricter(a, b)).toBe(stricter(b, a));
        expect(stricter(stricter(a, b), c)).toBe(stricter(a, stricter(b, c)));
        expect(stricter(a, a)).toBe(a);
        expect([a, b]).toContain(stricter(a, b));
        expect(REDACTION_STRICTNESS[stricter(a, b)]).toBeGreaterThanOrEqual(REDACTION_STRICTNESS[a]);
      }),
    );
  });

  it('a cap forces a stricter level but never loosens one', () => {
    const mask = column('MASK');
    expect(effectiveRedaction(mask, 'PLAIN_TEXT', 'MASKED')).toBe('MASKED');
    expect(effectiveRedaction(mask, 'REDACTED', 'MASKED')).toBe('REDACTED');
    expect(effectiveRedaction(mask, 'DEFAULT', 'PLAIN_TEXT')).toBe('MASKED');
    expect(effectiveRedaction(column('PLAIN_TEXT'), 'DEFAULT', 'REDACTED')).toBe('REDACTED');
  });
});

describe('isRedactionLevel', () => {
  it('accepts exactly the four wire strings', () => {
    for (const level of REDACTION_LEVELS) expect(isRedactionLevel(level)).toBe(true);
    for (const other of ['masked', 'Plain_Text', 'REDACT', 'MASK', '', null, undefined, 1, ['MASKED']]) {
      expect(isRedactionLevel(other)).toBe(false);
    }
  });
});
