import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { DEMO_VAULT_SCHEMA } from '../demo-schema.js';
import {
  DATATYPES,
  type Datatype,
  type MaskPattern,
  OPERATIONS,
  TOKEN_POLICIES,
  type TokenPolicyType,
} from './model.js';
import { parseVaultSchema, SKYFLOW_ID } from './parse.js';
import { compilePattern, expandTemplate, parseTemplate, toRegExp } from './regex.js';
import { OPERATION_DATATYPES, REDACTION_DATATYPES, TAG, TOKEN_POLICY_DATATYPES, UNIQUE_DATATYPES } from './tags.js';

type Json = Record<string, unknown>;
type Tag = { name: string; values: string[] };

const tag = (name: string, ...values: string[]): Tag => ({ name, values });

function skyflowSample(): Json {
  return JSON.parse(readFileSync(new URL('./fixtures/skyflow-quickstart.json', import.meta.url), 'utf8')) as Json;
}

/** Stores and reloads a value the way the vault stores a schema (as JSON). */
const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Parses, stores, reparses: the wire form must be a fixed point and the model must survive storage. */
function expectFixedPoint(input: unknown): void {
  const first = parseVaultSchema(input);
  const second = parseVaultSchema(viaJson(first.wire));
  expect(second.wire).toEqual(first.wire);
  expect(second.model).toEqual(first.model);
  expect(parseVaultSchema(viaJson(second.wire)).wire).toEqual(first.wire);
  for (const table of first.wire.schemas) {
    expect(table.fields[0]?.name).toBe(SKYFLOW_ID);
    expect(table.fields.filter((f) => f.name === SKYFLOW_ID)).toHaveLength(1);
  }
}

// ---------------------------------------------------------------------------------------------------
// A small grammar of valid schemas

const RESERVED = ['query', 'tokenize', 'detokenize', 'files', 'select', 'from', 'where', 'join', 'table'];
const RESERVED_MORE = ['order', 'group', 'limit', 'offset', 'union', 'insert', 'update', 'delete'];
const tableName = fc
  .stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,15}$/)
  .filter((n) => ![...RESERVED, ...RESERVED_MORE].includes(n.toLowerCase()));
const columnName = fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/).filter((n) => n !== SKYFLOW_ID);

const FPT_REGEXES = ['^[0-9]{4}$', '^[a-z]{8}$', '^([0-9]{3})-([0-9]{4})$', '(?i)^[a-f0-9]{12}$'];
const MASKS: readonly [string, string][] = [
  ['(.).*(.{2})', '${1}***${2}'],
  ['.*([0-9]{4})', 'XXXXXX${1}'],
  ['^(?P<first>.)', '${first}***'],
  ['^(.).*?(.)?@(.+)', '$1******$2@$3'],
  ['x', 'y$$'],
];
const VALIDATIONS = ['^$|^[0-9]+$', '^.{0,10}$', '(?i)^abc', '^[\\s\\S]*$', '\\A[a-z]+\\z'];
const TEXTUAL: readonly Datatype[] = ['DT_STRING', 'DT_ENUM', 'DT_DATETIME', 'DT_DATE', 'DT_TIME'];
const NUMERIC: readonly Datatype[] = ['DT_INT32', 'DT_INT64', 'DT_FLOAT32', 'DT_FLOAT64'];
const none = fc.constant<Tag[]>([]);

