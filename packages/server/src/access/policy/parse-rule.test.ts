import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { celFromWhere, formatRule, parseRule, RuleSyntaxError, ruleProblems } from './parse-rule.js';
import { RULE_ACTIONS, RULE_REDACTIONS } from './rule.js';

const shape = (text: string) => {
  const { condition, ...rest } = parseRule(text);
  return {
    ...rest,
    where: condition && { cel: condition.cel, tables: [...condition.tables], request: condition.readsRequest },
  };
};

describe('parseRule', () => {
  it.each([
    [
      'ALLOW READ ON persons.name.last_name WITH REDACTION = PLAIN_TEXT',
      {
        effect: 'ALLOW',
        action: 'READ',
        targets: [{ table: 'persons', column: 'name', path: ['last_name'] }],
        redaction: 'PLAIN_TEXT',
        where: undefined,
      },
    ],
    [
      "ALLOW READ ON persons.phone_numbers.*, persons.nationality WITH REDACTION = PLAIN_TEXT WHERE persons.nationality = 'COLOMBIAN'",
      {
        effect: 'ALLOW',
        action: 'READ',
        targets: [
          { table: 'persons', column: 'phone_numbers', path: ['*'] },
          { table: 'persons', column: 'nationality', path: [] },
        ],
        redaction: 'PLAIN_TEXT',
        where: { cel: "persons.nationality == 'COLOMBIAN'", tables: ['persons'], request: false },
      },
    ],
    [
      'DENY READ ON customers.ssn',
      {
        effect: 'DENY',
        action: 'READ',
        targets: [{ table: 'customers', column: 'ssn', path: [] }],
        redaction: undefined,
        where: undefined,
      },
    ],
    [
      'ALLOW TOKENIZATION',
      { effect: 'ALLOW', action: 'TOKENIZATION', targets: [], redaction: undefined, where: undefined },
    ],
    [
      "allow detokenization where request.context.role == 'support' && 'auditors' in principal.roles",
      {
        effect: 'ALLOW',
        action: 'DETOKENIZATION',
        targets: [],
        redaction: undefined,
        where: {
          cel: "request.context.role == 'support' && 'auditors' in principal.roles",
          tables: [],
          request: true,
        },
      },
    ],
    [
      'ALLOW UPDATE ON consumers.* WHERE consumers.region = "North America" && request.context.team = \'na\'',
      {
        effect: 'ALLOW',
        action: 'UPDATE',
        targets: [{ table: 'consumers', column: '*', path: [] }],
        redaction: undefined,
        where: {
          cel: 'consumers.region == "North America" && request.context.team == \'na\'',
          tables: ['consumers'],
          request: true,
        },
      },
    ],
  ])('%s', (text, expected) => {
    expect(shape(text)).toEqual(expected);
  });

  it.each([
    ['', /expected ALLOW or DENY at the end/],
    ['PERMIT READ', /expected ALLOW or DENY \(ALLOW, DENY\) at position 1, found "PERMIT"/],
    ['ALLOW LOOKUP', /expected an action .* found "LOOKUP"/],
    ['ALLOW READ ON persons', /expected "\." and a column after the table name at the end/],
    ['ALLOW READ ON persons.', /expected a column name or \* at the end/],
    ['ALLOW READ ON persons.*.x', /nothing may follow "\*"/],
    ['ALLOW READ ON persons.ssn,', /expected a table name at the end/],
    ['ALLOW READ ON persons.ssn WITH REDACTION = HIDDEN', /expected a redaction .* found "HIDDEN"/],
    ['ALLOW READ ON persons.ssn WITH MASKED', /expected REDACTION after WITH at position 32/],
    ['DENY READ ON persons.ssn WITH REDACTION = MASKED', /WITH REDACTION belongs only to ALLOW READ/],
    ['ALLOW DELETE ON persons.* WITH REDACTION = MASKED', /WITH REDACTION belongs only to ALLOW READ/],
    ['ALLOW READ ON persons.ssn MASKED', /unexpected "MASKED" at position 27/],
    ['ALLOW READ ON persons.ssn;', /unexpected ";" at position 26/],
    ['ALLOW READ WHERE', /expected a condition after WHERE/],
    ['ALLOW READ WHERE persons.x ==', /WHERE is not a valid condition/],
    ['ALLOW READ WHERE role == "x"', /"role" is neither request.context, principal, nor a column/],
    ['ALLOW READ WHERE request.headers.x == "y"', /only request.context/],
    ['ALLOW READ WHERE [1].all(x, x > 0)', /macros .* are not supported/],
    [`ALLOW READ WHERE ${'x'.repeat(5000)}`, /at most 4096 characters/],
  ])('refuses %j', (text, message) => {
    expect(() => parseRule(text)).toThrow(RuleSyntaxError);
    expect(() => parseRule(text)).toThrow(message);
  });

  it('keeps "=" inside strings and the comparison operators as they are', () => {
    expect(celFromWhere(`a.b = 'x = y' && a.c != "=" && a.d <= 1 && a.e >= 2 && a.f == 3 && a.g = 'it\\'s'`)).toBe(
      `a.b == 'x = y' && a.c != "=" && a.d <= 1 && a.e >= 2 && a.f == 3 && a.g == 'it\\'s'`,
    );
  });

  it('formats any rule so that it parses back to itself', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/).filter((n) => !['on', 'with', 'where'].includes(n));
    const target = fc.record({
      table: name,
      column: fc.oneof(name, fc.constant('*')),
      path: fc.array(name, { maxLength: 2 }),
    });
    const condition = fc.oneof(
      fc.constant(undefined),
      fc.tuple(name, name, fc.string({ maxLength: 8 })).map(([t, c, v]) => `${t}.${c} = ${JSON.stringify(v)}`),
      fc.string({ maxLength: 8 }).map((v) => `request.context.role == ${JSON.stringify(v)} || principal.id == 'x'`),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('ALLOW', 'DENY'),
        fc.constantFrom(...RULE_ACTIONS),
        fc.array(target, { maxLength: 3 }),
        fc.constantFrom(undefined, ...RULE_REDACTIONS),
        condition,
        (effect, action, targets, redaction, where) => {
          const cleanTargets = targets.map((t) => (t.column === '*' ? { ...t, path: [] } : t));
          const tables = cleanTargets.map((t) => t.table);
          // Row filters must read a table the rule names: make the generated filter do so.
          const whereText =
            where && !where.startsWith('request') && tables.length > 0
              ? where.replace(/^[a-z][a-z0-9_]*\./, `${tables[0]}.`)
              : where?.startsWith('request')
                ? where
                : undefined;
          const withRedaction = effect === 'ALLOW' && (action === 'READ' || action === 'DETOKENIZATION');
          let text = `${effect} ${action}`;
          if (cleanTargets.length > 0) {
            text += ` ON ${cleanTargets.map((t) => [t.table, t.column, ...t.path].join('.')).join(', ')}`;
          }
          if (withRedaction && redaction) text += ` WITH REDACTION = ${redaction}`;
          if (whereText) text += ` WHERE ${whereText}`;
          const parsed = parseRule(text);
          expect(formatRule(parsed)).toBe(text);
          // Keywords are case-insensitive.
          const at = text.indexOf(' WHERE ');
          const head = at === -1 ? text : text.slice(0, at);
          expect(formatRule(parseRule(head.toLowerCase() + (at === -1 ? '' : text.slice(at))))).toBe(text);
        },
      ),
    );
  });

  it('never throws anything but a RuleSyntaxError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        try {
          parseRule(text);
        } catch (err) {
          expect(err).toBeInstanceOf(RuleSyntaxError);
        }
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (tail) => {
        try {
          parseRule(`ALLOW READ ON persons.ssn WHERE ${tail}`);
        } catch (err) {
          expect(err).toBeInstanceOf(RuleSyntaxError);
        }
      }),
    );
  });
});

describe('ruleProblems', () => {
  const schema = {
    columns: (table: string) => ({ persons: ['name', 'ssn', 'region'], cards: ['number'] })[table],
  };

  it('accepts names the schema has', () => {
    expect(ruleProblems(parseRule("ALLOW READ ON persons.ssn, cards.* WHERE persons.region = 'EU'"), schema)).toEqual(
      [],
    );
  });

  it('names unknown tables and columns, and row filters over tables the rule does not cover', () => {
    expect(
      ruleProblems(parseRule("ALLOW READ ON persons.dob, pets.name WHERE cards.number = '1' && owners.x = 1"), schema),
    ).toEqual([
      'column "persons.dob" is not in the vault schema',
      'table "pets" is not in the vault schema',
      'WHERE reads table "cards", which the rule does not name after ON',
      'WHERE reads table "owners", which is not in the vault schema',
    ]);
  });
});
