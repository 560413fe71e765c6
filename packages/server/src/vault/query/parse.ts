import sqlParser from 'node-sql-parser/build/postgresql.js';
import { type AppError, badRequest } from '../../errors.js';
import { hasLookupIndex } from '../records/record-service.js';
import type { CanonicalValue } from '../records/values.js';
import type { ColumnSpec, Operation, TableSpec, VaultSchemaModel } from '../schema/model.js';
import { SKYFLOW_ID } from '../schema/parse.js';
import { type LiftedLiteral, liftLiterals } from './lexer.js';
import {
  type AggregateFn,
  type ColumnRef,
  type ColumnUse,
  type CompareOp,
  MAX_QUERY_LIMIT,
  type OrderItem,
  type OutputItem,
  type PlanSource,
  type Predicate,
  type QueryPlan,
  REDACTION_LEVELS,
  type RedactionLevel,
} from './plan.js';
import {
  compileLike,
  EQUALITY_CLASSES,
  isDate,
  isDatetime,
  isTime,
  ORDERED_CLASSES,
  TEXT_CLASSES,
  valueClass,
} from './semantics.js';

export interface ParseQueryOptions {
  /**
   * Enforce the columns' `skyflow.options.operation` tags: `=`, `!=`, IN and JOIN keys need EXACT_MATCH
   * (or a unique column), ranges, BETWEEN, ORDER BY, MIN and MAX need ORDER, SUM and AVG need
   * AGGREGATION, LIKE and ILIKE need ALL_OP (ALL_OP allows everything; IS NULL and COUNT need nothing).
   * Off by default.
   */
  readonly enforceOperations?: boolean;
}

/** Most tables in one query (the FROM table and its joins). */
export const MAX_QUERY_TABLES = 4;
/** Most values in one IN list. */
export const MAX_IN_VALUES = 1000;
/** Most conditions (comparisons, LIKEs, IN lists…) in one query. */
export const MAX_CONDITIONS = 256;
const MAX_ORDER_ITEMS = 8;
const MAX_OFFSET = 1_000_000_000;

// node-sql-parser's builds are CommonJS bundles without static export names: take the default export.
const parser = new sqlParser.Parser();

type Node = { readonly [key: string]: unknown };
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const nodeAt = (n: Node, key: string): Node | undefined => (isNode(n[key]) ? (n[key] as Node) : undefined);
const listAt = (n: Node, key: string): unknown[] | undefined =>
  Array.isArray(n[key]) ? (n[key] as unknown[]) : undefined;
const textAt = (n: Node, key: string): string | undefined =>
  typeof n[key] === 'string' ? (n[key] as string) : undefined;

const unsupported = (construct: string, hint?: string) =>
  badRequest(`Unsupported query: ${construct} is not supported${hint ? `; ${hint}` : ''}.`, [{ construct }]);
const invalid = (message: string) => badRequest(`Invalid query: ${message}`);

const quote = (name: string) => JSON.stringify(name);

/** An identifier as written: its text and whether it was quoted (quoted names match exactly). */
interface Ident {
  readonly name: string;
  readonly quoted: boolean;
}

type Literal =
  | { readonly kind: 'string'; readonly value: string; readonly typed?: LiftedLiteral['typed'] }
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'null' };

interface Scope {
  readonly sources: readonly { readonly table: TableSpec; readonly alias: string }[];
  /** Sources visible here (all for WHERE; the earlier ones and the joined one for ON). */
  readonly visible: number;
}

/**
 * Parses one query of the Data API's query endpoint, checks it against the allowlist and the vault schema,
 * and returns the plan. Throws a 400 {@link AppError} naming the construct or the name that is wrong.
 */
export function parseQuery(sql: string, schema: VaultSchemaModel, options: ParseQueryOptions = {}): QueryPlan {
  const lexed = liftLiterals(sql);
  let ast: unknown;
  try {
    ast = parser.astify(lexed.text, { database: 'postgresql' });
  } catch (err) {
    if (err instanceof RangeError) throw unsupported('a query nested this deeply');
    const found = (err as { found?: unknown }).found;
    const near =
      typeof found === 'string' && !/^sr[0-9a-f]{16}x/.test(found) ? `at or near ${quote(found)}` : 'at the end';
    throw invalid(`syntax error ${near} (or a construct outside the supported SQL subset).`);
  }
  if (Array.isArray(ast)) {
    if (ast.length === 0) throw badRequest('query must be a non-empty SQL SELECT statement.');
    if (ast.length > 1) throw unsupported('more than one statement', 'send one SELECT per request');
    ast = ast[0];
  }
  if (!isNode(ast)) throw invalid('the SQL could not be parsed.');
  try {
    return new Walker(schema, lexed.literals, options).select(ast);
  } catch (err) {
    if (err instanceof RangeError) throw unsupported('a query nested this deeply');
    throw err;
  }
}

class Walker {
  private readonly uses = new Map<string, { table: string; column: string; uses: Set<ColumnUse> }>();
  private conditions = 0;
  private sources: { table: TableSpec; alias: string }[] = [];

  constructor(
    private readonly schema: VaultSchemaModel,
    private readonly literals: ReadonlyMap<string, LiftedLiteral>,
    private readonly options: ParseQueryOptions,
  ) {}

  select(ast: Node): QueryPlan {
    const type = textAt(ast, 'type');
    if (type !== 'select') {
      throw unsupported(`${(type ?? 'this').toUpperCase()} statements`, 'only SELECT is accepted');
    }
    this.checkClauses(ast);

    const from = this.from(ast);
    const scope: Scope = { sources: this.sources, visible: this.sources.length };
    const joined: PlanSource[] = from.order.map((item, i) => {
      const source = this.sources[i] as { table: TableSpec; alias: string };
      if (!item.join) return { table: source.table.name, alias: source.alias };
      return { table: source.table.name, alias: source.alias, join: this.join(item.join, i) };
    });

    const { output, aggregate } = this.output(ast, scope, from.starOrder);
    const whereNode = nodeAt(ast, 'where');
    const where = whereNode ? this.predicate(whereNode, scope, 'WHERE') : undefined;
    const orderBy = this.orderBy(ast, scope, output, aggregate);
    const { limit, offset } = this.limit(ast);

    return {
      sources: joined,
      where,
      output,
      aggregate,
      orderBy,
      limit,
      offset,
      columnUses: [...this.uses.values()].map((u) => ({ table: u.table, column: u.column, uses: [...u.uses] })),
    };
  }

