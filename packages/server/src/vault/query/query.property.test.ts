import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanonicalValue } from '../records/values.js';
import { parseVaultSchema } from '../schema/parse.js';
import { executeQuery } from './execute.js';
import { MemoryQuerySource, type MemoryRecord } from './memory-source.js';
import { parseQuery } from './parse.js';
import type { QuerySource } from './plan.js';

/*
 * The engine against a straightforward reference: random tables, random WHERE trees from the supported
 * grammar, rendered to SQL text; the reference evaluates the tree directly (three-valued logic, its own
 * LIKE matcher) over all rows, and both answers must agree — counts, the records of a page, aggregates and
 * ORDER BY — whatever access path (index or scan) and batch size the engine uses.
 */

const tag = (name: string, ...values: string[]) => ({ name: `skyflow.${name}`, values });
const { model: schema } = parseVaultSchema({
  schemas: [
    {
      name: 't',
      fields: [
        { name: 'k', datatype: 'DT_STRING', tags: [tag('options.operation', 'EXACT_MATCH')] },
        { name: 'n', datatype: 'DT_INT32', tags: [tag('options.operation', 'EXACT_MATCH')] },
        { name: 'f', datatype: 'DT_FLOAT64', tags: [] },
        { name: 's', datatype: 'DT_STRING', tags: [] },
        { name: 'd', datatype: 'DT_DATE', tags: [] },
        { name: 'b', datatype: 'DT_BOOL', tags: [tag('options.operation', 'EXACT_MATCH')] },
      ],
    },
    {
      name: 'u',
      fields: [
        { name: 'k', datatype: 'DT_STRING', tags: [tag('options.operation', 'EXACT_MATCH')] },
        { name: 'm', datatype: 'DT_INT32', tags: [] },
      ],
    },
  ],
});

type Col = 'k' | 'n' | 'f' | 's' | 'd' | 'b';
type Kind = 'text' | 'number' | 'date' | 'bool';
const KIND: Record<Col, Kind> = { k: 'text', n: 'number', f: 'number', s: 'text', d: 'date', b: 'bool' };
const COLUMNS: Col[] = ['k', 'n', 'f', 's', 'd', 'b'];

const CHARS = ['a', 'b', 'A', 'B', "'", '\\', '%', '_', ' '];
const DATES = ['1999-12-31', '2000-01-01', '2000-02-29', '2024-06-30'];

const textValue = fc.array(fc.constantFrom(...CHARS), { maxLength: 4 }).map((cs) => cs.join(''));
const valueArb = (col: Col): fc.Arbitrary<CanonicalValue> => {
  switch (col) {
    case 'k':
      return fc.constantFrom('x', 'y', 'z', "o'k");
    case 'n':
      return fc.integer({ min: -3, max: 3 });
    case 'f':
      return fc.integer({ min: -8, max: 8 }).map((i) => i / 4);
    case 's':
      return textValue;
    case 'd':
      return fc.constantFrom(...DATES);
    case 'b':
      return fc.boolean();
  }
};
const maybe = (col: Col) => fc.option(valueArb(col), { nil: null, freq: 4 });

const rowArb = fc.record({ k: maybe('k'), n: maybe('n'), f: maybe('f'), s: maybe('s'), d: maybe('d'), b: maybe('b') });
const tableArb = fc
  .array(rowArb, { maxLength: 40 })
  .map((rows) => rows.map((values, i): MemoryRecord => ({ id: `id-${String(i).padStart(3, '0')}`, values })));

// ── WHERE trees ──────────────────────────────────────────────────────────────────────────────────────

type LikeToken = { lit: string } | { any: true } | { one: true };
type Tree =
  | { t: 'and' | 'or'; a: Tree; b: Tree }
  | { t: 'not'; a: Tree }
  | { t: 'cmp'; col: Col; op: '=' | '!=' | '<' | '>' | '<=' | '>='; v: CanonicalValue; flipped: boolean }
  | { t: 'in'; col: Col; vs: CanonicalValue[]; neg: boolean }
  | { t: 'like'; col: 's' | 'k'; pattern: LikeToken[]; ci: boolean; neg: boolean }
  | { t: 'null'; col: Col; neg: boolean }
  | { t: 'between'; col: Col; lo: CanonicalValue; hi: CanonicalValue; neg: boolean };

