import type { Selectable } from 'kysely';
import type { Database } from './database.js';
import type { Db } from './sql-helpers.js';
import type { AuditEventRow, AuditRepository } from './types.js';

function toEvent(row: Selectable<Database['audit_events']>): AuditEventRow {
  return {
    seq: Number(row.seq),
    id: row.id,
    ts: Number(row.ts),
    requestId: row.request_id,
    actor: row.actor,
    actorType: row.actor_type,
    authMode: row.auth_mode,
    jwtId: row.jwt_id,
    contextId: row.context_id,
    ipAddress: row.ip_address,
    apiName: row.api_name,
    httpMethod: row.http_method,
    uri: row.uri,
    actionType: row.action_type,
    resourceType: row.resource_type,
    vaultId: row.vault_id,
    resourceIds: JSON.parse(row.resource_ids) as string[],
    statusCode: row.status_code,
    message: row.message,
    prevHash: Buffer.from(row.prev_hash),
    hash: Buffer.from(row.hash),
  };
}

/** `rowLocks`: PostgreSQL, where several nodes append and the head row must be locked. */
export function auditRepository(db: Db, rowLocks = false): AuditRepository {
  return {
    async head() {
      const row = await db
        .selectFrom('audit_head')
        .select(['seq', 'hash'])
        .where('id', '=', 1)
        .$if(rowLocks && db.isTransaction, (q) => q.forUpdate())
        .executeTakeFirst();
      return row && { seq: Number(row.seq), hash: Buffer.from(row.hash) };
    },
    async list(filter, page) {
      if (filter.vaultIds?.length === 0) return [];
      let query = db.selectFrom('audit_events').selectAll();
      if (filter.vaultIds) query = query.where('vault_id', 'in', filter.vaultIds);
      if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
      if (filter.actionType !== undefined) query = query.where('action_type', '=', filter.actionType);
      if (filter.requestId !== undefined) query = query.where('request_id', '=', filter.requestId);
      if (filter.fromTs !== undefined) query = query.where('ts', '>=', filter.fromTs);
      if (filter.toTs !== undefined) query = query.where('ts', '<=', filter.toTs);
      if (filter.afterSeq !== undefined) {
        query = query.where('seq', page.descending ? '<' : '>', filter.afterSeq);
      }
      const rows = await query
        .orderBy('seq', page.descending ? 'desc' : 'asc')
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      return rows.map(toEvent);
    },
    async scan(fromSeq, limit) {
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('seq', '>=', fromSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(toEvent);
    },
  };
}