  /** Rejects every clause outside the subset, naming it. */
  private checkClauses(ast: Node): void {
    const rejected: Record<string, string> = {
      with: 'WITH (common table expressions)',
      _next: textAt(ast, 'set_op')?.toUpperCase() ?? 'UNION',
      set_op: (textAt(ast, 'set_op') ?? 'UNION').toUpperCase(),
      groupby: 'GROUP BY',
      having: 'HAVING',
      window: 'WINDOW',
      options: 'SELECT options',
      locking_read: 'FOR UPDATE / FOR SHARE',
      qualify: 'QUALIFY',
      collate: 'COLLATE',
    };
    const handled = new Set(['type', 'columns', 'from', 'where', 'orderby', 'limit', 'distinct', 'into', 'loc']);
    for (const [key, value] of Object.entries(ast)) {
      if (handled.has(key) || value === null || value === undefined) continue;
      if (Array.isArray(value) && value.length === 0) continue;
      throw unsupported(rejected[key] ?? `the ${key} clause`);
    }
    const distinct = nodeAt(ast, 'distinct');
    if (distinct && distinct.type !== null && distinct.type !== undefined) throw unsupported('SELECT DISTINCT');
    const into = nodeAt(ast, 'into');
    if (into && into.position !== null && into.position !== undefined) throw unsupported('SELECT … INTO');
  }

  // ── FROM and JOIN ──────────────────────────────────────────────────────────────────────────────────

  private from(ast: Node): { order: { join?: { type: 'INNER' | 'LEFT'; on: Node } }[]; starOrder: number[] } {
    const items = listAt(ast, 'from');
    if (!items || items.length === 0) throw unsupported('a SELECT without FROM', 'name a table of the vault');
    if (items.length > MAX_QUERY_TABLES) throw unsupported(`more than ${MAX_QUERY_TABLES} tables in one query`);
    const parsed = items.map((raw, i) => {
      if (!isNode(raw)) throw invalid('unreadable FROM clause.');
      if (raw.expr !== undefined || raw.type === 'dual') throw unsupported('a subquery or expression in FROM');
      const name = textAt(raw, 'table');
      if (!name) throw unsupported('this FROM item');
      if (raw.db !== null && raw.db !== undefined) throw unsupported('schema-qualified table names');
      if (raw.schema !== undefined && raw.schema !== null) throw unsupported('schema-qualified table names');
      const table = this.table(name);
      const alias = textAt(raw, 'as') ?? table.name;
      const join = textAt(raw, 'join');
      if (i === 0) return { table, alias, join: undefined, on: undefined };
      if (!join) throw unsupported('a comma-separated FROM list', 'join tables with JOIN … ON');
      if (raw.using !== undefined && raw.using !== null) throw unsupported('JOIN … USING', 'write JOIN … ON a.x = b.y');
      const on = nodeAt(raw, 'on');
      const kind = join.toUpperCase().replace(/\s+/g, ' ');
      if (kind === 'INNER JOIN' || kind === 'JOIN') return { table, alias, join: 'INNER' as const, on };
      if (kind === 'LEFT JOIN' || kind === 'LEFT OUTER JOIN') return { table, alias, join: 'LEFT' as const, on };
      if (kind === 'RIGHT JOIN' || kind === 'RIGHT OUTER JOIN') {
        if (items.length !== 2) {
          throw unsupported('RIGHT JOIN in a query of more than two tables', 'reorder the tables and use LEFT JOIN');
        }
        return { table, alias, join: 'RIGHT' as const, on };
      }
      throw unsupported(kind.startsWith('FULL') ? 'FULL JOIN' : kind, 'use JOIN (INNER) or LEFT JOIN with ON');
    });
    for (const item of parsed.slice(1)) {
      if (!item.on) throw unsupported('a JOIN without ON (CROSS and NATURAL joins)', 'write JOIN … ON a.x = b.y');
    }
    const seen = new Set<string>();
    for (const item of parsed) {
      if (seen.has(item.alias.toLowerCase())) {
        throw invalid(`table name or alias ${quote(item.alias)} is used twice; give each table its own alias.`);
      }
      seen.add(item.alias.toLowerCase());
    }
    // A RIGHT JOIN B runs as B LEFT JOIN A; `*` still lists A's columns first.
    const second = parsed[1];
    if (second?.join === 'RIGHT') {
      const first = parsed[0] as (typeof parsed)[number];
      this.sources = [
        { table: second.table, alias: second.alias },
        { table: first.table, alias: first.alias },
      ];
      return { order: [{}, { join: { type: 'LEFT', on: second.on as Node } }], starOrder: [1, 0] };
    }
    this.sources = parsed.map((p) => ({ table: p.table, alias: p.alias }));
    return {
      order: parsed.map((p) => (p.join ? { join: { type: p.join as 'INNER' | 'LEFT', on: p.on as Node } } : {})),
      starOrder: parsed.map((_, i) => i),
    };
  }

  private table(name: string): TableSpec {
    const exact = this.schema.tablesByName.get(name);
    if (exact) return exact;
    const folded = this.schema.tables.filter((t) => t.name.toLowerCase() === name.toLowerCase());
    if (folded.length === 1) return folded[0] as TableSpec;
    throw badRequest(`Invalid query: table ${quote(name)} doesn't exist in this vault.`, [{ table: name }]);
  }

