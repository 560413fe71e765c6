import { parse as parseCel } from '@bufbuild/cel';
import {
  type CelExpr,
  RULE_ACTIONS,
  RULE_REDACTIONS,
  type Rule,
  type RuleAction,
  type RuleCondition,
  type RuleRedaction,
  type RuleTarget,
} from './rule.js';

/** Longest rule text accepted: rules are written by people; anything longer is a mistake or an attack. */
export const MAX_RULE_LENGTH = 4096;

/** A rule that does not parse; `message` says where and what, and never echoes more than a short excerpt. */
export class RuleSyntaxError extends Error {
  constructor(
    message: string,
    /** 0-based offset in the rule text. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'RuleSyntaxError';
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables a condition may read besides the tables of the vault. */
const REQUEST_ROOTS = new Set(['request', 'principal']);

interface Lexeme {
  readonly text: string;
  readonly offset: number;
}

/** Splits the part before WHERE into words and the punctuation `. , * =`. */
function lex(text: string, start: number, end: number): Lexeme[] {
  const out: Lexeme[] = [];
  const pattern = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|([.,*=])|(\S))/y;
  pattern.lastIndex = start;
  while (pattern.lastIndex < end) {
    const match = pattern.exec(text);
    if (!match) break;
    if (match[0].trim() === '') break;
    const token = (match[1] ?? match[2] ?? match[3]) as string;
    const offset = match.index + match[0].length - token.length;
    if (offset >= end) break;
    if (match[3] !== undefined) throw new RuleSyntaxError(`unexpected "${token}" at position ${offset + 1}`, offset);
    out.push({ text: token, offset });
  }
  return out;
}

/** Offset of the WHERE keyword (a whole word, any case), or -1. */
function whereOffset(text: string): number {
  const match = /(^|\s)(where)(\s|\(|$)/i.exec(text);
  return match ? match.index + (match[1] as string).length : -1;
}

class Reader {
  private i = 0;
  constructor(
    private readonly lexemes: readonly Lexeme[],
    private readonly endOffset: number,
  ) {}
  peek(): Lexeme | undefined {
    return this.lexemes[this.i];
  }
  next(what: string): Lexeme {
    const lexeme = this.lexemes[this.i++];
    if (!lexeme) throw new RuleSyntaxError(`expected ${what} at the end of the rule`, this.endOffset);
    return lexeme;
  }
  keyword(word: string): boolean {
    const lexeme = this.peek();
    if (lexeme && lexeme.text.toUpperCase() === word) {
      this.i++;
      return true;
    }
    return false;
  }
  expect(text: string, what: string): void {
    const lexeme = this.next(what);
    if (lexeme.text.toUpperCase() !== text) {
      throw new RuleSyntaxError(
        `expected ${what} at position ${lexeme.offset + 1}, found "${lexeme.text}"`,
        lexeme.offset,
      );
    }
  }
  name(what: string): string {
    const lexeme = this.next(what);
    if (!NAME.test(lexeme.text)) {
      throw new RuleSyntaxError(
        `expected ${what} at position ${lexeme.offset + 1}, found "${lexeme.text}"`,
        lexeme.offset,
      );
    }
    return lexeme.text;
  }
  /** Consumes a `*` if one comes next. */
  star(): boolean {
    if (this.peek()?.text !== '*') return false;
    this.i++;
    return true;
  }
  done(): boolean {
    return this.i >= this.lexemes.length;
  }
}

function oneOf<T extends string>(values: readonly T[], lexeme: Lexeme, what: string): T {
  const upper = lexeme.text.toUpperCase();
  const found = values.find((v) => v === upper);
  if (!found) {
    throw new RuleSyntaxError(
      `expected ${what} (${values.join(', ')}) at position ${lexeme.offset + 1}, found "${lexeme.text}"`,
      lexeme.offset,
    );
  }
  return found;
}

function parseTarget(reader: Reader): RuleTarget {
  const table = reader.name('a table name');
  reader.expect('.', '"." and a column after the table name');
  const column = reader.star() ? '*' : reader.name('a column name or *');
  const path: string[] = [];
  while (reader.peek()?.text === '.') {
    reader.next('.');
    if (column === '*' || path.at(-1) === '*') {
      const lexeme = reader.next('the end of the column');
      throw new RuleSyntaxError(`nothing may follow "*" in a column (position ${lexeme.offset + 1})`, lexeme.offset);
    }
    path.push(reader.star() ? '*' : reader.name('a field name or *'));
  }
  return { table, column, path };
}

/**
 * Writes the `=` of the documented row-filter form (`WHERE persons.region = 'EU'`) as CEL's `==`, leaving
 * string literals and the operators `== != <= >=` alone.
 */
export function celFromWhere(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === '=' && !'=!<>'.includes(source[i - 1] ?? '') && source[i + 1] !== '=') {
      out += '==';
      continue;
    }
    out += c;
  }
  return out;
}

