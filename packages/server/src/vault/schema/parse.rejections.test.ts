import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { MAX_PROBLEMS, parseVaultSchema } from './parse.js';
import { TAG } from './tags.js';

// ---------------------------------------------------------------------------------------------------
// Helpers

type Json = Record<string, unknown>;
type Tag = { name: string; values: string[] };

const tag = (name: string, ...values: string[]): Tag => ({ name, values });
const field = (name: string, datatype: string, ...tags: Tag[]): Json => ({ name, datatype, tags });
/** A one-table schema (`accounts`). */
const vault = (...fields: Json[]): Json => ({ schemas: [{ name: 'accounts', fields }] });
/** A schema whose only column is `x` of `datatype` with `tags`. */
const one = (datatype: string, ...tags: Tag[]): Json => vault(field('x', datatype, ...tags));
/** The path (and name) that field problems are reported under. */
const X = 'vaultSchema.schemas[0].fields[0] ("accounts.x")';
const ID = 'vaultSchema.schemas[0].fields[0] ("accounts.skyflow_id")';

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
function expectOneProblem(input: unknown, path: string, problem: RegExp): void {
  const err = rejection(input);
  expect(err.code).toBe('BAD_REQUEST');
  expect(err.httpCode).toBe(400);
  expect(err.details, JSON.stringify(err.details)).toHaveLength(1);
  expect(err.details[0]).toEqual({ field: path, problem: expect.stringMatching(problem) });
  expect(err.message).toBe(`Invalid vault schema: ${path}: ${(err.details[0] as { problem: string }).problem}`);
}

type Case = readonly [behaviour: string, input: unknown, path: string, problem: RegExp];

function cases(list: readonly Case[]): void {
  it.each(list)('rejects %s', (_, input, path, problem) => expectOneProblem(input, path, problem));
}

const policy = (value: string) => tag(TAG.tokenPolicy, value);

// ---------------------------------------------------------------------------------------------------

describe('rejecting the shape', () => {
  cases([
    ['a schema that is not an object', null, 'vaultSchema', /expected object/],
    ['a schema without schemas', { tags: [] }, 'vaultSchema.schemas', /expected array/],
    ['a vault without tables', { schemas: [] }, 'vaultSchema.schemas', /a vault needs at least one table/],
    ['a table without a name', { schemas: [{ fields: [] }] }, 'vaultSchema.schemas[0].name', /expected string/],
    [
      'a field without a datatype',
      vault({ name: 'x' }),
      'vaultSchema.schemas[0].fields[0].datatype',
      /expected string/,
    ],
    [
      'tag values that are not strings',
      vault({ name: 'x', datatype: 'DT_INT32', tags: [{ name: TAG.unique, values: [true] }] }),
      'vaultSchema.schemas[0].fields[0].tags[0].values[0]',
      /expected string/,
    ],
    [
      'an isArray that is not a boolean',
      vault({ name: 'x', datatype: 'DT_INT32', isArray: 'no' }),
      'vaultSchema.schemas[0].fields[0].isArray',
      /expected boolean/,
    ],
  ]);
});

describe('rejecting table names', () => {
  cases([
    [
      'a table name with a hyphen',
      { schemas: [{ name: 'credit-cards' }] },
      'vaultSchema.schemas[0].name',
      /table name "credit-cards" must match/,
    ],
    [
      'a table name with a leading digit',
      { schemas: [{ name: '1cards' }] },
      'vaultSchema.schemas[0].name',
      /table name "1cards" must match/,
    ],
    ['an empty table name', { schemas: [{ name: '' }] }, 'vaultSchema.schemas[0].name', /table name "" must match/],
    ['a table name with a space', { schemas: [{ name: 'my cards' }] }, 'vaultSchema.schemas[0].name', /must match/],
    ...['query', 'tokenize', 'detokenize', 'files', 'select', 'from', 'Query', 'SELECT'].map(
      (name): Case => [
        `the reserved table name ${name}`,
        { schemas: [{ name }] },
        'vaultSchema.schemas[0].name',
        new RegExp(`table name "${name}" is reserved`),
      ],
    ),
    [
      'duplicate table names, compared ignoring case',
      { schemas: [{ name: 'Cards' }, { name: 'cards' }] },
      'vaultSchema.schemas[1].name',
      /duplicate table name "cards"/,
    ],
    [
      'non-empty childrenSchemas',
      { schemas: [{ name: 'cards', childrenSchemas: [{ name: 'phones', fields: [] }] }] },
      'vaultSchema.schemas[0].childrenSchemas',
      /embedded child tables are not supported/,
    ],
  ]);
});

