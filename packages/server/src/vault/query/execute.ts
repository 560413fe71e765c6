import { badRequest } from '../../errors.js';
import type { CanonicalValue } from '../records/values.js';
import type {
  ColumnRef,
  ExecuteOptions,
  OrderItem,
  OutputItem,
  PlanSource,
  Predicate,
  QueryPlan,
  QueryResult,
  QuerySource,
} from './plan.js';
import { compareValues, equalityKey, fitsClass, indexAnswersEquality } from './semantics.js';

export const DEFAULT_MAX_SCAN_ROWS = 1_000_000;
export const DEFAULT_BATCH_SIZE = 500;
export const DEFAULT_MAX_JOIN_ROWS = 100_000;

/** One record of one source: its ID and the decrypted values of the columns the query needs. */
interface Rec {
  readonly id: string;
  readonly values: Record<string, CanonicalValue>;
}
/** One row of the (joined) result: a record per source, null where a LEFT JOIN found no match. */
type Row = (Rec | null)[];
type Truth = boolean | null;

/**
 * How the records of one source are found: through blind-index lookups (and literal `skyflow_id`s),
 * combined by intersection (AND) and union (OR, IN); or by scanning the table in ID order.
 */
export type Access =
  | { readonly kind: 'lookup'; readonly column: string; readonly value: CanonicalValue }
  | { readonly kind: 'id'; readonly id: string }
  | { readonly kind: 'intersect' | 'union'; readonly parts: readonly Access[] }
  | { readonly kind: 'scan' };

/** The executor's decisions for one query, also returned by {@link explainQuery}. */
export interface Strategy {
  readonly sources: readonly {
    readonly table: string;
    /** How the source's records are found: `scan`, an index access, or for joined tables `join-lookup`. */
    readonly access: Access | { readonly kind: 'join-lookup'; readonly column: string };
    /** Columns loaded for it (never `skyflow_id`). */
    readonly columns: readonly string[];
  }[];
  /** True when the executor stops reading once OFFSET + LIMIT rows matched. */
  readonly earlyStop: boolean;
}

class Budget {
  examined = 0;
  constructor(private readonly max: number) {}
  spend(records: number): void {
    this.examined += records;
    if (this.examined > this.max) {
      throw badRequest(
        `The query would examine more than ${this.max} records. Narrow it with = or IN on a unique or indexed (EXACT_MATCH) column, or page with a smaller OFFSET.`,
        [{ limit: 'maxScanRows', max: this.max }],
      );
    }
  }
}

interface SourcePlan {
  readonly index: number;
  readonly source: PlanSource;
  readonly access: Access;
  /** Conditions on this source alone, tested while reading it (before joining). */
  readonly filters: readonly Predicate[];
  readonly columns: readonly string[];
  /** For joined sources: the join key to look up per value through the blind index, if any. */
  readonly lookupKey: { readonly left: ColumnRef; readonly right: ColumnRef } | undefined;
}

interface Prepared {
  readonly sources: readonly SourcePlan[];
  /** Conditions tested on joined rows. */
  readonly residual: readonly Predicate[];
  readonly earlyStop: boolean;
  /** True when no column of the first source is needed and its IDs alone answer the query. */
  readonly idsOnly: boolean;
}

/** What the executor would do for a plan, without touching storage (for tests, logs and EXPLAIN-like output). */
export function explainQuery(plan: QueryPlan): Strategy {
  const prepared = prepare(plan);
  return {
    sources: prepared.sources.map((s) => ({
      table: s.source.table,
      access:
        s.lookupKey && s.access.kind === 'scan' ? { kind: 'join-lookup', column: s.lookupKey.right.column } : s.access,
      columns: s.columns,
    })),
    earlyStop: prepared.earlyStop,
  };
}

/**
 * Runs a plan against storage. Reads only the columns the query needs, uses blind-index lookups where the
 * WHERE allows, scans in batches otherwise, and applies `options.redact` to every returned column value.
 */