function policyTags(dt: Datatype): fc.Arbitrary<Tag[]> {
  const policies = TOKEN_POLICIES.filter((p) => dt !== 'DT_FILE_TYPE' && TOKEN_POLICY_DATATYPES[p]?.includes(dt));
  if (policies.length === 0) return none;
  return fc
    .option(fc.constantFrom(...policies), { nil: undefined })
    .chain((p?: TokenPolicyType): fc.Arbitrary<Tag[]> => {
      if (p === undefined) return none;
      const head = tag(TAG.tokenPolicy, p);
      const regex = fc.constantFrom(...FPT_REGEXES).map((r) => tag(TAG.formatPreservingRegex, r));
      switch (p) {
        case 'FORMAT_PRESERVING_TOKEN':
          return regex.map((r) => [head, r]);
        case 'DETERMINISTIC_FPT':
        case 'NON_DETERMINISTIC_FPT':
          return fc.option(regex, { nil: undefined }).map((r) => (r ? [head, r] : [head]));
        case 'DETERMINISTIC_PRESERVE_RIGHT_4':
        case 'NON_DETERMINISTIC_PRESERVE_RIGHT_4':
          return fc
            .record(
              {
                prefix: fc.string({ maxLength: 32 }).map((v) => tag(TAG.tokenPrefix, v)),
                separator: fc.string({ maxLength: 32 }).map((v) => tag(TAG.tokenSeparator, v)),
                length: fc.integer({ min: 1, max: 128 }).map((n) => tag(TAG.tokenFixedLength, String(n))),
              },
              { requiredKeys: [] },
            )
            .map((children) => [head, ...Object.values(children)]);
        case 'NON_DETERMINISTIC_TRANSIENT_UUID':
          return fc
            .option(fc.integer({ min: 1, max: 20_160 }), { nil: undefined })
            .map((ttl) => (ttl === undefined ? [head] : [head, tag(TAG.ttl, String(ttl))]));
        default:
          return fc.constant([head]);
      }
    });
}

function redactionTags(dt: Datatype): fc.Arbitrary<Tag[]> {
  const redactions = (['REDACT', 'MASK', 'PLAIN_TEXT'] as const).filter((r) => REDACTION_DATATYPES[r]?.includes(dt));
  const mask = fc
    .constantFrom(...MASKS)
    .map(([find, replace]) => [tag(TAG.findPattern, find), tag(TAG.replacePattern, replace)]);
  return fc.option(fc.constantFrom(...redactions), { nil: undefined }).chain((r): fc.Arbitrary<Tag[]> => {
    const head = r === undefined ? [] : [tag(TAG.redaction, r)];
    if (r === 'MASK') return mask.map((m) => [...head, ...m]);
    // Mask patterns may sit beside another default (Skyflow's email sample: REDACT with patterns).
    if (TEXTUAL.includes(dt)) return fc.option(mask, { nil: undefined }).map((m) => [...head, ...(m ?? [])]);
    return fc.constant(head);
  });
}

interface GeneratedColumn {
  readonly field: Json;
  readonly unique: boolean;
}

