import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { AuditEntry } from '../../src/audit/audit-chain.js';
import { AUDIT_COLUMNS, auditRowValues } from '../../src/store/audit-append.js';
import type { AuditEventRow } from '../../src/store/types.js';

/**
 * The `n`th audit entry of a test: a detokenize by one service account, distinguishable by its request
 * ID, time and record. The URI carries quotes and a backslash, which every store must keep as they are.
 */
export function auditEntry(n: number): AuditEntry {
  return {
    id: randomUUID(),
    ts: 1_700_000_000_000 + n,
    requestId: `request-${n}`,
    actor: 'actor',
    actorType: 'SERVICE_ACCOUNT',
    authMode: 'SERVICE_ACCOUNT_JWT',
    jwtId: 'jti',
    contextId: '',
    ipAddress: '127.0.0.1',
    apiName: 'POST /v1/vaults/:vaultID/detokenize',
    httpMethod: 'POST',
    uri: '/v1/vaults/v/detokenize?it\'s \\ "quoted"',
    actionType: 'READ',
    resourceType: 'TOKEN',
    vaultId: 'v',
    resourceIds: ['VAULT/v', `RECORD/${n}`],
    statusCode: 200,
    message: '',
  };
}

/** Writes a chained row straight into a SQLite `audit_events` table, around the store. */
export function insertAuditRow(db: BetterSqlite3.Database, row: AuditEventRow): void {
  db.prepare(
    `insert into audit_events (${AUDIT_COLUMNS.join(', ')}) values (${AUDIT_COLUMNS.map(() => '?').join(', ')})`,
  ).run(auditRowValues(row));
}