export async function executeQuery(
  plan: QueryPlan,
  source: QuerySource,
  options: ExecuteOptions,
): Promise<QueryResult> {
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const budget = new Budget(options.maxScanRows ?? DEFAULT_MAX_SCAN_ROWS);
  const maxJoinRows = options.maxJoinRows ?? DEFAULT_MAX_JOIN_ROWS;
  if (plan.limit === 0 || (plan.aggregate && plan.offset > 0)) return { records: [] };
  const prepared = prepare(plan);
  const ctx: RunContext = { source, batchSize, budget, maxJoinRows, joinRows: 0 };

  const first = prepared.sources[0] as SourcePlan;
  const idsOnly = prepared.idsOnly && !source.hidesRecords?.(first.source.table);
  let rows = readSource(ctx, first, idsOnly);
  for (const joined of prepared.sources.slice(1)) rows = join(ctx, rows, joined);

  const matches = async function* (): AsyncGenerator<Row> {
    for await (const batch of rows) {
      for (const row of batch) {
        if (prepared.residual.every((p) => evaluate(p, row) === true)) yield row;
      }
    }
  };

  if (plan.aggregate) {
    const acc = plan.output.map(() => newAccumulator());
    for await (const row of matches()) {
      for (const [i, item] of plan.output.entries()) accumulate(acc[i] as Accumulator, item, row);
    }
    const fields: Record<string, unknown> = {};
    plan.output.forEach((item, i) => {
      fields[item.name] = finish(acc[i] as Accumulator, item, plan, options);
    });
    return { records: [{ fields }] };
  }

  const wanted = plan.offset + plan.limit;
  let picked: Row[];
  if (plan.orderBy.length > 0) {
    picked = [];
    for await (const row of matches()) insertTopK(picked, row, wanted, plan.orderBy);
    picked = picked.slice(plan.offset);
  } else {
    picked = [];
    let seen = 0;
    for await (const row of matches()) {
      seen += 1;
      if (seen > plan.offset) picked.push(row);
      if (seen >= wanted) break;
    }
  }
  return { records: picked.map((row) => ({ fields: project(row, plan, options) })) };
}

// ── Planning ─────────────────────────────────────────────────────────────────────────────────────────

function prepare(plan: QueryPlan): Prepared {
  const conjuncts = plan.where ? (plan.where.kind === 'and' ? plan.where.args : [plan.where]) : [];
  const residual: Predicate[] = [];
  const pushed = plan.sources.map(() => [] as Predicate[]);
  for (const c of conjuncts) {
    const sources = new Set(refsOf(c).map((r) => r.source));
    const only = sources.size === 1 ? ([...sources][0] as number) : sources.size === 0 ? 0 : undefined;
    // Conditions on one table are tested while reading it — for the FROM table and INNER-joined ones; a
    // LEFT-joined table's conditions must see the NULLs its missing matches produce, so they wait.
    if (only !== undefined && (only === 0 || plan.sources[only]?.join?.type === 'INNER')) pushed[only]?.push(c);
    else residual.push(c);
  }

  const sources: SourcePlan[] = plan.sources.map((source, index) => {
    const own = pushed[index] ?? [];
    const accesses: Access[] = [];
    const filters: Predicate[] = [];
    for (const c of own) {
      const found = indexAccess(c, index);
      if (found) accesses.push(found.access);
      if (!found?.exact) filters.push(c);
    }
    const access: Access =
      accesses.length === 0
        ? { kind: 'scan' }
        : accesses.length === 1
          ? (accesses[0] as Access)
          : { kind: 'intersect', parts: accesses };
    const lookupKey =
      index > 0 && access.kind === 'scan'
        ? (source.join?.keys.find((k) => k.right.id || (k.right.indexed && indexAnswersEquality(k.right.cls))) ??
          undefined)
        : undefined;
    return { index, source, access, filters, columns: [], lookupKey };
  });

  // Columns each source must load: everything evaluated in memory or returned.
  const needed = plan.sources.map(() => new Set<string>());
  const need = (ref: ColumnRef | undefined) => {
    if (ref && !ref.id) needed[ref.source]?.add(ref.column);
  };
  for (const item of plan.output) need(item.ref);
  for (const item of plan.orderBy) need(item.ref);
  for (const p of residual) for (const r of refsOf(p)) need(r);
  for (const s of sources) {
    for (const p of s.filters) for (const r of refsOf(p)) need(r);
    for (const k of s.source.join?.keys ?? []) {
      need(k.left);
      need(k.right);
    }
    if (s.source.join?.filter) for (const r of refsOf(s.source.join.filter)) need(r);
  }
  const withColumns = sources.map((s, i) => ({ ...s, columns: [...(needed[i] ?? [])].sort() }));
  const first = withColumns[0] as SourcePlan;
  return {
    sources: withColumns,
    residual,
    earlyStop: !plan.aggregate && plan.orderBy.length === 0,
    idsOnly:
      withColumns.length === 1 && first.columns.length === 0 && first.filters.length === 0 && verified(first.access),
  };
}

