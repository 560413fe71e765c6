import type { Principal } from '../auth/principal.js';
import { forbidden } from '../errors.js';
import type { RoleRow } from '../store/types.js';

/** What a permission is checked against. */
export type Resource = { readonly type: 'ACCOUNT' } | { readonly type: 'VAULT'; readonly id: string };

export const ACCOUNT: Resource = { type: 'ACCOUNT' };
export const vaultResource = (id: string): Resource => ({ type: 'VAULT', id });

function grants(pattern: string, permission: string): boolean {
  if (pattern === '*' || pattern === permission) return true;
  return pattern.endsWith('.*') && permission.startsWith(pattern.slice(0, -1));
}

function roleAllows(role: RoleRow, permission: string, resource: Resource): boolean {
  if (role.resourceType === 'ACCOUNT') return role.permissions.some((p) => grants(p, permission));
  if (resource.type !== 'VAULT' || role.resourceId !== resource.id) return false;
  return role.permissions.some((p) => grants(p, permission));
}

/**
 * The one access-check path: every route and service asks here whether a principal may do something,
 * so the answer is the same whichever way a request arrives.
 */
export const access = {
  allows(principal: Principal, permission: string, resource: Resource): boolean {
    return principal.roles.some((role) => roleAllows(role, permission, resource));
  },

  /** Throws 403 unless the principal holds `permission` on `resource`. */
  require(principal: Principal, permission: string, resource: Resource): void {
    if (!this.allows(principal, permission, resource)) {
      const on = resource.type === 'VAULT' ? `vault ${resource.id}` : 'the account';
      throw forbidden(`The caller lacks the permission "${permission}" on ${on}.`, [
        { permission, resource: resource.type === 'VAULT' ? `VAULT/${resource.id}` : 'ACCOUNT' },
      ]);
    }
  },

  /** Vault IDs the principal holds any role on; `'all'` for account-level roles. */
  visibleVaults(principal: Principal): 'all' | ReadonlySet<string> {
    if (principal.roles.some((role) => role.resourceType === 'ACCOUNT')) return 'all';
    return new Set(principal.roles.filter((r) => r.resourceType === 'VAULT').map((r) => r.resourceId));
  },
};
