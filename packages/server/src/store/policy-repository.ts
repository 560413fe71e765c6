import type { Selectable } from 'kysely';
import type { Database } from './database.js';
import { atomically, changed, type Db, translateUnique } from './sql-helpers.js';
import type { Page, PolicyRepository, PolicyRow, PolicyRuleRow, PolicyStatus } from './types.js';

function toPolicy(row: Selectable<Database['policies']>, rules: readonly PolicyRuleRow[]): PolicyRow {
  return {
    id: row.id,
    vaultId: row.vault_id,
    name: row.name,
    displayName: row.display_name,
    description: row.description,
    status: row.status as PolicyStatus,
    rules,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    createdBy: row.created_by,
    updatedBy: row.updated_by,
  };
}

/** Rules of the given policies, in their written order, by policy ID. */
async function rulesOf(db: Db, policyIds: readonly string[]): Promise<Map<string, PolicyRuleRow[]>> {
  const out = new Map<string, PolicyRuleRow[]>(policyIds.map((id) => [id, []]));
  if (policyIds.length === 0) return out;
  const rows = await db
    .selectFrom('policy_rules')
    .selectAll()
    .where('policy_id', 'in', policyIds)
    .orderBy('policy_id')
    .orderBy('position')
    .execute();
  for (const row of rows) out.get(row.policy_id)?.push({ id: row.id, name: row.name, expression: row.expression });
  return out;
}

async function withRules(db: Db, rows: readonly Selectable<Database['policies']>[]): Promise<PolicyRow[]> {
  const rules = await rulesOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => toPolicy(row, rules.get(row.id) ?? []));
}

async function insertRules(db: Db, policyId: string, rules: readonly PolicyRuleRow[]): Promise<void> {
  if (rules.length === 0) return;
  await db
    .insertInto('policy_rules')
    .values(
      rules.map((rule, position) => ({
        id: rule.id,
        policy_id: policyId,
        position,
        name: rule.name,
        expression: rule.expression,
      })),
    )
    .execute();
}

export function policyRepository(db: Db): PolicyRepository {
  return {
    async insert(row) {
      await translateUnique(
        atomically(db, async (db) => {
          await db
            .insertInto('policies')
            .values({
              id: row.id,
              vault_id: row.vaultId,
              name: row.name,
              display_name: row.displayName,
              description: row.description,
              status: row.status,
              created_at: row.createdAt,
              updated_at: row.updatedAt,
              created_by: row.createdBy,
              updated_by: row.updatedBy,
            })
            .execute();
          await insertRules(db, row.id, row.rules);
        }),
      );
    },
    async get(id) {
      const row = await db.selectFrom('policies').selectAll().where('id', '=', id).executeTakeFirst();
      return row && (await withRules(db, [row]))[0];
    },
    async list(filter, page: Page) {
      if (filter.vaultIds?.length === 0) return [];
      let query = db.selectFrom('policies').selectAll();
      if (filter.vaultIds) query = query.where('vault_id', 'in', filter.vaultIds);
      if (filter.name !== undefined) query = query.where('name', '=', filter.name);
      const rows = await query.orderBy('created_at').orderBy('id').limit(page.limit).offset(page.offset).execute();
      return withRules(db, rows);
    },
    async update(row) {
      return translateUnique(
        atomically(db, async (db) => {
          const result = await db
            .updateTable('policies')
            .set({
              name: row.name,
              display_name: row.displayName,
              description: row.description,
              status: row.status,
              updated_at: row.updatedAt,
              updated_by: row.updatedBy,
            })
            .where('id', '=', row.id)
            .executeTakeFirst();
          if (!changed(result)) return false;
          await db.deleteFrom('policy_rules').where('policy_id', '=', row.id).execute();
          await insertRules(db, row.id, row.rules);
          return true;
        }),
      );
    },
    async delete(id) {
      return changed(await db.deleteFrom('policies').where('id', '=', id).executeTakeFirst());
    },
    async assign(policyId, roleIds, now) {
      if (roleIds.length === 0) return;
      await db
        .insertInto('role_policies')
        .values(roleIds.map((roleId) => ({ role_id: roleId, policy_id: policyId, created_at: now })))
        .onConflict((oc) => oc.columns(['role_id', 'policy_id']).doNothing())
        .execute();
    },
    async unassign(policyId, roleIds) {
      if (roleIds.length === 0) return;
      await db.deleteFrom('role_policies').where('policy_id', '=', policyId).where('role_id', 'in', roleIds).execute();
    },
    async roleIds(policyId) {
      const rows = await db
        .selectFrom('role_policies')
        .select('role_id')
        .where('policy_id', '=', policyId)
        .orderBy('created_at')
        .orderBy('role_id')
        .execute();
      return rows.map((r) => r.role_id);
    },
    async ofRoles(roleIds, options) {
      if (roleIds.length === 0) return [];
      let query = db
        .selectFrom('policies')
        .selectAll()
        .where('id', 'in', db.selectFrom('role_policies').select('policy_id').where('role_id', 'in', roleIds));
      if (options.activeOnly) query = query.where('status', '=', 'ACTIVE');
      return withRules(db, await query.orderBy('created_at').orderBy('id').execute());
    },
  };
}
