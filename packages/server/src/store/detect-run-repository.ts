import type { Selectable } from 'kysely';
import type { Database } from './database.js';
import { changed, type Db } from './sql-helpers.js';
import type { DetectRunRepository, DetectRunRow, DetectRunStatus } from './types.js';

const asBuffer = (value: Uint8Array | null): Buffer | null => (value === null ? null : Buffer.from(value));
const asNumber = (value: number | string | null): number | null => (value === null ? null : Number(value));

function toRun(row: Selectable<Database['detect_runs']>): DetectRunRow {
  return {
    id: row.id,
    vaultId: row.vault_id,
    status: row.status as DetectRunStatus,
    endpoint: row.endpoint,
    dataFormat: row.data_format,
    options: Buffer.from(row.options),
    input: asBuffer(row.input),
    output: asBuffer(row.output),
    entities: asBuffer(row.entities),
    keyVersion: Number(row.key_version),
    inputBytes: Number(row.input_bytes),
    outputBytes: asNumber(row.output_bytes),
    wordCount: asNumber(row.word_count),
    characterCount: asNumber(row.character_count),
    message: row.message,
    progressDone: Number(row.progress_done),
    progressTotal: Number(row.progress_total),
    attempts: Number(row.attempts),
    claimedBy: row.claimed_by,
    leaseUntil: asNumber(row.lease_until),
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    finishedAt: asNumber(row.finished_at),
  };
}

export function detectRunRepository(db: Db): DetectRunRepository {
  /** The run, if `node` still holds its lease. */
  const held = (id: string, node: string) =>
    db
      .updateTable('detect_runs')
      .where('id', '=', id)
      .where('claimed_by', '=', node)
      .where('status', '=', 'IN_PROGRESS');

  return {
    async insert(row) {
      await db
        .insertInto('detect_runs')
        .values({
          id: row.id,
          vault_id: row.vaultId,
          status: row.status,
          endpoint: row.endpoint,
          data_format: row.dataFormat,
          options: row.options,
          input: row.input,
          output: row.output,
          entities: row.entities,
          key_version: row.keyVersion,
          input_bytes: row.inputBytes,
          output_bytes: row.outputBytes,
          word_count: row.wordCount,
          character_count: row.characterCount,
          message: row.message,
          progress_done: row.progressDone,
          progress_total: row.progressTotal,
          attempts: row.attempts,
          claimed_by: row.claimedBy,
          lease_until: row.leaseUntil,
          created_by: row.createdBy,
          created_at: row.createdAt,
          updated_at: row.updatedAt,
          finished_at: row.finishedAt,
        })
        .execute();
    },
    async get(id) {
      const row = await db.selectFrom('detect_runs').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRun(row);
    },
    async claimable(now, limit) {
      const rows = await db
        .selectFrom('detect_runs')
        .select('id')
        .where('status', '=', 'IN_PROGRESS')
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .orderBy('created_at')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },
    async claim(id, node, now, leaseUntil) {
      const result = await db
        .updateTable('detect_runs')
        .set((eb) => ({
          claimed_by: node,
          lease_until: leaseUntil,
          attempts: eb('attempts', '+', 1),
          updated_at: now,
        }))
        .where('id', '=', id)
        .where('status', '=', 'IN_PROGRESS')
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .executeTakeFirst();
      return changed(result);
    },
    async renew(id, node, leaseUntil, progress, now) {
      const result = await held(id, node)
        .set({ lease_until: leaseUntil, progress_done: progress.done, progress_total: progress.total, updated_at: now })
        .executeTakeFirst();
      return changed(result);
    },
    async finish(id, node, outcome, now) {
      const common = { input: null, claimed_by: null, lease_until: null, updated_at: now, finished_at: now };
      const result = await held(id, node)
        .set(
          outcome.status === 'SUCCESS'
            ? {
                ...common,
                status: 'SUCCESS',
                options: outcome.sealed.options,
                output: outcome.sealed.output,
                entities: outcome.sealed.entities,
                key_version: outcome.keyVersion,
                output_bytes: outcome.outputBytes,
                word_count: outcome.wordCount,
                character_count: outcome.characterCount,
                progress_done: outcome.progress.done,
                progress_total: outcome.progress.total,
                message: '',
              }
            : { ...common, status: 'FAILED', message: outcome.message },
        )
        .executeTakeFirst();
      return changed(result);
    },
    async release(id, node, now) {
      await held(id, node).set({ claimed_by: null, lease_until: null, updated_at: now }).execute();
    },
    async deleteFinishedBefore(before) {
      const result = await db
        .deleteFrom('detect_runs')
        .where('finished_at', 'is not', null)
        .where('finished_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async belowKeyVersion(vaultId, version, limit) {
      const rows = await db
        .selectFrom('detect_runs')
        .selectAll()
        .where('vault_id', '=', vaultId)
        .where('key_version', '<', version)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toRun);
    },
    async countBelowKeyVersion(vaultId, version) {
      const row = await db
        .selectFrom('detect_runs')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('vault_id', '=', vaultId)
        .where('key_version', '<', version)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async reseal(row, sealed, keyVersion) {
      const result = await db
        .updateTable('detect_runs')
        .set({
          options: sealed.options,
          input: sealed.input,
          output: sealed.output,
          entities: sealed.entities,
          key_version: keyVersion,
        })
        .where('id', '=', row.id)
        .where('key_version', '=', row.keyVersion)
        .where('status', '=', row.status)
        .executeTakeFirst();
      return changed(result);
    },
  };
}
