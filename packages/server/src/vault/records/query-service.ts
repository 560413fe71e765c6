import { access, vaultResource } from '../../access/access-control.js';
import type { Principal } from '../../auth/principal.js';
import type { Keyring, VaultKeys } from '../../crypto/keyring.js';
import { notFound } from '../../errors.js';
import type { Store } from '../../store/types.js';
import { executeQuery, parseQuery, type QuerySource } from '../query/index.js';
import { applyRedaction } from '../redaction/index.js';
import type { VaultSchemaModel } from '../schema/model.js';
import type { VaultService } from '../vault-service.js';
import { type CanonicalValue, indexBytes, valueFromBytes } from './values.js';

/** `POST /v1/vaults/{vaultID}/query` (§5.7): the query engine over the vault's encrypted records. */
export class QueryService {
  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    private readonly vaults: VaultService,
    private readonly now: () => number = Date.now,
  ) {}

  async query(principal: Principal, vaultId: string, sql: string) {
    access.require(principal, 'records.read', vaultResource(vaultId));
    const { model } = await this.vaults.open(vaultId);
    const plan = parseQuery(sql, model);
    const keys = await this.keyring.vault(vaultId, this.store);
    return executeQuery(plan, this.source(vaultId, keys, model), {
      redact: (table, column, value, level) => {
        const spec = model.tablesByName.get(table)?.columnsByName.get(column);
        if (!spec) throw notFound(`Column ${table}.${column} wasn't found.`);
        return applyRedaction(spec, value, level);
      },
    });
  }

  /** The engine's view of the store: blind-index lookups, ID scans and decrypted cells. */
  private source(vaultId: string, keys: VaultKeys, model: VaultSchemaModel): QuerySource {
    const store = this.store;
    const now = this.now();
    return {
      async idsWhereEqual(table, column, value) {
        const index = keys.blindIndex(table, column, indexBytes(value));
        const found = await store.records.idsByLookup(vaultId, table, column, [index]);
        return [...new Set(found.map((f) => f.recordId))].sort();
      },
      ids: (table, after, limit) => store.records.idsAfter(vaultId, table, after, limit),
      async load(table, ids, columns) {
        const out = new Map<string, Record<string, CanonicalValue>>();
        const present = await store.records.existing(vaultId, table, ids);
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
        return out;
      },
    };
  }
}
