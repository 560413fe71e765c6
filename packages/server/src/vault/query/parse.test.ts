import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { DEMO_VAULT_SCHEMA } from '../demo-schema.js';
import { parseVaultSchema } from '../schema/parse.js';
import { liftLiterals } from './lexer.js';
import { parseQuery } from './parse.js';

const tag = (name: string, ...values: string[]) => ({ name: `skyflow.${name}`, values });
const field = (name: string, datatype: string, ...tags: { name: string; values: string[] }[]) => ({
  name,
  datatype,
  isArray: false,
  tags,
});

const { model: schema } = parseVaultSchema({
  schemas: [
    {
      name: 'persons',
      fields: [
        field('name', 'DT_STRING', tag('options.operation', 'EXACT_MATCH')),
        field('email', 'DT_STRING', tag('options.unique', 'true')),
        field('age', 'DT_INT32', tag('options.operation', 'ORDER')),
        field('score', 'DT_FLOAT64'),
        field('born', 'DT_DATE'),
        field('seen', 'DT_DATETIME'),
        field('wake', 'DT_TIME'),
        field('active', 'DT_BOOL'),
        field('profile', 'DT_EMBEDDED'),
      ],
    },
    { name: 'Cards', fields: [field('person', 'DT_STRING'), field('name', 'DT_STRING')] },
  ],
});