  private join(on: { type: 'INNER' | 'LEFT'; on: Node }, index: number): NonNullable<PlanSource['join']> {
    const scope: Scope = { sources: this.sources, visible: index + 1 };
    const predicate = this.predicate(on.on, scope, 'ON');
    const conjuncts = predicate.kind === 'and' ? predicate.args : [predicate];
    const keys: { left: ColumnRef; right: ColumnRef }[] = [];
    const rest: Predicate[] = [];
    for (const c of conjuncts) {
      if (c.kind === 'columns' && c.op === '=' && (c.left.source === index) !== (c.right.source === index)) {
        const [right, left] = c.left.source === index ? [c.left, c.right] : [c.right, c.left];
        keys.push({ left, right });
        this.use(left, 'join');
        this.use(right, 'join');
        this.requireOperation(left, 'EXACT_MATCH', 'a JOIN key');
        this.requireOperation(right, 'EXACT_MATCH', 'a JOIN key');
      } else rest.push(c);
    }
    const alias = (this.sources[index] as { alias: string }).alias;
    if (keys.length === 0) {
      throw unsupported(
        `a JOIN whose ON has no equality between a column of ${quote(alias)} and a column of an earlier table`,
        'write JOIN … ON a.x = b.y',
      );
    }
    const filter = rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : { kind: 'and' as const, args: rest };
    return { type: on.type, keys, filter };
  }

  // ── SELECT list ────────────────────────────────────────────────────────────────────────────────────

  private output(ast: Node, scope: Scope, starOrder: readonly number[]): { output: OutputItem[]; aggregate: boolean } {
    const columns = listAt(ast, 'columns');
    if (!columns || columns.length === 0) throw invalid('the SELECT list is empty.');
    type Draft = { item: OutputItem; explicit: boolean };
    const drafts: Draft[] = [];
    for (const raw of columns) {
      if (!isNode(raw)) throw invalid('unreadable SELECT list.');
      const expr = nodeAt(raw, 'expr');
      if (!expr) throw invalid('unreadable SELECT list.');
      const alias = textAt(raw, 'as') ?? (isNode(raw.as) ? this.aliasText(raw.as as Node) : undefined);
      if (expr.type === 'column_ref' && this.columnIdent(expr).name === '*') {
        if (alias !== undefined) throw unsupported('an alias on *');
        const qualifier = this.qualifier(expr);
        const picked =
          qualifier === undefined ? starOrder : [this.sourceIndex(qualifier, scope, `${qualifier.name}.*`)];
        for (const s of picked) {
          const source = scope.sources[s] as { table: TableSpec };
          for (const column of source.table.columns) {
            const ref = refOf(s, column);
            this.use(ref, 'select');
            drafts.push({ item: { kind: 'column', name: column.name, ref, level: 'DEFAULT' }, explicit: false });
          }
        }
        continue;
      }
      const item = this.outputItem(expr, scope, alias);
      drafts.push({ item, explicit: alias !== undefined });
    }
    const aggregates = drafts.filter((d) => d.item.kind === 'aggregate').length;
    if (aggregates > 0 && aggregates < drafts.length) {
      const plain = drafts.find((d) => d.item.kind === 'column')?.item.name ?? '';
      throw unsupported(
        `mixing aggregate functions with plain columns (${quote(plain)}) without GROUP BY`,
        'GROUP BY is not supported yet; select either columns or aggregates',
      );
    }
    // Names: an unaliased column whose name another unaliased column of another table shares is
    // qualified ("alias.column"); two fields still named alike is an error.
    const counts = new Map<string, Set<number>>();
    for (const d of drafts) {
      if (d.explicit || d.item.kind !== 'column') continue;
      const set = counts.get(d.item.name) ?? new Set<number>();
      set.add(d.item.ref.source);
      counts.set(d.item.name, set);
    }
    const output: OutputItem[] = drafts.map((d) => {
      if (d.explicit || d.item.kind !== 'column' || (counts.get(d.item.name)?.size ?? 0) < 2) return d.item;
      const alias = (scope.sources[d.item.ref.source] as { alias: string }).alias;
      return { ...d.item, name: `${alias}.${d.item.ref.column}` };
    });
    const names = new Set<string>();
    for (const item of output) {
      if (names.has(item.name)) {
        throw invalid(
          `two result fields would both be named ${quote(item.name)}; select it once or give one an alias with AS.`,
        );
      }
      names.add(item.name);
    }
    return { output, aggregate: aggregates > 0 };
  }

  private aliasText(node: Node): string | undefined {
    const value = node.value;
    return typeof value === 'string' ? value : undefined;
  }

  private outputItem(expr: Node, scope: Scope, alias: string | undefined): OutputItem {
    const type = textAt(expr, 'type');
    if (type === 'column_ref') {
      const ref = this.column(expr, scope);
      this.use(ref, 'select');
      return { kind: 'column', name: alias ?? ref.column, ref, level: 'DEFAULT' };
    }
    if (type === 'aggr_func') return this.aggregate(expr, scope, alias);
    if (type === 'function') {
      const name = this.functionName(expr);
      if (name.toUpperCase() === 'REDACTION') return this.redaction(expr, scope, alias);
      throw this.unknownFunction(name);
    }
    throw unsupported(
      `${describe(expr)} in the SELECT list`,
      'select columns, *, REDACTION(column[, level]) or COUNT/SUM/AVG/MIN/MAX',
    );
  }

  private redaction(expr: Node, scope: Scope, alias: string | undefined): OutputItem {
    const args = this.args(expr);
    if (args.length < 1 || args.length > 2) throw invalid('REDACTION takes a column and an optional redaction level.');
    const target = args[0] as Node;
    if (target.type !== 'column_ref' || this.columnIdent(target).name === '*') {
      throw invalid('the first argument of REDACTION must be a column.');
    }
    const ref = this.column(target, scope);
    let level: RedactionLevel = 'DEFAULT';
    if (args[1] !== undefined) {
      const lit = this.literal(args[1] as Node, true);
      const text = lit?.kind === 'string' ? lit.value.toUpperCase() : undefined;
      if (!text || !(REDACTION_LEVELS as readonly string[]).includes(text)) {
        throw invalid(
          `the redaction level of REDACTION must be one of ${REDACTION_LEVELS.map((l) => `'${l}'`).join(', ')}.`,
        );
      }
      level = text as RedactionLevel;
    }
    this.use(ref, 'select');
    return { kind: 'column', name: alias ?? ref.column, ref, level };
  }

