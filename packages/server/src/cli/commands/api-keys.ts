import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, connect, output } from '../context.js';

interface ApiKeyInfo {
  apiKeyID: string;
  name: string;
  hint: string;
  status: string;
  expiresAt: string | null;
  apiKey?: string;
}

const describe = (k: ApiKeyInfo) =>
  `${k.apiKeyID}  ${k.name}  ${k.hint}  ${k.status}${k.expiresAt ? `  expires ${k.expiresAt}` : ''}`;

export function registerApiKeys(program: Command): void {
  const apikey = program.command('apikey').description('manage API keys of API-key-enabled service accounts');
  const path = (sa: string, key?: string) =>
    `/v1/serviceAccounts/${encodeURIComponent(sa)}/apikey${key ? `/${encodeURIComponent(key)}` : ''}`;

  addClientOptions(
    apikey
      .command('create')
      .description('create an API key; it is printed once')
      .requiredOption('--sa <serviceAccountID>', 'the API-key-enabled service account')
      .option('--name <name>', 'a name for the key')
      .option('--expires-at <date-time>', 'RFC 3339 expiry, e.g. 2027-01-01T00:00:00Z'),
  ).action(async (options: ClientOptions & { sa: string; name?: string; expiresAt?: string }) => {
    const { client, token } = await connect(options);
    const created = await client.request<ApiKeyInfo>('POST', path(options.sa), {
      token,
      body: {
        ...(options.name && { name: options.name }),
        ...(options.expiresAt && { expiresAt: options.expiresAt }),
      },
    });
    output(options, created, [
      `Created API key ${created.apiKeyID}. Store it now; it is not shown again:`,
      created.apiKey ?? '',
    ]);
  });

  addClientOptions(
    apikey.command('list').description('list API keys').requiredOption('--sa <serviceAccountID>', 'service account'),
  ).action(async (options: ClientOptions & { sa: string }) => {
    const { client, token } = await connect(options);
    const { apiKeys } = await client.request<{ apiKeys: ApiKeyInfo[] }>('GET', path(options.sa), { token });
    output(options, { apiKeys }, apiKeys.length === 0 ? 'No API keys.' : apiKeys.map(describe));
  });

  addClientOptions(
    apikey
      .command('rotate')
      .description('replace the secret of an API key; the old one stops working at once')
      .requiredOption('--sa <serviceAccountID>', 'service account')
      .argument('<apiKeyID>'),
  ).action(async (keyId: string, options: ClientOptions & { sa: string }) => {
    const { client, token } = await connect(options);
    const rotated = await client.request<ApiKeyInfo>('PUT', `${path(options.sa, keyId)}/rotate`, { token });
    output(options, rotated, [`Rotated API key ${rotated.apiKeyID}. The new key (shown once):`, rotated.apiKey ?? '']);
  });

  addClientOptions(
    apikey
      .command('delete')
      .description('delete an API key')
      .requiredOption('--sa <serviceAccountID>', 'service account')
      .argument('<apiKeyID>'),
  ).action(async (keyId: string, options: ClientOptions & { sa: string }) => {
    const { client, token } = await connect(options);
    await client.request('DELETE', path(options.sa, keyId), { token });
    output(options, { apiKeyID: keyId, deleted: true }, `Deleted API key ${keyId}`);
  });
}
