import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, type Connection, connect, output } from '../context.js';
import { CliError } from '../errors.js';

const ROLE_ALIASES: Record<string, string> = {
  owner: 'VAULT_OWNER',
  editor: 'VAULT_EDITOR',
  viewer: 'VAULT_VIEWER',
  'account-admin': 'ACCOUNT_ADMIN',
};

/** Turns `--role owner` (with `--vault`), `--role VAULT_VIEWER` or a role ID into a role ID. */
async function resolveRole(connection: Connection, role: string, vaultId: string | undefined): Promise<string> {
  if (/^[0-9a-f]{32}$/.test(role)) return role;
  const name = ROLE_ALIASES[role.toLowerCase()] ?? role.toUpperCase();
  const query =
    name === 'ACCOUNT_ADMIN'
      ? 'resource.type=ACCOUNT&name=ACCOUNT_ADMIN'
      : `resource.type=VAULT&resource.ID=${encodeURIComponent(vaultId ?? '')}&name=${encodeURIComponent(name)}`;
  if (name !== 'ACCOUNT_ADMIN' && !vaultId) throw new CliError(`--role ${role} needs --vault <vaultID>`, 2);
  const { roles } = await connection.client.request<{ roles: { ID: string }[] }>('GET', `/v1/roles?${query}`, {
    token: connection.token,
  });
  const found = roles[0];
  if (!found) {
    throw new CliError(
      `no role "${name}"${vaultId ? ` on vault ${vaultId}` : ''}; use owner, editor, viewer, account-admin or a role ID`,
      2,
    );
  }
  return found.ID;
}

function writeSecretFile(file: string, content: unknown, force: boolean | undefined): void {
  if (existsSync(file) && !force) throw new CliError(`${file} exists; pass --force to overwrite it`, 2);
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

interface CreateOptions extends ClientOptions {
  name?: string;
  vault?: string;
  role?: string[];
  out: string;
  apiKey?: boolean;
  description?: string;
  force?: boolean;
}

export function registerServiceAccounts(program: Command): void {
  const sa = program.command('sa').description('manage service accounts');

  addClientOptions(
    sa
      .command('create')
      .description('create a service account, assign roles, and write its credentials file')
      .requiredOption('--out <file>', 'where to write the credentials (mode 0600)')
      .option('--name <name>', 'service account name (default: sa-<timestamp>)')
      .option('--description <text>', 'description')
      .option('--vault <vaultID>', 'vault the --role names refer to')
      .option('--role <role...>', 'owner | editor | viewer (with --vault), account-admin, or a role ID')
      .option('--api-key', 'create an API-key-enabled account; the file then holds the API key')
      .option('--force', 'overwrite --out if it exists'),
  ).action(async (options: CreateOptions) => {
    if (existsSync(options.out) && !options.force)
      throw new CliError(`${options.out} exists; pass --force to overwrite it`, 2);
    const connection = await connect(options);
    const roleIDs: string[] = [];
    for (const role of options.role ?? []) roleIDs.push(await resolveRole(connection, role, options.vault));
    const name =
      options.name ??
      `sa-${new Date()
        .toISOString()
        .replace(/[-:.TZ]/g, '')
        .slice(0, 14)}`;
    const created = await connection.client.request<Record<string, string>>('POST', '/v1/serviceAccounts', {
      token: connection.token,
      body: {
        serviceAccount: { name, description: options.description ?? '' },
        apiKeyEnabled: options.apiKey ?? false,
        roleIDs,
      },
    });
    writeSecretFile(options.out, created, options.force);
    output(
      options,
      { clientID: created.clientID, file: options.out, roleIDs },
      `Created service account ${created.clientID} (${name}); ${options.apiKey ? 'API key' : 'credentials'} written to ${options.out}`,
    );
  });

  addClientOptions(sa.command('list').description('list service accounts')).action(async (options: ClientOptions) => {
    const { client, token } = await connect(options);
    const { serviceAccounts } = await client.request<{
      serviceAccounts: {
        serviceAccount: { ID: string; name: string; status: string; apiKeyEnabled: boolean };
      }[];
    }>('GET', '/v1/serviceAccounts?limit=100', { token });
    output(
      options,
      { serviceAccounts },
      serviceAccounts.map(
        ({ serviceAccount: s }) => `${s.ID}  ${s.name}  ${s.status}${s.apiKeyEnabled ? '  (API keys)' : ''}`,
      ),
    );
  });

  addClientOptions(sa.command('delete').description('delete a service account').argument('<serviceAccountID>')).action(
    async (id: string, options: ClientOptions) => {
      const { client, token } = await connect(options);
      await client.request('DELETE', `/v1/serviceAccounts/${encodeURIComponent(id)}`, { token });
      output(options, { ID: id, deleted: true }, `Deleted service account ${id}`);
    },
  );
}