  private aggregate(expr: Node, scope: Scope, alias: string | undefined): OutputItem {
    const fn = (textAt(expr, 'name') ?? '').toUpperCase();
    if (!['COUNT', 'SUM', 'AVG', 'MIN', 'MAX'].includes(fn)) throw this.unknownFunction(fn);
    if (expr.over !== null && expr.over !== undefined) throw unsupported('window functions (OVER)');
    const args = nodeAt(expr, 'args');
    const arg = args ? nodeAt(args, 'expr') : undefined;
    if (!args || !arg) throw invalid(`${fn} needs an argument.`);
    for (const key of ['orderby', 'separator', 'filter']) {
      if (args[key] !== null && args[key] !== undefined) throw unsupported(`${key.toUpperCase()} inside ${fn}()`);
    }
    const distinct = args.distinct !== null && args.distinct !== undefined;
    if (distinct && fn !== 'COUNT') throw unsupported(`${fn}(DISTINCT …)`, 'only COUNT(DISTINCT column)');
    const star = arg.type === 'star' || (arg.type === 'column_ref' && this.columnIdent(arg).name === '*');
    const countsRows = star || (fn === 'COUNT' && (arg.type === 'number' || arg.type === 'bigint'));
    if (countsRows) {
      if (fn !== 'COUNT') throw invalid(`${fn}(*) is not defined; only COUNT(*).`);
      if (distinct) throw unsupported('COUNT(DISTINCT *)');
      return {
        kind: 'aggregate',
        name: alias ?? (star ? 'COUNT(*)' : `COUNT(${String(arg.value)})`),
        fn,
        ref: undefined,
        distinct,
      };
    }
    if (arg.type !== 'column_ref') throw unsupported(`${describe(arg)} inside ${fn}()`, `${fn} takes a column`);
    const ref = this.column(arg, scope);
    if ((fn === 'SUM' || fn === 'AVG') && ref.cls !== 'number') {
      throw invalid(`${fn} needs a numeric column; ${quote(this.refName(ref))} is not.`);
    }
    if ((fn === 'MIN' || fn === 'MAX') && !ORDERED_CLASSES.has(ref.cls)) {
      throw invalid(`${fn} is not defined for column ${quote(this.refName(ref))} (its values have no order).`);
    }
    if (fn === 'COUNT' && distinct && !EQUALITY_CLASSES.has(ref.cls)) {
      throw invalid(`COUNT(DISTINCT …) is not defined for column ${quote(this.refName(ref))}.`);
    }
    if (fn === 'SUM' || fn === 'AVG') this.requireOperation(ref, 'AGGREGATION', fn);
    if (fn === 'MIN' || fn === 'MAX') this.requireOperation(ref, 'ORDER', fn);
    this.use(ref, 'aggregate');
    const written = this.writtenRef(arg);
    return {
      kind: 'aggregate',
      name: alias ?? `${fn}(${distinct ? 'DISTINCT ' : ''}${written})`,
      fn: fn as AggregateFn,
      ref,
      distinct,
    };
  }

  private unknownFunction(name: string): AppError {
    return unsupported(`function ${name}()`, 'the functions are COUNT, SUM, AVG, MIN, MAX and REDACTION');
  }

  private functionName(expr: Node): string {
    const name = nodeAt(expr, 'name');
    const parts = name ? listAt(name, 'name') : undefined;
    const text = parts
      ?.map((p) => (isNode(p) && typeof p.value === 'string' ? p.value : ''))
      .filter((p) => p !== '')
      .join('.');
    return text || textAt(expr, 'name') || '?';
  }

  private args(expr: Node): Node[] {
    const args = nodeAt(expr, 'args');
    const list = args ? listAt(args, 'value') : undefined;
    if (!list) return [];
    return list.map((a) => {
      if (!isNode(a)) throw invalid('unreadable function arguments.');
      return a;
    });
  }

  // ── WHERE / ON ─────────────────────────────────────────────────────────────────────────────────────

  private predicate(node: Node, scope: Scope, clause: 'WHERE' | 'ON'): Predicate {
    const type = textAt(node, 'type');
    if (type === 'binary_expr') {
      const op = (textAt(node, 'operator') ?? '').toUpperCase();
      const left = nodeAt(node, 'left');
      const right = nodeAt(node, 'right');
      if (!left || !right) throw invalid(`unreadable condition in ${clause}.`);
      if (op === 'AND' || op === 'OR') {
        const kind = op === 'AND' ? 'and' : 'or';
        const args: Predicate[] = [];
        for (const side of [left, right]) {
          const p = this.predicate(side, scope, clause);
          if (p.kind === kind) args.push(...p.args);
          else args.push(p);
        }
        return { kind, args };
      }
      this.countCondition();
      switch (op) {
        case '=':
        case '!=':
        case '<>':
        case '<':
        case '>':
        case '<=':
        case '>=':
          return this.comparison(op === '<>' ? '!=' : op, left, right, scope);
        case 'IN':
        case 'NOT IN':
          return this.inList(left, right, op === 'NOT IN', scope);
        case 'LIKE':
        case 'NOT LIKE':
        case 'ILIKE':
        case 'NOT ILIKE':
          return this.like(left, right, op, scope);
        case 'IS':
        case 'IS NOT':
          return this.is(left, right, op === 'IS NOT', scope);
        case 'BETWEEN':
        case 'NOT BETWEEN':
          return this.between(left, right, op === 'NOT BETWEEN', scope);
        default:
          throw unsupported(`the operator ${op}`, 'use = != < > <= >= AND OR NOT IN LIKE ILIKE BETWEEN IS [NOT] NULL');
      }
    }
    if (type === 'unary_expr' && (textAt(node, 'operator') ?? '').toUpperCase() === 'NOT') {
      const inner = nodeAt(node, 'expr');
      if (!inner) throw invalid(`unreadable NOT in ${clause}.`);
      return { kind: 'not', arg: this.predicate(inner, scope, clause) };
    }
    if (type === 'function' && this.functionName(node).toUpperCase() === 'NOT') {
      const args = this.args(node);
      if (args.length !== 1) throw invalid(`unreadable NOT in ${clause}.`);
      return { kind: 'not', arg: this.predicate(args[0] as Node, scope, clause) };
    }
    if (type === 'function') {
      const name = this.functionName(node);
      if (name.toUpperCase() === 'EXISTS') throw unsupported('subqueries (EXISTS)');
      throw unsupported(`function ${name}() in ${clause}`, 'conditions compare a column with a value');
    }
    if (type === 'aggr_func') throw unsupported(`aggregate functions in ${clause}`);
    throw unsupported(`${describe(node)} as a condition`, 'conditions compare a column with a value');
  }

