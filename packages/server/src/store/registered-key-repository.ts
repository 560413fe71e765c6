import type { Selectable } from 'kysely';
import type { Database } from './database.js';
import { changed, type Db } from './sql-helpers.js';
import type { RegisteredKeyRepository, RegisteredKeyRow } from './types.js';

function toKey(row: Selectable<Database['registered_keys']>): RegisteredKeyRow {
  return {
    id: row.id,
    serviceAccountId: row.service_account_id,
    name: row.name,
    algorithm: row.algorithm as RegisteredKeyRow['algorithm'],
    publicJwk: row.public_jwk,
    createdAt: Number(row.created_at),
  };
}

export function registeredKeyRepository(db: Db): RegisteredKeyRepository {
  return {
    async insert(row) {
      await db
        .insertInto('registered_keys')
        .values({
          id: row.id,
          service_account_id: row.serviceAccountId,
          name: row.name,
          algorithm: row.algorithm,
          public_jwk: row.publicJwk,
          created_at: row.createdAt,
        })
        .execute();
    },
    async get(id) {
      const row = await db.selectFrom('registered_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toKey(row);
    },
    async listForAccount(serviceAccountId) {
      const rows = await db
        .selectFrom('registered_keys')
        .selectAll()
        .where('service_account_id', '=', serviceAccountId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toKey);
    },
    async delete(id) {
      return changed(await db.deleteFrom('registered_keys').where('id', '=', id).executeTakeFirst());
    },
  };
}
