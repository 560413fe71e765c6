import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AccessQuestion,
  capRedaction,
  decide,
  needsRows,
  type PolicyRule,
  type Redaction,
  type RequestFacts,
} from './decide.js';
import { parseRule } from './parse-rule.js';

const rules = (...texts: string[]): PolicyRule[] =>
  texts.map((text, i) => ({ policyId: `p${i}`, ruleName: `r${i}`, rule: parseRule(text) }));

const facts = (context?: RequestFacts['context'], roles: string[] = ['role-1']): RequestFacts => ({
  context,
  principal: { id: 'sa-1', type: 'SERVICE_ACCOUNT', roles },
});

const read = (table: string, column: string, extra: Partial<AccessQuestion> = {}): AccessQuestion => ({
  action: 'READ',
  table,
  column,
  columnDefault: 'MASKED',
  ...extra,
});

describe('decide', () => {
  it('denies by default', () => {
    const d = decide([], read('persons', 'ssn'), facts());
    expect(d).toMatchObject({ allowed: false, reason: 'no rule allows READ on persons.ssn', decidedBy: [] });
  });

  it('allows what a rule names, for that action only', () => {
    const set = rules('ALLOW READ ON persons.ssn WITH REDACTION = PLAIN_TEXT');
    expect(decide(set, read('persons', 'ssn'), facts())).toMatchObject({ allowed: true, redaction: 'PLAIN_TEXT' });
    expect(decide(set, read('persons', 'name'), facts()).allowed).toBe(false);
    expect(decide(set, read('cards', 'ssn'), facts()).allowed).toBe(false);
    expect(decide(set, { ...read('persons', 'ssn'), action: 'UPDATE' }, facts()).allowed).toBe(false);
  });

  it('table.* covers every column of the table; no ON covers the vault', () => {
    expect(
      decide(rules('ALLOW UPDATE ON persons.*'), { action: 'UPDATE', table: 'persons', column: 'x' }, facts()).allowed,
    ).toBe(true);
    expect(decide(rules('ALLOW TOKENIZATION'), { action: 'TOKENIZATION' }, facts()).allowed).toBe(true);
    expect(decide(rules('ALLOW TOKENIZATION ON persons.ssn'), { action: 'TOKENIZATION' }, facts()).allowed).toBe(false);
  });

  it('DENY wins over any number of ALLOWs', () => {
    const set = rules('ALLOW READ ON persons.*', 'ALLOW READ WITH REDACTION = PLAIN_TEXT', 'DENY READ ON persons.ssn');
    const d = decide(set, read('persons', 'ssn'), facts());
    expect(d).toMatchObject({ allowed: false, reason: 'READ on persons.ssn is denied by a DENY rule' });
    expect(d.decidedBy.map((r) => r.ruleName)).toEqual(['r2']);
    expect(decide(set, read('persons', 'name'), facts()).allowed).toBe(true);
  });

  it('grants the least redaction among the matching ALLOWs; no WITH REDACTION means the column default', () => {
    expect(decide(rules('ALLOW READ ON persons.ssn'), read('persons', 'ssn'), facts()).redaction).toBe('MASKED');
    expect(
      decide(
        rules('ALLOW READ ON persons.ssn WITH REDACTION = DEFAULT'),
        read('persons', 'ssn', { columnDefault: 'REDACTED' }),
        facts(),
      ).redaction,
    ).toBe('REDACTED');
    const set = rules(
      'ALLOW READ ON persons.ssn WITH REDACTION = REDACTED',
      'ALLOW READ ON persons.* WITH REDACTION = MASKED',
    );
    expect(decide(set, read('persons', 'ssn'), facts()).redaction).toBe('MASKED');
  });

  it('conditions read request.context (object or string) and the principal', () => {
    const set = rules("ALLOW DETOKENIZATION WHERE request.context.role == 'support'");
    const q: AccessQuestion = { action: 'DETOKENIZATION', table: 'persons', column: 'ssn', columnDefault: 'MASKED' };
    expect(decide(set, q, facts({ role: 'support' })).allowed).toBe(true);
    expect(decide(set, q, facts({ role: 'sales' })).allowed).toBe(false);
    expect(decide(rules("ALLOW DETOKENIZATION WHERE request.context == 'user-7'"), q, facts('user-7')).allowed).toBe(
      true,
    );
    expect(
      decide(rules("ALLOW DETOKENIZATION WHERE 'auditors' in principal.roles"), q, facts({}, ['auditors'])).allowed,
    ).toBe(true);
    expect(decide(rules("ALLOW DETOKENIZATION WHERE principal.id == 'sa-2'"), q, facts()).allowed).toBe(false);
  });

  it('an evaluation error is a deny, even next to an allow-all rule', () => {
    const set = rules('ALLOW READ', "ALLOW READ ON persons.ssn WHERE request.context.role == 'x'");
    // No context at all: request.context.role does not exist.
    const d = decide(set, read('persons', 'ssn'), facts(undefined));
    expect(d.allowed).toBe(false);
    expect(d.reason).toMatch(/could not be evaluated/);
    // A type error is an error too.
    expect(decide(rules('ALLOW READ WHERE request.context.n > 1'), read('a', 'b'), facts({ n: 'text' })).allowed).toBe(
      false,
    );
    // A condition that is not a boolean is an error.
    expect(
      decide(rules("ALLOW READ WHERE request.context.n + 'x' == 'yx' ? 'no' : 'no'"), read('a', 'b'), facts({ n: 'y' }))
        .allowed,
    ).toBe(false);
  });

  it('row filters decide per record; without the record, an ALLOW does not match and a DENY does', () => {
    const allowEu = rules("ALLOW READ ON persons.* WHERE persons.region = 'EU'");
    expect(decide(allowEu, read('persons', 'ssn', { rows: { persons: { region: 'EU' } } }), facts()).allowed).toBe(
      true,
    );
    expect(decide(allowEu, read('persons', 'ssn', { rows: { persons: { region: 'US' } } }), facts()).allowed).toBe(
      false,
    );
    expect(decide(allowEu, read('persons', 'ssn'), facts()).allowed).toBe(false);
    const denyVip = rules('ALLOW READ ON persons.*', 'DENY READ ON persons.* WHERE persons.vip == true');
    expect(decide(denyVip, read('persons', 'ssn', { rows: { persons: { vip: true } } }), facts()).allowed).toBe(false);
    expect(decide(denyVip, read('persons', 'ssn', { rows: { persons: { vip: false } } }), facts()).allowed).toBe(true);
    expect(decide(denyVip, read('persons', 'ssn'), facts()).allowed).toBe(false);
    expect(needsRows(denyVip, read('persons', 'ssn'))).toBe(true);
    expect(needsRows(denyVip, read('cards', 'number'))).toBe(false);
    // Numbers stored as JSON numbers compare with integer literals.
    const adults = rules('ALLOW READ ON persons.* WHERE persons.age >= 18');
    expect(decide(adults, read('persons', 'x', { rows: { persons: { age: 30 } } }), facts()).allowed).toBe(true);
    expect(decide(adults, read('persons', 'x', { rows: { persons: { age: 12.5 } } }), facts()).allowed).toBe(false);
  });

  it('a rule on a field inside an embedded column denies the column but never grants it whole', () => {
    expect(decide(rules('ALLOW READ ON persons.name.last'), read('persons', 'name'), facts()).allowed).toBe(false);
    expect(
      decide(rules('ALLOW READ ON persons.*', 'DENY READ ON persons.name.last'), read('persons', 'name'), facts())
        .allowed,
    ).toBe(false);
  });

  it('is monotone: adding an ALLOW never takes access away, adding a DENY never grants it', () => {
    const levels: Redaction[] = ['PLAIN_TEXT', 'MASKED', 'REDACTED'];
    const ruleText = fc.oneof(
      fc.constantFrom('ALLOW', 'DENY').chain((effect) =>
        fc
          .tuple(fc.constantFrom('persons.ssn', 'persons.*', 'cards.number', ''), fc.constantFrom(undefined, ...levels))
          .map(([target, level]) => {
            let text = `${effect} READ${target ? ` ON ${target}` : ''}`;
            if (effect === 'ALLOW' && level) text += ` WITH REDACTION = ${level}`;
            return text;
          }),
      ),
    );
    const strength = (r: Redaction | undefined) => (r === undefined ? 3 : levels.indexOf(r));
    fc.assert(
      fc.property(fc.array(ruleText, { maxLength: 6 }), ruleText, (base, extra) => {
        const q = read('persons', 'ssn');
        const before = decide(rules(...base), q, facts());
        const after = decide(rules(...base, extra), q, facts());
        if (extra.startsWith('ALLOW')) {
          if (before.allowed) {
            expect(after.allowed).toBe(true);
            expect(strength(after.redaction)).toBeLessThanOrEqual(strength(before.redaction));
          }
        } else if (!before.allowed) expect(after.allowed).toBe(false);
      }),
    );
  });
});

describe('capRedaction', () => {
  it('gives the cap when asked for less redaction, and what was asked otherwise', () => {
    expect(capRedaction('PLAIN_TEXT', 'MASKED')).toBe('MASKED');
    expect(capRedaction('REDACTED', 'MASKED')).toBe('REDACTED');
    expect(capRedaction('MASKED', 'PLAIN_TEXT')).toBe('MASKED');
  });
});
