import type { AuthEpoch } from '../auth/auth-epoch.js';
import type { Principal } from '../auth/principal.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { MemberType, Repositories, ResourceType, RoleRow, RoleType, Store } from '../store/types.js';
import { ACCOUNT, access, vaultResource } from './access-control.js';
import { ACCOUNT_ADMIN, CUSTOM_ROLE_PERMISSIONS, type SystemRoleDefinition, VAULT_ROLES } from './system-roles.js';

export interface MemberRef {
  readonly ID: string;
  readonly type: MemberType;
}

const ADMIN_ROLE_META_KEY = 'account_admin_role_id';

/** Roles, their members, and the rules for who may hand them out. */
export class RoleService {
  constructor(
    private readonly store: Store,
    private readonly epoch: AuthEpoch,
  ) {}

  /** The account-admin role, created on first use. */
  async ensureAccountAdminRole(repos: Repositories = this.store): Promise<RoleRow> {
    const existing = await repos.meta.get(ADMIN_ROLE_META_KEY);
    if (existing) {
      const role = await repos.roles.get(existing);
      if (role) return role;
    }
    const role = systemRole(ACCOUNT_ADMIN, 'ACCOUNT', 'account');
    await repos.roles.insert(role);
    const stored = await repos.meta.setIfAbsent(ADMIN_ROLE_META_KEY, role.id);
    return (await repos.roles.get(stored)) as RoleRow;
  }

  /** Creates the owner, editor and viewer roles of a new vault. */
  async createVaultRoles(repos: Repositories, vaultId: string): Promise<RoleRow[]> {
    const roles = Object.values(VAULT_ROLES).map((def) => systemRole(def, 'VAULT', vaultId));
    for (const role of roles) await repos.roles.insert(role);
    return roles;
  }

  async list(
    principal: Principal,
    filter: { resourceType?: ResourceType; resourceId?: string; name?: string; type?: RoleType },
  ): Promise<RoleRow[]> {
    const roles = await this.store.roles.list(filter);
    return roles.filter((role) => this.canSee(principal, role));
  }

  async get(principal: Principal, id: string): Promise<RoleRow> {
    const role = await this.store.roles.get(id);
    if (!role || !this.canSee(principal, role)) throw notFound(`Role ${id} wasn't found.`);
    return role;
  }

  async members(principal: Principal, id: string) {
    await this.get(principal, id);
    return this.store.roles.members(id);
  }

  async rolesOfMember(principal: Principal, memberId: string): Promise<RoleRow[]> {
    const roles = await this.store.roles.rolesOfMember(memberId);
    if (principal.serviceAccountId === memberId) return roles;
    return roles.filter((role) => this.canSee(principal, role));
  }

  async assign(principal: Principal, roleId: string, members: readonly MemberRef[]): Promise<void> {
    await this.store.transaction(async (tx) => {
      await this.assignIn(tx, principal, [roleId], members);
    });
    this.epoch.bump();
  }

  /** Assigns roles inside a caller's transaction, after checking the caller may grant each of them. */
  async assignIn(tx: Repositories, principal: Principal, roleIds: readonly string[], members: readonly MemberRef[]) {
    const now = Date.now();
    for (const roleId of roleIds) {
      const role = await tx.roles.get(roleId);
      if (!role) throw badRequest(`Role ${roleId} doesn't exist.`);
      this.requireAssign(principal, role);
      for (const member of members) {
        if (member.type === 'USER') {
          if (!(await tx.users.get(member.ID))) throw badRequest(`User ${member.ID} doesn't exist.`);
        } else if (!(await tx.serviceAccounts.get(member.ID))) {
          throw badRequest(`Service account ${member.ID} doesn't exist.`);
        }
        await tx.roles.addMember({ roleId, memberId: member.ID, memberType: member.type, createdAt: now });
      }
    }
  }

  async unassign(principal: Principal, roleId: string, members: readonly MemberRef[]): Promise<void> {
    await this.store.transaction(async (tx) => {
      const role = await tx.roles.get(roleId);
      if (!role) throw notFound(`Role ${roleId} wasn't found.`);
      this.requireAssign(principal, role);
      for (const member of members) {
        if (!(await tx.roles.removeMember(roleId, member.ID))) {
          throw badRequest(`${member.ID} is not a member of role ${roleId}.`);
        }
      }
      if (role.resourceType === 'ACCOUNT') await assertAnActiveAdminRemains(tx, role.id);
    });
    this.epoch.bump();
  }