const colArb = fc.constantFrom(...COLUMNS);
const literalFor = (col: Col) => fc.option(valueArb(col), { nil: null, freq: 10 });
const likeToken: fc.Arbitrary<LikeToken> = fc.oneof(
  fc.constantFrom(...CHARS).map((c) => ({ lit: c })),
  fc.constant({ any: true as const }),
  fc.constant({ one: true as const }),
);

const leaf: fc.Arbitrary<Tree> = colArb.chain((col) =>
  fc.oneof(
    fc.record({
      t: fc.constant('cmp' as const),
      col: fc.constant(col),
      op: fc.constantFrom('=', '!=', '<', '>', '<=', '>=' as const),
      v: literalFor(col),
      flipped: fc.boolean(),
    }),
    fc.record({
      t: fc.constant('in' as const),
      col: fc.constant(col),
      vs: fc.array(literalFor(col), { minLength: 1, maxLength: 4 }),
      neg: fc.boolean(),
    }),
    fc.record({ t: fc.constant('null' as const), col: fc.constant(col), neg: fc.boolean() }),
    fc.record({
      t: fc.constant('between' as const),
      col: fc.constant(col),
      lo: valueArb(col),
      hi: valueArb(col),
      neg: fc.boolean(),
    }),
    fc.record({
      t: fc.constant('like' as const),
      col: fc.constantFrom('s' as const, 'k' as const),
      pattern: fc.array(likeToken, { maxLength: 4 }),
      ci: fc.boolean(),
      neg: fc.boolean(),
    }),
  ),
);

const treeArb: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ t: fc.constantFrom('and' as const, 'or' as const), a: tie('tree'), b: tie('tree') }),
    fc.record({ t: fc.constant('not' as const), a: tie('tree') }),
  ),
})).tree;

function sqlValue(v: CanonicalValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number') return String(v);
  return `'${String(v).replaceAll("'", "''")}'`;
}

function sqlPattern(tokens: LikeToken[]): string {
  return tokens
    .map((tok) =>
      'any' in tok ? '%' : 'one' in tok ? '_' : ['%', '_', '\\'].includes(tok.lit) ? `\\${tok.lit}` : tok.lit,
    )
    .join('');
}

function render(tree: Tree, q = ''): string {
  switch (tree.t) {
    case 'and':
    case 'or':
      return `(${render(tree.a, q)} ${tree.t.toUpperCase()} ${render(tree.b, q)})`;
    case 'not':
      return `NOT (${render(tree.a, q)})`;
    case 'cmp': {
      if (!tree.flipped) return `${q}${tree.col} ${tree.op} ${sqlValue(tree.v)}`;
      const mirror = { '=': '=', '!=': '!=', '<': '>', '>': '<', '<=': '>=', '>=': '<=' }[tree.op];
      return `${sqlValue(tree.v)} ${mirror} ${q}${tree.col}`;
    }
    case 'in':
      return `${q}${tree.col} ${tree.neg ? 'NOT IN' : 'IN'} (${tree.vs.map(sqlValue).join(', ')})`;
    case 'null':
      return `${q}${tree.col} IS ${tree.neg ? 'NOT ' : ''}NULL`;
    case 'between':
      return `${q}${tree.col} ${tree.neg ? 'NOT ' : ''}BETWEEN ${sqlValue(tree.lo)} AND ${sqlValue(tree.hi)}`;
    case 'like':
      return `${q}${tree.col} ${tree.neg ? 'NOT ' : ''}${tree.ci ? 'ILIKE' : 'LIKE'} ${sqlValue(sqlPattern(tree.pattern))}`;
  }
}

// ── The reference ────────────────────────────────────────────────────────────────────────────────────

type T3 = boolean | null;
const not3 = (x: T3): T3 => (x === null ? null : !x);

function cmp(kind: Kind, a: CanonicalValue, b: CanonicalValue): number {
  if (kind === 'bool') return Number(a) - Number(b);
  if (kind === 'number') return (a as number) - (b as number);
  return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
}

/** LIKE by dynamic programming over code points (no regular expressions). */
function likeMatch(value: string, tokens: LikeToken[], ci: boolean): boolean {
  const chars = Array.from(ci ? value.toLowerCase() : value);
  const toks = tokens.map((t) => ('lit' in t && ci ? { lit: t.lit.toLowerCase() } : t));
  let reach = new Set([0]);
  for (const tok of toks) {
    const next = new Set<number>();
    for (const i of reach) {
      if ('any' in tok) for (let j = i; j <= chars.length; j++) next.add(j);
      else if ('one' in tok) {
        if (i < chars.length) next.add(i + 1);
      } else if (chars[i] === tok.lit) next.add(i + 1);
    }
    reach = next;
  }
  return reach.has(chars.length);
}

