import { type Selectable, sql } from 'kysely';
import { auditRepository } from './audit-repository.js';
import { fileRepository, keyRotationRepository, recordRepository, tokenRepository } from './data-repositories.js';
import type { Database } from './database.js';
import { detectRunRepository } from './detect-run-repository.js';
import { policyRepository } from './policy-repository.js';
import { rateCounterRepository } from './rate-counter-repository.js';
import { registeredKeyRepository } from './registered-key-repository.js';
import { revocationRepository } from './revocation-repository.js';
import { atomically, changed, type Db, HotQueries, translateUnique } from './sql-helpers.js';
import type {
  ApiKeyRepository,
  ApiKeyRow,
  ClientConfiguration,
  MetaRepository,
  Page,
  Repositories,
  RoleRepository,
  RoleRow,
  ServiceAccountKeyRepository,
  ServiceAccountKeyRow,
  ServiceAccountRepository,
  ServiceAccountRow,
  SigningKeyRepository,
  SigningKeyRow,
  StoreKind,
  VaultKeyRepository,
  VaultKeyRow,
  VaultRepository,
  VaultRow,
} from './types.js';
import { userRepository } from './user-repository.js';

/**
 * Rejects a page the dialects would treat differently: SQLite reads a negative LIMIT or OFFSET as "none"
 * and PostgreSQL rejects it; neither takes a fraction or a value beyond 64 bits.
 */
function checkPage(page: Page): Page {
  for (const [name, value] of [
    ['offset', page.offset],
    ['limit', page.limit],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`page ${name} must be a non-negative safe integer, got ${value}`);
    }
  }
  return page;
}

function metaRepository(db: Db): MetaRepository {
  return {
    async get(key) {
      const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value;
    },
    async setIfAbsent(key, value) {
      await db
        .insertInto('meta')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirstOrThrow();
      return row.value;
    },
    async set(key, value) {
      await db
        .insertInto('meta')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
    async listByPrefix(prefix) {
      // substr rather than LIKE: keys may contain LIKE wildcards, and both dialects index-scan the table anyway.
      return db
        .selectFrom('meta')
        .select(['key', 'value'])
        .where(sql<string>`substr(key, 1, ${prefix.length})`, '=', prefix)
        .orderBy('key')
        .execute();
    },
  };
}

function toVault(row: Selectable<Database['vaults']>): VaultRow {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    workspaceId: row.workspace_id,
    schema: JSON.parse(row.schema_json),
    status: row.status,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    createdBy: row.created_by,
    updatedBy: row.updated_by,
  };
}

