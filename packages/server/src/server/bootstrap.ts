import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Credentials } from '../auth/service-accounts.js';
import { DEMO_VAULT_NAME, DEMO_VAULT_SCHEMA } from '../vault/demo-schema.js';
import type { Services } from './services.js';

export const ADMIN_CREDENTIALS_FILE = 'admin-credentials.json';
const BOOTSTRAP_META_KEY = 'bootstrapped_at';
const DEMO_VAULT_META_KEY = 'demo_vault_id';

export interface BootstrapResult {
  /** True when this start initialised an empty store. */
  readonly firstStart: boolean;
  readonly adminCredentialsFile: string;
  readonly demoVaultId: string | undefined;
}

/**
 * First start on an empty store: the account-admin role, a bootstrap service account holding it (its
 * credentials written to `<data dir>/admin-credentials.json`, mode 0600) and, unless disabled, the
 * `quickstart` demo vault. All of it commits in one transaction, so a crash leaves nothing half-made,
 * and only one node of a deployment ever does it.
 */
export async function bootstrap(services: Services, options: { demo: boolean }): Promise<BootstrapResult> {
  const { store, roles, serviceAccounts, vaults, config } = services;
  const adminCredentialsFile = path.join(config.dataDir, ADMIN_CREDENTIALS_FILE);
  // Unique per attempt: two nodes starting in the same millisecond must not both believe they won.
  const stamp = `${new Date().toISOString()} ${randomUUID()}`;
  const result = await store.transaction(async (tx) => {
    const claimed = await tx.meta.setIfAbsent(BOOTSTRAP_META_KEY, stamp);
    if (claimed !== stamp) {
      return { firstStart: false, adminCredentialsFile, demoVaultId: await tx.meta.get(DEMO_VAULT_META_KEY) };
    }
    const adminRole = await roles.ensureAccountAdminRole(tx);
    const created = await serviceAccounts.create(
      'bootstrap',
      {
        name: 'strongroom-admin',
        displayName: 'Strongroom bootstrap admin',
        description: 'Created on first start; holds the account-admin role.',
        roleIDs: [adminRole.id],
      },
      tx,
    );
    let demoVaultId: string | undefined;
    if (options.demo) {
      const vault = await vaults.create(
        'bootstrap',
        {
          name: DEMO_VAULT_NAME,
          description: 'Demo vault created on first start (disable with --no-demo).',
          vaultSchema: DEMO_VAULT_SCHEMA,
        },
        tx,
      );
      demoVaultId = vault.id;
      await tx.meta.set(DEMO_VAULT_META_KEY, vault.id);
    }
    // Written before the transaction commits: if the file cannot be written, nothing is created.
    writeCredentials(adminCredentialsFile, created.credentials as Credentials);
    return { firstStart: true, adminCredentialsFile, demoVaultId };
  });
  return result;
}

/** Writes a credentials file readable only by its owner. */
export function writeCredentials(file: string, credentials: Credentials): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}