  private countCondition(): void {
    this.conditions += 1;
    if (this.conditions > MAX_CONDITIONS) throw unsupported(`more than ${MAX_CONDITIONS} conditions in one query`);
  }

  private comparison(op: CompareOp, left: Node, right: Node, scope: Scope): Predicate {
    const leftIsColumn = this.isColumnOperand(left, scope, false);
    const rightIsColumn = this.isColumnOperand(right, scope, leftIsColumn);
    if (leftIsColumn && rightIsColumn) {
      const a = this.column(left, scope);
      const b = this.column(right, scope);
      if (a.cls !== b.cls || !EQUALITY_CLASSES.has(a.cls)) {
        throw invalid(
          `columns ${quote(this.refName(a))} and ${quote(this.refName(b))} cannot be compared (different or unordered types).`,
        );
      }
      this.use(a, 'filter');
      this.use(b, 'filter');
      this.requireOperation(a, op === '=' || op === '!=' ? 'EXACT_MATCH' : 'ORDER', `${op}`);
      this.requireOperation(b, op === '=' || op === '!=' ? 'EXACT_MATCH' : 'ORDER', `${op}`);
      return { kind: 'columns', op, left: a, right: b };
    }
    if (!leftIsColumn && !rightIsColumn) {
      throw unsupported(`${describe(left)} ${op} ${describe(right)}`, 'a condition compares a column with a value');
    }
    const [colNode, valueNode, theOp] = leftIsColumn ? [left, right, op] : [right, left, flip(op)];
    const ref = this.column(colNode, scope);
    const value = this.value(valueNode, ref, theOp);
    this.use(ref, 'filter');
    if (theOp === '=' || theOp === '!=') this.requireEquality(ref, theOp);
    else this.requireOrder(ref, theOp);
    return { kind: 'compare', op: theOp, ref, value };
  }

  private inList(left: Node, right: Node, negated: boolean, scope: Scope): Predicate {
    if (!this.isColumnOperand(left, scope, false)) {
      throw unsupported(`${describe(left)} on the left of IN`, 'write column IN (value, …)');
    }
    const ref = this.column(left, scope);
    const items = right.type === 'expr_list' ? listAt(right, 'value') : undefined;
    if (!items) throw unsupported(`${describe(right)} after IN`, 'write column IN (value, …)');
    if (items.length > MAX_IN_VALUES) throw unsupported(`an IN list of more than ${MAX_IN_VALUES} values`);
    this.requireEquality(ref, negated ? 'NOT IN' : 'IN');
    const values = items.map((item) => {
      if (!isNode(item)) throw invalid('unreadable IN list.');
      if (item.ast !== undefined) throw unsupported('subqueries (IN (SELECT …))');
      return this.value(item, ref, 'IN');
    });
    this.use(ref, 'filter');
    return { kind: 'in', ref, values, negated };
  }

  private like(left: Node, right: Node, op: string, scope: Scope): Predicate {
    const caseInsensitive = op.includes('ILIKE');
    const name = caseInsensitive ? 'ILIKE' : 'LIKE';
    if (!this.isColumnOperand(left, scope, false)) {
      throw unsupported(`${describe(left)} on the left of ${name}`, `write column ${name} 'pattern'`);
    }
    const ref = this.column(left, scope);
    if (!TEXT_CLASSES.has(ref.cls)) {
      throw invalid(`${name} needs a text column; ${quote(this.refName(ref))} is not (use = or ranges).`);
    }
    const lit = this.literal(right, true);
    if (!lit || (lit.kind !== 'string' && lit.kind !== 'null') || (lit.kind === 'string' && lit.typed)) {
      throw unsupported(`${describe(right)} as a ${name} pattern`, "a pattern is a string literal such as 'abc%'");
    }
    let escapeChar = '\\';
    const escapeNode = nodeAt(right, 'escape');
    if (escapeNode) {
      const value = nodeAt(escapeNode, 'value');
      const esc = value ? this.literal(value, false) : undefined;
      if (esc?.kind !== 'string' || Array.from(esc.value).length > 1) {
        throw invalid(`the ESCAPE of ${name} must be a string of at most one character.`);
      }
      escapeChar = esc.value;
    }
    this.requireOperation(ref, 'ALL_OP', name);
    this.use(ref, 'filter');
    const negated = op.startsWith('NOT');
    if (lit.kind === 'null') {
      // x LIKE NULL is unknown for every row: keep it as a comparison with NULL.
      return negated
        ? { kind: 'not', arg: { kind: 'compare', op: '=', ref, value: null } }
        : { kind: 'compare', op: '=', ref, value: null };
    }
    const regex = compileLike(lit.value, escapeChar, caseInsensitive);
    if (!regex) throw invalid(`a ${name} pattern must not end with the escape character.`);
    return { kind: 'like', ref, pattern: lit.value, escape: escapeChar, caseInsensitive, negated, regex };
  }

  private is(left: Node, right: Node, negated: boolean, scope: Scope): Predicate {
    if (!this.isColumnOperand(left, scope, false))
      throw unsupported(`${describe(left)} IS …`, 'write column IS [NOT] NULL');
    const ref = this.column(left, scope);
    this.use(ref, 'filter');
    if (right.type === 'null') return { kind: 'null', ref, negated };
    if (right.type === 'bool' && typeof right.value === 'boolean') {
      if (ref.cls !== 'bool')
        throw invalid(`IS TRUE / IS FALSE needs a DT_BOOL column; ${quote(this.refName(ref))} is not.`);
      return { kind: 'truth', ref, value: right.value, negated };
    }
    throw unsupported(`IS ${describe(right)}`, 'write IS [NOT] NULL, IS [NOT] TRUE or IS [NOT] FALSE');
  }

