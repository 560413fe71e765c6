import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import type { CanonicalValue } from '../records/values.js';
import { parseVaultSchema } from '../schema/parse.js';
import { executeQuery, explainQuery } from './execute.js';
import { MemoryQuerySource, type MemoryRecord } from './memory-source.js';
import { parseQuery } from './parse.js';
import type { ExecuteOptions, QuerySource, RedactionLevel } from './plan.js';

// ---------------------------------------------------------------------------------------------------
// Fixtures: a real schema (parseVaultSchema) and an in-memory QuerySource (the interface's test double)

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
        field('city', 'DT_STRING'),
        field('age', 'DT_INT32', tag('options.operation', 'ORDER', 'AGGREGATION')),
        field('score', 'DT_FLOAT64'),
        field('born', 'DT_DATE'),
        field('seen', 'DT_DATETIME'),
        field('wake', 'DT_TIME'),
        field('active', 'DT_BOOL', tag('options.operation', 'EXACT_MATCH')),
        field('profile', 'DT_EMBEDDED'),
      ],
    },
    {
      name: 'cards',
      fields: [
        field('person', 'DT_STRING', tag('options.operation', 'EXACT_MATCH')),
        field('number', 'DT_STRING'),
        field('spend', 'DT_INT64'),
      ],
    },
  ],
});

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const P = (n: number, values: Record<string, CanonicalValue>): MemoryRecord => ({ id: id(n), values });

const persons: MemoryRecord[] = [
  P(1, { name: 'Ann', email: 'ann@x.io', city: 'Oslo', age: 34, score: 1.5, born: '1990-05-01', active: true }),
  P(2, { name: 'bob', email: 'bob@x.io', city: 'oslo', age: 41, score: -2, born: '1983-01-31', active: false }),
  P(3, { name: 'Cid', email: 'cid@x.io', city: null, age: null, score: 10, born: null, active: null }),
  P(4, { name: 'Ann', email: 'ann2@x.io', city: 'Bergen', age: 29, score: null, born: '1995-12-24', active: true }),
  P(5, { name: '50%_off', email: 'd@x.io', city: 'Oslo', age: 60, seen: '2024-01-01T10:00:00+02:00', wake: '07:30' }),
  P(6, { name: 'Émile', email: 'e@x.io', city: 'Paris', age: 41, seen: '2024-01-01T09:00:00Z', wake: '06:00:00' }),
];
const cards: MemoryRecord[] = [
  { id: id(101), values: { person: id(1), number: '4111', spend: 100 } },
  { id: id(102), values: { person: id(1), number: '4222', spend: 50 } },
  { id: id(103), values: { person: id(2), number: '4333', spend: 7 } },
  { id: id(104), values: { person: id(99), number: '4444', spend: 1 } },
  { id: id(105), values: { person: null, number: '4555', spend: null } },
];

const data = { persons, cards };

type Call = { op: string; table: string; column?: string; value?: CanonicalValue; count?: number; columns?: string[] };

/** Wraps a source and records every call (what the storage layer would see). */
function counting(inner: QuerySource): QuerySource & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    async idsWhereEqual(table, column, value) {
      calls.push({ op: 'idsWhereEqual', table, column, value });
      return inner.idsWhereEqual(table, column, value);
    },
    async ids(table, after, limit) {
      const out = await inner.ids(table, after, limit);
      calls.push({ op: 'ids', table, count: out.length });
      return out;
    },
    async load(table, ids, columns) {
      calls.push({ op: 'load', table, count: ids.length, columns: [...columns] });
      return inner.load(table, ids, columns);
    },
  };
}

const plainRedact: ExecuteOptions['redact'] = (_t, _c, value) => value;

async function run(sql: string, options: Partial<ExecuteOptions> = {}, source?: QuerySource) {
  const plan = parseQuery(sql, schema);
  const src = source ?? new MemoryQuerySource(schema, data);
  return (await executeQuery(plan, src, { redact: plainRedact, ...options })).records.map((r) => r.fields);
}

async function ids(sql: string): Promise<number[]> {
  return (await run(sql)).map((f) => Number(String(f.skyflow_id).slice(-12)));
}

