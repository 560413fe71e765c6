import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, type Connection, connect, listAll, output } from '../context.js';
import { CliError } from '../errors.js';
import { readPasswords } from '../password-input.js';

interface UserInfo {
  ID: string;
  email: string;
  displayName: string;
  status: 'ACTIVE' | 'DISABLED';
  lastLoginOn: string | null;
  lockedUntil: string | null;
}

const ID = /^[0-9a-f]{32}$/;
const VAULT_ROLES: Record<string, string> = { owner: 'VAULT_OWNER', editor: 'VAULT_EDITOR', viewer: 'VAULT_VIEWER' };

const describe = (u: UserInfo) =>
  `${u.ID}  ${u.email}  ${u.displayName}  ${u.status}${u.lockedUntil ? `  locked until ${u.lockedUntil}` : ''}`;

/** The ID of the user named by an ID or an email address. */
async function userId(connection: Connection, user: string): Promise<string> {
  if (ID.test(user)) return user;
  if (!user.includes('@')) throw new CliError(`"${user}" is neither a user ID nor an email address`, 2);
  const { users } = await connection.client.request<{ users: UserInfo[] }>(
    'GET',
    `/v1/users?email=${encodeURIComponent(user)}`,
    { token: connection.token },
  );
  const found = users[0];
  if (!found) throw new CliError(`no user with the email address ${user}`);
  return found.ID;
}

/** Turns `--role account-admin`, `--role owner|editor|viewer` (with `--vault`) or a role ID into a role ID. */
async function roleId(connection: Connection, role: string, vaultId: string | undefined): Promise<string> {
  if (ID.test(role)) return role;
  const vaultRole = VAULT_ROLES[role.toLowerCase()];
  let query: string;
  if (role.toLowerCase() === 'account-admin') query = 'resource.type=ACCOUNT&name=ACCOUNT_ADMIN';
  else if (vaultRole && vaultId)
    query = `resource.type=VAULT&resource.ID=${encodeURIComponent(vaultId)}&name=${vaultRole}`;
  else if (vaultRole) throw new CliError(`--role ${role} needs --vault <vaultID>`, 2);
  else
    throw new CliError(
      `--role takes account-admin, owner, editor, viewer (with --vault) or a role ID, got "${role}"`,
      2,
    );
  const { roles } = await connection.client.request<{ roles: { ID: string }[] }>('GET', `/v1/roles?${query}`, {
    token: connection.token,
  });
  const found = roles[0];
  if (!found) throw new CliError(`no role "${role}" visible to you${vaultId ? ` on vault ${vaultId}` : ''}`, 2);
  return found.ID;
}

async function patchUser(connection: Connection, id: string, body: Record<string, unknown>): Promise<UserInfo> {
  const { user } = await connection.client.request<{ user: UserInfo }>('PATCH', `/v1/users/${encodeURIComponent(id)}`, {
    token: connection.token,
    body,
  });
  return user;
}

export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description('manage console users (passwords come from a terminal prompt or --password-stdin, never arguments)');

  addClientOptions(
    users
      .command('create')
      .description('create a console user; asks for the password')
      .requiredOption('--email <email>', "the user's email address (their login)")
      .option('--display-name <name>', 'the name shown in the console (default: the part of the email before @)')
      .option('--role <role...>', 'account-admin, owner | editor | viewer (with --vault), or a role ID')
      .option('--vault <vaultID>', 'vault the --role names refer to')
      .option('--password-stdin', 'read the password from standard input (one line)'),
  ).action(
    async (
      options: ClientOptions & {
        email: string;
        displayName?: string;
        role?: string[];
        vault?: string;
        passwordStdin?: boolean;
      },
    ) => {
      const [password] = await readPasswords(options, [{ label: 'Password', confirm: true }]);
      const connection = await connect(options);
      const roleIDs: string[] = [];
      for (const role of options.role ?? []) roleIDs.push(await roleId(connection, role, options.vault));
      const { user } = await connection.client.request<{ user: UserInfo }>('POST', '/v1/users', {
        token: connection.token,
        body: {
          email: options.email,
          password,
          ...(options.displayName !== undefined && { displayName: options.displayName }),
          ...(roleIDs.length > 0 && { roleIDs }),
        },
      });
      output(
        options,
        { user, roleIDs },
        `Created user ${user.ID} (${user.email})${roleIDs.length > 0 ? ` with roles ${roleIDs.join(', ')}` : ''}`,
      );
    },
  );

  addClientOptions(users.command('list').description('list console users')).action(async (options: ClientOptions) => {
    const list = await listAll<UserInfo>(await connect(options), '/v1/users', 'users');
    output(options, { users: list }, list.length === 0 ? 'No users.' : list.map(describe));
  });

  for (const [name, status, summary] of [
    ['disable', 'DISABLED', 'disable a user; their tokens stop working at once'],
    ['enable', 'ACTIVE', 'enable a user again (also lifts a lock after failed logins)'],
  ] as const) {
    addClientOptions(users.command(name).description(summary).argument('<user>', 'user ID or email address')).action(
      async (user: string, options: ClientOptions) => {
        const connection = await connect(options);
        const updated = await patchUser(connection, await userId(connection, user), { status });
        output(options, { user: updated }, `User ${updated.ID} (${updated.email}) is ${updated.status}`);
      },
    );
  }

  addClientOptions(
    users
      .command('delete')
      .description('delete a user and their role memberships')
      .argument('<user>', 'user ID or email address'),
  ).action(async (user: string, options: ClientOptions) => {
    const connection = await connect(options);
    const id = await userId(connection, user);
    await connection.client.request('DELETE', `/v1/users/${encodeURIComponent(id)}`, { token: connection.token });
    output(options, { ID: id, deleted: true }, `Deleted user ${id}`);
  });

  addClientOptions(
    users
      .command('set-password')
      .description(
        "set a user's password; their tokens stop working. Your own password needs the current one too (with --password-stdin: the current password on the first line, the new one on the second)",
      )
      .argument('<user>', 'user ID or email address')
      .option('--password-stdin', 'read the password(s) from standard input'),
  ).action(async (user: string, options: ClientOptions & { passwordStdin?: boolean }) => {
    const connection = await connect(options);
    const id = await userId(connection, user);
    const who = await connection.client.request<{ type?: string; userID?: string }>('GET', '/v1/auth/whoami', {
      token: connection.token,
    });
    const self = who.type === 'USER' && who.userID === id;
    const passwords = await readPasswords(options, [
      ...(self ? [{ label: 'Current password' }] : []),
      { label: 'New password', confirm: true },
    ]);
    const body = self ? { currentPassword: passwords[0], password: passwords[1] } : { password: passwords[0] };
    const updated = await patchUser(connection, id, body);
    output(
      options,
      { user: updated },
      `Set the password of ${updated.email}; the tokens issued to them before are revoked${self ? ' (log in again)' : ''}`,
    );
  });
}