  /** Creates a custom role on a vault; its data access comes from the policies assigned to it. */
  async createCustom(principal: Principal, vaultId: string, definition: CustomRoleDefinition): Promise<RoleRow> {
    access.require(principal, 'roles.manage', vaultResource(vaultId));
    if (!(await this.store.vaults.get(vaultId))) throw notFound(`Vault ${vaultId} wasn't found.`);
    const role: RoleRow = {
      id: newId(),
      type: 'CUSTOM',
      resourceType: 'VAULT',
      resourceId: vaultId,
      createdAt: Date.now(),
      ...checkDefinition(definition),
    };
    if ((await this.store.roles.list({ resourceType: 'VAULT', resourceId: vaultId, name: role.name })).length > 0) {
      throw conflict(`Vault ${vaultId} already has a role named "${role.name}".`);
    }
    await this.store.roles.insert(role);
    return role;
  }

  async updateCustom(principal: Principal, id: string, definition: CustomRoleDefinition): Promise<void> {
    const role = await this.custom(principal, id);
    await this.store.roles.update(role.id, checkDefinition(definition));
    this.epoch.bump();
  }

  async deleteCustom(principal: Principal, id: string): Promise<void> {
    const role = await this.custom(principal, id);
    await this.store.roles.delete(role.id);
    this.epoch.bump();
  }

  private async custom(principal: Principal, id: string): Promise<RoleRow> {
    const role = await this.get(principal, id);
    if (role.type !== 'CUSTOM') throw badRequest(`${role.name} is a system role; only custom roles change.`);
    access.require(principal, 'roles.manage', vaultResource(role.resourceId));
    return role;
  }

  private requireAssign(principal: Principal, role: RoleRow): void {
    access.require(principal, 'roles.assign', role.resourceType === 'VAULT' ? vaultResource(role.resourceId) : ACCOUNT);
  }

  private canSee(principal: Principal, role: RoleRow): boolean {
    if (role.resourceType === 'ACCOUNT') return access.allows(principal, 'roles.read', ACCOUNT);
    return access.allows(principal, 'roles.read', vaultResource(role.resourceId));
  }
}

/**
 * The account must keep at least one active member holding its admin role, a service account or a
 * user, or nobody could ever manage it again (short of editing the database).
 */
export async function assertAnActiveAdminRemains(tx: Repositories, adminRoleId: string): Promise<void> {
  for (const member of await tx.roles.members(adminRoleId)) {
    const holder =
      member.memberType === 'USER'
        ? await tx.users.get(member.memberId)
        : await tx.serviceAccounts.get(member.memberId);
    if (holder?.status === 'ACTIVE') return;
  }
  throw badRequest('The account must keep at least one active account admin.');
}

export interface CustomRoleDefinition {
  readonly name: string;
  readonly displayName?: string | undefined;
  readonly description?: string | undefined;
  readonly permissions: readonly string[];
}

function checkDefinition(definition: CustomRoleDefinition) {
  const unknown = definition.permissions.filter((p) => !CUSTOM_ROLE_PERMISSIONS.includes(p));
  if (unknown.length > 0) {
    throw badRequest(
      `roleDefinition.permissions: ${unknown.map((p) => `"${p.slice(0, 64)}"`).join(', ')} cannot be given to a custom role (allowed: ${CUSTOM_ROLE_PERMISSIONS.join(', ')}; data access comes from policies).`,
    );
  }
  if (Object.keys(VAULT_ROLES).includes(definition.name) || definition.name === ACCOUNT_ADMIN.name) {
    throw badRequest(`roleDefinition.name: "${definition.name}" is the name of a system role.`);
  }
  return {
    name: definition.name,
    displayName: definition.displayName ?? definition.name,
    description: definition.description ?? '',
    permissions: [...new Set(definition.permissions)],
  };
}

function systemRole(def: SystemRoleDefinition, resourceType: ResourceType, resourceId: string): RoleRow {
  return {
    id: newId(),
    name: def.name,
    displayName: def.displayName,
    description: def.description,
    type: 'SYSTEM',
    resourceType,
    resourceId,
    permissions: def.permissions,
    createdAt: Date.now(),
  };
}