describe('rejecting columns', () => {
  cases([
    [
      'an uppercase column name',
      vault(field('Email', 'DT_STRING')),
      'vaultSchema.schemas[0].fields[0].name',
      /column name "Email" must match/,
    ],
    [
      'a column name with a leading digit',
      vault(field('1email', 'DT_STRING')),
      'vaultSchema.schemas[0].fields[0].name',
      /column name "1email" must match/,
    ],
    [
      'a column name with a hyphen',
      vault(field('e-mail', 'DT_STRING')),
      'vaultSchema.schemas[0].fields[0].name',
      /column name "e-mail" must match/,
    ],
    ['an empty column name', vault(field('', 'DT_STRING')), 'vaultSchema.schemas[0].fields[0].name', /must match/],
    [
      'duplicate columns',
      vault(field('email', 'DT_STRING'), field('email', 'DT_INT32')),
      'vaultSchema.schemas[0].fields[1].name',
      /duplicate column "email" in table "accounts"/,
    ],
    ['an unknown datatype', one('DT_STRANG'), X, /unknown datatype "DT_STRANG"; use one of DT_STRING/],
    ['DT_INVALID', one('DT_INVALID'), X, /unknown datatype "DT_INVALID"/],
    ['a lowercase datatype', one('string'), X, /unknown datatype "string"/],
    [
      'an array column',
      vault({ name: 'x', datatype: 'DT_STRING', isArray: true }),
      X,
      /array columns \(isArray: true\) are not supported/,
    ],
  ]);
});

describe('rejecting tag names and counts', () => {
  cases([
    [
      'an unknown field tag',
      one('DT_STRING', tag('skyflow.options.colour', 'red')),
      X,
      /unknown tag "skyflow.options.colour"/,
    ],
    [
      'an unknown table tag',
      { schemas: [{ name: 'cards', schemaTags: [tag(TAG.sensitivity, 'HIGH')] }] },
      'vaultSchema.schemas[0].schemaTags[0]',
      /unknown table tag "skyflow.options.sensitivity"/,
    ],
    [
      'an unknown vault tag',
      { schemas: [{ name: 'cards' }], tags: [tag('skyflow.options.region', 'eu')] },
      'vaultSchema.tags[0]',
      /unknown vault tag "skyflow.options.region"/,
    ],
    [
      'a tag given twice on a field',
      one('DT_STRING', tag(TAG.displayName, 'X'), tag(TAG.displayName, 'Y')),
      'vaultSchema.schemas[0].fields[0].tags[1]',
      /tag "skyflow.options.display_name" appears more than once/,
    ],
    [
      'a tag given twice on a table',
      { schemas: [{ name: 'cards', schemaTags: [tag(TAG.description, 'a'), tag(TAG.description, 'b')] }] },
      'vaultSchema.schemas[0].schemaTags[1]',
      /appears more than once/,
    ],
    [
      'a tag given twice on the vault',
      { schemas: [{ name: 'cards' }], tags: [tag(TAG.displayName, 'a'), tag(TAG.displayName, 'b')] },
      'vaultSchema.tags[1]',
      /appears more than once/,
    ],
    [
      'a token policy without a value',
      one('DT_STRING', tag(TAG.tokenPolicy)),
      X,
      /tag skyflow.options.default_token_policy takes exactly one value, got 0/,
    ],
    [
      'a token policy with two values',
      one('DT_STRING', tag(TAG.tokenPolicy, 'DETERMINISTIC_UUID', 'RANDOM_TOKEN')),
      X,
      /default_token_policy takes exactly one value, got 2/,
    ],
    [
      'a redaction with two values',
      one('DT_STRING', tag(TAG.redaction, 'REDACT', 'PLAIN_TEXT')),
      X,
      /default_dlp_policy takes exactly one value, got 2/,
    ],
    [
      'a unique tag without a value',
      one('DT_STRING', tag(TAG.unique)),
      X,
      /skyflow.options.unique takes exactly one value, got 0/,
    ],
    [
      'a display name with two values',
      one('DT_STRING', tag(TAG.displayName, 'A', 'B')),
      X,
      /display_name takes exactly one value, got 2/,
    ],
    ['a data type with no value', one('DT_STRING', tag(TAG.dataType)), X, /data_type takes exactly one value, got 0/],
    [
      'a table display name with two values',
      { schemas: [{ name: 'cards', schemaTags: [tag(TAG.displayName, 'A', 'B')] }] },
      'vaultSchema.schemas[0].schemaTags[0]',
      /display_name takes exactly one value, got 2/,
    ],
    [
      'a column group with two values',
      one('DT_STRING', tag(TAG.columnGroup, 'a', 'b')),
      X,
      /column_group takes exactly one value, got 2/,
    ],
  ]);
});

