import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  createVault,
  DataApi,
  dlp,
  expectError,
  expectOk,
  field,
  operations,
  STORES,
  tag,
  tokenPolicy,
  unique,
} from './helpers.js';

const ITEMS = [
  {
    name: 'apple',
    qty: 10,
    price: 1.5,
    instock: true,
    added: '2024-01-10',
    tag: 'fruit',
    secret: 'alpha-1234',
    hidden: 'h-apple',
    sku: 'A1',
  },
  {
    name: 'banana',
    qty: 0,
    price: 0.25,
    instock: false,
    added: '2024-02-01',
    tag: 'fruit',
    secret: 'bravo-5678',
    hidden: 'h-banana',
    sku: 'B2',
  },
  { name: 'carrot', qty: 25, price: 0.75, instock: true, added: '2023-12-31', tag: 'veg', sku: 'C3' },
  { name: 'Durian', qty: 3, price: 12, instock: true, added: '2024-03-05', sku: 'D4' },
  { name: 'eggplant', qty: 7, price: 2.25, instock: false, added: '2024-01-20', tag: 'veg', sku: 'E5' },
  { name: "O'Reilly", qty: 1, price: 3, tag: "it's", sku: 'F6' },
];

for (const store of STORES) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`Data API: query (${store})`, () => {
    let t: TestServer;
    let api: DataApi;
    let ids: Record<string, string>;

    /** Names of the items matching `where`, sorted. */
    async function names(where: string): Promise<string[]> {
      const rows = await api.rows(`SELECT name FROM items WHERE ${where}`);
      return rows.map((r) => r.name as string).sort();
    }

    beforeAll(async () => {
      t = await startTestServer({ store });
      api = new DataApi(
        t,
        await createVault(t, 'query', [
          {
            name: 'items',
            fields: [
              field('name', 'DT_STRING', dlp('PLAIN_TEXT'), operations('EXACT_MATCH')),
              field('qty', 'DT_INT32', dlp('PLAIN_TEXT'), operations('ORDER', 'AGGREGATION')),
              field('price', 'DT_FLOAT64', dlp('PLAIN_TEXT'), operations('ORDER', 'AGGREGATION')),
              field('instock', 'DT_BOOL', dlp('PLAIN_TEXT')),
              field('added', 'DT_DATE', dlp('PLAIN_TEXT'), operations('ORDER')),
              field('tag', 'DT_STRING', dlp('PLAIN_TEXT')),
              field(
                'secret',
                'DT_STRING',
                tokenPolicy('NON_DETERMINISTIC_UUID'),
                dlp('MASK'),
                tag('options.find_pattern', '^[a-z]+-([0-9]{4})$'),
                tag('options.replace_pattern', 'XXXXX-${1}'),
              ),
              field('hidden', 'DT_STRING'),
              field('sku', 'DT_STRING', unique(), dlp('PLAIN_TEXT')),
            ],
          },
          {
            name: 'orders',
            fields: [
              field('sku', 'DT_STRING', dlp('PLAIN_TEXT'), operations('EXACT_MATCH')),
              field('amount', 'DT_INT32', dlp('PLAIN_TEXT')),
            ],
          },
          { name: 'bulk', fields: [field('n', 'DT_INT32', dlp('PLAIN_TEXT'))] },
        ]),
      );
      const inserted = await api.insertIds('items', ITEMS);
      ids = Object.fromEntries(ITEMS.map((item, i) => [item.name, inserted[i]!]));
      await api.insertIds('orders', [
        { sku: 'A1', amount: 3 },
        { sku: 'A1', amount: 4 },
        { sku: 'C3', amount: 5 },
        { sku: 'ZZ', amount: 6 },
      ]);
      await api.insertIds(
        'bulk',
        Array.from({ length: 15 }, (_, n) => ({ n })),
      );
      await api.insertIds(
        'bulk',
        Array.from({ length: 15 }, (_, n) => ({ n: n + 15 })),
      );
    });
    afterAll(async () => {
      await t?.close();
    });

    describe('select lists', () => {
      it('returns the selected columns as fields, without skyflow_id unless selected', async () => {
        const res = await api.query(`SELECT name, qty FROM items WHERE name = 'apple'`);
        expectOk(res);
        expect(res.body).toEqual({ records: [{ fields: { name: 'apple', qty: 10 } }] });
      });

      it('includes skyflow_id in fields when selected', async () => {
        const rows = await api.rows(`SELECT skyflow_id, name FROM items WHERE sku = 'B2'`);
        expect(rows).toEqual([{ skyflow_id: ids.banana, name: 'banana' }]);
        const byId = await api.rows(`SELECT name FROM items WHERE skyflow_id = '${ids.carrot}'`);
        expect(byId).toEqual([{ name: 'carrot' }]);
      });

      it('* lists skyflow_id then every column in schema order, redacted by default, missing cells null', async () => {
        const rows = await api.rows(`SELECT * FROM items WHERE sku = 'A1'`);
        expect(rows).toHaveLength(1);
        expect(Object.keys(rows[0]!)).toEqual([
          'skyflow_id',
          'name',
          'qty',
          'price',
          'instock',
          'added',
          'tag',
          'secret',
          'hidden',
          'sku',
        ]);
        expect(rows[0]).toEqual({
          skyflow_id: ids.apple,
          name: 'apple',
          qty: 10,
          price: 1.5,
          instock: true,
          added: '2024-01-10',
          tag: 'fruit',
          secret: 'XXXXX-1234',
          hidden: '*REDACTED*',
          sku: 'A1',
        });
        const durian = await api.rows(`SELECT tag, secret FROM items WHERE sku = 'D4'`);
        expect(durian).toEqual([{ tag: null, secret: null }]);
      });

      it('names fields after aliases', async () => {
        expect(await api.rows(`SELECT name AS n, qty q FROM items WHERE sku = 'E5'`)).toEqual([
          { n: 'eggplant', q: 7 },
        ]);
      });

      it('returns no tokens, only fields', async () => {
        const res = await api.query(`SELECT secret FROM items WHERE sku = 'A1'`);
        expect(res.body.records).toEqual([{ fields: { secret: 'XXXXX-1234' } }]);
      });
    });

    describe('WHERE operators', () => {
      it.each([
        [`qty = 10`, ['apple']],
        [`qty != 10`, ["O'Reilly", 'Durian', 'banana', 'carrot', 'eggplant']],
        [`qty <> 10`, ["O'Reilly", 'Durian', 'banana', 'carrot', 'eggplant']],
        [`qty < 3`, ["O'Reilly", 'banana']],
        [`qty > 7`, ['apple', 'carrot']],
        [`qty <= 3`, ["O'Reilly", 'Durian', 'banana']],
        [`qty >= 10`, ['apple', 'carrot']],
        [`price > 2.2 AND price < 3`, ['eggplant']],
        [`qty = 0 OR qty = 25`, ['banana', 'carrot']],
        [`NOT (qty > 5)`, ["O'Reilly", 'Durian', 'banana']],
        [`qty IN (1, 3, 99)`, ["O'Reilly", 'Durian']],
        [`qty NOT IN (1, 3)`, ['apple', 'banana', 'carrot', 'eggplant']],
        [`name LIKE '%an%'`, ['Durian', 'banana', 'eggplant']],
        [`name LIKE '_pple'`, ['apple']],
        [`name ILIKE 'd%'`, ['Durian']],
        [`name LIKE 'd%'`, []],
        [`tag IS NULL`, ['Durian']],
        [`tag IS NOT NULL AND tag = 'veg'`, ['carrot', 'eggplant']],
        [`instock = TRUE`, ['Durian', 'apple', 'carrot']],
        [`instock IS NULL`, ["O'Reilly"]],
        [`added < '2024-01-15'`, ['apple', 'carrot']],
        [`added BETWEEN '2024-01-01' AND '2024-02-01'`, ['apple', 'banana', 'eggplant']],
        [`qty > '5'`, ['apple', 'carrot', 'eggplant']],
        [`name = "banana"`, ['banana']],
        [`tag = 'it''s'`, ["O'Reilly"]],
        [`name = 'O''Reilly'`, ["O'Reilly"]],
        [`(qty > 5 OR tag = 'fruit') AND NOT instock = FALSE`, ['apple', 'carrot']],
        [`secret = 'alpha-1234'`, ['apple']],
      ])('WHERE %s', async (where, expected) => {
        expect(await names(where)).toEqual([...expected].sort());
      });

      it('compares NULL with three-valued logic', async () => {
        expect(await names(`tag != 'fruit'`)).toEqual(["O'Reilly", 'carrot', 'eggplant'].sort());
        expect(await names(`qty IN (1, NULL)`)).toEqual(["O'Reilly"]);
        expect(await names(`qty NOT IN (1, NULL)`)).toEqual([]);
      });
    });

    describe('aggregates', () => {
      it('COUNT, MIN, MAX, SUM and AVG over the matching records, named after the expression', async () => {
        const rows = await api.rows(
          `SELECT COUNT(*), COUNT(tag), COUNT(DISTINCT tag), MIN(qty), MAX(price), SUM(qty), AVG(qty), MIN(added) FROM items`,
        );
        expect(rows).toEqual([
          {
            'COUNT(*)': 6,
            'COUNT(tag)': 5,
            'COUNT(DISTINCT tag)': 3,
            'MIN(qty)': 0,
            'MAX(price)': 12,
            'SUM(qty)': 46,
            'AVG(qty)': 46 / 6,
            'MIN(added)': '2023-12-31',
          },
        ]);
      });

      it('aggregates with a WHERE and aliases; over no rows COUNT is 0 and the others null', async () => {
        expect(await api.rows(`SELECT COUNT(*) AS n, SUM(qty) AS total FROM items WHERE tag = 'fruit'`)).toEqual([
          { n: 2, total: 10 },
        ]);
        expect(await api.rows(`SELECT COUNT(*), SUM(qty), MAX(qty) FROM items WHERE qty > 1000`)).toEqual([
          { 'COUNT(*)': 0, 'SUM(qty)': null, 'MAX(qty)': null },
        ]);
      });

      it('redacts MIN/MAX of a redacted column with DEFAULT, but not COUNT', async () => {
        expect(await api.rows(`SELECT MAX(hidden), COUNT(hidden) FROM items`)).toEqual([
          { 'MAX(hidden)': '*REDACTED*', 'COUNT(hidden)': 2 },
        ]);
      });
    });

    describe('redaction', () => {
      it('plain columns and REDACTION(col) use DEFAULT; REDACTION(col, level) asks for a level', async () => {
        const rows = await api.rows(
          `SELECT secret, REDACTION(secret) AS d, REDACTION(secret, 'PLAIN_TEXT') AS p, REDACTION(secret, 'REDACTED') AS r, REDACTION(name, 'MASKED') AS m, hidden, REDACTION(hidden, 'PLAIN_TEXT') AS hp FROM items WHERE sku = 'B2'`,
        );
        expect(rows).toEqual([
          {
            secret: 'XXXXX-5678',
            d: 'XXXXX-5678',
            p: 'bravo-5678',
            r: '*REDACTED*',
            m: expect.not.stringContaining('banana'),
            hidden: '*REDACTED*',
            hp: 'h-banana',
          },
        ]);
      });

      it('filters and orders on plaintext even when the output is redacted', async () => {
        expect(await api.rows(`SELECT hidden FROM items WHERE hidden = 'h-apple'`)).toEqual([{ hidden: '*REDACTED*' }]);
        expect(await api.rows(`SELECT sku FROM items WHERE hidden IS NOT NULL ORDER BY hidden DESC`)).toEqual([
          { sku: 'B2' },
          { sku: 'A1' },
        ]);
      });
    });

    describe('ORDER BY, LIMIT and OFFSET', () => {
      it('orders ascending and descending', async () => {
        const asc = await api.rows(`SELECT name FROM items ORDER BY qty`);
        expect(asc.map((r) => r.name)).toEqual(['banana', "O'Reilly", 'Durian', 'eggplant', 'apple', 'carrot']);
        const desc = await api.rows(`SELECT name FROM items ORDER BY price DESC LIMIT 2`);
        expect(desc.map((r) => r.name)).toEqual(['Durian', "O'Reilly"]);
      });

      it('pages with LIMIT and OFFSET', async () => {
        const page = await api.rows(`SELECT name FROM items ORDER BY qty LIMIT 2 OFFSET 2`);
        expect(page.map((r) => r.name)).toEqual(['Durian', 'eggplant']);
        expect(await api.rows(`SELECT name FROM items ORDER BY qty LIMIT 2 OFFSET 10`)).toEqual([]);
      });

      it('returns at most 25 records by default, in skyflow_id order, and pages on', async () => {
        const first = await api.rows(`SELECT skyflow_id, n FROM bulk`);
        expect(first).toHaveLength(25);
        const ids = first.map((r) => r.skyflow_id as string);
        expect(ids).toEqual([...ids].sort());
        const rest = await api.rows(`SELECT n FROM bulk LIMIT 25 OFFSET 25`);
        expect(rest).toHaveLength(5);
        const all = [...first, ...rest].map((r) => r.n as number).sort((a, b) => a - b);
        expect(all).toEqual(Array.from({ length: 30 }, (_, i) => i));
      });

      it('refuses a LIMIT over 25 (400)', async () => {
        expectError(await api.query(`SELECT n FROM bulk LIMIT 26`), 400, /LIMIT/);
      });
    });

    describe('joins', () => {
      it('joins tables on equal columns (inner and left)', async () => {
        const inner = await api.rows(
          `SELECT o.amount, i.name FROM orders o JOIN items i ON o.sku = i.sku ORDER BY o.amount`,
        );
        expect(inner).toEqual([
          { amount: 3, name: 'apple' },
          { amount: 4, name: 'apple' },
          { amount: 5, name: 'carrot' },
        ]);
        const left = await api.rows(
          `SELECT o.amount FROM orders o LEFT JOIN items i ON o.sku = i.sku WHERE i.name IS NULL`,
        );
        expect(left).toEqual([{ amount: 6 }]);
      });
    });

    describe('what the query never does', () => {
      it.each([
        [`INSERT INTO items (name) VALUES ('x')`, /INSERT|SELECT/i],
        [`UPDATE items SET qty = 1`, /UPDATE|SELECT/i],
        [`DELETE FROM items`, /DELETE|SELECT/i],
        [`DROP TABLE items`, /DROP|SELECT|syntax/i],
        [`SELECT name FROM items WHERE qty IN (SELECT qty FROM items)`, /subquer/i],
        [`SELECT name FROM (SELECT name FROM items) x`, /subquer/i],
        [`SELECT name FROM items UNION SELECT sku FROM items`, /UNION/],
        [`SELECT tag, COUNT(*) FROM items GROUP BY tag`, /GROUP BY/],
        [`SELECT DISTINCT tag FROM items`, /DISTINCT/],
        [`SELECT name FROM items; SELECT sku FROM items`, /more than one statement/],
        [`SELECT qty + 1 FROM items`, /./],
        [`SELECT UPPER(name) FROM items`, /UPPER|function/i],
        [`SELECT name FROM items -- comment`, /comment/i],
      ])('%s is a 400 naming the construct', async (sql, message) => {
        const res = await api.query(sql);
        expectError(res, 400, message);
        expect(res.body.error.message).toMatch(/^(Unsupported query|Invalid query|query)/i);
      });

      it('refuses unknown tables and columns, and values of the wrong type, without echoing literals (400)', async () => {
        expectError(await api.query(`SELECT name FROM nowhere`), 400, /nowhere/);
        expectError(await api.query(`SELECT shoe_size FROM items`), 400, /shoe_size/);
        const typed = await api.query(`SELECT name FROM items WHERE name = 424242`);
        expectError(typed, 400, /name/);
        const date = await api.query(`SELECT name FROM items WHERE added = 'SECRET-not-a-date'`);
        expectError(date, 400, /added/);
        expect(date.text).not.toContain('SECRET-not-a-date');
      });

      it('treats SQL-injection-looking string literals as plain literals', async () => {
        expect(await names(`name = 'x'' OR ''1''=''1'`)).toEqual([]);
        expect(await names(`name = 'apple'' --'`)).toEqual([]);
        expect(await names(`name = '; DROP TABLE items; --'`)).toEqual([]);
        expect(await names(`tag = 'fruit'' OR tag IS NOT NULL OR ''a''=''a'`)).toEqual([]);
        // A stored value that looks like SQL is found by its exact text, and only by it.
        const evil = "Robert'); DROP TABLE items;--";
        await api.insertIds('items', [{ name: evil, sku: 'EVIL' }]);
        expect(await names(`name = '${evil.replaceAll("'", "''")}'`)).toEqual([evil]);
        expect((await api.rows(`SELECT COUNT(*) FROM items`))[0]).toEqual({ 'COUNT(*)': 7 });
        await api.deleteMany('items', [
          (await api.rows(`SELECT skyflow_id FROM items WHERE sku = 'EVIL'`))[0]!.skyflow_id as string,
        ]);
      });

      it('refuses an empty or missing query (400)', async () => {
        expectError(await api.query(''), 400);
        expectError(await t.request('POST', `/v1/vaults/${api.vaultId}/query`, { body: {} }), 400);
        expectError(await api.query('   '), 400);
      });

      it('takes an IN list of 1000 values (the documented maximum)', async () => {
        const values = Array.from({ length: 999 }, (_, i) => `'nosku${i}'`);
        const sql = `SELECT name FROM items WHERE sku IN (${values.join(', ')}, 'C3')`;
        expect(sql.length).toBeGreaterThan(10_000);
        expect(sql.length).toBeLessThan(16 * 1024);
        expect(await api.rows(sql)).toEqual([{ name: 'carrot' }]);
        // Beyond 16 KiB of UTF-8 the text is refused.
        const long = `SELECT name FROM items WHERE name = '${'é'.repeat(8200)}'`;
        expect(long.length).toBeLessThan(16 * 1024);
        expectError(await api.query(long), 400, /16 KiB/);
      });
    });
  });
}