function columnOf(table: string, name: string, dt: Datatype): fc.Arbitrary<GeneratedColumn> {
  const canBeUnique = UNIQUE_DATATYPES.includes(dt);
  const operations = OPERATIONS.filter((o) => OPERATION_DATATYPES[o]?.includes(dt));
  return fc
    .record({
      policy: policyTags(dt),
      redaction: redactionTags(dt),
      operations: fc.subarray([...operations]).map((ops) => (ops.length ? [tag(TAG.operation, ...ops)] : [])),
      unique: canBeUnique
        ? fc.constantFrom('none', 'tag-true', 'tag-false', 'config', 'isUnique')
        : fc.constant('none' as const),
      notNull: fc.option(fc.constantFrom('true', 'false'), { nil: undefined }),
      config: fc.subarray(['NULLABLE', 'NOT_NULL', 'META_DATA', 'INDEX']),
      validation: fc.subarray(VALIDATIONS).map((v) => (v.length ? [tag(TAG.validationRegex, ...v)] : [])),
      predefined: fc.uniqueArray(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 4 }),
      withPredefined: fc.boolean(),
      bounds: fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 1000 }), fc.nat(3)),
      group: fc.boolean(),
      info: fc.record(
        {
          display: fc.string().map((v) => tag(TAG.displayName, v)),
          description: fc.string().map((v) => tag(TAG.description, v)),
          dataType: fc.constantFrom('skyflow.Name', 'skyflow.SSN', 'custom').map((v) => tag(TAG.dataType, v)),
          sensitivity: fc.subarray(['HIGH', 'MEDIUM', 'LOW'], { minLength: 1 }).map((v) => tag(TAG.sensitivity, ...v)),
          law: fc.subarray(['GDPR', 'CCPA', 'HIPAA', 'GLBA']).map((v) => tag(TAG.privacyLaw, ...v)),
          identifiability: fc
            .constantFrom('HIGH_IDENTIFIABILITY', 'LOW_IDENTIFIABILITY')
            .map((v) => tag(TAG.identifiability, v)),
          pii: fc.subarray(['PII', 'PHI', 'PCI', 'NPI']).map((v) => tag(TAG.personalInformationType, ...v)),
          entity: fc.subarray(['name', 'ssn', 'email_address']).map((v) => tag(TAG.entity, ...v)),
          index: fc.constantFrom('true', 'false').map((v) => tag(TAG.index, v)),
        },
        { requiredKeys: [] },
      ),
      shape: fc.record(
        {
          isArray: fc.constantFrom(false, null),
          properties: fc.constantFrom(null, { description: 'about the column' }),
          index: fc.nat(10),
        },
        { requiredKeys: [] },
      ),
      order: fc.integer(),
    })
    .chain((g) => {
      const tags: Tag[] = [...g.policy, ...g.redaction, ...g.operations, ...g.validation, ...Object.values(g.info)];
      if (g.unique === 'tag-true') tags.push(tag(TAG.unique, 'true'));
      if (g.unique === 'tag-false') tags.push(tag(TAG.unique, 'false'));
      const config = g.unique === 'config' ? [...g.config, 'UNIQUE'] : g.config;
      if (config.length) tags.push(tag(TAG.configurationTags, ...config));
      if (g.notNull) tags.push(tag(TAG.notNull, g.notNull));
      if (dt === 'DT_ENUM' || (dt === 'DT_STRING' && g.withPredefined)) {
        tags.push(tag(TAG.predefinedValues, ...g.predefined));
      }
      if (NUMERIC.includes(dt)) {
        const [min, span, which] = g.bounds;
        if (which & 1) tags.push(tag(TAG.minValue, String(min)));
        if (which & 2) tags.push(tag(TAG.maxValue, String(min + span)));
      }
      // A group of its own (the length keeps table_column pairs apart): no cross-column constraints.
      if (g.group) tags.push(tag(TAG.columnGroup, `g${table.length}_${table}_${name}`));
      if (dt === 'DT_FILE_TYPE') tags.push(tag(TAG.fileType, 'blob'));
      return fc.shuffledSubarray(tags, { minLength: tags.length, maxLength: tags.length }).map(
        (shuffled): GeneratedColumn => ({
          field: {
            name,
            datatype: dt,
            ...g.shape,
            ...(g.unique === 'isUnique' && { isUnique: true }),
            tags: shuffled.length === 0 && g.order % 2 === 0 ? null : shuffled,
          },
          unique: g.unique === 'tag-true' || g.unique === 'config' || g.unique === 'isUnique',
        }),
      );
    });
}

const declaredSkyflowId = {
  name: SKYFLOW_ID,
  datatype: 'DT_STRING',
  tags: [
    tag(TAG.redaction, 'PLAIN_TEXT'),
    tag(TAG.operation, 'ALL_OP'),
    tag(TAG.sensitivity, 'LOW'),
    tag(TAG.dataType, 'skyflow.SkyflowID'),
  ],
};

const table = fc
  .record({
    name: tableName,
    columns: fc.uniqueArray(fc.tuple(columnName, fc.constantFrom(...DATATYPES)), {
      selector: ([n]) => n,
      maxLength: 8,
    }),
    declareId: fc.option(fc.nat(8), { nil: undefined }),
    extras: fc.record(
      {
        schemaTags: fc.constantFrom(null, [], [tag(TAG.displayName, 'Table'), tag(TAG.description, 'About it')]),
        childrenSchemas: fc.constantFrom(null, []),
        properties: fc.constantFrom(null, { description: 'a table' }),
      },
      { requiredKeys: [] },
    ),
  })
  .chain(({ name, columns, declareId, extras }) =>
    fc.tuple(...columns.map(([n, dt]) => columnOf(name, n, dt))).map((generated) => {
      const fields: Json[] = generated.map((g) => g.field);
      if (declareId !== undefined) fields.splice(Math.min(declareId, fields.length), 0, declaredSkyflowId);
      return { input: { name, fields, ...extras }, generated };
    }),
  );

