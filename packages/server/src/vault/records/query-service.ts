import { type DataAccess, denied, type VaultAccess } from '../../access/data-access.js';
import type { Principal } from '../../auth/principal.js';
import type { Keyring, VaultKeys } from '../../crypto/keyring.js';
import { forbidden, notFound } from '../../errors.js';
import type { Store } from '../../store/types.js';
import { executeQuery, parseQuery, type QueryPlan, type QuerySource } from '../query/index.js';
import { type AppliedRedaction, applyRedaction, REDACTION_STRICTNESS, stricter } from '../redaction/index.js';
import { defaultRedaction } from '../redaction/levels.js';
import type { VaultSchemaModel } from '../schema/model.js';
import type { VaultService } from '../vault-service.js';
import { type CanonicalValue, indexBytes, valueFromBytes } from './values.js';

/**
 * What a caller may see of a query's columns. `fixed`: caps decided once; `perRecord`: columns a row
 * filter decides, whose records are checked as they load (a record the caller may not read in every
 * column the query uses is invisible to the query, as if it did not exist).
 */
interface QueryGrant {
  readonly caps: Map<string, AppliedRedaction>;
  readonly perRecord: Map<string, { column: string | undefined; plainOnly: boolean }[]>;
}

const key = (table: string, column: string) => `${table}\u0000${column}`;

/** `POST /v1/vaults/{vaultID}/query` (§5.7): the query engine over the vault's encrypted records. */
export class QueryService {
  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    private readonly vaults: VaultService,
    private readonly dataAccess: DataAccess,
    private readonly now: () => number = Date.now,
  ) {}

  async query(principal: Principal, vaultId: string, sql: string) {
    const access = await this.dataAccess.forVault(principal, vaultId);
    access.requireAtAll('READ');
    const { model } = await this.vaults.open(vaultId);
    const plan = parseQuery(sql, model);
    const grant = grantQuery(access, model, plan);
    const keys = await this.keyring.vault(vaultId, this.store);
    return executeQuery(plan, this.source(vaultId, keys, model, access, grant), {
      redact: (table, column, value, level) => {
        const spec = model.tablesByName.get(table)?.columnsByName.get(column);
        if (!spec) throw notFound(`Column ${table}.${column} wasn't found.`);
        return applyRedaction(spec, value, level, { cap: grant.caps.get(key(table, column)) });
      },
    });
  }

  /** The engine's view of the store: blind-index lookups, ID scans and decrypted cells. */
  private source(
    vaultId: string,
    keys: VaultKeys,
    model: VaultSchemaModel,
    access: VaultAccess,
    grant: QueryGrant,
  ): QuerySource {
    const store = this.store;
    const now = this.now();
    return {
      hidesRecords: (table) => grant.perRecord.has(table),
      async idsWhereEqual(table, column, value) {
        const index = keys.blindIndex(table, column, indexBytes(value));
        const found = await store.records.idsByLookup(vaultId, table, column, [index]);
        return [...new Set(found.map((f) => f.recordId))].sort();
      },
      ids: (table, after, limit) => store.records.idsAfter(vaultId, table, after, limit),
      async load(table, ids, asked) {
        const out = new Map<string, Record<string, CanonicalValue>>();
        const present = await store.records.existing(vaultId, table, ids);
        const decided = grant.perRecord.get(table);
        const filterColumns = decided ? access.filterColumns('READ', table) : [];
        const columns = [...new Set([...asked, ...filterColumns])];
        for (const id of ids) {
          if (!present.has(id)) continue;
          out.set(id, Object.fromEntries(columns.map((c) => [c, null])));
        }
        if (columns.length === 0 || present.size === 0) return out;
        const spec = model.tablesByName.get(table);
        for (const cell of await store.records.cells(vaultId, table, [...present], columns)) {
          if (cell.expiresAt !== null && cell.expiresAt <= now) continue;
          if (!spec?.columnsByName.has(cell.column)) continue;
          const record = out.get(cell.recordId);
          if (record) {
            record[cell.column] = valueFromBytes(
              keys.decrypt({ table, column: cell.column, record: cell.recordId }, cell.value),
            );
          }
        }
        if (!decided || !spec) return out;
        for (const [id, record] of out) {
          const rows = { [table]: record };
          for (const { column, plainOnly } of decided) {
            const columnSpec = column === undefined ? undefined : spec.columnsByName.get(column);
            const decision = access.decide('READ', {
              table,
              column,
              columnDefault: columnSpec ? defaultRedaction(columnSpec) : 'REDACTED',
              rows,
            });
            // A record the caller sees only capped in a column the query filters or sorts on is left
            // out: keeping it would let the filter reveal what the cap hides.
            if (!decision.allowed || (plainOnly && decision.redaction !== 'PLAIN_TEXT')) {
              out.delete(id);
              break;
            }
            if (column === undefined) continue;
            // One cap per column for the whole answer: the strictest any visible record needs.
            const k = key(table, column);
            const cap = decision.redaction ?? 'REDACTED';
            const before = grant.caps.get(k);
            grant.caps.set(k, before === undefined ? cap : stricter(before, cap));
          }
          if (!out.has(id)) continue;
          for (const column of filterColumns) if (!asked.includes(column)) delete record[column];
        }
        return out;
      },
    };
  }
}

/**
 * Checks every column a query uses against the caller's READ rights. A column the caller may not read
 * is a 403 naming it; one they may read only masked or redacted can be selected (and is returned capped)
 * but not filtered, joined, ordered or aggregated on, since those would reveal what the cap hides.
 */
function grantQuery(access: VaultAccess, model: VaultSchemaModel, plan: QueryPlan): QueryGrant {
  const caps = new Map<string, AppliedRedaction>();
  const perRecord = new Map<string, { column: string | undefined; plainOnly: boolean }[]>();
  if (access.unconditional && access.grantsBySystemRole('READ')) return { caps, perRecord };
  for (const use of plan.columnUses) {
    const spec = model.tablesByName.get(use.table)?.columnsByName.get(use.column);
    if (!spec || spec.system) continue;
    const question = { table: use.table, column: use.column, columnDefault: defaultRedaction(spec) };
    if (access.needsRows('READ', question)) {
      const plainOnly = use.uses.some((u) => u !== 'select');
      perRecord.set(use.table, [...(perRecord.get(use.table) ?? []), { column: use.column, plainOnly }]);
      continue;
    }
    const decision = access.decide('READ', question);
    if (!decision.allowed) throw denied(access.vaultId, decision);
    const cap = decision.redaction ?? 'REDACTED';
    if (REDACTION_STRICTNESS[cap] > 0 && use.uses.some((u) => u !== 'select')) {
      throw forbidden(
        `Access denied in vault ${access.vaultId}: ${use.table}.${use.column} may be read only ${cap}, so the query cannot filter, join, order or aggregate on it.`,
        [{ table: use.table, column: use.column, cap }],
      );
    }
    caps.set(key(use.table, use.column), cap);
  }
  // A table under a row filter hides the records the caller may read nothing of, even from COUNT(*):
  // each record is checked for the right to read some column of it (a rule on any column counts).
  for (const source of plan.sources) {
    if (perRecord.has(source.table) || !access.needsRows('READ', { table: source.table })) continue;
    perRecord.set(source.table, [{ column: undefined, plainOnly: false }]);
  }
  return { caps, perRecord };
}
