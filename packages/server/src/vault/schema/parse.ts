import { z } from 'zod';
import { badRequest, type ErrorDetail } from '../../errors.js';
import {
  type ColumnSpec,
  DATATYPES,
  type Datatype,
  type DefaultRedaction,
  type MaskPattern,
  OPERATIONS,
  type Operation,
  type TableSpec,
  TOKEN_POLICIES,
  type TokenPolicy,
  type TokenPolicyType,
  type VaultSchemaModel,
  type WireField,
  type WireTable,
  type WireTag,
  type WireVaultSchema,
} from './model.js';
import { captureGroups, compilePattern, PatternError, parseTemplate } from './regex.js';
import {
  CONFIGURATION_TAG_VALUES,
  INFORMATIONAL_FIELD_TAGS,
  MAX_TTL_SECONDS,
  OPERATION_DATATYPES,
  REDACTION_DATATYPES,
  TABLE_TAGS,
  TAG,
  TOKEN_POLICY_DATATYPES,
  UNIQUE_DATATYPES,
  VAULT_TAGS,
} from './tags.js';

export const MAX_TABLES = 100;
export const MAX_COLUMNS = 200;
const TABLE_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
const COLUMN_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const GROUP_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
export const SKYFLOW_ID = 'skyflow_id';

/**
 * Names a table cannot take: path segments the Data API uses after `/v1/vaults/{id}/`, and SQL words
 * that would make queries over the table ambiguous.
 */
const RESERVED_TABLE_NAMES = new Set([
  'query',
  'tokenize',
  'detokenize',
  'files',
  'select',
  'from',
  'where',
  'join',
  'table',
  'order',
  'group',
  'limit',
  'offset',
  'union',
  'insert',
  'update',
  'delete',
]);

const nullish = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

const wireTag = z.object({ name: z.string(), values: nullish(z.array(z.string())) });
const wireField = z.object({
  name: z.string(),
  datatype: z.string(),
  isArray: nullish(z.boolean()),
  isUnique: nullish(z.boolean()),
  tags: nullish(z.array(wireTag)),
  properties: nullish(z.record(z.string(), z.unknown())),
});
const wireTable = z.object({
  name: z.string(),
  fields: nullish(z.array(wireField)),
  schemaTags: nullish(z.array(wireTag)),
  childrenSchemas: nullish(z.array(z.unknown())),
  properties: nullish(z.record(z.string(), z.unknown())),
});
const wireSchema = z.object({
  schemas: z.array(wireTable),
  tags: nullish(z.array(wireTag)),
});

class Problems {
  readonly list: ErrorDetail[] = [];
  add(field: string, problem: string): void {
    if (this.list.length < 25) this.list.push({ field, problem });
  }
  get empty(): boolean {
    return this.list.length === 0;
  }
}

function zodPath(path: readonly PropertyKey[]): string {
  let out = 'vaultSchema';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  return out;
}

/** Result of {@link parseVaultSchema}: the normalised wire form to store and the model services use. */
export interface ParsedVaultSchema {
  readonly wire: WireVaultSchema;
  readonly model: VaultSchemaModel;
}

/**
 * Validates a vault schema in Skyflow's wire shape. Every problem found (up to 25) is reported in one
 * 400 whose message names the first field and problem and whose `details` list them all.
 */