const schema = fc
  .record({
    tables: fc.uniqueArray(table, { selector: (t) => t.input.name.toLowerCase(), minLength: 1, maxLength: 4 }),
    tags: fc.constantFrom(
      undefined,
      null,
      [],
      [tag('skyflow.options.display_name', 'Vault'), tag('skyflow.options.query_interface', 'REST', 'SQL')],
    ),
  })
  .map(({ tables, tags }) => ({
    input: { schemas: tables.map((t) => t.input), ...(tags !== undefined && { tags }) },
    generated: tables,
  }));

// ---------------------------------------------------------------------------------------------------

describe('parsing generated valid schemas', () => {
  it('accepts every schema of the grammar and reads datatypes and uniqueness from it', () => {
    fc.assert(
      fc.property(schema, ({ input, generated }) => {
        const { model } = parseVaultSchema(input);
        expect(model.tables.map((t) => t.name)).toEqual(generated.map((t) => t.input.name));
        for (const [i, t] of generated.entries()) {
          const columns = model.tables[i]?.columns ?? [];
          expect(columns.map((c) => c.name)).toEqual([SKYFLOW_ID, ...t.generated.map((g) => g.field.name)]);
          for (const [j, g] of t.generated.entries()) {
            expect(columns[j + 1]?.datatype).toBe(g.field.datatype);
            expect(columns[j + 1]?.unique).toBe(g.unique);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives a wire form that is a fixed point of parsing, through JSON storage', () => {
    fc.assert(
      fc.property(schema, ({ input }) => expectFixedPoint(input)),
      { numRuns: 150 },
    );
  });

  it("gives the same result whatever the order of a column's tags", () => {
    fc.assert(
      fc.property(schema, ({ input }) => {
        const reversed = viaJson(input) as { schemas: { fields: { tags?: unknown[] | null }[] }[] };
        for (const t of reversed.schemas) for (const f of t.fields) if (Array.isArray(f.tags)) f.tags.reverse();
        expect(parseVaultSchema(reversed).model).toEqual(parseVaultSchema(input).model);
      }),
      { numRuns: 100 },
    );
  });
});

describe('the demo and sample schemas', () => {
  it('are fixed points of parsing', () => {
    expectFixedPoint(DEMO_VAULT_SCHEMA);
    expectFixedPoint(skyflowSample());
  });

  it('stay valid and fixed points when tables and fields are dropped and nulls stand in for absent keys', () => {
    const sample = skyflowSample() as { schemas: Json[] };
    const demo = viaJson(DEMO_VAULT_SCHEMA) as unknown as { schemas: Json[] };
    const tables = [...sample.schemas, ...demo.schemas].map((t) => t as { name: string; fields: Json[] });
    fc.assert(
      fc.property(
        fc
          .subarray(tables, { minLength: 1 })
          .filter((ts) => new Set(ts.map((t) => t.name.toLowerCase())).size === ts.length),
        fc.infiniteStream(fc.boolean()),
        fc.infiniteStream(fc.boolean()),
        (chosen, keep, nullify) => {
          const schemas = chosen.map((t) => ({
            name: t.name,
            fields: t.fields
              .filter(() => keep.next().value)
              .map((f) => ({ ...f, ...(nullify.next().value && { isArray: null, properties: null }) })),
            ...(nullify.next().value ? { childrenSchemas: null, schemaTags: null } : {}),
          }));
          expectFixedPoint({ schemas, tags: nullify.next().value ? null : [] });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('parsing arbitrary input', () => {
  const anyTagName = fc.oneof(fc.constantFrom(...Object.values(TAG)), fc.string());
  const anyTag = fc.record({
    name: fc.oneof(anyTagName, fc.anything()),
    values: fc.oneof(
      fc.array(fc.oneof(fc.string(), fc.constantFrom('true', '60', 'MASK', '(', 'DT_STRING'))),
      fc.anything(),
    ),
  });
  const anyField = fc.record(
    {
      name: fc.oneof(columnName, fc.string(), fc.anything()),
      datatype: fc.oneof(fc.constantFrom(...DATATYPES), fc.string(), fc.anything()),
      isArray: fc.anything(),
      isUnique: fc.anything(),
      tags: fc.oneof(fc.array(anyTag, { maxLength: 6 }), fc.anything()),
    },
    { requiredKeys: ['name', 'datatype'] },
  );
  const nearlyValid = fc.record(
    {
      schemas: fc.array(
        fc.record(
          {
            name: fc.oneof(tableName, fc.string(), fc.anything()),
            fields: fc.oneof(fc.array(anyField, { maxLength: 5 }), fc.anything()),
            schemaTags: fc.oneof(fc.array(anyTag, { maxLength: 3 }), fc.anything()),
            childrenSchemas: fc.anything(),
          },
          { requiredKeys: ['name'] },
        ),
        { maxLength: 3 },
      ),
      tags: fc.oneof(fc.array(anyTag, { maxLength: 3 }), fc.anything()),
    },
    { requiredKeys: ['schemas'] },
  );

  it('either parses or fails with a 400 naming a path, never with another error', () => {
    fc.assert(
      fc.property(fc.oneof(nearlyValid, fc.anything(), fc.jsonValue()), (input) => {
        try {
          const { wire } = parseVaultSchema(input);
          expect(parseVaultSchema(viaJson(wire)).wire).toEqual(wire);
        } catch (err) {
          expect(err).toBeInstanceOf(AppError);
          const e = err as AppError;
          expect(e.code).toBe('BAD_REQUEST');
          expect(e.message).toMatch(/^Invalid vault schema: vaultSchema\S*( \(".*"\))?: /);
          expect(e.details.length).toBeGreaterThan(0);
          expect(e.details.length).toBeLessThanOrEqual(25);
        }
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------

/** Masks a value as the vault shows it with MASKED: the whole value must match the find pattern. */
function applyMask(mask: MaskPattern, value: string): string | undefined {
  const match = toRegExp(compilePattern(mask.find)).exec(value);
  if (!match || match[0] !== value) return undefined;
  return expandTemplate(parseTemplate(mask.replace), match);
}

describe('the demo masks', () => {
  const { model } = parseVaultSchema(DEMO_VAULT_SCHEMA);
  const persons = model.tablesByName.get('persons');
  const columnsOf = (name: string) => {
    const c = persons?.columnsByName.get(name);
    if (!c?.mask) throw new Error(`${name} has no mask`);
    return c as typeof c & { mask: MaskPattern };
  };

  it.each(['email', 'ssn', 'card_number', 'phone_number'])('mask every value the %s column accepts', (name) => {
    const column = columnsOf(name);
    const accepted = fc
      .oneof(...column.validation.map((source) => fc.stringMatching(toRegExp(compilePattern(source)))))
      .filter((v) => v !== '' && column.validation.every((s) => toRegExp(compilePattern(s)).test(v)));
    fc.assert(
      fc.property(accepted, (value) => {
        const masked = applyMask(column.mask, value);
        expect(masked, value).toBeDefined();
        expect(masked).not.toBe(value);
      }),
      { numRuns: 300 },
    );
  });

  it('mask every date of birth', () => {
    const column = columnsOf('date_of_birth');
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }), (d) => {
        const value = d.toISOString().slice(0, 10);
        expect(applyMask(column.mask, value)).toBe(`XXXX-${value.slice(5)}`);
      }),
    );
  });

  it('mask every non-empty name, showing the last two characters only when two more stay hidden', () => {
    const column = columnsOf('name');
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom('a', 'B', ' ', '-', '\n', 'é') }),
        (value) => {
          const tail = value.length >= 5 ? value.slice(-2) : '';
          expect(applyMask(column.mask, value)).toBe(`${value[0]}***${tail}`);
        },
      ),
    );
  });
});