describe('rejecting token policies', () => {
  cases([
    [
      'an unknown token policy',
      one('DT_STRING', policy('SUPER_TOKEN')),
      X,
      /unknown skyflow.options.default_token_policy "SUPER_TOKEN"/,
    ],
    [
      'DETERMINISTIC_PRESERVE_LEFT_6_RIGHT_4 on DT_INT32',
      one('DT_INT32', policy('DETERMINISTIC_PRESERVE_LEFT_6_RIGHT_4')),
      X,
      /token policy DETERMINISTIC_PRESERVE_LEFT_6_RIGHT_4 cannot be used on a DT_INT32 column/,
    ],
    [
      'DETERMINISTIC_FPT on DT_BOOL',
      one('DT_BOOL', policy('DETERMINISTIC_FPT')),
      X,
      /DETERMINISTIC_FPT cannot be used on a DT_BOOL column/,
    ],
    [
      'NON_DETERMINISTIC_FPT on DT_INT32',
      one('DT_INT32', policy('NON_DETERMINISTIC_FPT')),
      X,
      /cannot be used on a DT_INT32 column/,
    ],
    [
      'DETERMINISTIC_UUID on DT_EMBEDDED',
      one('DT_EMBEDDED', policy('DETERMINISTIC_UUID')),
      X,
      /DETERMINISTIC_UUID cannot be used on a DT_EMBEDDED column/,
    ],
    [
      'PRESERVE_EMAIL_DOMAIN on DT_DATE',
      one('DT_DATE', policy('DETERMINISTIC_PRESERVE_EMAIL_DOMAIN')),
      X,
      /cannot be used on a DT_DATE column/,
    ],
    [
      'a tokenized file column',
      one('DT_FILE_TYPE', policy('NON_DETERMINISTIC_UUID')),
      X,
      /file columns cannot be tokenized/,
    ],
    [
      'FORMAT_PRESERVING_TOKEN without a regex',
      one('DT_STRING', policy('FORMAT_PRESERVING_TOKEN')),
      X,
      /FORMAT_PRESERVING_TOKEN needs a skyflow.options.format_preserving_regex tag/,
    ],
    [
      'a format-preserving regex with a non-FPT policy',
      one('DT_STRING', policy('DETERMINISTIC_UUID'), tag(TAG.formatPreservingRegex, '^[0-9]{4}$')),
      X,
      /format_preserving_regex only applies to format-preserving token policies/,
    ],
    [
      'a format-preserving regex without a token policy',
      one('DT_STRING', tag(TAG.formatPreservingRegex, '^[0-9]{4}$')),
      X,
      /format_preserving_regex needs a skyflow.options.default_token_policy tag/,
    ],
    [
      'an invalid format-preserving regex, naming the reason',
      one('DT_STRING', policy('DETERMINISTIC_FPT'), tag(TAG.formatPreservingRegex, '^([0-9]{4}$')),
      X,
      /format_preserving_regex is not a valid regular expression: missing closing \)$/,
    ],
    [
      'the ungreedy flag in a format-preserving regex',
      one('DT_STRING', policy('DETERMINISTIC_FPT'), tag(TAG.formatPreservingRegex, '(?U)a+')),
      X,
      /not a valid regular expression: the ungreedy flag/,
    ],
    ...[TAG.tokenPrefix, TAG.tokenSeparator].map(
      (name): Case => [
        `${name} with a policy other than PRESERVE_RIGHT_4`,
        one('DT_STRING', policy('DETERMINISTIC_UUID'), tag(name, 'x')),
        X,
        new RegExp(`${name} only applies to the PRESERVE_RIGHT_4 token policies`),
      ],
    ),
    [
      'token_fixed_length with a policy other than PRESERVE_RIGHT_4',
      one('DT_STRING', policy('DETERMINISTIC_FPT'), tag(TAG.tokenFixedLength, '12')),
      X,
      /token_fixed_length only applies to the PRESERVE_RIGHT_4 token policies/,
    ],
    [
      'a token prefix without a token policy',
      one('DT_STRING', tag(TAG.tokenPrefix, '99')),
      X,
      /token_prefix needs a skyflow.options.default_token_policy tag/,
    ],
    [
      'a token prefix longer than 32 characters',
      one('DT_STRING', policy('NON_DETERMINISTIC_PRESERVE_RIGHT_4'), tag(TAG.tokenPrefix, 'p'.repeat(33))),
      X,
      /token_prefix is longer than 32 characters/,
    ],
    ...['0', '129', '-1', '1.5', 'twelve', '', ' 12'].map(
      (v): Case => [
        `a token fixed length of "${v}"`,
        one('DT_STRING', policy('DETERMINISTIC_PRESERVE_RIGHT_4'), tag(TAG.tokenFixedLength, v)),
        X,
        /token_fixed_length must be a whole number from 1 to 128/,
      ],
    ),
    [
      'a ttl with a policy other than transient',
      one('DT_STRING', policy('NON_DETERMINISTIC_UUID'), tag(TAG.ttl, '60')),
      X,
      /skyflow.options.ttl only applies to NON_DETERMINISTIC_TRANSIENT_UUID/,
    ],
    [
      'a ttl without a token policy',
      one('DT_STRING', tag(TAG.ttl, '60')),
      X,
      /ttl needs a skyflow.options.default_token_policy tag/,
    ],
    ...['0', '20161', '-5', '1.5', 'sixty', '99999999999999999999'].map(
      (v): Case => [
        `a ttl of "${v}"`,
        one('DT_STRING', policy('NON_DETERMINISTIC_TRANSIENT_UUID'), tag(TAG.ttl, v)),
        X,
        /skyflow.options.ttl must be a whole number of minutes from 1 to 20160/,
      ],
    ),
    [
      'a ttl with two values',
      one('DT_STRING', policy('NON_DETERMINISTIC_TRANSIENT_UUID'), tag(TAG.ttl, '5', '6')),
      X,
      /ttl takes exactly one value, got 2/,
    ],
  ]);
});

