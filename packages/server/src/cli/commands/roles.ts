import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, connect, output } from '../context.js';
import { CliError } from '../errors.js';

interface RoleInfo {
  ID: string;
  definition: { name: string; displayName: string; description: string; permissions: string[] };
  type: string;
  resource: { ID: string; type: string };
}

interface Member {
  ID: string;
  type: string;
}

const describe = (r: RoleInfo) =>
  `${r.ID}  ${r.definition.name}  ${r.type}${r.definition.permissions.length > 0 ? `  ${r.definition.permissions.join(',')}` : ''}`;

/** `--sa` and `--user` as the `members` of `POST /v1/roles/assign|unassign`; at least one is needed. */
function membersOf(options: { sa?: string[]; user?: string[] }): Member[] {
  const members = [
    ...(options.sa ?? []).map((ID) => ({ ID, type: 'SERVICE_ACCOUNT' })),
    ...(options.user ?? []).map((ID) => ({ ID, type: 'USER' })),
  ];
  if (members.length === 0) throw new CliError('name the members with --sa <serviceAccountID…> or --user <userID…>', 2);
  return members;
}

/** `strongroom roles`: custom roles of a vault, whose data access comes from the policies assigned to them. */
export function registerRoles(program: Command): void {
  const roles = program.command('roles').description('manage roles: custom roles carry policies');

  addClientOptions(
    roles
      .command('list')
      .description("list a vault's roles")
      .requiredOption('--vault <vaultID>', 'the vault')
      .option('--type <type>', 'CUSTOM or SYSTEM'),
  ).action(async (options: ClientOptions & { vault: string; type?: string }) => {
    const type = options.type?.toUpperCase();
    if (type !== undefined && type !== 'CUSTOM' && type !== 'SYSTEM') {
      throw new CliError(`--type takes CUSTOM or SYSTEM, got "${options.type}"`, 2);
    }
    const { client, token } = await connect(options);
    const query = `resource.type=VAULT&resource.ID=${encodeURIComponent(options.vault)}${type ? `&type=${type}` : ''}`;
    const { roles: list } = await client.request<{ roles: RoleInfo[] }>('GET', `/v1/roles?${query}`, { token });
    output(options, { roles: list }, list.length === 0 ? 'No roles.' : list.map(describe));
  });

  addClientOptions(
    roles
      .command('create')
      .description('create a custom role on a vault; give it data access with `strongroom policies assign`')
      .requiredOption('--vault <vaultID>', 'the vault')
      .requiredOption('--name <name>', 'role name')
      .option('--description <text>', 'description')
      .option('--permission <permission...>', 'management permissions, e.g. vaults.read policies.read'),
  ).action(
    async (options: ClientOptions & { vault: string; name: string; description?: string; permission?: string[] }) => {
      const { client, token } = await connect(options);
      const created = await client.request<{ ID: string }>('POST', '/v1/roles', {
        token,
        body: {
          roleDefinition: {
            name: options.name,
            ...(options.description !== undefined && { description: options.description }),
            permissions: options.permission ?? [],
          },
          resource: { ID: options.vault, type: 'VAULT' },
        },
      });
      output(options, created, `Created role ${created.ID} (${options.name})`);
    },
  );

  addClientOptions(
    roles.command('get').description('show a role, its members and its policies').argument('<roleID>'),
  ).action(async (roleId: string, options: ClientOptions) => {
    const { client, token } = await connect(options);
    const path = `/v1/roles/${encodeURIComponent(roleId)}`;
    const { role } = await client.request<{ role: RoleInfo }>('GET', path, { token });
    const { members } = await client.request<{ members: Member[] }>('GET', `${path}/members`, { token });
    const { policies } = await client.request<{ policies: { ID: string; name: string; status: string }[] }>(
      'GET',
      `${path}/policies`,
      { token },
    );
    output(options, { role, members, policies: policies.map((p) => ({ ID: p.ID, name: p.name, status: p.status })) }, [
      describe(role),
      `vault: ${role.resource.type === 'VAULT' ? role.resource.ID : '-'}`,
      ...(role.definition.description ? [`description: ${role.definition.description}`] : []),
      `members: ${members.length === 0 ? 'none' : members.map((m) => `${m.ID} (${m.type})`).join(', ')}`,
      `policies: ${policies.length === 0 ? 'none' : policies.map((p) => `${p.ID} ${p.name} (${p.status})`).join(', ')}`,
    ]);
  });

  addClientOptions(
    roles.command('delete').description('delete a custom role (its members lose it at once)').argument('<roleID>'),
  ).action(async (roleId: string, options: ClientOptions) => {
    const { client, token } = await connect(options);
    await client.request('DELETE', `/v1/roles/${encodeURIComponent(roleId)}`, { token });
    output(options, { ID: roleId, deleted: true }, `Deleted role ${roleId}`);
  });

  for (const verb of ['assign', 'unassign'] as const) {
    addClientOptions(
      roles
        .command(verb)
        .description(verb === 'assign' ? 'give a role to service accounts or users' : 'take a role away')
        .argument('<roleID>')
        .option('--sa <serviceAccountID...>', 'service accounts')
        .option('--user <userID...>', 'users'),
    ).action(async (roleId: string, options: ClientOptions & { sa?: string[]; user?: string[] }) => {
      const members = membersOf(options);
      const { client, token } = await connect(options);
      await client.request('POST', `/v1/roles/${verb}`, { token, body: { ID: roleId, members } });
      const names = members.map((m) => m.ID).join(', ');
      output(
        options,
        { ID: roleId, members, [verb === 'assign' ? 'assigned' : 'unassigned']: true },
        verb === 'assign' ? `Assigned role ${roleId} to ${names}` : `Removed role ${roleId} from ${names}`,
      );
    });
  }
}