  private between(left: Node, right: Node, negated: boolean, scope: Scope): Predicate {
    if (!this.isColumnOperand(left, scope, false)) throw unsupported(`${describe(left)} BETWEEN …`);
    const bounds = listAt(right, 'value');
    if (bounds?.length !== 2 || !isNode(bounds[0]) || !isNode(bounds[1])) {
      throw invalid('BETWEEN needs two bounds: column BETWEEN low AND high.');
    }
    const ref = this.column(left, scope);
    const low = this.value(bounds[0], ref, 'BETWEEN');
    const high = this.value(bounds[1], ref, 'BETWEEN');
    this.requireOrder(ref, 'BETWEEN');
    this.use(ref, 'filter');
    const range: Predicate = {
      kind: 'and',
      args: [
        { kind: 'compare', op: '>=', ref, value: low },
        { kind: 'compare', op: '<=', ref, value: high },
      ],
    };
    return negated ? { kind: 'not', arg: range } : range;
  }

  private requireEquality(ref: ColumnRef, construct: string): void {
    if (!EQUALITY_CLASSES.has(ref.cls)) {
      throw invalid(
        `${construct} is not defined for column ${quote(this.refName(ref))} (${this.datatype(ref)}); only IS [NOT] NULL.`,
      );
    }
    this.requireOperation(ref, 'EXACT_MATCH', construct);
  }

  private requireOrder(ref: ColumnRef, construct: string): void {
    if (!ORDERED_CLASSES.has(ref.cls)) {
      throw invalid(
        `${construct} is not defined for column ${quote(this.refName(ref))} (${this.datatype(ref)}); only IS [NOT] NULL.`,
      );
    }
    this.requireOperation(ref, 'ORDER', construct);
  }

  /**
   * True when the node names a column. A double-quoted name is an identifier (PostgreSQL), except in a
   * value position — the right of a comparison whose left is a column — when no column of that name is in
   * scope: then it is a string, as Skyflow's own examples write them (`where id="…"`).
   */
  private isColumnOperand(node: Node, scope: Scope, otherIsColumn: boolean): boolean {
    if (node.type !== 'column_ref') return false;
    const ident = this.columnIdent(node);
    if (otherIsColumn && ident.quoted && this.qualifier(node) === undefined && !this.resolves(node, scope))
      return false;
    return true;
  }

  private resolves(node: Node, scope: Scope): boolean {
    try {
      this.column(node, scope);
      return true;
    } catch {
      return false;
    }
  }

  /** A literal value for a column: checked against the column's datatype, in the column's canonical form. */
  private value(node: Node, ref: ColumnRef, construct: string): CanonicalValue {
    const lit = this.literal(node, true);
    if (!lit) {
      if (node.type === 'column_ref') {
        throw unsupported(`comparing two columns with ${construct}`, 'compare a column with a value');
      }
      if (isNode(node) && node.ast !== undefined) throw unsupported('subqueries');
      throw unsupported(`${describe(node)} as a value`, 'values are literals: numbers, strings, TRUE, FALSE, NULL');
    }
    return this.coerce(lit, ref);
  }

  private coerce(lit: Literal, ref: ColumnRef): CanonicalValue {
    if (lit.kind === 'null') return null;
    const name = this.refName(ref);
    const wrong = (expected: string) =>
      badRequest(`Invalid query: column ${quote(name)} is ${this.datatype(ref)}; compare it with ${expected}.`, [
        { column: name, problem: `expected ${expected}` },
      ]);
    if (lit.kind === 'string' && lit.typed) {
      const ok =
        (lit.typed === 'DATE' && ref.cls === 'date' && isDate(lit.value)) ||
        (lit.typed === 'TIME' && ref.cls === 'time' && isTime(lit.value)) ||
        (lit.typed === 'TIMESTAMP' && ref.cls === 'datetime' && isDatetime(lit.value));
      if (!ok) throw invalid(`${lit.typed} '…' does not fit column ${quote(name)} (${this.datatype(ref)}).`);
      return lit.value;
    }
    switch (ref.cls) {
      case 'number': {
        const text = lit.kind === 'number' ? lit.text : lit.kind === 'string' ? lit.value.trim() : undefined;
        if (text === undefined || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
          throw wrong('a number');
        }
        const n = Number(text);
        if (!Number.isFinite(n)) throw invalid(`the number compared with ${quote(name)} is out of range.`);
        if (/^[+-]?\d+$/.test(text) && !Number.isSafeInteger(n)) {
          throw invalid(
            `the whole number compared with ${quote(name)} is beyond ±2^53−1, which cannot be compared exactly.`,
          );
        }
        return n === 0 ? 0 : n;
      }
      case 'text':
        if (lit.kind !== 'string') throw wrong("a string in single quotes ('…')");
        return lit.value;
      case 'date':
        if (lit.kind !== 'string' || !isDate(lit.value)) throw wrong("a date 'YYYY-MM-DD'");
        return lit.value;
      case 'datetime':
        if (lit.kind !== 'string' || !isDatetime(lit.value))
          throw wrong("an RFC 3339 date-time 'YYYY-MM-DDTHH:MM:SSZ'");
        return lit.value;
      case 'time':
        if (lit.kind !== 'string' || !isTime(lit.value)) throw wrong("a time 'HH:MM[:SS[.fff]]'");
        return lit.value;
      case 'bool':
        if (lit.kind === 'bool') return lit.value;
        if (lit.kind === 'string' && /^(true|false)$/i.test(lit.value)) return lit.value.toLowerCase() === 'true';
        throw wrong('TRUE or FALSE');
      case 'json':
      case 'file':
        throw invalid(`column ${quote(name)} (${this.datatype(ref)}) can only be tested with IS [NOT] NULL.`);
    }
  }

