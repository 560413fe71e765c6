import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, type Connection, connect, listAll, output } from '../context.js';
import { CliError } from '../errors.js';

const ROLE_ALIASES: Record<string, string> = {
  owner: 'VAULT_OWNER',
  editor: 'VAULT_EDITOR',
  viewer: 'VAULT_VIEWER',
  'account-admin': 'ACCOUNT_ADMIN',
};

const ROLE_ID = /^[0-9a-f]{32}$/;

/** The role name a `--role` value stands for, or `undefined` for a role ID. */
function roleName(role: string): string | undefined {
  if (ROLE_ID.test(role)) return undefined;
  return ROLE_ALIASES[role.toLowerCase()] ?? role.toUpperCase();
}

/** Checks `--role`/`--vault` before anything is sent, so usage mistakes never reach the server. */
function checkRoleOptions(roles: readonly string[], vaultId: string | undefined): void {
  if (vaultId !== undefined && roles.length === 0) {
    throw new CliError('--vault names the vault of --role; add --role owner|editor|viewer', 2);
  }
  if (vaultId !== undefined && !ROLE_ID.test(vaultId)) {
    throw new CliError(`--vault takes a vault ID (32 lowercase hex characters), got "${vaultId}"`, 2);
  }
  for (const role of roles) {
    const name = roleName(role);
    if (name !== undefined && name !== 'ACCOUNT_ADMIN' && vaultId === undefined) {
      throw new CliError(`--role ${role} needs --vault <vaultID>`, 2);
    }
  }
}

/** Turns `--role owner` (with `--vault`), `--role VAULT_VIEWER` or a role ID into a role ID. */
async function resolveRole(connection: Connection, role: string, vaultId: string | undefined): Promise<string> {
  const name = roleName(role);
  if (name === undefined) return role;
  const query =
    name === 'ACCOUNT_ADMIN'
      ? 'resource.type=ACCOUNT&name=ACCOUNT_ADMIN'
      : `resource.type=VAULT&resource.ID=${encodeURIComponent(vaultId ?? '')}&name=${encodeURIComponent(name)}`;
  const { roles } = await connection.client.request<{ roles: { ID: string }[] }>('GET', `/v1/roles?${query}`, {
    token: connection.token,
  });
  const found = roles[0];
  if (!found) {
    throw new CliError(
      `no role "${name}"${name === 'ACCOUNT_ADMIN' ? '' : ` on vault ${vaultId}`} visible to you; use owner, editor, viewer, account-admin or a role ID`,
      2,
    );
  }
  return found.ID;
}

/** Fails before anything is created if the credentials file could not be written afterwards. */
function checkSecretFile(file: string, force: boolean | undefined): void {
  if (existsSync(file)) {
    if (!force) throw new CliError(`${file} exists; pass --force to overwrite it`, 2);
    if (statSync(file).isDirectory()) throw new CliError(`${file} is a directory`, 2);
  }
  const dir = path.dirname(path.resolve(file));
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new CliError(`cannot write ${file}: directory ${dir} does not exist or is not writable`, 2);
  }
}

/** Writes the file with mode 0600 from its first byte (temporary file, then rename). */
function writeSecretFile(file: string, content: unknown, force: boolean | undefined): void {
  if (existsSync(file) && !force) throw new CliError(`${file} exists; pass --force to overwrite it`, 2);
  const target = path.resolve(file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
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
    checkRoleOptions(options.role ?? [], options.vault);
    checkSecretFile(options.out, options.force);
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
    try {
      writeSecretFile(options.out, created, options.force);
    } catch (err) {
      throw new CliError(
        `created service account ${created.clientID} but could not write ${options.out}: ${(err as Error).message}; ` +
          `delete it with: strongroom sa delete ${created.clientID}`,
        2,
      );
    }
    output(
      options,
      { clientID: created.clientID, file: options.out, roleIDs },
      `Created service account ${created.clientID} (${name}); ${options.apiKey ? 'API key' : 'credentials'} written to ${options.out}`,
    );
  });

  addClientOptions(sa.command('list').description('list service accounts')).action(async (options: ClientOptions) => {
    const serviceAccounts = await listAll<{
      serviceAccount: { ID: string; name: string; status: string; apiKeyEnabled: boolean };
    }>(await connect(options), '/v1/serviceAccounts', 'serviceAccounts');
    output(
      options,
      { serviceAccounts },
      serviceAccounts.length === 0
        ? 'No service accounts.'
        : serviceAccounts.map(
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