async function rejected(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

// ---------------------------------------------------------------------------------------------------

describe('SELECT lists', () => {
  it('returns the selected columns, skyflow_id when selected, and nulls for missing cells', async () => {
    expect(await run(`SELECT skyflow_id, name, city FROM persons WHERE email = 'cid@x.io'`)).toEqual([
      { skyflow_id: id(3), name: 'Cid', city: null },
    ]);
  });

  it('* lists every column of the table in schema order, skyflow_id first', async () => {
    const [row] = await run(`SELECT * FROM persons WHERE email = 'ann@x.io'`);
    expect(Object.keys(row ?? {})).toEqual(schema.tablesByName.get('persons')?.columns.map((c) => c.name));
    expect(row).toMatchObject({ skyflow_id: id(1), name: 'Ann', age: 34, profile: null });
  });

  it('uses aliases as field names', async () => {
    expect(await run(`SELECT name AS who, REDACTION(email, 'MASKED') AS mail FROM persons WHERE age = 34`)).toEqual([
      { who: 'Ann', mail: 'ann@x.io' },
    ]);
  });

  it('answers in skyflow_id order without ORDER BY, LIMIT 25 by default, with OFFSET paging', async () => {
    expect(await ids('SELECT skyflow_id FROM persons')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await ids('SELECT skyflow_id FROM persons LIMIT 2 OFFSET 3')).toEqual([4, 5]);
    expect(await ids('SELECT skyflow_id FROM persons OFFSET 5')).toEqual([6]);
    expect(await ids('SELECT skyflow_id FROM persons LIMIT 0')).toEqual([]);
    expect(await ids('SELECT skyflow_id FROM persons OFFSET 60')).toEqual([]);
  });

  it('caps the default answer at 25 records', async () => {
    const many = Array.from({ length: 60 }, (_, i) => P(1000 + i, { name: `n${i}` }));
    const source = new MemoryQuerySource(schema, { persons: many });
    expect(await run('SELECT name FROM persons', {}, source)).toHaveLength(25);
    expect((await run('SELECT name FROM persons OFFSET 50', {}, source)).map((f) => f.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `n${50 + i}`),
    );
  });
});

describe('WHERE semantics', () => {
  it('compares numbers numerically and accepts numeric strings for numeric columns', async () => {
    expect(await ids('SELECT skyflow_id FROM persons WHERE age > 40')).toEqual([2, 5, 6]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE age > '40'`)).toEqual([2, 5, 6]);
    expect(await ids('SELECT skyflow_id FROM persons WHERE 40 < age AND age <= 41')).toEqual([2, 6]);
    expect(await ids('SELECT skyflow_id FROM persons WHERE score >= -2 AND score < 1.6')).toEqual([1, 2]);
    expect(await ids('SELECT skyflow_id FROM persons WHERE age = 41.0')).toEqual([2, 6]);
    expect(await ids('SELECT skyflow_id FROM persons WHERE age BETWEEN 29 AND 34')).toEqual([1, 4]);
    expect(await ids('SELECT skyflow_id FROM persons WHERE age NOT BETWEEN 29 AND 34')).toEqual([2, 5, 6]);
  });

  it('compares strings by code unit, dates by their text, date-times and times by instant', async () => {
    expect(await ids(`SELECT skyflow_id FROM persons WHERE city >= 'Oslo'`)).toEqual([1, 2, 5, 6]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE born < '1991-01-01'`)).toEqual([1, 2]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE born = DATE '1995-12-24'`)).toEqual([4]);
    // 10:00+02:00 is 08:00Z, before 09:00Z.
    expect(await ids(`SELECT skyflow_id FROM persons WHERE seen < '2024-01-01T08:30:00Z'`)).toEqual([5]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE seen = '2024-01-01T09:00:00Z'`)).toEqual([6]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE wake > '06:00'`)).toEqual([5]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE wake = '06:00'`)).toEqual([6]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE seen = '2024-01-01 08:00:00Z'`)).toEqual([5]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE active = TRUE`)).toEqual([1, 4]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE active = 'false'`)).toEqual([2]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE active IS NOT TRUE`)).toEqual([2, 3, 5, 6]);
  });

  it('follows three-valued logic with NULLs', async () => {
    expect(await ids('SELECT skyflow_id FROM persons WHERE age = NULL')).toEqual([]);
    expect(await ids('SELECT skyflow_id FROM persons WHERE NOT (age = NULL)')).toEqual([]);
    expect(await ids('SELECT skyflow_id FROM persons WHERE age IS NULL')).toEqual([3]);
    expect(await ids('SELECT skyflow_id FROM persons WHERE age IS NOT NULL AND city IS NULL')).toEqual([]);
    expect(await ids('SELECT skyflow_id FROM persons WHERE NOT age > 40')).toEqual([1, 4]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE age > 40 OR city = 'Paris'`)).toEqual([2, 5, 6]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE NOT (age > 100 OR city = 'x')`)).toEqual([1, 2, 4, 5, 6]);
    expect(await ids('SELECT skyflow_id FROM persons WHERE age IN (34, NULL)')).toEqual([1]);
    expect(await ids('SELECT skyflow_id FROM persons WHERE age NOT IN (34, NULL)')).toEqual([]);
    expect(await ids('SELECT skyflow_id FROM persons WHERE age NOT IN (34, 41)')).toEqual([4, 5]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE city != 'Oslo'`)).toEqual([2, 4, 6]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE city <> 'Oslo'`)).toEqual([2, 4, 6]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE name LIKE NULL`)).toEqual([]);
  });

  it('matches LIKE and ILIKE with %, _ and escapes', async () => {
    expect(await ids(`SELECT skyflow_id FROM persons WHERE name LIKE 'A%'`)).toEqual([1, 4]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE name LIKE 'a%'`)).toEqual([]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE name ILIKE 'a%'`)).toEqual([1, 4]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE name ILIKE '_O_'`)).toEqual([2]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE name LIKE '_mile'`)).toEqual([6]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE name ILIKE 'émile'`)).toEqual([6]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE name LIKE '50\\%\\_off'`)).toEqual([5]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE name LIKE '50!%!_%' ESCAPE '!'`)).toEqual([5]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE name LIKE '50\\%x%'`)).toEqual([]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE city NOT LIKE 'O%'`)).toEqual([2, 4, 6]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE city NOT ILIKE 'O%'`)).toEqual([4, 6]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE born LIKE '199%'`)).toEqual([1, 4]);
  });

  it('reads string literals the PostgreSQL way, and double-quoted values the Skyflow way', async () => {
    const source = new MemoryQuerySource(schema, {
      persons: [P(1, { name: "O'Hara" }), P(2, { name: 'back\\slash' }), P(3, { name: 'tab\\t' })],
    });
    const names = async (sql: string) => (await run(sql, {}, source)).map((f) => f.name);
    expect(await names(`SELECT name FROM persons WHERE name = 'O''Hara'`)).toEqual(["O'Hara"]);
    expect(await names(`SELECT name FROM persons WHERE name = 'back\\slash'`)).toEqual(['back\\slash']);
    expect(await names(`SELECT name FROM persons WHERE name = 'tab\\t'`)).toEqual(['tab\\t']);
    expect(await names(`SELECT name FROM persons WHERE name = "O'Hara"`)).toEqual(["O'Hara"]);
    expect(await names(`SELECT "name" FROM "persons" WHERE "name" IN ("O'Hara", 'x')`)).toEqual(["O'Hara"]);
  });

  it('matches skyflow_id literally and ignores IDs of records that do not exist', async () => {
    expect(await ids(`SELECT skyflow_id FROM persons WHERE skyflow_id = '${id(2)}'`)).toEqual([2]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE skyflow_id IN ('${id(3)}', '${id(77)}')`)).toEqual([3]);
    expect(await run(`SELECT COUNT(*) FROM persons WHERE skyflow_id = '${id(77)}'`)).toEqual([{ 'COUNT(*)': 0 }]);
    expect(await ids(`SELECT skyflow_id FROM persons WHERE skyflow_id > '${id(4)}'`)).toEqual([5, 6]);
  });
});

describe('ORDER BY', () => {
  it('orders in memory, NULLS LAST ascending and FIRST descending by default, ties in ID order', async () => {
    expect(await ids('SELECT skyflow_id FROM persons ORDER BY age')).toEqual([4, 1, 2, 6, 5, 3]);
    expect(await ids('SELECT skyflow_id FROM persons ORDER BY age DESC')).toEqual([3, 5, 2, 6, 1, 4]);
    expect(await ids('SELECT skyflow_id FROM persons ORDER BY age DESC NULLS LAST LIMIT 3')).toEqual([5, 2, 6]);
    expect(await ids('SELECT skyflow_id FROM persons ORDER BY name DESC, age ASC')).toEqual([6, 2, 3, 4, 1, 5]);
    expect(await ids('SELECT skyflow_id, age AS a FROM persons ORDER BY a LIMIT 2 OFFSET 1')).toEqual([1, 2]);
    expect(await ids('SELECT skyflow_id, age FROM persons ORDER BY 2 DESC LIMIT 1')).toEqual([3]);
    expect(await ids('SELECT skyflow_id FROM persons ORDER BY seen NULLS FIRST')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await ids('SELECT skyflow_id FROM persons WHERE seen IS NOT NULL ORDER BY seen DESC')).toEqual([6, 5]);
  });
});

describe('aggregates', () => {
  it('computes COUNT, SUM, AVG, MIN, MAX over matching rows, skipping NULLs', async () => {
    expect(
      await run(
        'SELECT COUNT(*), COUNT(age), COUNT(DISTINCT age), SUM(age), AVG(age), MIN(age), MAX(name) FROM persons',
      ),
    ).toEqual([
      {
        'COUNT(*)': 6,
        'COUNT(age)': 5,
        'COUNT(DISTINCT age)': 4,
        'SUM(age)': 205,
        'AVG(age)': 41,
        'MIN(age)': 29,
        'MAX(name)': 'Émile',
      },
    ]);
    expect(await run(`SELECT COUNT(*) AS n, SUM(score) AS total FROM persons WHERE city ILIKE 'oslo'`)).toEqual([
      { n: 3, total: -0.5 },
    ]);
    expect(await run('SELECT MIN(born), MAX(seen), MIN(wake) FROM persons')).toEqual([
      { 'MIN(born)': '1983-01-31', 'MAX(seen)': '2024-01-01T09:00:00Z', 'MIN(wake)': '06:00:00' },
    ]);
  });

  it('gives 0 for COUNT and NULL for the others over no rows; LIMIT 0 or OFFSET hide the row', async () => {
    expect(await run('SELECT COUNT(*), COUNT(age), SUM(age), AVG(age), MIN(age) FROM persons WHERE age > 100')).toEqual(
      [{ 'COUNT(*)': 0, 'COUNT(age)': 0, 'SUM(age)': null, 'AVG(age)': null, 'MIN(age)': null }],
    );
    expect(await run('SELECT COUNT(*) FROM persons LIMIT 0')).toEqual([]);
    expect(await run('SELECT COUNT(*) FROM persons OFFSET 1')).toEqual([]);
    expect(await run('SELECT COUNT(*) FROM persons ORDER BY 1 LIMIT 1')).toEqual([{ 'COUNT(*)': 6 }]);
  });
});

describe('redaction', () => {
  it('passes every returned value through redact: DEFAULT for columns, the asked level for REDACTION()', async () => {
    const seen: [string, string, CanonicalValue, RedactionLevel][] = [];
    const redact: ExecuteOptions['redact'] = (table, column, value, level) => {
      seen.push([table, column, value, level]);
      return `${level}:${String(value)}`;
    };
    const rows = await run(
      `SELECT skyflow_id, name, REDACTION(email), REDACTION(city, 'masked') AS c, REDACTION(age, 'PLAIN_TEXT') AS a
       FROM persons WHERE email = 'cid@x.io'`,
      { redact },
    );
    expect(rows).toEqual([
      { skyflow_id: `DEFAULT:${id(3)}`, name: 'DEFAULT:Cid', email: 'DEFAULT:cid@x.io', c: null, a: null },
    ]);
    expect(seen).toEqual([
      ['persons', 'skyflow_id', id(3), 'DEFAULT'],
      ['persons', 'name', 'Cid', 'DEFAULT'],
      ['persons', 'email', 'cid@x.io', 'DEFAULT'],
    ]);
  });

  it('redacts MIN and MAX (column values) but not COUNT, SUM and AVG (computed numbers)', async () => {
    const redact: ExecuteOptions['redact'] = (_t, column, value, level) => `${column}/${level}/${String(value)}`;
    expect(await run('SELECT MIN(name), MAX(age), COUNT(name), SUM(age), AVG(score) FROM persons', { redact })).toEqual(
      [
        {
          'MIN(name)': 'name/DEFAULT/50%_off',
          'MAX(age)': 'age/DEFAULT/60',
          'COUNT(name)': 6,
          'SUM(age)': 205,
          'AVG(score)': 9.5 / 3,
        },
      ],
    );
  });

  it('filters and orders on plaintext, returns redacted values', async () => {
    const redact: ExecuteOptions['redact'] = (_t, _c, value) => (typeof value === 'string' ? '*REDACTED*' : value);
    expect(await run(`SELECT name FROM persons WHERE name = 'bob'`, { redact })).toEqual([{ name: '*REDACTED*' }]);
  });
});

describe('planner: index or scan', () => {
  const explain = (sql: string) => explainQuery(parseQuery(sql, schema));

  it('uses the blind index for = on unique and EXACT_MATCH columns, and loads only needed columns', async () => {
    expect(explain(`SELECT city FROM persons WHERE email = 'bob@x.io' AND age > 3`).sources).toEqual([
      { table: 'persons', access: { kind: 'lookup', column: 'email', value: 'bob@x.io' }, columns: ['age', 'city'] },
    ]);
    const source = counting(new MemoryQuerySource(schema, data));
    expect(await run(`SELECT city FROM persons WHERE email = 'bob@x.io' AND age > 3`, {}, source)).toEqual([
      { city: 'oslo' },
    ]);
    expect(source.calls).toEqual([
      { op: 'idsWhereEqual', table: 'persons', column: 'email', value: 'bob@x.io' },
      { op: 'load', table: 'persons', count: 1, columns: ['age', 'city'] },
    ]);
  });

  it('intersects index lookups of a conjunction and unions IN lists and ORs of lookups', async () => {
    const source = counting(new MemoryQuerySource(schema, data));
    expect(await ids(`SELECT skyflow_id FROM persons WHERE name = 'Ann' AND email IN ('ann2@x.io', 'zz')`)).toEqual([
      4,
    ]);
    await run(`SELECT name FROM persons WHERE name = 'Ann' AND email IN ('ann2@x.io', 'zz')`, {}, source);
    expect(source.calls.map((c) => `${c.op}:${c.column ?? ''}:${String(c.value ?? c.count)}`)).toEqual([
      'idsWhereEqual:name:Ann',
      'idsWhereEqual:email:ann2@x.io',
      'idsWhereEqual:email:zz',
      'load::1',
    ]);
    expect(explain(`SELECT name FROM persons WHERE name = 'bob' OR email = 'e@x.io'`).sources[0]?.access).toEqual({
      kind: 'union',
      parts: [
        { kind: 'lookup', column: 'name', value: 'bob' },
        { kind: 'lookup', column: 'email', value: 'e@x.io' },
      ],
    });
    expect(await ids(`SELECT skyflow_id FROM persons WHERE name = 'bob' OR email = 'e@x.io'`)).toEqual([2, 6]);
  });

  it('answers a lookup-only COUNT(*) from IDs alone, without loading', async () => {
    const source = counting(new MemoryQuerySource(schema, data));
    expect(await run(`SELECT COUNT(*) FROM persons WHERE name = 'Ann'`, {}, source)).toEqual([{ 'COUNT(*)': 2 }]);
    expect(source.calls.map((c) => c.op)).toEqual(['idsWhereEqual']);
    const scan = counting(new MemoryQuerySource(schema, data));
    expect(await run('SELECT COUNT(*) FROM persons', {}, scan)).toEqual([{ 'COUNT(*)': 6 }]);
    expect(scan.calls.map((c) => c.op)).toEqual(['ids']);
  });

  it('scans when no indexed equality narrows the rows: ranges, LIKE, NOT, !=, OR with a non-indexed side', () => {
    for (const where of [
      'age > 3',
      `name LIKE 'A%'`,
      `NOT name = 'Ann'`,
      `name != 'Ann'`,
      `name NOT IN ('Ann')`,
      `name = 'Ann' OR city = 'Oslo'`,
      `city = 'Oslo'`,
      'name IS NULL',
    ]) {
      expect(explain(`SELECT name FROM persons WHERE ${where}`).sources[0]?.access).toEqual({ kind: 'scan' });
    }
    expect(explain(`SELECT name FROM persons WHERE name IN ('Ann')`).sources[0]?.access).toEqual({
      kind: 'lookup',
      column: 'name',
      value: 'Ann',
    });
    expect(explain('SELECT skyflow_id FROM persons').sources[0]?.columns).toEqual([]);
  });

  it('scans in batches and stops once OFFSET + LIMIT rows matched', async () => {
    const many = Array.from({ length: 2000 }, (_, i) => P(1000 + i, { name: `n${i}`, age: i }));
    const source = counting(new MemoryQuerySource(schema, { persons: many }));
    const rows = await run('SELECT name FROM persons WHERE age >= 10 LIMIT 5 OFFSET 3', { batchSize: 100 }, source);
    expect(rows.map((r) => r.name)).toEqual(['n13', 'n14', 'n15', 'n16', 'n17']);
    expect(source.calls).toEqual([
      { op: 'ids', table: 'persons', count: 100 },
      { op: 'load', table: 'persons', count: 100, columns: ['age', 'name'] },
    ]);
    expect(explain('SELECT name FROM persons WHERE age >= 10').earlyStop).toBe(true);
    expect(explain('SELECT name FROM persons ORDER BY age').earlyStop).toBe(false);
  });

  it('reads every batch for aggregates and ORDER BY', async () => {
    const many = Array.from({ length: 1050 }, (_, i) => P(1000 + i, { age: i }));
    const source = counting(new MemoryQuerySource(schema, { persons: many }));
    expect(await run('SELECT MAX(age) FROM persons', {}, source)).toEqual([{ 'MAX(age)': 1049 }]);
    expect(source.calls.filter((c) => c.op === 'ids').map((c) => c.count)).toEqual([500, 500, 50]);
    expect(await run('SELECT age FROM persons ORDER BY age DESC LIMIT 2', {}, source)).toEqual([
      { age: 1049 },
      { age: 1048 },
    ]);
  });

  it('fails with 400 beyond maxScanRows, but not when the answer is complete before it', async () => {
    const many = Array.from({ length: 300 }, (_, i) => P(1000 + i, { age: i }));
    const source = new MemoryQuerySource(schema, { persons: many });
    const err = await rejected(
      run('SELECT COUNT(*) FROM persons WHERE age > 5', { maxScanRows: 250, batchSize: 100 }, source),
    );
    expect(err.httpCode).toBe(400);
    expect(err.message).toMatch(/more than 250 records/);
    expect(await run('SELECT age FROM persons LIMIT 3', { maxScanRows: 250, batchSize: 100 }, source)).toHaveLength(3);
  });

  it('never sends SQL to the source: only schema names, typed values, IDs and counts', async () => {
    const source = counting(new MemoryQuerySource(schema, data));
    const sql = `SELECT name, COUNT(*) FROM persons WHERE email = 'x'' OR 1=1 --' AND name IN ('Ann', 'DROP TABLE persons')`;
    await expect(run(sql, {}, source)).rejects.toThrow(AppError);
    const ok = `SELECT name FROM persons WHERE email = 'x'' OR ''1''=''1' OR name IN ('Ann', 'DROP TABLE persons')`;
    await run(ok, {}, source);
    for (const call of source.calls) {
      expect(['persons', 'cards']).toContain(call.table);
      if (call.column) expect(schema.tablesByName.get(call.table)?.columnsByName.has(call.column)).toBe(true);
      for (const c of call.columns ?? []) expect(schema.tablesByName.get(call.table)?.columnsByName.has(c)).toBe(true);
    }
    expect(source.calls.filter((c) => c.op === 'idsWhereEqual').map((c) => c.value)).toEqual([
      "x' OR '1'='1",
      'Ann',
      'DROP TABLE persons',
    ]);
    expect(JSON.stringify(source.calls)).not.toContain('SELECT');
  });
});

describe('JOIN', () => {
  it('INNER JOIN matches on equality, qualifying clashing field names', async () => {
    const rows = await run(
      `SELECT p.name, c.number, p.skyflow_id, c.skyflow_id FROM persons p JOIN cards c ON c.person = p.skyflow_id ORDER BY c.number`,
    );
    expect(rows).toEqual([
      { name: 'Ann', number: '4111', 'p.skyflow_id': id(1), 'c.skyflow_id': id(101) },
      { name: 'Ann', number: '4222', 'p.skyflow_id': id(1), 'c.skyflow_id': id(102) },
      { name: 'bob', number: '4333', 'p.skyflow_id': id(2), 'c.skyflow_id': id(103) },
    ]);
  });

  it('LEFT JOIN keeps unmatched rows with NULLs; WHERE on the right side sees them', async () => {
    expect(
      await run(`SELECT p.name, c.number FROM persons p LEFT JOIN cards c ON p.skyflow_id = c.person WHERE p.age > 30`),
    ).toEqual([
      { name: 'Ann', number: '4111' },
      { name: 'Ann', number: '4222' },
      { name: 'bob', number: '4333' },
      { name: '50%_off', number: null },
      { name: 'Émile', number: null },
    ]);
    expect(
      await run(
        `SELECT p.name FROM persons p LEFT OUTER JOIN cards c ON p.skyflow_id = c.person WHERE c.number IS NULL`,
      ),
    ).toEqual([{ name: 'Cid' }, { name: 'Ann' }, { name: '50%_off' }, { name: 'Émile' }]);
  });

  it('RIGHT JOIN of two tables runs as the mirrored LEFT JOIN', async () => {
    expect(
      await run(
        `SELECT c.number, p.name FROM persons p RIGHT JOIN cards c ON p.skyflow_id = c.person ORDER BY c.number`,
      ),
    ).toEqual([
      { number: '4111', name: 'Ann' },
      { number: '4222', name: 'Ann' },
      { number: '4333', name: 'bob' },
      { number: '4444', name: null },
      { number: '4555', name: null },
    ]);
  });

  it('aggregates over a join and honours extra ON conditions', async () => {
    expect(
      await run(
        `SELECT COUNT(*), SUM(c.spend) FROM persons p JOIN cards c ON c.person = p.skyflow_id AND c.spend > 10`,
      ),
    ).toEqual([{ 'COUNT(*)': 2, 'SUM(c.spend)': 150 }]);
  });

  it('looks joined rows up through the index when the join column has one, and pushes INNER conditions down', async () => {
    const plan = parseQuery(
      `SELECT c.number FROM cards c JOIN persons p ON p.email = c.number WHERE p.age > 1`,
      schema,
    );
    expect(explainQuery(plan).sources.map((s) => s.access)).toEqual([
      { kind: 'scan' },
      { kind: 'join-lookup', column: 'email' },
    ]);
    const byId = explainQuery(
      parseQuery(`SELECT p.name FROM cards c JOIN persons p ON p.skyflow_id = c.person`, schema),
    );
    expect(byId.sources[1]?.access).toEqual({ kind: 'join-lookup', column: 'skyflow_id' });
    const source = counting(new MemoryQuerySource(schema, data));
    expect(
      await run(
        `SELECT p.name, c.number FROM persons p JOIN cards c ON c.person = p.skyflow_id WHERE c.number = '4333'`,
        {},
        source,
      ),
    ).toEqual([{ name: 'bob', number: '4333' }]);
    const viaIndex = explainQuery(
      parseQuery(`SELECT p.name FROM persons p JOIN cards c ON c.person = p.skyflow_id WHERE p.name = 'bob'`, schema),
    );
    expect(viaIndex.sources.map((s) => s.access.kind)).toEqual(['lookup', 'join-lookup']);
  });

  it('caps the rows a join may produce', async () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ id: id(500 + i), values: { person: id(1), spend: i } }));
    const source = new MemoryQuerySource(schema, { persons, cards: many });
    const err = await rejected(
      run(`SELECT COUNT(*) FROM persons p JOIN cards c ON c.person = p.skyflow_id`, { maxJoinRows: 20 }, source),
    );
    expect(err.message).toMatch(/more than 20 rows/);
  });
});