function rejection(sql: string, options = {}): AppError {
  try {
    parseQuery(sql, schema, options);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error(`expected ${sql} to be rejected`);
}

/** Asserts a 400 whose message matches `message`. */
function expectRejected(sql: string, message: RegExp, options = {}): void {
  const err = rejection(sql, options);
  expect(err.code).toBe('BAD_REQUEST');
  expect(err.httpCode).toBe(400);
  expect(err.message).toMatch(message);
}

describe('parseQuery: statements and clauses outside the subset are rejected, naming the construct', () => {
  const cases: [string, RegExp][] = [
    [`INSERT INTO persons (name) VALUES ('x')`, /INSERT statements is not supported/],
    [`UPDATE persons SET name = 'x'`, /UPDATE statements/],
    [`DELETE FROM persons`, /DELETE statements/],
    ['DROP TABLE persons', /DROP statements/],
    ['CREATE TABLE x (a int)', /CREATE statements/],
    ['ALTER TABLE persons ADD COLUMN x int', /ALTER statements/],
    ['TRUNCATE persons', /TRUNCATE statements/],
    ['SELECT name FROM persons; DROP TABLE persons', /more than one statement/],
    ['SELECT name FROM persons; SELECT age FROM persons', /more than one statement/],
    ['SELECT name FROM persons -- hi', /SQL comment \(--\)/],
    ['SELECT name /* hi */ FROM persons', /SQL comment \(\/\* \*\/\)/],
    ['SELECT name FROM persons WHERE name = $1', /positional parameters/],
    ['SELECT name FROM persons WHERE name = $$x$$', /dollar-quoted/],
    ['SELECT name FROM persons WHERE name = ?', /parameters/],
    ['SELECT name FROM persons WHERE name = :who', /query parameters/],
    [`SELECT name FROM persons WHERE name = E'x'`, /prefixed string literal/],
    [`SELECT name FROM persons WHERE name = U&'x'`, /prefixed string literal/],
    ['WITH q AS (SELECT name FROM persons) SELECT name FROM q', /WITH/],
    ['SELECT name FROM persons UNION SELECT name FROM persons', /UNION/],
    ['SELECT name FROM persons INTERSECT SELECT name FROM persons', /INTERSECT/],
    ['SELECT name FROM persons EXCEPT SELECT name FROM persons', /EXCEPT/],
    ['SELECT name, COUNT(*) FROM persons GROUP BY name', /GROUP BY/],
    ['SELECT COUNT(*) FROM persons HAVING COUNT(*) > 1', /HAVING/],
    ['SELECT DISTINCT name FROM persons', /SELECT DISTINCT/],
    ['SELECT name FROM (SELECT name FROM persons) s', /subquery or expression in FROM/],
    ['SELECT name FROM persons WHERE name IN (SELECT name FROM persons)', /subqueries/],
    ['SELECT name FROM persons WHERE EXISTS (SELECT 1 FROM persons)', /EXISTS/],
    ['SELECT COUNT(*) OVER () FROM persons', /window functions/],
    ['SELECT lower(name) FROM persons', /function lower\(\)/],
    [`SELECT name FROM persons WHERE lower(name) = 'x'`, /function lower\(\)/],
    ['SELECT name || email FROM persons', /expression with \|\| in the SELECT list/],
    ['SELECT age + 1 FROM persons', /expression with \+ in the SELECT list/],
    ['SELECT 1 FROM persons', /a literal in the SELECT list/],
    ['SELECT CASE WHEN age > 1 THEN 1 END FROM persons', /CASE in the SELECT list/],
    ['SELECT name FROM persons WHERE age = 1 + 1', /expression with \+ as a value/],
    ['SELECT name FROM persons WHERE age = CAST(1 AS INT)', /CAST as a value/],
    [`SELECT name FROM persons WHERE name ~ 'x'`, /operator ~/],
    [`SELECT name FROM persons WHERE name SIMILAR TO 'x'`, /operator SIMILAR TO/],
    ['SELECT name FROM persons WHERE age', /a column as a condition/],
    ['SELECT name FROM persons WHERE TRUE', /a literal as a condition/],
    [`SELECT name FROM persons WHERE 'a' = 'b'`, /a literal = a literal/],
    ['SELECT name FROM persons WHERE age = name', /cannot be compared/],
    ['SELECT name FROM persons, Cards', /comma-separated FROM list/],
    ['SELECT name FROM persons p CROSS JOIN Cards c', /JOIN without ON|CROSS/],
    ['SELECT p.name FROM persons p NATURAL JOIN Cards c', /JOIN without ON|syntax error/],
    ['SELECT name FROM persons NATURAL JOIN Cards', /JOIN without ON|syntax error/],
    ['SELECT p.name FROM persons p JOIN Cards c USING (name)', /USING/],
    ['SELECT p.name FROM persons p FULL JOIN Cards c ON p.name = c.name', /FULL JOIN/],
    ['SELECT p.name FROM persons p JOIN Cards c ON p.age > 3', /no equality/],
    ['SELECT name FROM public.persons', /schema-qualified/],
    ['SELECT name FROM persons LIMIT 26', /LIMIT is at most 25/],
    ['SELECT name FROM persons LIMIT ALL', /LIMIT ALL/],
    ['SELECT name FROM persons LIMIT -1', /at least 0/],
    ['SELECT name FROM persons LIMIT 1.5', /whole number/],
    ['SELECT name FROM persons FOR UPDATE', /syntax error/],
    ['SELECT name, COUNT(*) FROM persons', /mixing aggregate functions with plain columns/],
    ['SELECT SUM(DISTINCT age) FROM persons', /syntax error|SUM\(DISTINCT/],
    ['SELECT name FROM persons ORDER BY lower(name)', /ORDER BY function lower\(\)/],
    ['SELECT COUNT(*) FROM persons ORDER BY name', /ORDER BY a column in an aggregate query/],
    ['SELECT name FROM persons WHERE name', /a column as a condition/],
    ['SELECT', /syntax error/],
    ['SELEKT name FROM persons', /syntax error/],
    ['SELECT name FROM persons WHERE (name = ', /syntax error/],
    ['', /non-empty/],
    ['   ;  ', /non-empty|could not be parsed/],
  ];
  it.each(cases)('%s', (sql, message) => expectRejected(sql, message));

  it('does not echo the string literals of the query in syntax errors', () => {
    const err = rejection(`SELECT name FROM persons WHERE name = 'secret-4111' AND AND`);
    expect(err.message).not.toContain('secret');
    expect(err.message).not.toMatch(/sr[0-9a-f]{16}/);
  });
});

describe('parseQuery: names', () => {
  it('rejects unknown tables and columns, naming them', () => {
    expectRejected('SELECT name FROM people', /table "people" doesn't exist/);
    expectRejected('SELECT nam FROM persons', /column "nam" doesn't exist in table "persons"/);
    expectRejected('SELECT name FROM persons WHERE x.name = 1', /"x" which is not a table|not a table of this query/);
    expectRejected(`SELECT name FROM persons WHERE nope = 'a'`, /column "nope" doesn't exist/);
    expectRejected('SELECT name FROM persons ORDER BY nope', /column "nope" doesn't exist/);
    expect(rejection('SELECT nam FROM persons').details).toEqual([{ column: 'nam' }]);
  });

  it('folds unquoted names, matches quoted ones exactly, and quotes with "…" or `…`', () => {
    expect(parseQuery('SELECT NAME, Age FROM PERSONS', schema).output.map((o) => o.name)).toEqual(['name', 'age']);
    expect(parseQuery('SELECT "name", `age` FROM "persons"', schema).output.map((o) => o.name)).toEqual([
      'name',
      'age',
    ]);
    expectRejected('SELECT "NAME" FROM persons', /column "NAME" doesn't exist/);
    expect(parseQuery('SELECT person FROM cards', schema).sources[0]?.table).toBe('Cards');
  });

  it('needs qualification for ambiguous columns in joins, and rejects duplicate aliases and field names', () => {
    expectRejected('SELECT name FROM persons p JOIN Cards c ON c.person = p.email', /"name" is ambiguous/);
    expectRejected('SELECT p.name FROM persons p JOIN persons p ON p.name = p.name', /alias "p" is used twice/);
    expectRejected('SELECT name, name FROM persons', /both be named "name"/);
    expectRejected('SELECT name AS x, email AS x FROM persons', /both be named "x"/);
    expectRejected('SELECT COUNT(*), COUNT(*) FROM persons', /both be named "COUNT\(\*\)"/);
    expectRejected(
      'SELECT p.name FROM persons p JOIN Cards c ON c.person = d.name JOIN Cards d ON d.person = p.email',
      /joined later/,
    );
  });
});

describe('parseQuery: values are typed by the column they are compared with', () => {
  const where = (condition: string) => parseQuery(`SELECT name FROM persons WHERE ${condition}`, schema).where;

  it('coerces numeric strings for numeric columns and booleans from TRUE/FALSE or their text', () => {
    expect(where(`age > '40'`)).toMatchObject({ kind: 'compare', op: '>', value: 40 });
    expect(where('age > -4.5e1')).toMatchObject({ value: -45 });
    expect(where('-4 < age')).toMatchObject({ op: '>', value: -4 });
    expect(where(`active = 'TRUE'`)).toMatchObject({ value: true });
    expect(where('active IS FALSE')).toMatchObject({ kind: 'truth', value: false, negated: false });
    expect(where(`born = DATE '2020-02-29'`)).toMatchObject({ value: '2020-02-29' });
    expect(where(`seen > TIMESTAMP '2020-02-29 10:00:00'`)).toMatchObject({ value: '2020-02-29 10:00:00' });
    expect(where(`wake < TIME '10:00'`)).toMatchObject({ value: '10:00' });
  });

  it('rejects values that do not fit the column, naming the column and not the value', () => {
    expectRejected(
      `SELECT name FROM persons WHERE age > 'forty'`,
      /column "age" is DT_INT32; compare it with a number/,
    );
    expectRejected('SELECT name FROM persons WHERE name = 42', /"name" is DT_STRING; compare it with a string/);
    expectRejected(`SELECT name FROM persons WHERE born = '2021-02-29'`, /"born" is DT_DATE/);
    expectRejected(`SELECT name FROM persons WHERE seen = '2021-01-01'`, /"seen" is DT_DATETIME/);
    expectRejected(`SELECT name FROM persons WHERE wake = '25:00'`, /"wake" is DT_TIME/);
    expectRejected('SELECT name FROM persons WHERE active = 1', /"active" is DT_BOOL/);
    expectRejected(`SELECT name FROM persons WHERE born = TIME '10:00'`, /TIME '…' does not fit column "born"/);
    expectRejected('SELECT name FROM persons WHERE age = 9007199254740993', /beyond/);
    expectRejected('SELECT name FROM persons WHERE score > 1e999', /out of range/);
    expectRejected(
      `SELECT name FROM persons WHERE profile = '{}'`,
      /can only be tested with IS \[NOT\] NULL|not defined/,
    );
    expectRejected(`SELECT name FROM persons WHERE age LIKE '4%'`, /LIKE needs a text column/);
    expectRejected(`SELECT name FROM persons WHERE name LIKE 'a\\'`, /must not end with the escape character/);
    expectRejected(`SELECT name FROM persons WHERE name LIKE 'a' ESCAPE 'ab'`, /ESCAPE/);
    expectRejected('SELECT name FROM persons WHERE name IS TRUE', /needs a DT_BOOL column/);
    expectRejected('SELECT SUM(name) FROM persons', /SUM needs a numeric column/);
    expectRejected('SELECT MIN(profile) FROM persons', /MIN is not defined/);
    expectRejected('SELECT name FROM persons ORDER BY profile', /ORDER BY is not defined/);
    const err = rejection(`SELECT name FROM persons WHERE age > 'secret-value'`);
    expect(err.message).not.toContain('secret');
  });

  it('accepts every supported operator', () => {
    const plan = parseQuery(
      `SELECT skyflow_id, name, REDACTION(email, 'MASKED') AS m, email FROM persons
       WHERE (name = 'a' OR name != 'b' OR name <> 'c') AND NOT age < 1 AND age > 0 AND age <= 9 AND age >= 2
         AND name IN ('a', 'b') AND name NOT IN ('c') AND name LIKE 'a%' AND name NOT LIKE 'b%'
         AND name ILIKE 'A%' AND name NOT ILIKE 'B%' AND born IS NULL AND seen IS NOT NULL
         AND age BETWEEN 1 AND 5 AND active IS NOT FALSE
       ORDER BY age DESC NULLS LAST, name LIMIT 10 OFFSET 5;`,
      schema,
    );
    expect(plan.limit).toBe(10);
    expect(plan.offset).toBe(5);
    expect(plan.output.map((o) => o.name)).toEqual(['skyflow_id', 'name', 'm', 'email']);
    expect(plan.output[2]).toMatchObject({ kind: 'column', level: 'MASKED', ref: { column: 'email' } });
    expect(plan.orderBy).toHaveLength(2);
    expect(plan.columnUses).toContainEqual({ table: 'persons', column: 'age', uses: ['filter', 'order'] });
  });

  it('defaults LIMIT to 25 and OFFSET to 0', () => {
    expect(parseQuery('SELECT name FROM persons', schema)).toMatchObject({ limit: 25, offset: 0 });
    expect(parseQuery('SELECT name FROM persons OFFSET 30', schema)).toMatchObject({ limit: 25, offset: 30 });
  });

  it('names aggregates after their expression unless aliased', () => {
    const plan = parseQuery(
      'SELECT COUNT(*), count(1), COUNT(DISTINCT name), sum(age) AS total, avg(Age), min(p.born), max(seen) FROM persons p',
      schema,
    );
    expect(plan.output.map((o) => o.name)).toEqual([
      'COUNT(*)',
      'COUNT(1)',
      'COUNT(DISTINCT name)',
      'total',
      'AVG(age)',
      'MIN(p.born)',
      'MAX(seen)',
    ]);
    expect(plan.aggregate).toBe(true);
  });

  it('validates REDACTION levels', () => {
    expectRejected(
      `SELECT REDACTION(name, 'SHOUTED') FROM persons`,
      /must be one of 'DEFAULT', 'REDACTED', 'MASKED', 'PLAIN_TEXT'/,
    );
    expectRejected('SELECT REDACTION(name, email) FROM persons', /must be one of/);
    expectRejected(`SELECT REDACTION('x') FROM persons`, /must be a column/);
    expect(parseQuery(`SELECT redaction(name, 'redacted') FROM persons`, schema).output[0]).toMatchObject({
      level: 'REDACTED',
    });
  });
});

describe('parseQuery: enforceOperations', () => {
  const strict = { enforceOperations: true };
  it('allows operations the columns enable', () => {
    expect(() =>
      parseQuery(`SELECT name FROM persons WHERE name = 'x' AND email IN ('y') ORDER BY age`, schema, strict),
    ).not.toThrow();
    expect(() =>
      parseQuery('SELECT MIN(age), COUNT(score) FROM persons WHERE born IS NULL', schema, strict),
    ).not.toThrow();
  });
  it('rejects the others, naming the operation', () => {
    expectRejected(`SELECT name FROM persons WHERE score = 1`, /needs the EXACT_MATCH operation/, strict);
    expectRejected(`SELECT name FROM persons WHERE name > 'a'`, /needs the ORDER operation/, strict);
    expectRejected('SELECT SUM(age) FROM persons', /needs the AGGREGATION operation/, strict);
    expectRejected(`SELECT name FROM persons WHERE name LIKE 'a%'`, /needs the ALL_OP operation/, strict);
    expectRejected('SELECT name FROM persons ORDER BY name', /needs the ORDER operation/, strict);
  });
});

describe('the demo vault', () => {
  it('parses typical queries against the quickstart schema', () => {
    const { model } = parseVaultSchema(DEMO_VAULT_SCHEMA);
    const plan = parseQuery(`select * from persons where ssn = "123-45-6789"`, model);
    expect(plan.where).toMatchObject({ kind: 'compare', op: '=', value: '123-45-6789', ref: { indexed: true } });
    expect(parseQuery('select count(*) from persons', model).aggregate).toBe(true);
  });
});

describe('liftLiterals', () => {
  it('replaces every string literal with a placeholder and decodes it the standard way', () => {
    const lexed = liftLiterals(
      `SELECT a FROM t WHERE x = 'it''s' AND y = 'a\\b' AND z = "q'x" AND d = date '2020-01-01'`,
    );
    expect(lexed.text).not.toContain("it''s");
    expect([...lexed.literals.values()]).toEqual([
      { value: "it's" },
      { value: 'a\\b' },
      { value: '2020-01-01', typed: 'DATE' },
    ]);
    expect(lexed.text).toContain(`"q'x"`);
  });

  it('rejects unterminated literals and oversize queries', () => {
    expect(() => liftLiterals(`SELECT a FROM t WHERE x = 'abc`)).toThrow(/unterminated string literal/);
    expect(() => liftLiterals('SELECT "a FROM t')).toThrow(/unterminated quoted identifier/);
    expect(() => liftLiterals(`SELECT a FROM t WHERE x = '${'a'.repeat(20000)}'`)).toThrow(/longer than/);
    expect(() => liftLiterals('SELECT "a\\" FROM t')).toThrow(/backslash/);
  });
});