/** Access paths that list only existing records (a literal skyflow_id may name none). */
function verified(access: Access): boolean {
  switch (access.kind) {
    case 'id':
      return false;
    case 'union':
      return access.parts.every(verified);
    case 'intersect':
      return access.parts.some(verified);
    default:
      return true;
  }
}

/**
 * The index access that finds the records satisfying `p` on source `source`, if one exists; `exact` when
 * the records it finds are exactly those (so `p` need not be tested again).
 */
function indexAccess(p: Predicate, source: number): { access: Access; exact: boolean } | undefined {
  const point = (ref: ColumnRef, value: CanonicalValue): Access | undefined => {
    if (ref.source !== source) return undefined;
    if (ref.id) return typeof value === 'string' ? { kind: 'id', id: value } : { kind: 'union', parts: [] };
    return ref.indexed && indexAnswersEquality(ref.cls) ? { kind: 'lookup', column: ref.column, value } : undefined;
  };
  switch (p.kind) {
    case 'compare': {
      if (p.op !== '=' || p.value === null) return undefined;
      const access = point(p.ref, p.value);
      return access ? { access, exact: true } : undefined;
    }
    case 'in': {
      if (p.negated || p.ref.source !== source || !(p.ref.id || (p.ref.indexed && indexAnswersEquality(p.ref.cls)))) {
        return undefined;
      }
      const values = [
        ...new Map(p.values.filter((v) => v !== null).map((v) => [equalityKey(p.ref.cls, v), v])).values(),
      ];
      const parts = values.map((v) => point(p.ref, v) as Access);
      return { access: parts.length === 1 ? (parts[0] as Access) : { kind: 'union', parts }, exact: true };
    }
    case 'and': {
      const found = p.args.map((a) => indexAccess(a, source));
      const parts = found.filter((f) => f !== undefined).map((f) => f.access);
      if (parts.length === 0) return undefined;
      return {
        access: parts.length === 1 ? (parts[0] as Access) : { kind: 'intersect', parts },
        exact: found.every((f) => f?.exact === true),
      };
    }
    case 'or': {
      const found = p.args.map((a) => indexAccess(a, source));
      if (found.some((f) => f === undefined)) return undefined;
      return {
        access: { kind: 'union', parts: found.map((f) => (f as { access: Access }).access) },
        exact: found.every((f) => f?.exact === true),
      };
    }
    default:
      return undefined;
  }
}

function refsOf(p: Predicate): ColumnRef[] {
  switch (p.kind) {
    case 'and':
    case 'or':
      return p.args.flatMap(refsOf);
    case 'not':
      return refsOf(p.arg);
    case 'columns':
      return [p.left, p.right];
    default:
      return [p.ref];
  }
}

// ── Reading ──────────────────────────────────────────────────────────────────────────────────────────

interface RunContext {
  readonly source: QuerySource;
  readonly batchSize: number;
  readonly budget: Budget;
  readonly maxJoinRows: number;
  joinRows: number;
}

