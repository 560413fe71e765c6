import { hasLookupIndex } from '../records/record-service.js';
import { type CanonicalValue, indexBytes } from '../records/values.js';
import type { VaultSchemaModel } from '../schema/model.js';
import type { QuerySource } from './plan.js';

export interface MemoryRecord {
  readonly id: string;
  /** Stored (canonical) values by column; absent columns are null. */
  readonly values: Readonly<Record<string, CanonicalValue>>;
}

/**
 * An in-memory {@link QuerySource}: the executable specification of the contract the stores implement,
 * and the test double of the query engine's tests. Equality lookups compare the same bytes the blind
 * index hashes (`indexBytes`), so they match exactly what a store's index would. It refuses what a store
 * could not do — a lookup on a column without a lookup index, loading `skyflow_id` or an unknown column —
 * so a test fails if the engine ever asks.
 */
export class MemoryQuerySource implements QuerySource {
  private readonly tables = new Map<string, MemoryRecord[]>();

  constructor(
    private readonly schema: VaultSchemaModel,
    data: Readonly<Record<string, readonly MemoryRecord[]>>,
  ) {
    for (const table of schema.tables) {
      const records = [...(data[table.name] ?? [])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      this.tables.set(table.name, records);
    }
  }

  private records(table: string): MemoryRecord[] {
    const records = this.tables.get(table);
    if (!records) throw new Error(`MemoryQuerySource: unknown table ${table}`);
    return records;
  }

  private checkColumn(table: string, column: string): void {
    const spec = this.schema.tablesByName.get(table)?.columnsByName.get(column);
    if (!spec) throw new Error(`MemoryQuerySource: unknown column ${table}.${column}`);
    if (spec.system) throw new Error(`MemoryQuerySource: ${column} is the record ID, not a stored column`);
  }

  async idsWhereEqual(table: string, column: string, value: CanonicalValue): Promise<string[]> {
    this.checkColumn(table, column);
    const spec = this.schema.tablesByName.get(table)?.columnsByName.get(column);
    if (!spec || !hasLookupIndex(spec)) throw new Error(`MemoryQuerySource: ${table}.${column} has no lookup index`);
    const wanted = indexBytes(value);
    return this.records(table)
      .filter((r) => {
        const stored = r.values[column];
        return stored !== undefined && stored !== null && indexBytes(stored).equals(wanted);
      })
      .map((r) => r.id);
  }

  async ids(table: string, after: string | undefined, limit: number): Promise<string[]> {
    const out: string[] = [];
    for (const r of this.records(table)) {
      if (after !== undefined && r.id <= after) continue;
      out.push(r.id);
      if (out.length >= limit) break;
    }
    return out;
  }

  async load(
    table: string,
    ids: readonly string[],
    columns: readonly string[],
  ): Promise<Map<string, Record<string, CanonicalValue>>> {
    for (const column of columns) this.checkColumn(table, column);
    const byId = new Map(this.records(table).map((r) => [r.id, r]));
    const out = new Map<string, Record<string, CanonicalValue>>();
    for (const id of ids) {
      const record = byId.get(id);
      if (!record) continue;
      const values: Record<string, CanonicalValue> = {};
      for (const column of columns) values[column] = record.values[column] ?? null;
      out.set(id, values);
    }
    return out;
  }
}
