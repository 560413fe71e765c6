import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, connect, listAll, output } from '../context.js';
import { CliError } from '../errors.js';

interface VaultSummary {
  ID: string;
  name: string;
  description: string;
  status: string;
  schemas: { name: string; fields: { name: string; datatype: string }[] }[];
}

function readSchema(file: string): { name?: string; description?: string; vaultSchema: unknown } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read schema file ${file}: ${(err as Error).message}`, 2);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CliError(`schema file ${file} must hold a JSON object: {schemas, tags} or {name, vaultSchema}`, 2);
  }
  // Accept either a bare vault schema ({schemas, tags}) or a whole create request ({name, vaultSchema}).
  const object = raw as Record<string, unknown>;
  if ('vaultSchema' in object) {
    const { name, description } = object;
    if (name !== undefined && typeof name !== 'string') throw new CliError(`"name" in ${file} must be a string`, 2);
    if (description !== undefined && typeof description !== 'string') {
      throw new CliError(`"description" in ${file} must be a string`, 2);
    }
    return { name, description, vaultSchema: object.vaultSchema };
  }
  return { vaultSchema: object };
}

export function registerVault(program: Command): void {
  const vault = program.command('vault').description('manage vaults');

  addClientOptions(
    vault
      .command('create')
      .description('create a vault from a schema file')
      .requiredOption('--schema <file>', 'vault schema JSON ({schemas, tags} or {name, description, vaultSchema})')
      .option('--name <name>', 'vault name (default: the file\'s "name", else the file name)')
      .option('--description <text>', 'vault description'),
  ).action(async (options: ClientOptions & { schema: string; name?: string; description?: string }) => {
    const file = readSchema(options.schema);
    const name = options.name ?? file.name ?? path.basename(options.schema).replace(/\.json$/i, '');
    const { client, token } = await connect(options);
    const created = await client.request<{ ID: string }>('POST', '/v1/vaults', {
      token,
      body: {
        name,
        description: options.description ?? file.description ?? '',
        vaultSchema: file.vaultSchema,
      },
    });
    output(options, created, `Created vault ${created.ID} (${name})`);
  });

  addClientOptions(vault.command('list').description('list vaults')).action(async (options: ClientOptions) => {
    const vaults = await listAll<VaultSummary>(await connect(options), '/v1/vaults', 'vaults');
    output(
      options,
      { vaults },
      vaults.length === 0
        ? 'No vaults.'
        : vaults.map((v) => `${v.ID}  ${v.name}  (${v.schemas.map((s) => s.name).join(', ') || 'no tables'})`),
    );
  });

  addClientOptions(vault.command('get').description('show a vault and its schema').argument('<vaultID>')).action(
    async (vaultId: string, options: ClientOptions) => {
      const { client, token } = await connect(options);
      const { vault: v } = await client.request<{ vault: VaultSummary }>(
        'GET',
        `/v1/vaults/${encodeURIComponent(vaultId)}`,
        {
          token,
        },
      );
      const lines = [`${v.ID}  ${v.name}  ${v.status}`, ...(v.description ? [`  ${v.description}`] : [])];
      for (const table of v.schemas) {
        lines.push(`  table ${table.name}`);
        for (const field of table.fields) lines.push(`    ${field.name}  ${field.datatype}`);
      }
      output(options, { vault: v }, lines);
    },
  );

  addClientOptions(
    vault.command('delete').description('delete a vault and all of its data').argument('<vaultID>'),
  ).action(async (vaultId: string, options: ClientOptions) => {
    const { client, token } = await connect(options);
    await client.request('DELETE', `/v1/vaults/${encodeURIComponent(vaultId)}`, { token });
    output(options, { ID: vaultId, deleted: true }, `Deleted vault ${vaultId}`);
  });
}