export function parseVaultSchema(input: unknown): ParsedVaultSchema {
  const shape = wireSchema.safeParse(input);
  if (!shape.success) {
    const details = shape.error.issues.slice(0, 25).map((i) => ({ field: zodPath(i.path), problem: i.message }));
    throw invalid(details);
  }
  const problems = new Problems();
  const raw = shape.data;
  if (raw.schemas.length === 0) problems.add('vaultSchema.schemas', 'a vault needs at least one table');
  if (raw.schemas.length > MAX_TABLES) problems.add('vaultSchema.schemas', `at most ${MAX_TABLES} tables`);

  const vaultTags = normaliseTags(raw.tags ?? [], 'vaultSchema.tags', problems);
  for (const [i, tag] of vaultTags.entries()) {
    if (!VAULT_TAGS.has(tag.name)) problems.add(`vaultSchema.tags[${i}]`, `unknown vault tag "${tag.name}"`);
  }

  const tables: TableSpec[] = [];
  const wireTables: WireTable[] = [];
  const seenTables = new Set<string>();
  for (const [ti, table] of raw.schemas.entries()) {
    const at = `vaultSchema.schemas[${ti}]`;
    if (!TABLE_NAME.test(table.name)) {
      problems.add(`${at}.name`, `table name "${table.name}" must match ${TABLE_NAME.source}`);
    } else if (RESERVED_TABLE_NAMES.has(table.name.toLowerCase())) {
      problems.add(`${at}.name`, `table name "${table.name}" is reserved`);
    } else if (seenTables.has(table.name.toLowerCase())) {
      problems.add(`${at}.name`, `duplicate table name "${table.name}"`);
    }
    seenTables.add(table.name.toLowerCase());
    if (table.childrenSchemas && table.childrenSchemas.length > 0) {
      problems.add(
        `${at}.childrenSchemas`,
        'embedded child tables are not supported; use a DT_EMBEDDED (JSON) column or a separate table',
      );
    }
    const schemaTags = normaliseTags(table.schemaTags ?? [], `${at}.schemaTags`, problems);
    for (const [i, tag] of schemaTags.entries()) {
      if (!TABLE_TAGS.has(tag.name)) problems.add(`${at}.schemaTags[${i}]`, `unknown table tag "${tag.name}"`);
    }
    const fields = table.fields ?? [];
    if (fields.length > MAX_COLUMNS) problems.add(`${at}.fields`, `at most ${MAX_COLUMNS} columns per table`);

    const columns: ColumnSpec[] = [];
    const wireFields: WireField[] = [];
    const seenColumns = new Set<string>();
    for (const [fi, field] of fields.entries()) {
      const fat = `${at}.fields[${fi}]`;
      const label = `${fat} ("${table.name}.${field.name}")`;
      if (!COLUMN_NAME.test(field.name)) {
        problems.add(`${fat}.name`, `column name "${field.name}" must match ${COLUMN_NAME.source}`);
        continue;
      }
      if (seenColumns.has(field.name)) {
        problems.add(`${fat}.name`, `duplicate column "${field.name}" in table "${table.name}"`);
        continue;
      }
      seenColumns.add(field.name);
      const tags = normaliseTags(field.tags ?? [], `${fat}.tags`, problems);
      const wire: WireField = {
        name: field.name,
        datatype: field.datatype,
        isArray: field.isArray ?? false,
        tags,
        ...(field.properties && { properties: field.properties }),
      };
      if (field.name === SKYFLOW_ID) {
        checkSkyflowIdField(wire, label, problems);
        continue;
      }
      const column = parseColumn(wire, field.isUnique ?? false, label, problems);
      if (column) {
        columns.push(column);
        wireFields.push(wire);
      }
    }
    const skyflowId = skyflowIdColumn();
    const allColumns = [skyflowId, ...columns];
    tables.push({
      name: table.name,
      columns: allColumns,
      columnsByName: new Map(allColumns.map((c) => [c.name, c])),
    });
    wireTables.push({
      name: table.name,
      fields: [skyflowIdWireField(), ...wireFields],
      schemaTags,
      childrenSchemas: [],
      ...(table.properties && { properties: table.properties }),
    });
  }
  checkColumnGroups(tables, problems);
  if (!problems.empty) throw invalid(problems.list);
  return {
    wire: { schemas: wireTables, tags: vaultTags },
    model: { tables, tablesByName: new Map(tables.map((t) => [t.name, t])) },
  };
}

/**
 * Rebuilds the model of a schema that was validated when it was stored. Stored schemas are trusted,
 * but go through the same parser so that there is one interpretation of tags.
 */
