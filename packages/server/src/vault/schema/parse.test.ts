import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { DEMO_VAULT_SCHEMA } from '../demo-schema.js';
import type { ColumnSpec, VaultSchemaModel } from './model.js';
import { MAX_COLUMNS, MAX_TABLES, modelOfStoredSchema, parseVaultSchema, SKYFLOW_ID } from './parse.js';
import { TAG } from './tags.js';

// ---------------------------------------------------------------------------------------------------
// Helpers

type Json = Record<string, unknown>;

/** A Skyflow sample vault (quickstart credit_cards and persons, plus the upsert doc's employee_data). */
function skyflowSample(): Json {
  return JSON.parse(readFileSync(new URL('./fixtures/skyflow-quickstart.json', import.meta.url), 'utf8')) as Json;
}

const tag = (name: string, ...values: string[]) => ({ name, values });
const field = (name: string, datatype: string, ...tags: { name: string; values: string[] }[]): Json => ({
  name,
  datatype,
  tags,
});
/** A one-table schema (`accounts`). */
const vault = (...fields: Json[]): Json => ({ schemas: [{ name: 'accounts', fields }] });

/** Parses a schema that must be rejected and returns the error. */
function rejection(input: unknown): AppError {
  try {
    parseVaultSchema(input);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the schema to be rejected');
}

/** Asserts a 400 whose message and single detail name `path` and a problem matching `problem`. */
function expectOneProblem(input: unknown, path: string, problem: RegExp): AppError {
  const err = rejection(input);
  expect(err.code).toBe('BAD_REQUEST');
  expect(err.httpCode).toBe(400);
  expect(err.details).toHaveLength(1);
  expect(err.details[0]).toEqual({ field: path, problem: expect.stringMatching(problem) });
  expect(err.message).toBe(`Invalid vault schema: ${path}: ${(err.details[0] as { problem: string }).problem}`);
  return err;
}

function column(model: VaultSchemaModel, table: string, name: string): ColumnSpec {
  const c = model.tablesByName.get(table)?.columnsByName.get(name);
  if (!c) throw new Error(`no column ${table}.${name}`);
  return c;
}

const SYSTEM_ID_TAGS = [
  { name: 'skyflow.options.data_type', values: ['skyflow.SkyflowID'] },
  { name: 'skyflow.options.default_dlp_policy', values: ['PLAIN_TEXT'] },
  { name: 'skyflow.options.operation', values: ['ALL_OP'] },
  { name: 'skyflow.options.display_name', values: ['Skyflow ID'] },
  { name: 'skyflow.options.description', values: ['Skyflow defined Primary Key'] },
];

// ---------------------------------------------------------------------------------------------------

describe('the demo schema', () => {
  const { model } = parseVaultSchema(DEMO_VAULT_SCHEMA);
  const persons = model.tablesByName.get('persons');

  it('parses into one persons table led by the system skyflow_id column', () => {
    expect(model.tables.map((t) => t.name)).toEqual(['persons']);
    expect(persons?.columns.map((c) => c.name)).toEqual([
      'skyflow_id',
      'name',
      'email',
      'ssn',
      'card_number',
      'date_of_birth',
      'phone_number',
    ]);
    expect(persons?.columns[0]).toMatchObject({ system: true, unique: true, redaction: 'PLAIN_TEXT' });
  });

  it('gives each column its token policy and datatype', () => {
    const policies = Object.fromEntries(persons?.columns.map((c) => [c.name, c.tokenPolicy?.type]) ?? []);
    expect(policies).toEqual({
      skyflow_id: undefined,
      name: 'NON_DETERMINISTIC_UUID',
      email: 'DETERMINISTIC_PRESERVE_EMAIL_DOMAIN',
      ssn: 'DETERMINISTIC_FPT',
      card_number: 'DETERMINISTIC_PRESERVE_LEFT_6_RIGHT_4',
      date_of_birth: 'DETERMINISTIC_UUID',
      phone_number: 'NON_DETERMINISTIC_PRESERVE_RIGHT_4',
    });
    expect(column(model, 'persons', 'ssn').tokenPolicy?.regex).toBe('^[0-9]{3}-[0-9]{2}-[0-9]{4}$');
    const datatypes = persons?.columns.map((c) => c.datatype);
    expect(datatypes).toEqual([
      'DT_STRING',
      'DT_STRING',
      'DT_STRING',
      'DT_STRING',
      'DT_STRING',
      'DT_DATE',
      'DT_STRING',
    ]);
  });

  it('masks every column but skyflow_id by default, each with its find and replace patterns', () => {
    for (const c of persons?.columns.slice(1) ?? []) {
      expect(c.redaction, c.name).toBe('MASK');
      expect(c.mask, c.name).toBeDefined();
    }
    expect(column(model, 'persons', 'ssn').mask).toEqual({
      find: '^[0-9]{3}([- ])?[0-9]{2}([- ])?([0-9]{4})$',
      replace: 'XXX${1}XX${2}${3}',
    });
    expect(column(model, 'persons', 'card_number').mask?.replace).toBe('XXXXXXXXXXXX${1}');
  });

  it('makes email the one unique user column and keeps its validation pattern', () => {
    const unique = persons?.columns.filter((c) => c.unique).map((c) => c.name);
    expect(unique).toEqual(['skyflow_id', 'email']);
    expect(column(model, 'persons', 'email').validation).toHaveLength(1);
    expect(column(model, 'persons', 'name').validation).toEqual([]);
    expect(column(model, 'persons', 'ssn').operations).toEqual(['EXACT_MATCH']);
  });
});

describe('a real Skyflow schema (quickstart samples)', () => {
  const { model, wire } = parseVaultSchema(skyflowSample());

  it('parses with every informational tag the samples carry', () => {
    expect(model.tables.map((t) => t.name)).toEqual(['credit_cards', 'persons', 'employee_data']);
    expect(model.tablesByName.get('persons')?.columns.map((c) => c.name)).toEqual([
      'skyflow_id',
      'name',
      'email_address',
      'ssn',
      'date_of_birth',
      'phone_number',
      'state',
    ]);
  });

  it('keeps one skyflow_id per table, first, vault-managed, unique and in plain text', () => {
    for (const table of model.tables) {
      const ids = table.columns.filter((c) => c.name === SKYFLOW_ID);
      expect(ids).toHaveLength(1);
      expect(table.columns[0]).toEqual({
        name: 'skyflow_id',
        datatype: 'DT_STRING',
        tokenPolicy: undefined,
        redaction: 'PLAIN_TEXT',
        mask: undefined,
        unique: true,
        notNull: true,
        columnGroup: undefined,
        validation: [],
        predefinedValues: undefined,
        minValue: undefined,
        maxValue: undefined,
        operations: ['ALL_OP'],
        system: true,
      });
    }
    for (const table of wire.schemas) {
      expect(table.fields.filter((f) => f.name === SKYFLOW_ID)).toHaveLength(1);
      expect(table.fields[0]).toEqual({
        name: 'skyflow_id',
        datatype: 'DT_STRING',
        isArray: false,
        tags: SYSTEM_ID_TAGS,
      });
    }
  });

  it('reads the card number as a deterministic FPT with its regex, a mask and exact-match lookups', () => {
    expect(column(model, 'credit_cards', 'card_number')).toMatchObject({
      datatype: 'DT_STRING',
      tokenPolicy: { type: 'DETERMINISTIC_FPT', regex: '^[0-9]{4}-[0-9]{4}-([0-9]{4})-([0-9]{4})$' },
      redaction: 'MASK',
      mask: { find: '[0-9 -]*([0-9 -]{4}$)', replace: 'XXXXXXXXXXXX${1}' },
      operations: ['EXACT_MATCH'],
      validation: ['^$|^[\\s]*?([0-9]{2,6}[ -]?){3,5}[\\s]*$'],
      unique: false,
      system: false,
    });
  });

  it('reads the transient CVV ttl of "60" as sixty minutes', () => {
    expect(column(model, 'credit_cards', 'cvv')).toMatchObject({
      tokenPolicy: { type: 'NON_DETERMINISTIC_TRANSIENT_UUID', ttlSeconds: 3600 },
      redaction: 'REDACT',
      mask: undefined,
    });
  });

  it('reads the PRESERVE_RIGHT_4 prefix, separator and fixed length', () => {
    expect(column(model, 'credit_cards', 'card_suffix').tokenPolicy).toEqual({
      type: 'DETERMINISTIC_PRESERVE_RIGHT_4',
      prefix: '99',
      separator: '_',
      fixedLength: 12,
    });
    expect(column(model, 'credit_cards', 'expiry_date').tokenPolicy).toEqual({
      type: 'NON_DETERMINISTIC_FPT',
      regex: '^(0[1-9]|1[0-2])/[0-9]{2}$',
    });
  });

  it('keeps mask patterns on a column that is redacted by default (email)', () => {
    expect(column(model, 'persons', 'email_address')).toMatchObject({
      redaction: 'REDACT',
      mask: { find: '^(.).*?(.)?@(.+)', replace: '$1******$2@$3' },
      tokenPolicy: { type: 'DETERMINISTIC_FPT', regex: '^([a-z]{20})@([a-z]{10})\\.com$' },
    });
  });

  it('accepts a DT_DATE mask that refers to groups 5 and 6 and a validation regex on a date', () => {
    expect(column(model, 'persons', 'date_of_birth')).toMatchObject({
      datatype: 'DT_DATE',
      tokenPolicy: { type: 'DETERMINISTIC_UUID' },
      mask: { replace: 'XXXX-${5}${6}' },
    });
    expect(column(model, 'persons', 'date_of_birth').validation).toHaveLength(1);
  });

  it('reads PLAIN_TEXT with ALL_OP on a non-sensitive column', () => {
    expect(column(model, 'persons', 'state')).toMatchObject({ redaction: 'PLAIN_TEXT', operations: ['ALL_OP'] });
  });

  it('makes the upsert doc\'s "isUnique": true column unique, and keeps it unique once stored', () => {
    expect(column(model, 'employee_data', 'ein').unique).toBe(true);
    expect(wire.schemas[2]?.fields[1]).toMatchObject({ name: 'ein', isUnique: true });
    expect(column(modelOfStoredSchema(JSON.parse(JSON.stringify(wire))), 'employee_data', 'ein').unique).toBe(true);
  });

  it('keeps the table and vault tags', () => {
    expect(wire.schemas[0]?.schemaTags.map((t) => t.name)).toEqual([TAG.displayName, TAG.description]);
    expect(wire.tags).toContainEqual({ name: 'skyflow.options.query_interface', values: ['REST', 'SQL'] });
  });
});

describe('null and unknown keys', () => {
  it('treats null optional keys like absent ones', () => {
    const withNulls = {
      schemas: [
        {
          name: 'accounts',
          fields: [
            { name: 'a', datatype: 'DT_STRING', isArray: null, tags: null, properties: null, isUnique: null },
            { name: 'b', datatype: 'DT_INT32', tags: [{ name: TAG.privacyLaw, values: null }] },
          ],
          schemaTags: null,
          childrenSchemas: null,
          properties: null,
        },
        { name: 'empty', fields: null },
      ],
      tags: null,
    };
    const absent = {
      schemas: [
        {
          name: 'accounts',
          fields: [
            { name: 'a', datatype: 'DT_STRING' },
            { name: 'b', datatype: 'DT_INT32', tags: [{ name: TAG.privacyLaw, values: [] }] },
          ],
        },
        { name: 'empty' },
      ],
    };
    const parsed = parseVaultSchema(withNulls);
    expect(parsed).toEqual(parseVaultSchema(absent));
    expect(parsed.wire.schemas[0]).toEqual({
      name: 'accounts',
      fields: [
        { name: 'skyflow_id', datatype: 'DT_STRING', isArray: false, tags: SYSTEM_ID_TAGS },
        { name: 'a', datatype: 'DT_STRING', isArray: false, tags: [] },
        { name: 'b', datatype: 'DT_INT32', isArray: false, tags: [{ name: TAG.privacyLaw, values: [] }] },
      ],
      schemaTags: [],
      childrenSchemas: [],
    });
    expect(parsed.wire.tags).toEqual([]);
    expect(parsed.model.tablesByName.get('empty')?.columns.map((c) => c.name)).toEqual(['skyflow_id']);
  });

  it('tolerates unknown keys such as "index", "ID" and "parentSchemaProperties" and leaves them out', () => {
    const { wire, model } = parseVaultSchema({
      schemas: [
        {
          name: 'accounts',
          ID: 'f2e5',
          parentSchemaProperties: null,
          fields: [{ name: 'a', datatype: 'DT_STRING', index: 0, ID: 'c1', tags: [] }],
        },
      ],
    });
    expect(wire.schemas[0]?.fields[1]).toEqual({ name: 'a', datatype: 'DT_STRING', isArray: false, tags: [] });
    expect(wire.schemas[0]).not.toHaveProperty('ID');
    expect(column(model, 'accounts', 'a').unique).toBe(false);
  });

  it('makes a column unique for "isUnique": true, but not for false or null', () => {
    const { model } = parseVaultSchema(
      vault(
        { name: 'a', datatype: 'DT_STRING', isUnique: true },
        { name: 'b', datatype: 'DT_STRING', isUnique: false },
        { name: 'c', datatype: 'DT_STRING', isUnique: null },
      ),
    );
    expect(['a', 'b', 'c'].map((n) => column(model, 'accounts', n).unique)).toEqual([true, false, false]);
  });

  it('keeps "isUnique": true in the stored wire form so the stored schema stays unique', () => {
    const { wire } = parseVaultSchema(vault({ name: 'a', datatype: 'DT_STRING', isUnique: true }));
    expect(wire.schemas[0]?.fields[1]).toEqual({
      name: 'a',
      datatype: 'DT_STRING',
      isArray: false,
      isUnique: true,
      tags: [],
    });
    expect(column(parseVaultSchema(wire).model, 'accounts', 'a').unique).toBe(true);
  });

  it('keeps properties objects', () => {
    const { wire } = parseVaultSchema({
      schemas: [
        {
          name: 'accounts',
          properties: { description: 'All accounts' },
          fields: [{ name: 'a', datatype: 'DT_STRING', properties: { description: 'A' } }],
        },
      ],
    });
    expect(wire.schemas[0]?.properties).toEqual({ description: 'All accounts' });
    expect(wire.schemas[0]?.fields[1]?.properties).toEqual({ description: 'A' });
  });
});

describe('how tags are read', () => {
  it('reads uniqueness from skyflow.options.unique and configuration tag UNIQUE', () => {
    const { model } = parseVaultSchema(
      vault(
        field('a', 'DT_STRING', tag(TAG.unique, 'true')),
        field('b', 'DT_STRING', tag(TAG.unique, 'false')),
        field('c', 'DT_INT32', tag(TAG.configurationTags, 'NULLABLE', 'UNIQUE')),
        field('d', 'DT_STRING', tag(TAG.configurationTags, 'NOT_NULL')),
        field('e', 'DT_STRING', tag(TAG.notNull, 'true')),
      ),
    );
    const get = (n: string) => column(model, 'accounts', n);
    expect(['a', 'b', 'c', 'd', 'e'].map((n) => get(n).unique)).toEqual([true, false, true, false, false]);
    expect(['a', 'b', 'c', 'd', 'e'].map((n) => get(n).notNull)).toEqual([false, false, false, true, true]);
  });

  it('defaults redaction to REDACT and leaves untokenized columns without a policy', () => {
    const { model } = parseVaultSchema(vault(field('a', 'DT_BOOL')));
    expect(column(model, 'accounts', 'a')).toMatchObject({
      redaction: 'REDACT',
      tokenPolicy: undefined,
      operations: [],
    });
  });

  it('gives transient tokens a ttl in minutes, sixty by default, up to 14 days', () => {
    const transient = (...ttl: string[]) =>
      field(
        `c${ttl.join('')}`,
        'DT_STRING',
        tag(TAG.tokenPolicy, 'NON_DETERMINISTIC_TRANSIENT_UUID'),
        ...(ttl.length ? [tag(TAG.ttl, ...ttl)] : []),
      );
    const { model } = parseVaultSchema(vault(transient(), transient('1'), transient('20160'), transient('15')));
    const ttl = (n: string) => column(model, 'accounts', n).tokenPolicy?.ttlSeconds;
    expect([ttl('c'), ttl('c1'), ttl('c20160'), ttl('c15')]).toEqual([3600, 60, 20160 * 60, 900]);
  });

  it('reads predefined values on DT_ENUM and DT_STRING columns, and numeric bounds', () => {
    const { model } = parseVaultSchema(
      vault(
        field('kind', 'DT_ENUM', tag(TAG.predefinedValues, 'gold', 'silver')),
        field('country', 'DT_STRING', tag(TAG.predefinedValues, 'US', 'FR')),
        field('age', 'DT_INT32', tag(TAG.minValue, '0'), tag(TAG.maxValue, '150')),
        field('rate', 'DT_FLOAT32', tag(TAG.minValue, '-1.5e2'), tag(TAG.maxValue, '.5')),
      ),
    );
    expect(column(model, 'accounts', 'kind').predefinedValues).toEqual(['gold', 'silver']);
    expect(column(model, 'accounts', 'country').predefinedValues).toEqual(['US', 'FR']);
    expect(column(model, 'accounts', 'age')).toMatchObject({ minValue: 0, maxValue: 150 });
    expect(column(model, 'accounts', 'rate')).toMatchObject({ minValue: -150, maxValue: 0.5 });
  });

  it('reads column groups and accepts columns across tables that tokenize, redact and validate alike', () => {
    const member = (name: string) =>
      field(
        name,
        'DT_STRING',
        tag(TAG.columnGroup, 'emails'),
        tag(TAG.tokenPolicy, 'DETERMINISTIC_UUID'),
        tag(TAG.validationRegex, '^.+@.+$'),
      );
    const { model } = parseVaultSchema({
      schemas: [
        { name: 'a', fields: [member('email')] },
        { name: 'b', fields: [member('contact')] },
      ],
    });
    expect(column(model, 'a', 'email').columnGroup).toBe('emails');
    expect(column(model, 'b', 'contact').columnGroup).toBe('emails');
  });

  it('accepts Skyflow-style dotted column group names', () => {
    const { model } = parseVaultSchema({
      schemas: [{ name: 't', fields: [field('state', 'DT_STRING', tag(TAG.columnGroup, 'persons.state'))] }],
    });
    expect(column(model, 't', 'state').columnGroup).toBe('persons.state');
  });

  it('accepts MASK without patterns, leaving the mask to the built-in one for the column', () => {
    const { model } = parseVaultSchema({
      schemas: [{ name: 't', fields: [field('card', 'DT_STRING', tag(TAG.redaction, 'MASK'))] }],
    });
    expect(column(model, 't', 'card')).toMatchObject({ redaction: 'MASK', mask: undefined });
  });

  it('counts an operation named twice once', () => {
    const { model } = parseVaultSchema(
      vault(field('a', 'DT_INT32', tag(TAG.operation, 'ORDER', 'ORDER', 'AGGREGATION'))),
    );
    expect(column(model, 'accounts', 'a').operations).toEqual(['ORDER', 'AGGREGATION']);
  });

  it('accepts a named group in a Go-style replace pattern', () => {
    const { model } = parseVaultSchema(
      vault(
        field(
          'a',
          'DT_STRING',
          tag(TAG.redaction, 'MASK'),
          tag(TAG.findPattern, '^.*(?P<last>[0-9]{4})$'),
          tag(TAG.replacePattern, '****${last}'),
        ),
      ),
    );
    expect(column(model, 'accounts', 'a').mask).toEqual({ find: '^.*(?P<last>[0-9]{4})$', replace: '****${last}' });
  });
});

describe('the wire form', () => {
  it('adds skyflow_id first, with the vault-managed tags, to every table', () => {
    const { wire } = parseVaultSchema({ schemas: [{ name: 'a', fields: [field('x', 'DT_STRING')] }, { name: 'b' }] });
    for (const table of wire.schemas) {
      expect(table.fields[0]).toEqual({
        name: 'skyflow_id',
        datatype: 'DT_STRING',
        isArray: false,
        tags: SYSTEM_ID_TAGS,
      });
    }
    expect(wire.schemas[0]?.fields.map((f) => f.name)).toEqual(['skyflow_id', 'x']);
  });

  it('does not duplicate a skyflow_id the schema declares, wherever it is declared', () => {
    const { wire, model } = parseVaultSchema(
      vault(
        field('x', 'DT_STRING'),
        field('skyflow_id', 'DT_STRING', tag(TAG.sensitivity, 'LOW')),
        field('y', 'DT_INT32'),
      ),
    );
    expect(wire.schemas[0]?.fields.map((f) => f.name)).toEqual(['skyflow_id', 'x', 'y']);
    expect(model.tables[0]?.columns.map((c) => c.name)).toEqual(['skyflow_id', 'x', 'y']);
  });

  it('is its own fixed point: parsing the wire form gives the same wire form and model', () => {
    for (const input of [DEMO_VAULT_SCHEMA, skyflowSample()]) {
      const first = parseVaultSchema(input);
      const second = parseVaultSchema(JSON.parse(JSON.stringify(first.wire)));
      expect(second.wire).toEqual(first.wire);
      expect(second.model).toEqual(first.model);
    }
  });

  it('does not share tag value arrays with the input', () => {
    const values = ['GDPR'];
    const { wire } = parseVaultSchema(vault(field('x', 'DT_STRING', { name: TAG.privacyLaw, values })));
    values.push('CCPA');
    expect(wire.schemas[0]?.fields[1]?.tags[0]?.values).toEqual(['GDPR']);
  });
});

describe('limits', () => {
  const tables = (n: number) => ({ schemas: Array.from({ length: n }, (_, i) => ({ name: `t${i}`, fields: [] })) });
  const columns = (n: number) => vault(...Array.from({ length: n }, (_, i) => field(`c${i}`, 'DT_STRING')));

  it(`accepts ${MAX_TABLES} tables and rejects ${MAX_TABLES + 1}`, () => {
    expect(parseVaultSchema(tables(MAX_TABLES)).model.tables).toHaveLength(MAX_TABLES);
    expectOneProblem(tables(MAX_TABLES + 1), 'vaultSchema.schemas', /at most 100 tables/);
  });

  it(`accepts ${MAX_COLUMNS} columns in a table and rejects ${MAX_COLUMNS + 1}`, () => {
    expect(parseVaultSchema(columns(MAX_COLUMNS)).model.tables[0]?.columns).toHaveLength(MAX_COLUMNS + 1);
    expectOneProblem(columns(MAX_COLUMNS + 1), 'vaultSchema.schemas[0].fields', /at most 200 columns per table/);
  });

  it('accepts names of 64 characters and rejects 65', () => {
    const long = `a${'b'.repeat(63)}`;
    expect(() => parseVaultSchema({ schemas: [{ name: long, fields: [field(long, 'DT_STRING')] }] })).not.toThrow();
    expectOneProblem({ schemas: [{ name: `${long}c` }] }, 'vaultSchema.schemas[0].name', /must match/);
    expectOneProblem(vault(field(`${long}c`, 'DT_STRING')), 'vaultSchema.schemas[0].fields[0].name', /must match/);
  });
});