  /**
   * Reads a literal node. `allowDoubleQuoted`: a double-quoted name in a value position is a string (see
   * {@link isColumnOperand}); undefined when the node is no literal.
   */
  private literal(node: Node, allowDoubleQuoted: boolean): Literal | undefined {
    switch (node.type) {
      case 'single_quote_string': {
        const key = textAt(node, 'value') ?? '';
        const lifted = this.literals.get(key);
        if (!lifted) throw invalid('unreadable string literal.');
        return lifted.typed
          ? { kind: 'string', value: lifted.value, typed: lifted.typed }
          : { kind: 'string', value: lifted.value };
      }
      case 'number':
      case 'bigint':
        return { kind: 'number', text: String(node.value) };
      case 'bool':
        return typeof node.value === 'boolean' ? { kind: 'bool', value: node.value } : undefined;
      case 'null':
        return { kind: 'null' };
      case 'unary_expr': {
        const op = textAt(node, 'operator');
        const inner = nodeAt(node, 'expr');
        const lit = inner ? this.literal(inner, false) : undefined;
        if ((op === '-' || op === '+') && lit?.kind === 'number') {
          const text = lit.text.replace(/^\+/, '');
          if (op === '+') return lit;
          return { kind: 'number', text: text.startsWith('-') ? text.slice(1) : `-${text}` };
        }
        return undefined;
      }
      case 'column_ref': {
        if (!allowDoubleQuoted || this.qualifier(node) !== undefined) return undefined;
        const ident = this.columnIdent(node);
        const expr = nodeAt(node, 'column');
        const inner = expr ? nodeAt(expr, 'expr') : undefined;
        if (ident.quoted && inner?.type === 'double_quote_string') return { kind: 'string', value: ident.name };
        return undefined;
      }
      case 'param':
        throw unsupported('query parameters (:name)', 'write the values into the query');
      case 'double_quote_string':
        return allowDoubleQuoted ? { kind: 'string', value: String(node.value) } : undefined;
      default:
        return undefined;
    }
  }

  // ── ORDER BY, LIMIT, OFFSET ────────────────────────────────────────────────────────────────────────

  private orderBy(ast: Node, scope: Scope, output: readonly OutputItem[], aggregate: boolean): OrderItem[] {
    const items = listAt(ast, 'orderby');
    if (!items || items.length === 0) return [];
    if (items.length > MAX_ORDER_ITEMS) throw unsupported(`more than ${MAX_ORDER_ITEMS} ORDER BY items`);
    const order: OrderItem[] = [];
    for (const raw of items) {
      if (!isNode(raw)) throw invalid('unreadable ORDER BY.');
      const expr = nodeAt(raw, 'expr');
      if (!expr) throw invalid('unreadable ORDER BY.');
      const dir = (textAt(raw, 'type') ?? 'ASC').toUpperCase();
      const descending = dir === 'DESC';
      const nulls = (textAt(raw, 'nulls') ?? '').toUpperCase();
      const nullsFirst = nulls === '' ? descending : nulls.includes('FIRST');
      let target: OutputItem | undefined;
      let ref: ColumnRef | undefined;
      if (expr.type === 'number') {
        const position = Number(expr.value);
        target = Number.isInteger(position) ? output[position - 1] : undefined;
        if (!target) throw invalid(`ORDER BY position ${String(expr.value)} is not in the SELECT list.`);
      } else if (expr.type === 'column_ref') {
        const ident = this.columnIdent(expr);
        if (this.qualifier(expr) === undefined) target = output.find((o) => o.name === ident.name);
        if (!target) ref = this.column(expr, scope);
      } else if (expr.type === 'aggr_func') {
        if (!aggregate) throw unsupported('ORDER BY an aggregate without GROUP BY');
        continue; // one result row: nothing to order
      } else {
        throw unsupported(`ORDER BY ${describe(expr)}`, 'order by columns');
      }
      if (target?.kind === 'aggregate') continue; // one result row
      if (target?.kind === 'column') ref = target.ref;
      if (!ref) continue;
      if (aggregate) throw unsupported('ORDER BY a column in an aggregate query (GROUP BY is not supported yet)');
      if (!ORDERED_CLASSES.has(ref.cls)) {
        throw invalid(`ORDER BY is not defined for column ${quote(this.refName(ref))} (${this.datatype(ref)}).`);
      }
      this.requireOperation(ref, 'ORDER', 'ORDER BY');
      this.use(ref, 'order');
      order.push({ ref, descending, nullsFirst });
    }
    return order;
  }

  private limit(ast: Node): { limit: number; offset: number } {
    const node = nodeAt(ast, 'limit');
    const values = node ? (listAt(node, 'value') ?? []) : [];
    const separator = node ? (textAt(node, 'seperator') ?? '') : '';
    const count = (v: unknown, clause: string): number => {
      if (!isNode(v)) throw invalid(`unreadable ${clause}.`);
      if (v.type === 'origin' && String(v.value).toUpperCase() === 'ALL') {
        throw invalid(`LIMIT ALL asks for more than ${MAX_QUERY_LIMIT} records; page with LIMIT and OFFSET.`);
      }
      const n = typeof v.value === 'number' ? v.value : Number(v.value);
      if ((v.type !== 'number' && v.type !== 'bigint') || !Number.isInteger(n) || n < 0) {
        throw invalid(`${clause} must be a whole number of at least 0.`);
      }
      return n;
    };
    let limit = MAX_QUERY_LIMIT;
    let offset = 0;
    if (values.length === 0) return { limit, offset };
    if (separator === 'offset' && values.length === 1) offset = count(values[0], 'OFFSET');
    else if (separator === 'offset' && values.length === 2) {
      limit = count(values[0], 'LIMIT');
      offset = count(values[1], 'OFFSET');
    } else if (separator === '' && values.length === 1) limit = count(values[0], 'LIMIT');
    else throw unsupported('this LIMIT form', 'write LIMIT n OFFSET m');
    if (limit > MAX_QUERY_LIMIT) {
      throw invalid(`LIMIT is at most ${MAX_QUERY_LIMIT} (records per answer); page with OFFSET.`);
    }
    if (offset > MAX_OFFSET) throw invalid(`OFFSET is at most ${MAX_OFFSET}.`);
    return { limit, offset };
  }

  // ── Names ──────────────────────────────────────────────────────────────────────────────────────────

  private columnIdent(node: Node): Ident {
    const column = node.column;
    if (typeof column === 'string') return { name: column, quoted: false };
    if (isNode(column)) {
      const expr = nodeAt(column, 'expr');
      if (expr && typeof expr.value === 'string') {
        return {
          name: expr.value,
          quoted: expr.type === 'double_quote_string' || expr.type === 'backticks_quote_string',
        };
      }
    }
    throw invalid('unreadable column reference.');
  }

