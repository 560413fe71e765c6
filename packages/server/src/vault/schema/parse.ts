import { z } from 'zod';
import { badRequest, type ErrorDetail } from '../../errors.js';
import { checkGeneratableRegex } from '../tokens/index.js';
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
import { PatternError, parseTemplate } from './regex.js';
import { compileSafe } from './safe-pattern.js';
import {
  CONFIGURATION_TAG_VALUES,
  DEFAULT_TTL_MINUTES,
  INFORMATIONAL_FIELD_TAGS,
  MAX_TTL_MINUTES,
  OPERATION_DATATYPES,
  REDACTION_DATATYPES,
  SINGLE_VALUED_TAGS,
  SKYFLOW_ID_INFORMATIONAL_TAGS,
  TABLE_TAGS,
  TAG,
  TOKEN_POLICY_DATATYPES,
  UNIQUE_DATATYPES,
  VAULT_TAGS,
} from './tags.js';

export const MAX_TABLES = 100;
export const MAX_COLUMNS = 200;
/** Problems listed in an error's `details` (Skyflow's limit); the message still counts them all. */
export const MAX_PROBLEMS = 25;
/** Longest piece of user input (a name, a value, a pattern) quoted in an error message. */
const MAX_QUOTED = 64;
const TABLE_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
const COLUMN_NAME = /^[a-z][a-z0-9_]{0,63}$/;
// Dots allowed: Skyflow's own group names look like `persons.state`.
const GROUP_NAME = /^[a-zA-Z][a-zA-Z0-9_.]{0,63}$/;
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
  /** Every problem found, including those beyond the {@link MAX_PROBLEMS} kept in `list`. */
  count = 0;
  add(field: string, problem: string): void {
    this.count += 1;
    if (this.list.length < MAX_PROBLEMS) this.list.push({ field, problem });
  }
  get empty(): boolean {
    return this.count === 0;
  }
}

/**
 * Quotes user input for an error message: JSON-escaped and cut to {@link MAX_QUOTED} characters, so a
 * message never reflects a huge or multi-line input back whole.
 */
function quote(text: string): string {
  return JSON.stringify(clip(text));
}

function clip(text: string): string {
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}