function evaluate(tree: Tree, row: Record<string, CanonicalValue>): T3 {
  switch (tree.t) {
    case 'and': {
      const a = evaluate(tree.a, row);
      const b = evaluate(tree.b, row);
      return a === false || b === false ? false : a === null || b === null ? null : true;
    }
    case 'or': {
      const a = evaluate(tree.a, row);
      const b = evaluate(tree.b, row);
      return a === true || b === true ? true : a === null || b === null ? null : false;
    }
    case 'not':
      return not3(evaluate(tree.a, row));
    case 'cmp': {
      const v = row[tree.col] ?? null;
      if (v === null || tree.v === null) return null;
      const c = cmp(KIND[tree.col], v, tree.v);
      return { '=': c === 0, '!=': c !== 0, '<': c < 0, '>': c > 0, '<=': c <= 0, '>=': c >= 0 }[tree.op];
    }
    case 'in': {
      const v = row[tree.col] ?? null;
      let r: T3 = false;
      for (const x of tree.vs) {
        if (v === null || x === null) r = r === true ? true : null;
        else if (cmp(KIND[tree.col], v, x) === 0) r = true;
      }
      return tree.neg ? not3(r) : r;
    }
    case 'null': {
      const isNull = (row[tree.col] ?? null) === null;
      return tree.neg ? !isNull : isNull;
    }
    case 'between': {
      const v = row[tree.col] ?? null;
      if (v === null) return null;
      const r = cmp(KIND[tree.col], v, tree.lo) >= 0 && cmp(KIND[tree.col], v, tree.hi) <= 0;
      return tree.neg ? !r : r;
    }
    case 'like': {
      const v = row[tree.col] ?? null;
      if (v === null) return null;
      const r = likeMatch(v as string, tree.pattern, tree.ci);
      return tree.neg ? !r : r;
    }
  }
}

// ── Properties ───────────────────────────────────────────────────────────────────────────────────────

const identity = { redact: (_t: string, _c: string, v: CanonicalValue) => v };

function recording(inner: QuerySource): QuerySource & { tables: Set<string>; columns: Set<string> } {
  const tables = new Set<string>();
  const columns = new Set<string>();
  return {
    tables,
    columns,
    idsWhereEqual: (table, column, value) => {
      tables.add(table);
      columns.add(column);
      return inner.idsWhereEqual(table, column, value);
    },
    ids: (table, after, limit) => {
      tables.add(table);
      return inner.ids(table, after, limit);
    },
    load: (table, ids, cols) => {
      tables.add(table);
      for (const c of cols) columns.add(c);
      return inner.load(table, ids, cols);
    },
  };
}

async function query(sql: string, rows: MemoryRecord[], batchSize: number, others: MemoryRecord[] = []) {
  const source = recording(new MemoryQuerySource(schema, { t: rows, u: others }));
  const result = await executeQuery(parseQuery(sql, schema), source, { ...identity, batchSize });
  expect([...source.tables].every((t) => t === 't' || t === 'u')).toBe(true);
  expect([...source.columns].every((c) => COLUMNS.includes(c as Col) || c === 'm')).toBe(true);
  return result.records.map((r) => r.fields);
}

const RUNS = 250;