  private qualifier(node: Node): Ident | undefined {
    const table = node.table;
    if (table === null || table === undefined) return undefined;
    if (typeof table === 'string') return { name: table, quoted: false };
    if (isNode(table) && typeof table.value === 'string') {
      return {
        name: table.value,
        quoted: table.type === 'double_quote_string' || table.type === 'backticks_quote_string',
      };
    }
    throw invalid('unreadable column qualifier.');
  }

  private sourceIndex(qualifier: Ident, scope: Scope, written: string): number {
    const matches: number[] = [];
    for (let i = 0; i < scope.visible; i++) {
      const alias = (scope.sources[i] as { alias: string }).alias;
      if (alias === qualifier.name) return i;
      if (!qualifier.quoted && alias.toLowerCase() === qualifier.name.toLowerCase()) matches.push(i);
    }
    if (matches.length === 1) return matches[0] as number;
    const known = scope.sources
      .slice(scope.visible)
      .some((s) => s.alias.toLowerCase() === qualifier.name.toLowerCase());
    throw badRequest(
      known
        ? `Invalid query: ${quote(written)} refers to table ${quote(qualifier.name)}, which is joined later.`
        : `Invalid query: ${quote(written)} refers to ${quote(qualifier.name)}, which is not a table of this query.`,
      [{ column: written }],
    );
  }

  private column(node: Node, scope: Scope): ColumnRef {
    const ident = this.columnIdent(node);
    if (ident.name === '*') throw invalid('* is only allowed alone in the SELECT list or in COUNT(*).');
    const qualifier = this.qualifier(node);
    const written = qualifier ? `${qualifier.name}.${ident.name}` : ident.name;
    const find = (table: TableSpec): ColumnSpec | undefined =>
      table.columnsByName.get(ident.name) ??
      (ident.quoted ? undefined : table.columnsByName.get(ident.name.toLowerCase()));
    const candidates = qualifier ? [this.sourceIndex(qualifier, scope, written)] : [...Array(scope.visible).keys()];
    const found: { source: number; spec: ColumnSpec }[] = [];
    for (const s of candidates) {
      const spec = find((scope.sources[s] as { table: TableSpec }).table);
      if (spec) found.push({ source: s, spec });
    }
    if (found.length > 1) {
      throw badRequest(`Invalid query: column ${quote(written)} is ambiguous; qualify it with its table.`, [
        { column: written },
      ]);
    }
    const hit = found[0];
    if (!hit) {
      const where =
        qualifier || scope.visible === 1
          ? `table ${quote((scope.sources[candidates[0] ?? 0] as { table: TableSpec }).table.name)}`
          : 'the tables of this query';
      throw badRequest(`Invalid query: column ${quote(written)} doesn't exist in ${where}.`, [{ column: written }]);
    }
    return refOf(hit.source, hit.spec);
  }

  private writtenRef(node: Node): string {
    const qualifier = this.qualifier(node);
    const ident = this.columnIdent(node);
    const column = ident.quoted ? ident.name : ident.name.toLowerCase();
    return qualifier ? `${qualifier.name}.${column}` : column;
  }

  private spec(ref: ColumnRef): ColumnSpec {
    return (this.sources[ref.source] as { table: TableSpec }).table.columnsByName.get(ref.column) as ColumnSpec;
  }

  private refName(ref: ColumnRef): string {
    const source = this.sources[ref.source] as { table: TableSpec; alias: string };
    return this.sources.length > 1 ? `${source.alias}.${ref.column}` : ref.column;
  }

  private datatype(ref: ColumnRef): string {
    return this.spec(ref).datatype;
  }

  private use(ref: ColumnRef, use: ColumnUse): void {
    const table = (this.sources[ref.source] as { table: TableSpec }).table.name;
    const key = `${table}\u0000${ref.column}`;
    const entry = this.uses.get(key) ?? { table, column: ref.column, uses: new Set<ColumnUse>() };
    entry.uses.add(use);
    this.uses.set(key, entry);
  }

  private requireOperation(ref: ColumnRef, operation: Operation, construct: string): void {
    if (!this.options.enforceOperations) return;
    const spec = this.spec(ref);
    const ops = spec.operations;
    const allowed = ops.includes('ALL_OP') || ops.includes(operation) || (operation === 'EXACT_MATCH' && spec.unique);
    if (!allowed) {
      throw badRequest(
        `Invalid query: ${construct} on column ${quote(this.refName(ref))} needs the ${operation} operation, which its schema does not enable.`,
        [{ column: this.refName(ref), operation }],
      );
    }
  }
}

function refOf(source: number, spec: ColumnSpec): ColumnRef {
  return {
    source,
    column: spec.name,
    cls: valueClass(spec.datatype),
    id: spec.system && spec.name === SKYFLOW_ID,
    indexed: !spec.system && hasLookupIndex(spec),
  };
}

function flip(op: CompareOp): CompareOp {
  switch (op) {
    case '<':
      return '>';
    case '>':
      return '<';
    case '<=':
      return '>=';
    case '>=':
      return '<=';
    default:
      return op;
  }
}

/** A short name for an AST node in error messages (never the user's literal values). */
function describe(node: Node): string {
  switch (node.type) {
    case 'column_ref':
      return 'a column';
    case 'single_quote_string':
    case 'double_quote_string':
    case 'number':
    case 'bigint':
    case 'bool':
    case 'null':
      return 'a literal';
    case 'binary_expr':
      return `an expression with ${String(node.operator ?? '?')}`;
    case 'unary_expr':
      return `an expression with ${String(node.operator ?? '?')}`;
    case 'function': {
      const parts = isNode(node.name) && Array.isArray(node.name.name) ? node.name.name : [];
      const name = parts.map((p) => (isNode(p) && typeof p.value === 'string' ? p.value : '')).join('.');
      return name ? `function ${name}()` : 'a function call';
    }
    case 'aggr_func':
      return 'an aggregate function';
    case 'case':
      return 'CASE';
    case 'cast':
      return 'a CAST';
    case 'expr_list':
      return 'a list';
    case 'interval':
      return 'an INTERVAL';
    case 'param':
      return 'a query parameter';
    default:
      return isNode(node) && node.ast !== undefined ? 'a subquery' : `${String(node.type ?? 'this')} expression`;
  }
}