async function resolveAccess(ctx: RunContext, table: string, access: Access): Promise<string[]> {
  switch (access.kind) {
    case 'lookup':
      return await ctx.source.idsWhereEqual(table, access.column, access.value);
    case 'id':
      return [access.id];
    case 'union': {
      const all = new Set<string>();
      for (const part of access.parts) for (const id of await resolveAccess(ctx, table, part)) all.add(id);
      return [...all].sort(byId);
    }
    case 'intersect': {
      let current: Set<string> | undefined;
      for (const part of access.parts) {
        const ids = await resolveAccess(ctx, table, part);
        current = current ? new Set(ids.filter((id) => current?.has(id))) : new Set(ids);
        if (current.size === 0) break;
      }
      return [...(current ?? [])].sort(byId);
    }
    case 'scan':
      throw new Error('a scan is not an ID set');
  }
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The records of one source that pass its own conditions, in ID order, batch by batch. */
async function* records(ctx: RunContext, plan: SourcePlan, idsOnly: boolean): AsyncGenerator<Rec[]> {
  const table = plan.source.table;
  const keep = (rec: Rec) => plan.filters.every((p) => evaluate(p, single(plan.index, rec)) === true);
  const loadBatch = async (ids: readonly string[]): Promise<Rec[]> => {
    if (idsOnly) return ids.map((id) => ({ id, values: {} }));
    const loaded = await ctx.source.load(table, ids, plan.columns);
    const out: Rec[] = [];
    for (const id of ids) {
      const values = loaded.get(id);
      if (values) {
        const rec = { id, values };
        if (keep(rec)) out.push(rec);
      }
    }
    return out;
  };
  if (plan.access.kind !== 'scan') {
    const ids = [...new Set(await resolveAccess(ctx, table, plan.access))].sort(byId);
    for (let i = 0; i < ids.length; i += ctx.batchSize) {
      const batch = ids.slice(i, i + ctx.batchSize);
      ctx.budget.spend(batch.length);
      yield await loadBatch(batch);
    }
    return;
  }
  let after: string | undefined;
  for (;;) {
    const ids = await ctx.source.ids(table, after, ctx.batchSize);
    if (ids.length === 0) return;
    ctx.budget.spend(ids.length);
    yield await loadBatch(ids);
    if (ids.length < ctx.batchSize) return;
    after = ids[ids.length - 1];
  }
}

function single(index: number, rec: Rec): Row {
  const row: Row = [];
  row[index] = rec;
  return row;
}

async function* readSource(ctx: RunContext, plan: SourcePlan, idsOnly: boolean): AsyncGenerator<Row[]> {
  for await (const batch of records(ctx, plan, idsOnly)) yield batch.map((rec) => [rec]);
}

/** Joins each batch of rows with the records of `plan`'s source (hash join; lookups through the index when it can). */
async function* join(ctx: RunContext, rows: AsyncGenerator<Row[]>, plan: SourcePlan): AsyncGenerator<Row[]> {
  const join = plan.source.join;
  if (!join) throw new Error('not a joined source');
  const [hashKey] = plan.lookupKey ? [plan.lookupKey] : join.keys;
  if (!hashKey) throw new Error('a join needs a key');
  const byKey = new Map<string, Rec[]>();
  const looked = new Set<string>();
  let materialised = false;
  const add = (rec: Rec) => {
    const value = cellOf(single(plan.index, rec), hashKey.right);
    if (value === null) return;
    const key = equalityKey(hashKey.right.cls, value);
    const list = byKey.get(key) ?? [];
    list.push(rec);
    byKey.set(key, list);
    ctx.joinRows += 1;
    if (ctx.joinRows > ctx.maxJoinRows) throw tooManyJoinRows(ctx.maxJoinRows);
  };

  for await (const batch of rows) {
    if (plan.lookupKey) {
      // Look up, through the blind index, the records matching each new value of the key in this batch.
      const fresh = new Map<string, CanonicalValue>();
      for (const row of batch) {
        const value = cellOf(row, hashKey.left);
        if (value === null) continue;
        const key = equalityKey(hashKey.left.cls, value);
        if (!looked.has(key)) fresh.set(key, value);
      }
      const ids = new Set<string>();
      for (const [key, value] of fresh) {
        looked.add(key);
        const found = hashKey.right.id
          ? typeof value === 'string'
            ? [value]
            : []
          : await ctx.source.idsWhereEqual(plan.source.table, hashKey.right.column, value);
        for (const id of found) ids.add(id);
      }
      const list = [...ids].sort(byId);
      for (let i = 0; i < list.length; i += ctx.batchSize) {
        const part = list.slice(i, i + ctx.batchSize);
        ctx.budget.spend(part.length);
        const loaded = await ctx.source.load(plan.source.table, part, plan.columns);
        for (const id of part) {
          const values = loaded.get(id);
          if (!values) continue;
          const rec = { id, values };
          if (plan.filters.every((p) => evaluate(p, single(plan.index, rec)) === true)) add(rec);
        }
      }
    } else if (!materialised) {
      materialised = true;
      for await (const part of records(ctx, plan, false)) for (const rec of part) add(rec);
    }

    const out: Row[] = [];
    for (const row of batch) {
      const value = cellOf(row, hashKey.left);
      const candidates = value === null ? [] : (byKey.get(equalityKey(hashKey.left.cls, value)) ?? []);
      let matched = false;
      for (const rec of candidates) {
        const joined = [...row];
        joined[plan.index] = rec;
        const keysMatch = join.keys.every((k) => compareRefs('=', k.left, k.right, joined) === true);
        if (keysMatch && (!join.filter || evaluate(join.filter, joined) === true)) {
          out.push(joined);
          matched = true;
        }
      }
      if (!matched && join.type === 'LEFT') {
        const joined = [...row];
        joined[plan.index] = null;
        out.push(joined);
      }
    }
    ctx.joinRows += out.length;
    if (ctx.joinRows > ctx.maxJoinRows) throw tooManyJoinRows(ctx.maxJoinRows);
    yield out;
  }
}

const tooManyJoinRows = (max: number) =>
  badRequest(`The JOIN produces or holds more than ${max} rows. Narrow the query with conditions on indexed columns.`, [
    { limit: 'maxJoinRows', max },
  ]);

// ── Evaluation (SQL three-valued logic) ──────────────────────────────────────────────────────────────

/** A column's value in a row; null when absent, when a LEFT JOIN found nothing, or when not of the column's type. */
function cellOf(row: Row, ref: ColumnRef): CanonicalValue {
  const rec = row[ref.source];
  if (!rec) return null;
  if (ref.id) return rec.id;
  const value = rec.values[ref.column] ?? null;
  return value !== null && fitsClass(ref.cls, value) ? value : null;
}

function test(op: string, c: number): boolean {
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    default:
      return c >= 0;
  }
}