/** The dotted path an identifier or field selection spells (`request.context.role`), if it is one. */
function dottedPath(expr: CelExpr): string[] | undefined {
  const kind = expr.exprKind;
  if (kind.case === 'identExpr') return [kind.value.name];
  if (kind.case === 'selectExpr' && kind.value.operand && !kind.value.testOnly) {
    const operand = dottedPath(kind.value.operand);
    return operand && [...operand, kind.value.field];
  }
  return undefined;
}

/** Every variable the expression reads, as the root name plus the next part (`persons.region`). */
function variables(expr: CelExpr, found: { root: string; field: string | undefined }[]): void {
  const path = dottedPath(expr);
  if (path) {
    found.push({ root: path[0] as string, field: path[1] });
    return;
  }
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'selectExpr':
      if (kind.value.operand) variables(kind.value.operand, found);
      return;
    case 'callExpr':
      if (kind.value.target) variables(kind.value.target, found);
      for (const arg of kind.value.args) variables(arg, found);
      return;
    case 'listExpr':
      for (const element of kind.value.elements) variables(element, found);
      return;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') variables(entry.keyKind.value, found);
        if (entry.value) variables(entry.value, found);
      }
      return;
    case 'comprehensionExpr':
      // Macros (all, exists, map, filter): their loop variables are local; refuse them rather than guess.
      throw new RuleSyntaxError('macros (all, exists, exists_one, map, filter) are not supported in WHERE', 0);
    default:
      return;
  }
}

function parseCondition(text: string, offset: number): RuleCondition {
  const source = text.slice(offset).trim();
  if (source === '') throw new RuleSyntaxError('expected a condition after WHERE', text.length);
  const cel = celFromWhere(source);
  let parsed: ReturnType<typeof parseCel>;
  try {
    parsed = parseCel(cel);
  } catch (err) {
    const detail = (err as Error).message.replace(/^<input>:/, '').split('\n')[0];
    throw new RuleSyntaxError(`WHERE is not a valid condition: ${detail}`, offset);
  }
  const expr = parsed.expr;
  if (!expr) throw new RuleSyntaxError('expected a condition after WHERE', offset);
  const found: { root: string; field: string | undefined }[] = [];
  try {
    variables(expr, found);
  } catch (err) {
    if (err instanceof RuleSyntaxError) throw new RuleSyntaxError(err.message, offset);
    throw err;
  }
  const tables = new Set<string>();
  const columns = new Map<string, Set<string>>();
  let readsRequest = false;
  for (const v of found) {
    if (REQUEST_ROOTS.has(v.root)) {
      readsRequest = true;
      if (v.root === 'request' && v.field !== 'context') {
        throw new RuleSyntaxError(`the request offers only request.context, not request.${v.field ?? ''}`, offset);
      }
      continue;
    }
    if (v.field === undefined) {
      throw new RuleSyntaxError(
        `"${v.root}" is neither request.context, principal, nor a column written as table.column`,
        offset,
      );
    }
    tables.add(v.root);
    const ofTable = columns.get(v.root) ?? new Set<string>();
    ofTable.add(v.field);
    columns.set(v.root, ofTable);
  }
  return { source, cel, expr, tables, columns, readsRequest };
}

