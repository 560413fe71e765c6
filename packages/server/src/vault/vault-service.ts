import { ACCOUNT, access, vaultResource } from '../access/access-control.js';
import type { RoleService } from '../access/role-service.js';
import type { AuthEpoch } from '../auth/auth-epoch.js';
import type { Principal } from '../auth/principal.js';
import type { Keyring } from '../crypto/keyring.js';
import { badRequest, type ErrorDetail, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { inTransaction } from '../store/in-transaction.js';
import type { Repositories, Store, VaultRow } from '../store/types.js';
import type { VaultSchemaModel } from './schema/model.js';
import { modelOfStoredSchema, parseVaultSchema } from './schema/parse.js';

export interface CreateVaultInput {
  readonly name: string;
  readonly description?: string | undefined;
  readonly vaultSchema: unknown;
  /** Service accounts that get the new vault's owner role. */
  readonly owners?: readonly { ID: string; type: string }[] | undefined;
}

export interface UpdateVaultInput {
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  readonly vaultSchema?: unknown;
}

/** A vault with its schema parsed for the data plane. */
export interface OpenVault {
  readonly vault: VaultRow;
  readonly model: VaultSchemaModel;
}

const WORKSPACE_META_KEY = 'workspace_id';
const ACCOUNT_META_KEY = 'account_id';

/** Vaults and their schemas; creating a vault also creates its keys and its system roles. */
export class VaultService {
  /** The vaults opened by the data plane, with their parsed schemas, as of `vault.updatedAt`. */
  private readonly opened = new Map<string, OpenVault>();

  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    private readonly roles: RoleService,
    private readonly epoch: AuthEpoch,
  ) {}

  /** The IDs this single-account deployment presents as Skyflow's account and workspace. */
  async identity(repos: Repositories = this.store): Promise<{ accountId: string; workspaceId: string }> {
    const accountId = await repos.meta.setIfAbsent(ACCOUNT_META_KEY, newId());
    const workspaceId = await repos.meta.setIfAbsent(WORKSPACE_META_KEY, newId());
    return { accountId, workspaceId };
  }

  /** Creates a vault with its keys and roles; `tx` lets a caller make it part of a larger transaction. */
  async create(principal: Principal | 'bootstrap', input: CreateVaultInput, tx?: Repositories): Promise<VaultRow> {
    if (principal !== 'bootstrap') access.require(principal, 'vaults.create', ACCOUNT);
    const parsed = parseVaultSchema(input.vaultSchema);
    const { workspaceId } = await this.identity(tx);
    const now = Date.now();
    const actor = principal === 'bootstrap' ? 'bootstrap' : principal.serviceAccountId;
    const vault: VaultRow = {
      id: newId(now),
      name: input.name,
      description: input.description ?? '',
      workspaceId,
      schema: parsed.wire,
      status: 'ACTIVE',
      createdAt: now,
      updatedAt: now,
      createdBy: actor,
      updatedBy: actor,
    };
    await inTransaction(this.store, tx, async (tx) => {
      await tx.vaults.insert(vault);
      for (const row of this.keyring.newVaultKeyRows(vault.id, now)) await tx.vaultKeys.insert(row);
      const roles = await this.roles.createVaultRoles(tx, vault.id);
      const owner = roles.find((r) => r.name === 'VAULT_OWNER');
      for (const member of input.owners ?? []) {
        if (member.type !== 'SERVICE_ACCOUNT') throw badRequest('owners[].type must be SERVICE_ACCOUNT.');
        if (!(await tx.serviceAccounts.get(member.ID))) throw badRequest(`Service account ${member.ID} doesn't exist.`);
        if (owner)
          await tx.roles.addMember({
            roleId: owner.id,
            memberId: member.ID,
            memberType: 'SERVICE_ACCOUNT',
            createdAt: now,
          });
      }
    });
    if (input.owners?.length) this.epoch.bump();
    return vault;
  }

  async list(
    principal: Principal,
    filter: { name?: string; status?: string; workspaceId?: string },
    page: { offset: number; limit: number },
  ): Promise<VaultRow[]> {
    const { workspaceId } = await this.identity();
    if (filter.workspaceId !== undefined && filter.workspaceId !== workspaceId) return [];
    const visible = access.visibleVaults(principal);
    if (visible === 'all') return this.store.vaults.list(filter, page);
    // Only vaults the caller may read (a role on a vault without vaults.read does not show it).
    const readable = [...visible].filter((id) => access.allows(principal, 'vaults.read', vaultResource(id)));
    return this.store.vaults.list({ ...filter, ids: readable }, page);
  }

  async get(principal: Principal, id: string): Promise<VaultRow> {
    access.require(principal, 'vaults.read', vaultResource(id));
    const vault = await this.store.vaults.get(id);
    if (!vault) throw notFound(`Vault ${id} wasn't found.`);
    return vault;
  }

  async update(principal: Principal, id: string, input: UpdateVaultInput): Promise<void> {
    access.require(principal, 'vaults.update', vaultResource(id));
    const parsed = input.vaultSchema === undefined ? undefined : parseVaultSchema(input.vaultSchema);
    await this.store.transaction(async (tx) => {
      const vault = await tx.vaults.get(id);
      if (!vault) throw notFound(`Vault ${id} wasn't found.`);
      if (parsed) await assertCompatible(tx, id, modelOfStoredSchema(vault.schema), parsed.model);
      await tx.vaults.update(id, {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.description !== undefined && { description: input.description }),
        ...(parsed && { schema: parsed.wire }),
        updatedAt: Math.max(Date.now(), vault.updatedAt + 1),
        updatedBy: principal.serviceAccountId,
      });
    });
  }

  async delete(principal: Principal, id: string): Promise<void> {
    access.require(principal, 'vaults.delete', vaultResource(id));
    await this.store.transaction(async (tx) => {
      if (!(await tx.vaults.get(id))) throw notFound(`Vault ${id} wasn't found.`);
      await tx.records.deleteForVault(id);
      await tx.roles.deleteForResource('VAULT', id);
      await tx.vaultKeys.deleteForVault(id);
      await tx.vaults.delete(id);
    });
    this.keyring.forget(id);
    this.opened.delete(id);
    this.epoch.bump();
  }

  /**
   * The vault and its parsed schema, for the data plane. Whether the vault still exists, and which
   * version of it, is read every time (so a deletion or a schema change made on another node is seen at
   * once); the row and its parsed schema are read again only when that version has moved on.
   *
   * `version`: the vault's `updatedAt` as the caller has just read it (detokenize reads it along with
   * the tokens, in the same statement), so it need not be read again.
   */
  async open(id: string, version?: number): Promise<OpenVault> {
    version ??= await this.store.vaults.version(id);
    if (version === undefined) throw notFound(`Vault ${id} wasn't found.`);
    const cached = this.opened.get(id);
    if (cached && cached.vault.updatedAt === version) return cached;
    const vault = await this.store.vaults.get(id);
    if (!vault) throw notFound(`Vault ${id} wasn't found.`);
    const opened = { vault, model: modelOfStoredSchema(vault.schema) };
    this.opened.set(id, opened);
    return opened;
  }
}