/** The reason a pattern failed to compile, without the engine's copy of the pattern (`/src/: reason`). */
function patternReason(err: PatternError): string {
  const at = err.message.lastIndexOf(': ');
  const reason = err.message.startsWith('/') && at >= 0 ? err.message.slice(at + 2) : err.message;
  return reason.length > 200 ? `${reason.slice(0, 200)}…` : reason;
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
 * Validates a vault schema in Skyflow's wire shape. Every problem found is reported in one 400 whose
 * message names the first field and problem and counts the others, and whose `details` list the first
 * {@link MAX_PROBLEMS}. Names and values from the input are quoted in messages cut to 64 characters.
 */
export function parseVaultSchema(input: unknown): ParsedVaultSchema {
  const shape = wireSchema.safeParse(input);
  if (!shape.success) {
    const details = shape.error.issues
      .slice(0, MAX_PROBLEMS)
      .map((i) => ({ field: zodPath(i.path), problem: i.message }));
    throw invalid(details, shape.error.issues.length);
  }
  const problems = new Problems();
  const raw = shape.data;
  if (raw.schemas.length === 0) problems.add('vaultSchema.schemas', 'a vault needs at least one table');
  if (raw.schemas.length > MAX_TABLES) problems.add('vaultSchema.schemas', `at most ${MAX_TABLES} tables`);

  const vaultTags = normaliseTags(raw.tags ?? [], 'vaultSchema.tags', problems);
  for (const [i, tag] of vaultTags.entries()) {
    if (!VAULT_TAGS.has(tag.name)) problems.add(`vaultSchema.tags[${i}]`, `unknown vault tag ${quote(tag.name)}`);
    else checkValueCount(tag, `vaultSchema.tags[${i}]`, problems);
  }

  const tables: TableSpec[] = [];
  const wireTables: WireTable[] = [];
  const grouped: GroupMember[] = [];
  const seenTables = new Set<string>();
  for (const [ti, table] of raw.schemas.entries()) {
    const at = `vaultSchema.schemas[${ti}]`;
    if (!TABLE_NAME.test(table.name)) {
      problems.add(`${at}.name`, `table name ${quote(table.name)} must match ${TABLE_NAME.source}`);
    } else if (RESERVED_TABLE_NAMES.has(table.name.toLowerCase())) {
      problems.add(`${at}.name`, `table name ${quote(table.name)} is reserved`);
    } else if (seenTables.has(table.name.toLowerCase())) {
      problems.add(`${at}.name`, `duplicate table name ${quote(table.name)} (table names are compared ignoring case)`);
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
      if (!TABLE_TAGS.has(tag.name)) problems.add(`${at}.schemaTags[${i}]`, `unknown table tag ${quote(tag.name)}`);
      else checkValueCount(tag, `${at}.schemaTags[${i}]`, problems);
    }
    const fields = table.fields ?? [];
    if (fields.length > MAX_COLUMNS) problems.add(`${at}.fields`, `at most ${MAX_COLUMNS} columns per table`);

    const columns: ColumnSpec[] = [];
    const wireFields: WireField[] = [];
    const seenColumns = new Set<string>();
    for (const [fi, field] of fields.entries()) {
      const fat = `${at}.fields[${fi}]`;
      if (!COLUMN_NAME.test(field.name)) {
        problems.add(`${fat}.name`, `column name ${quote(field.name)} must match ${COLUMN_NAME.source}`);
        continue;
      }
      const label = `${fat} (${JSON.stringify(`${clip(table.name)}.${field.name}`)})`;
      if (seenColumns.has(field.name)) {
        problems.add(`${fat}.name`, `duplicate column ${quote(field.name)} in table ${quote(table.name)}`);
        continue;
      }
      seenColumns.add(field.name);
      const tags = normaliseTags(field.tags ?? [], `${fat}.tags`, problems);
      const wire: WireField = {
        name: field.name,
        datatype: field.datatype,
        isArray: field.isArray ?? false,
        ...(field.isUnique === true && { isUnique: true as const }),
        tags,
        ...(field.properties && { properties: field.properties }),
      };
      if (field.name === SKYFLOW_ID) {
        checkSkyflowIdField(wire, label, problems);
        continue;
      }
      const column = parseColumn(wire, label, problems);
      if (column) {
        columns.push(column);
        wireFields.push(wire);
        if (column.columnGroup) grouped.push({ label, where: `${clip(table.name)}.${column.name}`, column });
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
  checkColumnGroups(grouped, problems);
  if (!problems.empty) throw invalid(problems.list, problems.count);
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

/** The 400 for a rejected schema: the first problem in the message, `total - 1` more counted after it. */
function invalid(details: ErrorDetail[], total: number) {
  const first = details[0] as { field: string; problem: string };
  const more = total > 1 ? ` (and ${total - 1} more problem${total > 2 ? 's' : ''})` : '';
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
      problems.add(`${at}[${i}]`, `tag ${quote(tag.name)} appears more than once`);
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
  if (field.isArray) problems.add(label, 'skyflow_id is managed by the vault and cannot be an array');
  const fixed = new Map<string, string>([
    [TAG.dataType, 'skyflow.SkyflowID'],
    [TAG.redaction, 'PLAIN_TEXT'],
    [TAG.operation, 'ALL_OP'],
    [TAG.unique, 'true'],
  ]);
  for (const tag of field.tags) {
    const required = fixed.get(tag.name);
    if (required !== undefined) {
      const ok = tag.values.length === 1 || (tag.name === TAG.operation && tag.values.length > 1);
      if (!ok || tag.values.some((v) => v !== required)) {
        problems.add(label, `skyflow_id is managed by the vault; ${tag.name} must be ${required}`);
      }
    } else if (SKYFLOW_ID_INFORMATIONAL_TAGS.has(tag.name)) {
      checkInformational(tag, label, problems);
    } else {
      problems.add(label, `skyflow_id is managed by the vault; tag ${quote(tag.name)} cannot be set on it`);
    }
  }
}

/** Reports a single-valued tag given no value or several. */
function checkValueCount(tag: WireTag, label: string, problems: Problems): boolean {
  if (!SINGLE_VALUED_TAGS.has(tag.name) || tag.values.length === 1) return true;
  problems.add(label, `tag ${tag.name} takes exactly one value, got ${tag.values.length}`);
  return false;
}

/** Checks an informational tag's value count and, for closed sets, its values. */
function checkInformational(tag: WireTag, label: string, problems: Problems): void {
  checkValueCount(tag, label, problems);
  const allowed = INFORMATIONAL_FIELD_TAGS.get(tag.name);
  if (!allowed) return;
  const bad = tag.values.find((v) => !allowed.includes(v));
  if (bad !== undefined) {
    problems.add(label, `tag ${tag.name} does not take ${quote(bad)}; use one of ${allowed.join(', ')}`);
  }
}

/** The one value of a single-valued tag, or undefined (and a problem) when it has none or several. */
function single(tag: WireTag, label: string, problems: Problems): string | undefined {
  if (tag.values.length !== 1) {
    problems.add(label, `tag ${tag.name} takes exactly one value, got ${tag.values.length}`);
    return undefined;
  }
  return tag.values[0];
}

function positiveInteger(value: string, max: number): number | undefined {
  if (!/^\d{1,9}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 && n <= max ? n : undefined;
}

/** A decimal number as written in `minValue`/`maxValue` (no hex, binary, `Infinity` or padding). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseColumn(field: WireField, label: string, problems: Problems): ColumnSpec | undefined {
  const before = problems.count;
  if (!(DATATYPES as readonly string[]).includes(field.datatype)) {
    problems.add(label, `unknown datatype ${quote(field.datatype)}; use one of ${DATATYPES.join(', ')}`);
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
      problems.add(label, `unknown ${TAG.tokenPolicy} ${quote(value)}; use one of ${TOKEN_POLICIES.join(', ')}`);
    } else if (value !== undefined) {
      const type = value as TokenPolicyType;
      if (datatype === 'DT_FILE_TYPE') problems.add(label, 'file columns cannot be tokenized');
      else if (!TOKEN_POLICY_DATATYPES[type]?.includes(datatype)) {
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
            compileSafe(source);
            const generatable = checkGeneratableRegex(source);
            if (generatable.ok) policy.regex = source;
            else
              problems.add(label, `${TAG.formatPreservingRegex} cannot be used to make tokens: ${generatable.reason}`);
          } catch (err) {
            if (!(err instanceof PatternError)) throw err;
            problems.add(
              label,
              `${TAG.formatPreservingRegex} is not a valid regular expression: ${patternReason(err)}`,
            );
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
          const v = single(fixedLengthTag, label, problems);
          const n = v === undefined ? undefined : positiveInteger(v, 128);
          if (v !== undefined && n === undefined) {
            problems.add(label, `${TAG.tokenFixedLength} must be a whole number from 1 to 128`);
          } else if (n !== undefined) policy.fixedLength = n;
        }
      }
      if (ttlTag) {
        if (type !== 'NON_DETERMINISTIC_TRANSIENT_UUID') {
          problems.add(label, `${TAG.ttl} only applies to NON_DETERMINISTIC_TRANSIENT_UUID`);
        } else {
          const v = single(ttlTag, label, problems);
          const minutes = v === undefined ? undefined : positiveInteger(v, MAX_TTL_MINUTES);
          if (v !== undefined && minutes === undefined) {
            problems.add(label, `${TAG.ttl} must be a whole number of minutes from 1 to ${MAX_TTL_MINUTES}`);
          } else if (minutes !== undefined) policy.ttlSeconds = minutes * 60;
        }
      } else if (type === 'NON_DETERMINISTIC_TRANSIENT_UUID') {
        policy.ttlSeconds = DEFAULT_TTL_MINUTES * 60;
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
      problems.add(label, `unknown ${TAG.redaction} ${quote(value)}; use REDACT, MASK or PLAIN_TEXT`);
    } else if (value !== undefined) {
      redaction = value as DefaultRedaction;
      if (!REDACTION_DATATYPES[redaction]?.includes(datatype)) {
        problems.add(label, `redaction ${redaction} cannot be used on a ${datatype} column`);
      }
    }
  }
  // MASK without patterns is allowed: the column then gets the built-in mask for its kind of data.
  if (findTag || replaceTag) {
    if (!findTag || !replaceTag) {
      problems.add(label, `${TAG.findPattern} and ${TAG.replacePattern} must be given together`);
    } else {
      const find = single(findTag, label, problems);
      const replace = single(replaceTag, label, problems);
      if (find !== undefined && replace !== undefined) {
        try {
          const compiled = compileSafe(find);
          for (const part of parseTemplate(replace)) {
            if ('group' in part && part.group > compiled.groupCount) {
              problems.add(
                label,
                `${TAG.replacePattern} refers to group ${part.group}; the find pattern has ${compiled.groupCount}`,
              );
            }
            if ('name' in part && !compiled.groupNames.includes(part.name)) {
              problems.add(
                label,
                `${TAG.replacePattern} refers to group ${quote(part.name)}, which the find pattern lacks`,
              );
            }
          }
          mask = { find, replace };
        } catch (err) {
          if (!(err instanceof PatternError)) throw err;
          problems.add(label, `${TAG.findPattern} is not a valid regular expression: ${patternReason(err)}`);
        }
      }
    }
  }

  // Constraints and lookups.
  let unique = field.isUnique === true;
  let notNull = false;
  const uniqueTag = take(TAG.unique);
  if (uniqueTag) {
    const v = single(uniqueTag, label, problems);
    if (v !== undefined && v !== 'true' && v !== 'false') {
      problems.add(label, `${TAG.unique} must be "true" or "false"`);
    } else unique = unique || v === 'true';
  }
  const notNullTag = take(TAG.notNull);
  if (notNullTag) {
    const v = single(notNullTag, label, problems);
    if (v !== undefined && v !== 'true' && v !== 'false') {
      problems.add(label, `${TAG.notNull} must be "true" or "false"`);
    } else notNull = v === 'true';
  }
  const configTag = take(TAG.configurationTags);
  if (configTag) {
    for (const v of configTag.values) {
      if (!(CONFIGURATION_TAG_VALUES as readonly string[]).includes(v)) {
        problems.add(label, `unknown ${TAG.configurationTags} value ${quote(v)}`);
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
    if (v !== undefined && !GROUP_NAME.test(v)) {
      problems.add(label, `${TAG.columnGroup} ${quote(v)} must match ${GROUP_NAME.source}`);
    } else columnGroup = v;
  }

  const operations: Operation[] = [];
  const operationTag = take(TAG.operation);
  for (const v of new Set(operationTag?.values ?? [])) {
    if (!(OPERATIONS as readonly string[]).includes(v)) {
      problems.add(label, `unknown ${TAG.operation} ${quote(v)}; use ${OPERATIONS.join(', ')}`);
    } else if (!OPERATION_DATATYPES[v]?.includes(datatype)) {
      problems.add(label, `operation ${v} cannot be used on a ${datatype} column`);
    } else operations.push(v as Operation);
  }

  // Validation.
  const validation: string[] = [];
  for (const source of take(TAG.validationRegex)?.values ?? []) {
    try {
      compileSafe(source);
      validation.push(source);
    } catch (err) {
      if (!(err instanceof PatternError)) throw err;
      problems.add(
        label,
        `${TAG.validationRegex} ${quote(source)} is not a valid regular expression: ${patternReason(err)}`,
      );
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
  if (datatype === 'DT_ENUM' && !predefinedTag) {
    problems.add(label, `a DT_ENUM column needs a ${TAG.predefinedValues} tag listing its values`);
  }
  const numeric = ['DT_INT32', 'DT_INT64', 'DT_FLOAT32', 'DT_FLOAT64'].includes(datatype);
  const bound = (name: string): number | undefined => {
    const tag = take(name);
    if (!tag) return undefined;
    if (!numeric) {
      problems.add(label, `${name} applies to numeric columns only`);
      return undefined;
    }
    const v = single(tag, label, problems);
    if (v === undefined) return undefined;
    if (!DECIMAL.test(v) || !Number.isFinite(Number(v))) {
      problems.add(label, `${name} must be a decimal number, got ${quote(v)}`);
      return undefined;
    }
    return Number(v);
  };
  const minValue = bound(TAG.minValue);
  const maxValue = bound(TAG.maxValue);
  if (minValue !== undefined && maxValue !== undefined && minValue > maxValue) {
    problems.add(label, `${TAG.minValue} is greater than ${TAG.maxValue}`);
  }

  // Whatever is left must be a known informational tag.
  for (const tag of field.tags) {
    if (consumed.has(tag.name)) continue;
    if (!INFORMATIONAL_FIELD_TAGS.has(tag.name)) problems.add(label, `unknown tag ${quote(tag.name)}`);
    else checkInformational(tag, label, problems);
  }

  if (problems.count > before) return undefined;
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
    dataType: tags.get(TAG.dataType)?.values[0],
  };
}

interface GroupMember {
  readonly label: string;
  readonly where: string;
  readonly column: ColumnSpec;
}

/** The settings Skyflow requires to be equal across a column group, in the order they are reported. */
const GROUP_SETTINGS: readonly [string, (c: ColumnSpec) => unknown][] = [
  ['datatypes', (c) => c.datatype],
  ['token policies', (c) => c.tokenPolicy],
  ['redactions', (c) => c.redaction],
  ['mask patterns', (c) => c.mask],
  ['validation patterns', (c) => c.validation],
];

/**
 * Columns sharing a column group share tokens, so they must tokenize, redact, mask and validate alike
 * (Skyflow: "all columns in a column group need to have the same values" for these settings).
 */
function checkColumnGroups(members: readonly GroupMember[], problems: Problems): void {
  const first = new Map<string, GroupMember>();
  for (const member of members) {
    const group = member.column.columnGroup as string;
    const head = first.get(group);
    if (!head) {
      first.set(group, member);
      continue;
    }
    const differs = GROUP_SETTINGS.find(
      ([, of]) => JSON.stringify(of(head.column)) !== JSON.stringify(of(member.column)),
    );
    if (differs) {
      problems.add(
        member.label,
        `column group "${group}" mixes columns of different ${differs[0]} (${head.where} and ${member.where})`,
      );
    }
  }
}