function vaultRepository(db: Db): VaultRepository {
  const hot = new HotQueries(db);
  return {
    async insert(row) {
      await translateUnique(
        db
          .insertInto('vaults')
          .values({
            id: row.id,
            name: row.name,
            description: row.description,
            workspace_id: row.workspaceId,
            schema_json: JSON.stringify(row.schema),
            status: row.status,
            created_at: row.createdAt,
            updated_at: row.updatedAt,
            created_by: row.createdBy,
            updated_by: row.updatedBy,
          })
          .execute(),
      );
    },
    async get(id) {
      const row = await db.selectFrom('vaults').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toVault(row);
    },
    async version(id) {
      const [row] = await hot.rows('vaults.version', [id], () =>
        db.selectFrom('vaults').select('updated_at').where('id', '=', id),
      );
      return row && Number(row.updated_at);
    },
    async list(filter, page) {
      const { offset, limit } = checkPage(page);
      let query = db.selectFrom('vaults').selectAll();
      if (filter.name !== undefined) query = query.where('name', '=', filter.name);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (filter.ids !== undefined) {
        if (filter.ids.length === 0) return [];
        query = query.where('id', 'in', filter.ids);
      }
      const rows = await query.orderBy('id').limit(limit).offset(offset).execute();
      return rows.map(toVault);
    },
    async update(id, patch) {
      const result = await db
        .updateTable('vaults')
        .set({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.description !== undefined && { description: patch.description }),
          ...(patch.schema !== undefined && { schema_json: JSON.stringify(patch.schema) }),
          ...(patch.status !== undefined && { status: patch.status }),
          updated_at: patch.updatedAt,
          updated_by: patch.updatedBy,
        })
        .where('id', '=', id)
        .executeTakeFirst();
      return changed(result);
    },
    async delete(id) {
      return changed(await db.deleteFrom('vaults').where('id', '=', id).executeTakeFirst());
    },
    async count() {
      const row = await db
        .selectFrom('vaults')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

function vaultKeyRepository(db: Db): VaultKeyRepository {
  return {
    async insert(row) {
      await translateUnique(
        db
          .insertInto('vault_keys')
          .values({
            vault_id: row.vaultId,
            kind: row.kind,
            version: row.version,
            wrapped: row.wrapped,
            status: row.status,
            created_at: row.createdAt,
          })
          .execute(),
      );
    },
    async listForVault(vaultId) {
      const rows = await db
        .selectFrom('vault_keys')
        .selectAll()
        .where('vault_id', '=', vaultId)
        .orderBy('kind')
        .orderBy('version')
        .execute();
      return rows.map(
        (r): VaultKeyRow => ({
          vaultId: r.vault_id,
          kind: r.kind as VaultKeyRow['kind'],
          version: r.version,
          wrapped: Buffer.from(r.wrapped),
          status: r.status as VaultKeyRow['status'],
          createdAt: Number(r.created_at),
        }),
      );
    },
    async setStatus(vaultId, kind, version, status) {
      const result = await db
        .updateTable('vault_keys')
        .set({ status })
        .where('vault_id', '=', vaultId)
        .where('kind', '=', kind)
        .where('version', '=', version)
        .executeTakeFirst();
      return changed(result);
    },
    async deleteForVault(vaultId) {
      await db.deleteFrom('vault_keys').where('vault_id', '=', vaultId).execute();
    },
  };
}

function toServiceAccount(row: Selectable<Database['service_accounts']>): ServiceAccountRow {
  return {
    id: row.id,
    name: row.name,
    displayName: row.display_name,
    description: row.description,
    clientConfiguration: JSON.parse(row.client_config) as ClientConfiguration,
    apiKeyEnabled: row.api_key_enabled === 1,
    status: row.status as ServiceAccountRow['status'],
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    createdBy: row.created_by,
    updatedBy: row.updated_by,
  };
}

function serviceAccountRepository(db: Db): ServiceAccountRepository {
  return {
    async insert(row) {
      await translateUnique(
        db
          .insertInto('service_accounts')
          .values({
            id: row.id,
            name: row.name,
            display_name: row.displayName,
            description: row.description,
            client_config: JSON.stringify(row.clientConfiguration),
            api_key_enabled: row.apiKeyEnabled ? 1 : 0,
            status: row.status,
            created_at: row.createdAt,
            updated_at: row.updatedAt,
            created_by: row.createdBy,
            updated_by: row.updatedBy,
          })
          .execute(),
      );
    },
    async get(id) {
      const row = await db.selectFrom('service_accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toServiceAccount(row);
    },
    async list(filter, page) {
      const { offset, limit } = checkPage(page);
      let query = db.selectFrom('service_accounts').selectAll();
      if (filter.name !== undefined) query = query.where('name', '=', filter.name);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      const rows = await query.orderBy('id').limit(limit).offset(offset).execute();
      return rows.map(toServiceAccount);
    },
    async update(id, patch) {
      const result = await db
        .updateTable('service_accounts')
        .set({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.displayName !== undefined && { display_name: patch.displayName }),
          ...(patch.description !== undefined && { description: patch.description }),
          ...(patch.clientConfiguration !== undefined && {
            client_config: JSON.stringify(patch.clientConfiguration),
          }),
          ...(patch.status !== undefined && { status: patch.status }),
          updated_at: patch.updatedAt,
          updated_by: patch.updatedBy,
        })
        .where('id', '=', id)
        .executeTakeFirst();
      return changed(result);
    },
    async delete(id) {
      return changed(await db.deleteFrom('service_accounts').where('id', '=', id).executeTakeFirst());
    },
  };
}

function toServiceAccountKey(row: Selectable<Database['service_account_keys']>): ServiceAccountKeyRow {
  return {
    id: row.id,
    serviceAccountId: row.service_account_id,
    publicKey: row.public_key,
    algorithm: row.algorithm as ServiceAccountKeyRow['algorithm'],
    status: row.status as ServiceAccountKeyRow['status'],
    createdAt: Number(row.created_at),
  };
}

function serviceAccountKeyRepository(db: Db): ServiceAccountKeyRepository {
  return {
    async insert(row) {
      await translateUnique(
        db
          .insertInto('service_account_keys')
          .values({
            id: row.id,
            service_account_id: row.serviceAccountId,
            public_key: row.publicKey,
            algorithm: row.algorithm,
            status: row.status,
            created_at: row.createdAt,
          })
          .execute(),
      );
    },
    async get(id) {
      const row = await db.selectFrom('service_account_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toServiceAccountKey(row);
    },
    async listForAccount(serviceAccountId) {
      const rows = await db
        .selectFrom('service_account_keys')
        .selectAll()
        .where('service_account_id', '=', serviceAccountId)
        .orderBy('id')
        .execute();
      return rows.map(toServiceAccountKey);
    },
    async delete(id) {
      return changed(await db.deleteFrom('service_account_keys').where('id', '=', id).executeTakeFirst());
    },
    async deleteForAccount(serviceAccountId) {
      await db.deleteFrom('service_account_keys').where('service_account_id', '=', serviceAccountId).execute();
    },
  };
}

function toApiKey(row: Selectable<Database['api_keys']>): ApiKeyRow {
  return {
    id: row.id,
    serviceAccountId: row.service_account_id,
    name: row.name,
    keyHash: row.key_hash,
    prefix: row.prefix,
    status: row.status as ApiKeyRow['status'],
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

function apiKeyRepository(db: Db): ApiKeyRepository {
  return {
    async touch(id, at) {
      await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
    },
    async insert(row) {
      await translateUnique(
        db
          .insertInto('api_keys')
          .values({
            id: row.id,
            service_account_id: row.serviceAccountId,
            name: row.name,
            key_hash: row.keyHash,
            prefix: row.prefix,
            status: row.status,
            expires_at: row.expiresAt,
            created_at: row.createdAt,
            updated_at: row.updatedAt,
          })
          .execute(),
      );
    },
    async get(id) {
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toApiKey(row);
    },
    async findByHash(keyHash) {
      const row = await db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
      return row && toApiKey(row);
    },
    async listForAccount(serviceAccountId) {
      const rows = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('service_account_id', '=', serviceAccountId)
        .orderBy('id')
        .execute();
      return rows.map(toApiKey);
    },
    async update(id, patch) {
      const result = await translateUnique(
        db
          .updateTable('api_keys')
          .set({
            ...(patch.name !== undefined && { name: patch.name }),
            ...(patch.status !== undefined && { status: patch.status }),
            ...(patch.expiresAt !== undefined && { expires_at: patch.expiresAt }),
            ...(patch.keyHash !== undefined && { key_hash: patch.keyHash }),
            ...(patch.prefix !== undefined && { prefix: patch.prefix }),
            updated_at: patch.updatedAt,
          })
          .where('id', '=', id)
          .executeTakeFirst(),
      );
      return changed(result);
    },
    async delete(id) {
      return changed(await db.deleteFrom('api_keys').where('id', '=', id).executeTakeFirst());
    },
    async deleteForAccount(serviceAccountId) {
      await db.deleteFrom('api_keys').where('service_account_id', '=', serviceAccountId).execute();
    },
  };
}

function toRole(row: Selectable<Database['roles']>): RoleRow {
  return {
    id: row.id,
    name: row.name,
    displayName: row.display_name,
    description: row.description,
    type: row.type as RoleRow['type'],
    resourceType: row.resource_type as RoleRow['resourceType'],
    resourceId: row.resource_id,
    permissions: JSON.parse(row.permissions) as string[],
    createdAt: Number(row.created_at),
  };
}

function roleRepository(db: Db): RoleRepository {
  return {
    async insert(row) {
      await translateUnique(
        db
          .insertInto('roles')
          .values({
            id: row.id,
            name: row.name,
            display_name: row.displayName,
            description: row.description,
            type: row.type,
            resource_type: row.resourceType,
            resource_id: row.resourceId,
            permissions: JSON.stringify(row.permissions),
            created_at: row.createdAt,
          })
          .execute(),
      );
    },
    async get(id) {
      const row = await db.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRole(row);
    },
    async update(id, fields) {
      const result = await db
        .updateTable('roles')
        .set({
          name: fields.name,
          display_name: fields.displayName,
          description: fields.description,
          permissions: JSON.stringify(fields.permissions),
        })
        .where('id', '=', id)
        .executeTakeFirst();
      return changed(result);
    },
    async delete(id) {
      return changed(await db.deleteFrom('roles').where('id', '=', id).executeTakeFirst());
    },
    async list(filter) {
      let query = db.selectFrom('roles').selectAll();
      if (filter.resourceType !== undefined) query = query.where('resource_type', '=', filter.resourceType);
      if (filter.resourceId !== undefined) query = query.where('resource_id', '=', filter.resourceId);
      if (filter.name !== undefined) query = query.where('name', '=', filter.name);
      if (filter.type !== undefined) query = query.where('type', '=', filter.type);
      return (await query.orderBy('id').execute()).map(toRole);
    },
    async deleteForResource(resourceType, resourceId) {
      await atomically(db, async (db) => {
        await db
          .deleteFrom('role_members')
          .where('role_id', 'in', (eb) =>
            eb
              .selectFrom('roles')
              .select('id')
              .where('resource_type', '=', resourceType)
              .where('resource_id', '=', resourceId),
          )
          .execute();
        await db
          .deleteFrom('roles')
          .where('resource_type', '=', resourceType)
          .where('resource_id', '=', resourceId)
          .execute();
      });
    },
    async addMember(row) {
      await db
        .insertInto('role_members')
        .values({
          role_id: row.roleId,
          member_id: row.memberId,
          member_type: row.memberType,
          created_at: row.createdAt,
        })
        .onConflict((oc) => oc.columns(['role_id', 'member_id']).doNothing())
        .execute();
    },
    async removeMember(roleId, memberId) {
      return changed(
        await db
          .deleteFrom('role_members')
          .where('role_id', '=', roleId)
          .where('member_id', '=', memberId)
          .executeTakeFirst(),
      );
    },
    async members(roleId) {
      const rows = await db
        .selectFrom('role_members')
        .selectAll()
        .where('role_id', '=', roleId)
        .orderBy('member_id')
        .execute();
      return rows.map((r) => ({
        roleId: r.role_id,
        memberId: r.member_id,
        memberType: r.member_type as 'SERVICE_ACCOUNT' | 'USER',
        createdAt: Number(r.created_at),
      }));
    },
    async rolesOfMember(memberId) {
      const rows = await db
        .selectFrom('roles')
        .innerJoin('role_members', 'role_members.role_id', 'roles.id')
        .selectAll('roles')
        .where('role_members.member_id', '=', memberId)
        .orderBy('roles.id')
        .execute();
      return rows.map(toRole);
    },
    async removeMemberEverywhere(memberId) {
      await db.deleteFrom('role_members').where('member_id', '=', memberId).execute();
    },
  };
}

function signingKeyRepository(db: Db): SigningKeyRepository {
  return {
    async insert(row) {
      await translateUnique(
        db
          .insertInto('signing_keys')
          .values({
            kid: row.kid,
            algorithm: row.algorithm,
            private_sealed: row.privateSealed,
            public_jwk: JSON.stringify(row.publicJwk),
            status: row.status,
            created_at: row.createdAt,
          })
          .execute(),
      );
    },
    async list() {
      const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();
      return rows.map(
        (r): SigningKeyRow => ({
          kid: r.kid,
          algorithm: r.algorithm,
          privateSealed: Buffer.from(r.private_sealed),
          publicJwk: JSON.parse(r.public_jwk) as Record<string, unknown>,
          status: r.status as SigningKeyRow['status'],
          createdAt: Number(r.created_at),
        }),
      );
    },
  };
}

/** Binds every repository to `db`, which is either the store's connection or one transaction. */
export function createRepositories(db: Db, kind: StoreKind): Repositories {
  return {
    meta: metaRepository(db),
    vaults: vaultRepository(db),
    vaultKeys: vaultKeyRepository(db),
    serviceAccounts: serviceAccountRepository(db),
    serviceAccountKeys: serviceAccountKeyRepository(db),
    apiKeys: apiKeyRepository(db),
    roles: roleRepository(db),
    signingKeys: signingKeyRepository(db),
    records: recordRepository(db),
    tokens: tokenRepository(db, kind === 'postgres'),
    files: fileRepository(db),
    keyRotations: keyRotationRepository(db),
    policies: policyRepository(db),
    audit: auditRepository(db, kind === 'postgres'),
    revocations: revocationRepository(db),
    registeredKeys: registeredKeyRepository(db),
    rateCounters: rateCounterRepository(db),
    users: userRepository(db),
    detectRuns: detectRunRepository(db),
  };
}
