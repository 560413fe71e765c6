import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, clientFor, credentialsPath, output } from '../context.js';
import { fetchBearerToken, readCredentials } from '../credentials.js';
import { CliError } from '../errors.js';

/** `--ctx` takes a JSON object, or any other text as a plain string context. */
export function parseCtx(value: string | undefined): string | Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed) as Record<string, unknown>;
    } catch {
      throw new CliError('--ctx looks like JSON but does not parse', 2);
    }
  }
  return value;
}

export function registerToken(program: Command): void {
  addClientOptions(
    program
      .command('token')
      .description('print a 60-minute bearer token for a service account (JWT-bearer grant)')
      .option('--role <roleID...>', "narrow the token to these of the account's roles")
      .option('--ctx <json|string>', 'context to embed in the token (a JSON object or a string)'),
  ).action(async (options: ClientOptions & { role?: string[]; ctx?: string }) => {
    const ctx = parseCtx(options.ctx);
    for (const role of options.role ?? []) {
      if (!/^[0-9a-f]{32}$/.test(role)) {
        throw new CliError(
          `--role takes IDs of roles the account holds (32 lowercase hex characters), got "${role}"`,
          2,
        );
      }
    }
    const credentials = readCredentials(credentialsPath(options));
    const client = clientFor(options, credentials);
    const accessToken = await fetchBearerToken(client, credentials, {
      ...(options.role && { roles: options.role }),
      ...(ctx !== undefined && { ctx }),
    });
    output(options, { accessToken, tokenType: 'Bearer' }, accessToken);
  });
}