/**
 * A schema change may add tables and columns and change how values are shown, but must not change the
 * meaning of data already stored: no removing, retyping or re-tokenizing a column that holds values.
 */
async function assertCompatible(
  tx: Repositories,
  vaultId: string,
  before: VaultSchemaModel,
  after: VaultSchemaModel,
): Promise<void> {
  const problems: ErrorDetail[] = [];
  for (const table of before.tables) {
    const next = after.tablesByName.get(table.name);
    if (!next) {
      if (await tx.records.hasData(vaultId, table.name)) {
        problems.push({
          field: table.name,
          problem: `table "${table.name}" holds records and cannot be removed`,
        });
      }
      continue;
    }
    for (const column of table.columns) {
      const changed = next.columnsByName.get(column.name);
      const where = `${table.name}.${column.name}`;
      let problem: string | undefined;
      if (!changed) problem = `column "${where}" holds values and cannot be removed`;
      else if (changed.datatype !== column.datatype)
        problem = `column "${where}" holds values; its datatype cannot change`;
      else if (JSON.stringify(changed.tokenPolicy) !== JSON.stringify(column.tokenPolicy)) {
        problem = `column "${where}" holds values; its token policy cannot change`;
      } else if (changed.unique !== column.unique) problem = `column "${where}" holds values; uniqueness cannot change`;
      else if (changed.columnGroup !== column.columnGroup) {
        problem = `column "${where}" holds values; its column group cannot change`;
      }
      if (problem && (await tx.records.hasData(vaultId, table.name, column.name))) {
        problems.push({ field: where, problem });
      }
    }
  }
  if (problems.length > 0) {
    const first = problems[0] as { problem: string };
    throw badRequest(`Invalid vault schema change: ${first.problem}`, problems.slice(0, 25));
  }
}