describe('rejecting redaction and masks', () => {
  const mask = (find: string, replace: string) => [tag(TAG.findPattern, find), tag(TAG.replacePattern, replace)];
  cases([
    [
      'an unknown redaction',
      one('DT_STRING', tag(TAG.redaction, 'HIDE')),
      X,
      /unknown skyflow.options.default_dlp_policy "HIDE"; use REDACT, MASK or PLAIN_TEXT/,
    ],
    [
      'MASK on DT_INT32',
      one('DT_INT32', tag(TAG.redaction, 'MASK'), ...mask('(.*)', '$1')),
      X,
      /redaction MASK cannot be used on a DT_INT32 column/,
    ],
    [
      'MASK on DT_BOOL',
      one('DT_BOOL', tag(TAG.redaction, 'MASK'), ...mask('(.*)', '$1')),
      X,
      /redaction MASK cannot be used on a DT_BOOL column/,
    ],
    [
      'MASK on a file column',
      one('DT_FILE_TYPE', tag(TAG.redaction, 'MASK'), ...mask('(.*)', '$1')),
      X,
      /cannot be used on a DT_FILE_TYPE column/,
    ],
    [
      'a find pattern without a replace pattern',
      one('DT_STRING', tag(TAG.redaction, 'MASK'), tag(TAG.findPattern, '(.*)')),
      X,
      /find_pattern and skyflow.options.replace_pattern must be given together/,
    ],
    [
      'a replace pattern without a find pattern',
      one('DT_STRING', tag(TAG.replacePattern, 'X')),
      X,
      /must be given together/,
    ],
    [
      'an invalid find pattern',
      one('DT_STRING', tag(TAG.redaction, 'MASK'), ...mask('[0-9', 'X')),
      X,
      /skyflow.options.find_pattern is not a valid regular expression: /,
    ],
    [
      'a replace pattern that refers to a missing numbered group',
      one('DT_STRING', tag(TAG.redaction, 'MASK'), ...mask('.*([0-9]{4})', 'XXXX${2}')),
      X,
      /replace_pattern refers to group 2; the find pattern has 1/,
    ],
    [
      'a replace pattern that refers to a missing named group',
      one('DT_STRING', tag(TAG.redaction, 'MASK'), ...mask('.*(?P<last>[0-9]{4})', '${first}')),
      X,
      /replace_pattern refers to group "first", which the find pattern lacks/,
    ],
    [
      'a Go-style $1x reference, which names group "1x"',
      one('DT_STRING', tag(TAG.redaction, 'MASK'), ...mask('(.)', '$1x')),
      X,
      /refers to group "1x"/,
    ],
  ]);
});