/**
 * Parses one rule of the policy language:
 *
 * ```
 * ALLOW|DENY <action> [ON <table>.<column|*>[.<field|*>…] [, …]]
 *            [WITH REDACTION = PLAIN_TEXT|MASKED|REDACTED|DEFAULT]
 *            [WHERE <CEL condition over table.column, request.context.*, principal.*>]
 * ```
 *
 * Keywords are case-insensitive; names are not. In WHERE, `=` means `==` (Skyflow's row-filter form).
 * Names are checked against a vault's schema separately ({@link ruleProblems}), so a rule parses the same
 * whatever vault it is later attached to.
 */
export function parseRule(text: string): Rule {
  if (text.length > MAX_RULE_LENGTH) {
    throw new RuleSyntaxError(`a rule is at most ${MAX_RULE_LENGTH} characters`, MAX_RULE_LENGTH);
  }
  const where = whereOffset(text);
  const head = where === -1 ? text.length : where;
  const reader = new Reader(lex(text, 0, head), head);

  const effect = oneOf(['ALLOW', 'DENY'] as const, reader.next('ALLOW or DENY'), 'ALLOW or DENY');
  const action: RuleAction = oneOf(RULE_ACTIONS, reader.next('an action'), 'an action');
  const targets: RuleTarget[] = [];
  if (reader.keyword('ON')) {
    do targets.push(parseTarget(reader));
    while (reader.peek()?.text === ',' && reader.next(','));
  }
  let redaction: RuleRedaction | undefined;
  if (reader.keyword('WITH')) {
    reader.expect('REDACTION', 'REDACTION after WITH');
    reader.expect('=', '"=" after WITH REDACTION');
    redaction = oneOf(RULE_REDACTIONS, reader.next('a redaction'), 'a redaction');
  }
  if (!reader.done()) {
    const lexeme = reader.peek() as Lexeme;
    throw new RuleSyntaxError(
      `unexpected "${lexeme.text}" at position ${lexeme.offset + 1} (expected ON, WITH REDACTION, WHERE or the end)`,
      lexeme.offset,
    );
  }
  if (redaction !== undefined && (effect === 'DENY' || (action !== 'READ' && action !== 'DETOKENIZATION'))) {
    throw new RuleSyntaxError('WITH REDACTION belongs only to ALLOW READ and ALLOW DETOKENIZATION rules', head);
  }
  const condition = where === -1 ? undefined : parseCondition(text, where + 'where'.length);
  return { effect, action, targets, redaction, condition };
}

/** The rule in its canonical spelling (upper-case keywords, single spaces); parses back to the same rule. */
export function formatRule(rule: Rule): string {
  let out = `${rule.effect} ${rule.action}`;
  if (rule.targets.length > 0) {
    out += ` ON ${rule.targets.map((t) => [t.table, t.column, ...t.path].join('.')).join(', ')}`;
  }
  if (rule.redaction) out += ` WITH REDACTION = ${rule.redaction}`;
  if (rule.condition) out += ` WHERE ${rule.condition.source}`;
  return out;
}

/** What a vault's schema says about the names a rule uses: its tables and columns. */
export interface SchemaNames {
  columns(table: string): readonly string[] | undefined;
}

/** Problems with a parsed rule against a vault's schema (unknown tables or columns); empty when it fits. */
export function ruleProblems(rule: Rule, schema: SchemaNames): string[] {
  const problems: string[] = [];
  const checkColumn = (table: string, column: string) => {
    const columns = schema.columns(table);
    if (!columns) problems.push(`table "${table}" is not in the vault schema`);
    else if (column !== '*' && !columns.includes(column)) {
      problems.push(`column "${table}.${column}" is not in the vault schema`);
    }
  };
  for (const target of rule.targets) checkColumn(target.table, target.column);
  for (const table of rule.condition?.tables ?? []) {
    if (!schema.columns(table)) problems.push(`WHERE reads table "${table}", which is not in the vault schema`);
    else if (rule.targets.length > 0 && !rule.targets.some((t) => t.table === table)) {
      problems.push(`WHERE reads table "${table}", which the rule does not name after ON`);
    }
  }
  return [...new Set(problems)];
}