export function modelOfStoredSchema(wire: unknown): VaultSchemaModel {
  return parseVaultSchema(wire).model;
}

function invalid(details: ErrorDetail[]) {
  const first = details[0] as { field: string; problem: string };
  const more = details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? 's' : ''})` : '';
  return badRequest(`Invalid vault schema: ${first.field}: ${first.problem}${more}`, details);
}

function normaliseTags(
  tags: readonly { name: string; values?: string[] | undefined }[],
  at: string,
  problems: Problems,
) {
  const out: WireTag[] = [];
  const seen = new Set<string>();
  for (const [i, tag] of tags.entries()) {
    if (seen.has(tag.name)) {
      problems.add(`${at}[${i}]`, `tag "${tag.name}" appears more than once`);
      continue;
    }
    seen.add(tag.name);
    out.push({ name: tag.name, values: tag.values ?? [] });
  }
  return out;
}

function skyflowIdColumn(): ColumnSpec {
  return {
    name: SKYFLOW_ID,
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
  };
}

function skyflowIdWireField(): WireField {
  return {
    name: SKYFLOW_ID,
    datatype: 'DT_STRING',
    isArray: false,
    tags: [
      { name: TAG.dataType, values: ['skyflow.SkyflowID'] },
      { name: TAG.redaction, values: ['PLAIN_TEXT'] },
      { name: TAG.operation, values: ['ALL_OP'] },
      { name: TAG.displayName, values: ['Skyflow ID'] },
      { name: TAG.description, values: ['Skyflow defined Primary Key'] },
    ],
  };
}

/** `skyflow_id` is managed by the vault: a schema may declare it, but only as the vault would. */
function checkSkyflowIdField(field: WireField, label: string, problems: Problems): void {
  if (field.datatype !== 'DT_STRING') problems.add(label, 'skyflow_id is managed by the vault and must be DT_STRING');
  const allowed = new Map<string, string[] | undefined>([
    [TAG.dataType, ['skyflow.SkyflowID']],
    [TAG.redaction, ['PLAIN_TEXT']],
    [TAG.operation, ['ALL_OP']],
    [TAG.displayName, undefined],
    [TAG.description, undefined],
    [TAG.sensitivity, undefined],
  ]);
  for (const tag of field.tags) {
    if (!allowed.has(tag.name)) {
      problems.add(label, `skyflow_id is managed by the vault; tag "${tag.name}" cannot be set on it`);
      continue;
    }
    const values = allowed.get(tag.name);
    if (values && !tag.values.every((v) => values.includes(v))) {
      problems.add(label, `skyflow_id is managed by the vault; ${tag.name} must be ${values.join('|')}`);
    }
  }
}

function single(tag: WireTag, label: string, problems: Problems): string | undefined {
  if (tag.values.length !== 1) {
    problems.add(label, `tag ${tag.name} takes exactly one value, got ${tag.values.length}`);
    return undefined;
  }
  return tag.values[0];
}

function positiveInteger(value: string | undefined, max: number): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 && n <= max ? n : undefined;
}

function parseColumn(field: WireField, isUnique: boolean, label: string, problems: Problems): ColumnSpec | undefined {
  const before = problems.list.length;
  if (!(DATATYPES as readonly string[]).includes(field.datatype)) {
    problems.add(label, `unknown datatype "${field.datatype}"; use one of ${DATATYPES.join(', ')}`);
    return undefined;
  }
  const datatype = field.datatype as Datatype;
  if (field.isArray) {
    problems.add(label, 'array columns (isArray: true) are not supported; use a DT_EMBEDDED (JSON) column');
  }
  const tags = new Map(field.tags.map((t) => [t.name, t]));
  const consumed = new Set<string>();
  const take = (name: string): WireTag | undefined => {
    consumed.add(name);
    return tags.get(name);
  };

  // Tokenization.
  let tokenPolicy: TokenPolicy | undefined;
  const policyTag = take(TAG.tokenPolicy);
  const regexTag = take(TAG.formatPreservingRegex);
  const prefixTag = take(TAG.tokenPrefix);
  const fixedLengthTag = take(TAG.tokenFixedLength);
  const separatorTag = take(TAG.tokenSeparator);
  const ttlTag = take(TAG.ttl);
  if (policyTag) {
    const value = single(policyTag, label, problems);
    if (value !== undefined && !(TOKEN_POLICIES as readonly string[]).includes(value)) {
      problems.add(label, `unknown ${TAG.tokenPolicy} "${value}"; use one of ${TOKEN_POLICIES.join(', ')}`);
    } else if (value !== undefined) {
      const type = value as TokenPolicyType;
      if (!TOKEN_POLICY_DATATYPES[type]?.includes(datatype)) {
        problems.add(label, `token policy ${type} cannot be used on a ${datatype} column`);
      }
      const policy: { -readonly [K in keyof TokenPolicy]: TokenPolicy[K] } = { type };
      const fpt =
        type === 'FORMAT_PRESERVING_TOKEN' || type === 'DETERMINISTIC_FPT' || type === 'NON_DETERMINISTIC_FPT';
      if (regexTag) {
        const source = single(regexTag, label, problems);
        if (!fpt) problems.add(label, `${TAG.formatPreservingRegex} only applies to format-preserving token policies`);
        else if (source !== undefined) {
          try {
            compilePattern(source);
            policy.regex = source;
          } catch (err) {
            if (!(err instanceof PatternError)) throw err;
            problems.add(label, `${TAG.formatPreservingRegex} is not a valid regular expression: ${err.message}`);
          }
        }
      } else if (type === 'FORMAT_PRESERVING_TOKEN') {
        problems.add(label, `FORMAT_PRESERVING_TOKEN needs a ${TAG.formatPreservingRegex} tag`);
      }
      const right4 = type === 'DETERMINISTIC_PRESERVE_RIGHT_4' || type === 'NON_DETERMINISTIC_PRESERVE_RIGHT_4';
      for (const [tag, key] of [
        [prefixTag, 'prefix'],
        [separatorTag, 'separator'],
      ] as const) {
        if (!tag) continue;
        if (!right4) problems.add(label, `${tag.name} only applies to the PRESERVE_RIGHT_4 token policies`);
        else {
          const v = single(tag, label, problems);
          if (v !== undefined && v.length > 32) problems.add(label, `${tag.name} is longer than 32 characters`);
          else if (v !== undefined) policy[key] = v;
        }
      }
      if (fixedLengthTag) {
        if (!right4) problems.add(label, `${TAG.tokenFixedLength} only applies to the PRESERVE_RIGHT_4 token policies`);
        else {
          const n = positiveInteger(single(fixedLengthTag, label, problems), 128);
          if (n === undefined) problems.add(label, `${TAG.tokenFixedLength} must be a whole number from 1 to 128`);
          else policy.fixedLength = n;
        }
      }
      if (ttlTag) {
        if (type !== 'NON_DETERMINISTIC_TRANSIENT_UUID') {
          problems.add(label, `${TAG.ttl} only applies to NON_DETERMINISTIC_TRANSIENT_UUID`);
        } else {
          const n = positiveInteger(single(ttlTag, label, problems), MAX_TTL_SECONDS);
          if (n === undefined)
            problems.add(label, `${TAG.ttl} must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}`);
          else policy.ttlSeconds = n;
        }
      } else if (type === 'NON_DETERMINISTIC_TRANSIENT_UUID') {
        policy.ttlSeconds = 3600;
      }
      tokenPolicy = policy;
    }
  } else {
    for (const tag of [regexTag, prefixTag, fixedLengthTag, separatorTag, ttlTag]) {
      if (tag) problems.add(label, `${tag.name} needs a ${TAG.tokenPolicy} tag`);
    }
  }

  // Redaction.
  let redaction: DefaultRedaction = 'REDACT';
  let mask: MaskPattern | undefined;
  const redactionTag = take(TAG.redaction);
  const findTag = take(TAG.findPattern);
  const replaceTag = take(TAG.replacePattern);
  if (redactionTag) {
    const value = single(redactionTag, label, problems);
    if (value !== undefined && !['REDACT', 'MASK', 'PLAIN_TEXT'].includes(value)) {
      problems.add(label, `unknown ${TAG.redaction} "${value}"; use REDACT, MASK or PLAIN_TEXT`);
    } else if (value !== undefined) {
      redaction = value as DefaultRedaction;
      if (!REDACTION_DATATYPES[redaction]?.includes(datatype)) {
        problems.add(label, `redaction ${redaction} cannot be used on a ${datatype} column`);
      }
    }
  }
  if (findTag || replaceTag) {
    if (!findTag || !replaceTag) {
      problems.add(label, `${TAG.findPattern} and ${TAG.replacePattern} must be given together`);
    } else {
      const find = single(findTag, label, problems);
      const replace = single(replaceTag, label, problems);
      if (find !== undefined && replace !== undefined) {
        try {
          const compiled = compilePattern(find);
          const groups = captureGroups(compiled);
          for (const part of parseTemplate(replace)) {
            if ('group' in part && part.group > groups.count) {
              problems.add(
                label,
                `${TAG.replacePattern} refers to group ${part.group}; the find pattern has ${groups.count}`,
              );
            }
            if ('name' in part && !groups.names.includes(part.name)) {
              problems.add(label, `${TAG.replacePattern} refers to group "${part.name}", which the find pattern lacks`);
            }
          }
          mask = { find, replace };
        } catch (err) {
          if (!(err instanceof PatternError)) throw err;
          problems.add(label, `${TAG.findPattern} is not a valid regular expression: ${err.message}`);
        }
      }
    }
  }

  // Constraints and lookups.
  let unique = isUnique;
  let notNull = false;
  const uniqueTag = take(TAG.unique);
  if (uniqueTag) {
    const v = single(uniqueTag, label, problems);
    if (v !== 'true' && v !== 'false') problems.add(label, `${TAG.unique} must be "true" or "false"`);
    else unique = unique || v === 'true';
  }
  const notNullTag = take(TAG.notNull);
  if (notNullTag) {
    const v = single(notNullTag, label, problems);
    if (v !== 'true' && v !== 'false') problems.add(label, `${TAG.notNull} must be "true" or "false"`);
    else notNull = v === 'true';
  }
  const configTag = take(TAG.configurationTags);
  if (configTag) {
    for (const v of configTag.values) {
      if (!(CONFIGURATION_TAG_VALUES as readonly string[]).includes(v)) {
        problems.add(label, `unknown ${TAG.configurationTags} value "${v}"`);
      }
    }
    if (configTag.values.includes('UNIQUE')) unique = true;
    if (configTag.values.includes('NOT_NULL')) notNull = true;
  }
  if (unique && !UNIQUE_DATATYPES.includes(datatype)) {
    problems.add(label, `a ${datatype} column cannot be unique`);
  }

  let columnGroup: string | undefined;
  const groupTag = take(TAG.columnGroup);
  if (groupTag) {
    const v = single(groupTag, label, problems);
    if (v !== undefined && !GROUP_NAME.test(v))
      problems.add(label, `${TAG.columnGroup} "${v}" must match ${GROUP_NAME.source}`);
    else columnGroup = v;
  }

  const operations: Operation[] = [];
  const operationTag = take(TAG.operation);
  for (const v of operationTag?.values ?? []) {
    if (!(OPERATIONS as readonly string[]).includes(v)) {
      problems.add(label, `unknown ${TAG.operation} "${v}"; use ${OPERATIONS.join(', ')}`);
    } else if (!OPERATION_DATATYPES[v]?.includes(datatype)) {
      problems.add(label, `operation ${v} cannot be used on a ${datatype} column`);
    } else operations.push(v as Operation);
  }

  // Validation.
  const validation: string[] = [];
  for (const source of take(TAG.validationRegex)?.values ?? []) {
    try {
      compilePattern(source);
      validation.push(source);
    } catch (err) {
      if (!(err instanceof PatternError)) throw err;
      problems.add(label, `${TAG.validationRegex} "${source}" is not a valid regular expression: ${err.message}`);
    }
  }
  const predefinedTag = take(TAG.predefinedValues);
  let predefinedValues: string[] | undefined;
  if (predefinedTag) {
    if (datatype !== 'DT_ENUM' && datatype !== 'DT_STRING') {
      problems.add(label, `${TAG.predefinedValues} applies to DT_ENUM and DT_STRING columns`);
    } else if (predefinedTag.values.length === 0) {
      problems.add(label, `${TAG.predefinedValues} needs at least one value`);
    } else predefinedValues = predefinedTag.values;
  }
  if (datatype === 'DT_ENUM' && !predefinedValues) {
    problems.add(label, `a DT_ENUM column needs a ${TAG.predefinedValues} tag listing its values`);
  }
  const numeric = ['DT_INT32', 'DT_INT64', 'DT_FLOAT32', 'DT_FLOAT64'].includes(datatype);
  const bound = (name: string): number | undefined => {
    const tag = take(name);
    if (!tag) return undefined;
    const v = single(tag, label, problems);
    if (!numeric) problems.add(label, `${name} applies to numeric columns only`);
    else if (v === undefined || v.trim() === '' || !Number.isFinite(Number(v)))
      problems.add(label, `${name} must be a number`);
    else return Number(v);
    return undefined;
  };
  const minValue = bound(TAG.minValue);
  const maxValue = bound(TAG.maxValue);
  if (minValue !== undefined && maxValue !== undefined && minValue > maxValue) {
    problems.add(label, `${TAG.minValue} is greater than ${TAG.maxValue}`);
  }

  // Whatever is left must be a known informational tag.
  for (const tag of field.tags) {
    if (consumed.has(tag.name)) continue;
    if (!INFORMATIONAL_FIELD_TAGS.has(tag.name)) {
      problems.add(label, `unknown tag "${tag.name}"`);
      continue;
    }
    const allowed = INFORMATIONAL_FIELD_TAGS.get(tag.name);
    const bad = allowed && tag.values.find((v) => !allowed.includes(v));
    if (bad) problems.add(label, `tag ${tag.name} does not take "${bad}"; use one of ${allowed.join(', ')}`);
  }
  if (datatype === 'DT_FILE_TYPE' && tokenPolicy) problems.add(label, 'file columns cannot be tokenized');

  if (problems.list.length > before) return undefined;
  return {
    name: field.name,
    datatype,
    tokenPolicy,
    redaction,
    mask,
    unique,
    notNull,
    columnGroup,
    validation,
    predefinedValues,
    minValue,
    maxValue,
    operations,
    system: false,
  };
}

/** Columns sharing a column group share deterministic tokens, so they must tokenize alike. */
function checkColumnGroups(tables: readonly TableSpec[], problems: Problems): void {
  const groups = new Map<string, { where: string; column: ColumnSpec }>();
  for (const table of tables) {
    for (const column of table.columns) {
      if (!column.columnGroup) continue;
      const where = `${table.name}.${column.name}`;
      const first = groups.get(column.columnGroup);
      if (!first) {
        groups.set(column.columnGroup, { where, column });
        continue;
      }
      if (first.column.datatype !== column.datatype || first.column.tokenPolicy?.type !== column.tokenPolicy?.type) {
        problems.add(
          `vaultSchema (${where})`,
          `column group "${column.columnGroup}" mixes columns of different datatypes or token policies (${first.where} and ${where})`,
        );
      }
    }
  }
}