describe('rejecting constraints, groups, operations and validation', () => {
  const group = (dt: string, ...tags: Tag[]) => field('x', dt, tag(TAG.columnGroup, 'shared'), ...tags);
  const twoTables = (a: Json, b: Json) => ({
    schemas: [
      { name: 'first', fields: [a] },
      { name: 'second', fields: [b] },
    ],
  });
  const Y = 'vaultSchema.schemas[1].fields[0] ("second.x")';
  cases([
    ['unique on DT_BOOL', one('DT_BOOL', tag(TAG.unique, 'true')), X, /a DT_BOOL column cannot be unique/],
    ['unique on DT_EMBEDDED', one('DT_EMBEDDED', tag(TAG.unique, 'true')), X, /a DT_EMBEDDED column cannot be unique/],
    [
      'configuration tag UNIQUE on DT_ENUM',
      one('DT_ENUM', tag(TAG.predefinedValues, 'a'), tag(TAG.configurationTags, 'UNIQUE')),
      X,
      /a DT_ENUM column cannot be unique/,
    ],
    [
      '"isUnique": true on DT_BOOL',
      vault({ name: 'x', datatype: 'DT_BOOL', isUnique: true }),
      X,
      /a DT_BOOL column cannot be unique/,
    ],
    [
      'a unique value other than true or false',
      one('DT_STRING', tag(TAG.unique, 'yes')),
      X,
      /skyflow.options.unique must be "true" or "false"/,
    ],
    [
      'a not-null value other than true or false',
      one('DT_STRING', tag(TAG.notNull, 'maybe')),
      X,
      /not_null must be "true" or "false"/,
    ],
    [
      'an unknown configuration tag',
      one('DT_STRING', tag(TAG.configurationTags, 'UNIQUES')),
      X,
      /unknown skyflow.options.configuration_tags value "UNIQUES"/,
    ],
    ...['1group', 'my-group', '.persons', ''].map(
      (name): Case => [
        `the column group name "${name}"`,
        one('DT_STRING', tag(TAG.columnGroup, name)),
        X,
        new RegExp(`column_group "${name.replace('.', '\\.')}" must match`),
      ],
    ),
    [
      'a column group mixing datatypes across tables',
      twoTables(group('DT_STRING'), group('DT_INT32')),
      Y,
      /column group "shared" mixes columns of different datatypes \(first\.x and second\.x\)/,
    ],
    [
      'a column group mixing token policies across tables',
      twoTables(group('DT_STRING', policy('DETERMINISTIC_UUID')), group('DT_STRING', policy('DETERMINISTIC_FPT'))),
      Y,
      /column group "shared" mixes columns of different token policies \(first\.x and second\.x\)/,
    ],
    [
      'a column group mixing a tokenized and an untokenized column',
      twoTables(group('DT_STRING', policy('DETERMINISTIC_UUID')), group('DT_STRING')),
      Y,
      /mixes columns of different token policies/,
    ],
    [
      'a column group mixing format-preserving regexes',
      twoTables(
        group('DT_STRING', policy('DETERMINISTIC_FPT'), tag(TAG.formatPreservingRegex, '^[0-9]{4}$')),
        group('DT_STRING', policy('DETERMINISTIC_FPT'), tag(TAG.formatPreservingRegex, '^[0-9]{6}$')),
      ),
      Y,
      /mixes columns of different token policies/,
    ],
    [
      'a column group mixing redactions',
      twoTables(group('DT_STRING', tag(TAG.redaction, 'REDACT')), group('DT_STRING', tag(TAG.redaction, 'PLAIN_TEXT'))),
      Y,
      /mixes columns of different redactions/,
    ],
    [
      'a column group mixing validation patterns',
      twoTables(group('DT_STRING', tag(TAG.validationRegex, '^a')), group('DT_STRING', tag(TAG.validationRegex, '^b'))),
      Y,
      /mixes columns of different validation patterns/,
    ],
    [
      'an unknown operation',
      one('DT_STRING', tag(TAG.operation, 'FULL_SCAN')),
      X,
      /unknown skyflow.options.operation "FULL_SCAN"; use EXACT_MATCH, AGGREGATION, ORDER, ALL_OP/,
    ],
    [
      'ORDER on DT_STRING',
      one('DT_STRING', tag(TAG.operation, 'EXACT_MATCH', 'ORDER')),
      X,
      /operation ORDER cannot be used on a DT_STRING column/,
    ],
    [
      'AGGREGATION on DT_DATE',
      one('DT_DATE', tag(TAG.operation, 'AGGREGATION')),
      X,
      /operation AGGREGATION cannot be used on a DT_DATE column/,
    ],
    [
      'EXACT_MATCH on DT_EMBEDDED',
      one('DT_EMBEDDED', tag(TAG.operation, 'EXACT_MATCH')),
      X,
      /operation EXACT_MATCH cannot be used on a DT_EMBEDDED column/,
    ],
    [
      'an invalid validation regex',
      one('DT_STRING', tag(TAG.validationRegex, '^$|^[0-9]{3,4}$', '[a-')),
      X,
      /skyflow.validation.regular_exp "\[a-" is not a valid regular expression: missing closing ]$/,
    ],
    [
      'predefined values on DT_INT32',
      one('DT_INT32', tag(TAG.predefinedValues, '1')),
      X,
      /predefinedvalues applies to DT_ENUM and DT_STRING columns/,
    ],
    [
      'empty predefined values',
      one('DT_ENUM', tag(TAG.predefinedValues)),
      X,
      /predefinedvalues needs at least one value/,
    ],
    [
      'DT_ENUM without predefined values',
      one('DT_ENUM'),
      X,
      /a DT_ENUM column needs a skyflow.validation.predefinedvalues tag/,
    ],
    [
      'minValue on DT_STRING',
      one('DT_STRING', tag(TAG.minValue, '1')),
      X,
      /skyflow.validation.minValue applies to numeric columns only/,
    ],
    [
      'maxValue on DT_DATE',
      one('DT_DATE', tag(TAG.maxValue, '1')),
      X,
      /skyflow.validation.maxValue applies to numeric columns only/,
    ],
    ...['abc', '0x10', '', 'Infinity', '1e999', ' 5', '1,5'].map(
      (v): Case => [
        `a minValue of "${v}"`,
        one('DT_INT32', tag(TAG.minValue, v)),
        X,
        /skyflow.validation.minValue must be a decimal number/,
      ],
    ),
    [
      'minValue greater than maxValue',
      one('DT_FLOAT32', tag(TAG.minValue, '10'), tag(TAG.maxValue, '1.5')),
      X,
      /skyflow.validation.minValue is greater than skyflow.validation.maxValue/,
    ],
  ]);
});