function compareRefs(op: string, left: ColumnRef, right: ColumnRef, row: Row): Truth {
  const a = cellOf(row, left);
  const b = cellOf(row, right);
  if (a === null || b === null) return null;
  return test(op, compareValues(left.cls, a, b));
}

const not = (t: Truth): Truth => (t === null ? null : !t);

export function evaluate(p: Predicate, row: Row): Truth {
  switch (p.kind) {
    case 'and': {
      let result: Truth = true;
      for (const arg of p.args) {
        const t = evaluate(arg, row);
        if (t === false) return false;
        if (t === null) result = null;
      }
      return result;
    }
    case 'or': {
      let result: Truth = false;
      for (const arg of p.args) {
        const t = evaluate(arg, row);
        if (t === true) return true;
        if (t === null) result = null;
      }
      return result;
    }
    case 'not':
      return not(evaluate(p.arg, row));
    case 'compare': {
      const v = cellOf(row, p.ref);
      if (v === null || p.value === null) return null;
      return test(p.op, compareValues(p.ref.cls, v, p.value));
    }
    case 'columns':
      return compareRefs(p.op, p.left, p.right, row);
    case 'in': {
      const v = cellOf(row, p.ref);
      let result: Truth;
      if (v === null) result = p.values.length === 0 ? false : null;
      else {
        result = false;
        for (const candidate of p.values) {
          if (candidate === null) result = null;
          else if (compareValues(p.ref.cls, v, candidate) === 0) {
            result = true;
            break;
          }
        }
      }
      return p.negated ? not(result) : result;
    }
    case 'like': {
      const v = cellOf(row, p.ref);
      if (v === null) return null;
      const matched = p.regex.test(String(v));
      return p.negated ? !matched : matched;
    }
    case 'null': {
      const isNull = cellOf(row, p.ref) === null;
      return p.negated ? !isNull : isNull;
    }
    case 'truth': {
      const is = cellOf(row, p.ref) === p.value;
      return p.negated ? !is : is;
    }
  }
}