describe('query engine vs reference evaluation', () => {
  it('selects the same records (count and page) for random WHERE trees', async () => {
    await fc.assert(
      fc.asyncProperty(
        tableArb,
        treeArb,
        fc.nat({ max: 30 }),
        fc.integer({ min: 1, max: 7 }),
        async (rows, tree, offset, batch) => {
          const where = render(tree);
          const expected = rows.filter((r) => evaluate(tree, r.values) === true).map((r) => r.id);
          const [count] = await query(`SELECT COUNT(*) AS n FROM t WHERE ${where}`, rows, batch);
          expect(count).toEqual({ n: expected.length });
          const page = await query(`SELECT skyflow_id FROM t WHERE ${where} LIMIT 25 OFFSET ${offset}`, rows, batch);
          expect(page.map((f) => f.skyflow_id)).toEqual(expected.slice(offset, offset + 25));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('computes the same aggregates', async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, treeArb, async (rows, tree) => {
        const matching = rows.filter((r) => evaluate(tree, r.values) === true).map((r) => r.values);
        const present = (col: Col) => matching.map((r) => r[col] ?? null).filter((v) => v !== null);
        const fs = present('f') as number[];
        const ns = present('n') as number[];
        const best = (col: Col, sign: 1 | -1) =>
          present(col).reduce<CanonicalValue>((m, v) => (m === null || sign * cmp(KIND[col], v, m) > 0 ? v : m), null);
        const [got] = await query(
          `SELECT COUNT(*) AS c, COUNT(f) AS cf, COUNT(DISTINCT s) AS ds, SUM(n) AS sn, AVG(f) AS af,
                  MIN(s) AS mins, MAX(d) AS maxd, MIN(b) AS minb FROM t WHERE ${render(tree)}`,
          rows,
          5,
        );
        expect(got).toEqual({
          c: matching.length,
          cf: fs.length,
          ds: new Set(present('s')).size,
          sn: ns.length === 0 ? null : ns.reduce((a, b) => a + b, 0),
          af: fs.length === 0 ? null : fs.reduce((a, b) => a + b, 0) / fs.length,
          mins: best('s', -1),
          maxd: best('d', 1),
          minb: best('b', -1),
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('orders like the reference (NULLS LAST ascending, FIRST descending, ties by skyflow_id)', async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, colArb, fc.boolean(), fc.nat({ max: 10 }), async (rows, col, desc, offset) => {
        const sorted = [...rows].sort((x, y) => {
          const a = x.values[col] ?? null;
          const b = y.values[col] ?? null;
          if (a === null || b === null) {
            const byNull = (a === null ? 1 : 0) - (b === null ? 1 : 0);
            if (byNull !== 0) return desc ? -byNull : byNull;
          } else {
            const c = cmp(KIND[col], a, b);
            if (c !== 0) return desc ? -c : c;
          }
          return x.id < y.id ? -1 : 1;
        });
        const got = await query(
          `SELECT skyflow_id FROM t ORDER BY ${col} ${desc ? 'DESC' : 'ASC'} LIMIT 7 OFFSET ${offset}`,
          rows,
          3,
        );
        expect(got.map((f) => f.skyflow_id)).toEqual(sorted.slice(offset, offset + 7).map((r) => r.id));
      }),
      { numRuns: RUNS },
    );
  });

  it('joins like a nested loop (INNER and LEFT, through the index or a hash of the scanned table)', async () => {
    const others = fc
      .array(fc.record({ k: maybe('k'), m: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }) }), {
        maxLength: 12,
      })
      .map((rows) => rows.map((values, i): MemoryRecord => ({ id: `u-${String(i).padStart(3, '0')}`, values })));
    await fc.assert(
      fc.asyncProperty(
        tableArb,
        others,
        treeArb,
        fc.boolean(),
        fc.constantFrom(['k', 'k'] as const, ['n', 'm'] as const),
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom('', 'u.m IS NULL', 'u.m > 0', `u.k = 'x'`, `u.k IN ('x', 'y')`),
        async (rows, us, tree, left, [tk, uk], batch, onU) => {
          // The extra condition on u, by the same rules (u's values are NULL in a row a LEFT JOIN extended).
          const uHolds = (m: CanonicalValue, k: CanonicalValue): boolean =>
            onU === ''
              ? true
              : onU === 'u.m IS NULL'
                ? m === null
                : onU === 'u.m > 0'
                  ? m !== null && (m as number) > 0
                  : onU === `u.k = 'x'`
                    ? k === 'x'
                    : k === 'x' || k === 'y';
          const expected: [string, string | null][] = [];
          for (const r of rows) {
            if (evaluate(tree, r.values) !== true) continue;
            const a = r.values[tk] ?? null;
            const matches = us.filter((x) => a !== null && (x.values[uk] ?? null) !== null && x.values[uk] === a);
            for (const x of matches) {
              if (uHolds(x.values.m ?? null, x.values.k ?? null)) expected.push([r.id, x.id]);
            }
            if (matches.length === 0 && left && uHolds(null, null)) expected.push([r.id, null]);
          }
          const from = `t ${left ? 'LEFT JOIN' : 'JOIN'} u ON u.${uk} = t.${tk} WHERE ${render(tree, 't.')}${onU ? ` AND ${onU}` : ''}`;
          const [count] = await query(`SELECT COUNT(*) AS n FROM ${from}`, rows, batch, us);
          expect(count).toEqual({ n: expected.length });
          const page = await query(`SELECT t.skyflow_id, u.skyflow_id FROM ${from}`, rows, batch, us);
          expect(page.map((f) => [f['t.skyflow_id'], f['u.skyflow_id']])).toEqual(expected.slice(0, 25));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