describe('rejecting informational tags', () => {
  cases([
    [
      'the sensitivity "SUPER"',
      one('DT_STRING', tag(TAG.sensitivity, 'SUPER')),
      X,
      /tag skyflow.options.sensitivity does not take "SUPER"; use one of HIGH, MEDIUM, LOW/,
    ],
    [
      'an unknown privacy law among known ones',
      one('DT_STRING', tag(TAG.privacyLaw, 'GDPR', 'XYZ')),
      X,
      /privacy_law does not take "XYZ"/,
    ],
    [
      'an unknown identifiability',
      one('DT_STRING', tag(TAG.identifiability, 'HIGH')),
      X,
      /identifiability does not take "HIGH"/,
    ],
    [
      'an unknown personal information type',
      one('DT_STRING', tag(TAG.personalInformationType, 'pii')),
      X,
      /personal_information_type does not take "pii"/,
    ],
    [
      'an index value other than true or false',
      one('DT_STRING', tag(TAG.index, 'yes')),
      X,
      /skyflow.options.index does not take "yes"/,
    ],
  ]);
});

describe('rejecting a declared skyflow_id that differs from the vault-managed one', () => {
  const id = (datatype: string, ...tags: Tag[]) => vault(field('skyflow_id', datatype, ...tags));
  cases([
    ['skyflow_id as DT_INT32', id('DT_INT32'), ID, /skyflow_id is managed by the vault and must be DT_STRING/],
    [
      'skyflow_id with a token policy',
      id('DT_STRING', policy('DETERMINISTIC_UUID')),
      ID,
      /tag "skyflow.options.default_token_policy" cannot be set on it/,
    ],
    [
      'skyflow_id with a mask',
      id('DT_STRING', tag(TAG.findPattern, '(.)')),
      ID,
      /tag "skyflow.options.find_pattern" cannot be set on it/,
    ],
    [
      'skyflow_id with REDACT',
      id('DT_STRING', tag(TAG.redaction, 'REDACT')),
      ID,
      /default_dlp_policy must be PLAIN_TEXT/,
    ],
    [
      'skyflow_id with EXACT_MATCH only',
      id('DT_STRING', tag(TAG.operation, 'EXACT_MATCH')),
      ID,
      /operation must be ALL_OP/,
    ],
    [
      'skyflow_id with another data type',
      id('DT_STRING', tag(TAG.dataType, 'skyflow.SSN')),
      ID,
      /data_type must be skyflow.SkyflowID/,
    ],
    [
      'skyflow_id declared non-unique',
      id('DT_STRING', tag(TAG.unique, 'false')),
      ID,
      /skyflow.options.unique must be true/,
    ],
    [
      'skyflow_id with an unknown sensitivity',
      id('DT_STRING', tag(TAG.sensitivity, 'SUPER')),
      ID,
      /sensitivity does not take "SUPER"/,
    ],
    [
      'skyflow_id as an array',
      vault({ name: 'skyflow_id', datatype: 'DT_STRING', isArray: true }),
      ID,
      /skyflow_id is managed by the vault and cannot be an array/,
    ],
  ]);

  it('accepts skyflow_id declared as Skyflow writes it', () => {
    expect(() =>
      parseVaultSchema(
        id(
          'DT_STRING',
          tag(TAG.redaction, 'PLAIN_TEXT'),
          tag(TAG.operation, 'ALL_OP'),
          tag(TAG.sensitivity, 'LOW'),
          tag(TAG.dataType, 'skyflow.SkyflowID'),
          tag(TAG.description, 'Skyflow defined Primary Key'),
          tag(TAG.displayName, 'Skyflow ID'),
          tag(TAG.unique, 'true'),
        ),
      ),
    ).not.toThrow();
  });
});