// ── Ordering, aggregates, output ─────────────────────────────────────────────────────────────────────

function compareRows(a: Row, b: Row, order: readonly OrderItem[]): number {
  for (const item of order) {
    const x = cellOf(a, item.ref);
    const y = cellOf(b, item.ref);
    let c: number;
    if (x === null && y === null) c = 0;
    else if (x === null) c = item.nullsFirst ? -1 : 1;
    else if (y === null) c = item.nullsFirst ? 1 : -1;
    else c = item.descending ? -compareValues(item.ref.cls, x, y) : compareValues(item.ref.cls, x, y);
    if (c !== 0) return c;
  }
  return 0;
}

/** Keeps the first `k` rows in order (stable: equal rows keep their arrival order). */
function insertTopK(top: Row[], row: Row, k: number, order: readonly OrderItem[]): void {
  let lo = 0;
  let hi = top.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareRows(top[mid] as Row, row, order) <= 0) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= k) return;
  top.splice(lo, 0, row);
  if (top.length > k) top.pop();
}

interface Accumulator {
  count: number;
  sum: number;
  best: CanonicalValue;
  distinct: Set<string> | undefined;
}

const newAccumulator = (): Accumulator => ({ count: 0, sum: 0, best: null, distinct: undefined });

function accumulate(acc: Accumulator, item: OutputItem, row: Row): void {
  if (item.kind !== 'aggregate') return;
  if (!item.ref) {
    acc.count += 1;
    return;
  }
  const v = cellOf(row, item.ref);
  if (v === null) return;
  acc.count += 1;
  switch (item.fn) {
    case 'COUNT':
      if (item.distinct) {
        acc.distinct ??= new Set();
        acc.distinct.add(equalityKey(item.ref.cls, v));
      }
      break;
    case 'SUM':
    case 'AVG':
      acc.sum += v as number;
      break;
    case 'MIN':
    case 'MAX': {
      if (acc.best === null) acc.best = v;
      else {
        const c = compareValues(item.ref.cls, v, acc.best);
        if (item.fn === 'MIN' ? c < 0 : c > 0) acc.best = v;
      }
      break;
    }
  }
}

function finish(acc: Accumulator, item: OutputItem, plan: QueryPlan, options: ExecuteOptions): unknown {
  if (item.kind !== 'aggregate') return null;
  switch (item.fn) {
    case 'COUNT':
      return item.distinct ? (acc.distinct?.size ?? 0) : acc.count;
    case 'SUM':
      return acc.count === 0 ? null : acc.sum;
    case 'AVG':
      return acc.count === 0 ? null : acc.sum / acc.count;
    case 'MIN':
    case 'MAX': {
      if (acc.best === null || !item.ref) return null;
      const table = (plan.sources[item.ref.source] as PlanSource).table;
      return options.redact(table, item.ref.column, acc.best, 'DEFAULT');
    }
  }
}

function project(row: Row, plan: QueryPlan, options: ExecuteOptions): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const item of plan.output) {
    if (item.kind !== 'column') continue;
    const rec = row[item.ref.source];
    const raw = !rec ? null : item.ref.id ? rec.id : (rec.values[item.ref.column] ?? null);
    const table = (plan.sources[item.ref.source] as PlanSource).table;
    fields[item.name] = raw === null ? null : options.redact(table, item.ref.column, raw, item.level);
  }
  return fields;
}
