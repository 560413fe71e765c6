import type { ResourceType } from '../store/types.js';

/**
 * The built-in roles. Account admin holds every permission on the account; the three vault roles are
 * created for each vault (their IDs are what `scope: "role:<id>"` names) and grant permissions on that
 * vault only. Custom roles and column-level policies build on the same permission strings.
 */
export interface SystemRoleDefinition {
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  readonly resourceType: ResourceType;
  readonly permissions: readonly string[];
}

export const ACCOUNT_ADMIN: SystemRoleDefinition = {
  name: 'ACCOUNT_ADMIN',
  displayName: 'Account Admin',
  description: 'Full access to every vault, service account and setting of the account.',
  resourceType: 'ACCOUNT',
  permissions: ['*'],
};

export const VAULT_ROLES: Readonly<Record<'VAULT_OWNER' | 'VAULT_EDITOR' | 'VAULT_VIEWER', SystemRoleDefinition>> = {
  VAULT_OWNER: {
    name: 'VAULT_OWNER',
    displayName: 'Vault Owner',
    description: 'Manages the vault (schema, roles, keys) and reads and writes all of its data.',
    resourceType: 'VAULT',
    permissions: [
      'vaults.read',
      'vaults.update',
      'vaults.delete',
      'roles.read',
      'roles.assign',
      'roles.manage',
      'policies.read',
      'policies.manage',
      'keys.rotate',
      'audit.read',
      'records.*',
      'tokens.*',
    ],
  },
  VAULT_EDITOR: {
    name: 'VAULT_EDITOR',
    displayName: 'Vault Editor',
    description: 'Reads and writes the data of the vault.',
    resourceType: 'VAULT',
    permissions: ['vaults.read', 'records.*', 'tokens.*'],
  },
  VAULT_VIEWER: {
    name: 'VAULT_VIEWER',
    displayName: 'Vault Viewer',
    description: 'Reads the data of the vault.',
    resourceType: 'VAULT',
    permissions: ['vaults.read', 'records.read', 'tokens.detokenize'],
  },
};

/** Short names accepted by the CLI (`--role owner`). */
export const VAULT_ROLE_ALIASES: Readonly<Record<string, keyof typeof VAULT_ROLES>> = {
  owner: 'VAULT_OWNER',
  editor: 'VAULT_EDITOR',
  viewer: 'VAULT_VIEWER',
};

/**
 * Permissions a custom role may carry. Data access (records, tokens) is not among them: custom roles get
 * it from the policies assigned to them, column by column.
 */
export const CUSTOM_ROLE_PERMISSIONS: readonly string[] = [
  'vaults.read',
  'roles.read',
  'roles.assign',
  'roles.manage',
  'policies.read',
  'policies.manage',
  'keys.rotate',
];