describe('reporting several problems', () => {
  it('lists every problem in details, in order, and counts the rest in the message', () => {
    const err = rejection({
      schemas: [
        { name: 'select', fields: [field('Bad', 'DT_STRING'), field('ok', 'DT_NOPE')] },
        { name: 'cards', fields: [field('x', 'DT_BOOL', tag(TAG.unique, 'true'))] },
      ],
      tags: [tag('skyflow.options.nope', 'x')],
    });
    expect(err.details).toEqual([
      { field: 'vaultSchema.tags[0]', problem: 'unknown vault tag "skyflow.options.nope"' },
      { field: 'vaultSchema.schemas[0].name', problem: 'table name "select" is reserved' },
      { field: 'vaultSchema.schemas[0].fields[0].name', problem: expect.stringContaining('column name "Bad"') },
      { field: 'vaultSchema.schemas[0].fields[1] ("select.ok")', problem: expect.stringContaining('unknown datatype') },
      { field: 'vaultSchema.schemas[1].fields[0] ("cards.x")', problem: 'a DT_BOOL column cannot be unique' },
    ]);
    expect(err.message).toBe(
      'Invalid vault schema: vaultSchema.tags[0]: unknown vault tag "skyflow.options.nope" (and 4 more problems)',
    );
  });

  it('says "1 more problem" for two', () => {
    const err = rejection(vault(field('A', 'DT_STRING'), field('B', 'DT_STRING')));
    expect(err.details).toHaveLength(2);
    expect(err.message).toMatch(/\(and 1 more problem\)$/);
  });

  it(`keeps at most ${MAX_PROBLEMS} details but counts every problem in the message`, () => {
    const err = rejection(vault(...Array.from({ length: 60 }, (_, i) => field(`c${i}`, 'DT_NOPE'))));
    expect(err.details).toHaveLength(MAX_PROBLEMS);
    expect(err.details[24]).toMatchObject({ field: 'vaultSchema.schemas[0].fields[24] ("accounts.c24")' });
    expect(err.message).toMatch(/\(and 59 more problems\)$/);
  });

  it(`caps shape problems at ${MAX_PROBLEMS} details as well`, () => {
    const err = rejection({ schemas: Array.from({ length: 40 }, () => ({ name: 7 })) });
    expect(err.details).toHaveLength(MAX_PROBLEMS);
    expect(err.message).toMatch(/^Invalid vault schema: vaultSchema\.schemas\[0\]\.name: .*\(and 39 more problems\)$/);
  });

  it('reports one problem per column for several bad tags on it', () => {
    const err = rejection(
      one('DT_INT32', tag(TAG.sensitivity, 'SUPER'), tag(TAG.redaction, 'HIDE'), tag(TAG.operation, 'NOPE')),
    );
    expect(err.details.map((d) => d.field)).toEqual([X, X, X]);
  });
});

describe('error messages never reflect large inputs', () => {
  const huge = `${'a'.repeat(10_000)}\n"quoted"`;
  const slots: readonly [string, (s: string) => Json][] = [
    ['table name', (s) => ({ schemas: [{ name: s }] })],
    ['duplicate table name', (s) => ({ schemas: [{ name: `t${s}` }, { name: `T${s}` }] })],
    ['column name', (s) => vault(field(s, 'DT_STRING'))],
    ['column name in a long-named table', (s) => ({ schemas: [{ name: `x${s}`, fields: [field('ok', 'DT_NOPE')] }] })],
    ['datatype', (s) => one(s)],
    ['field tag name', (s) => one('DT_STRING', tag(s, 'x'))],
    ['duplicate tag name', (s) => one('DT_STRING', tag(s, 'x'), tag(s, 'y'))],
    ['table tag name', (s) => ({ schemas: [{ name: 'cards', schemaTags: [tag(s)] }] })],
    ['vault tag name', (s) => ({ schemas: [{ name: 'cards' }], tags: [tag(s)] })],
    ['token policy', (s) => one('DT_STRING', policy(s))],
    ['redaction', (s) => one('DT_STRING', tag(TAG.redaction, s))],
    ['operation', (s) => one('DT_STRING', tag(TAG.operation, s))],
    ['configuration tag', (s) => one('DT_STRING', tag(TAG.configurationTags, s))],
    ['sensitivity', (s) => one('DT_STRING', tag(TAG.sensitivity, s))],
    ['column group', (s) => one('DT_STRING', tag(TAG.columnGroup, s))],
    ['minValue', (s) => one('DT_INT32', tag(TAG.minValue, s))],
    ['validation regex', (s) => one('DT_STRING', tag(TAG.validationRegex, `(${s}`))],
    [
      'format-preserving regex',
      (s) => one('DT_STRING', policy('DETERMINISTIC_FPT'), tag(TAG.formatPreservingRegex, `(${s}`)),
    ],
    ['find pattern', (s) => one('DT_STRING', tag(TAG.findPattern, `(${s}`), tag(TAG.replacePattern, 'x'))],
    [
      'replace group name',
      (s) => one('DT_STRING', tag(TAG.findPattern, '(.)'), tag(TAG.replacePattern, `\${${s.replace(/\W/g, '_')}}`)),
    ],
  ];

  it.each(slots)('cuts a 10 KB %s down in the message and details', (_, make) => {
    const err = rejection(make(huge));
    const text = `${err.message}${JSON.stringify(err.details)}`;
    expect(err.message.length).toBeLessThan(600);
    expect(text).not.toContain('a'.repeat(65));
    expect(err.message).not.toContain('\n');
  });

  it('keeps messages short for any long input in any slot', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...slots),
        fc.string({ minLength: 100, maxLength: 400, unit: 'binary' }),
        ([, make], s) => {
          let err: unknown;
          try {
            parseVaultSchema(make(s));
          } catch (e) {
            err = e;
          }
          if (err === undefined) return; // some inputs are valid (e.g. a long validation regex)
          expect(err).toBeInstanceOf(AppError);
          const e = err as AppError;
          expect(e.message.length).toBeLessThan(800);
          for (const d of e.details) expect(JSON.stringify(d).length).toBeLessThan(800);
        },
      ),
      { numRuns: 100 },
    );
  });
});
