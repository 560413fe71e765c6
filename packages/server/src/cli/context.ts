import path from 'node:path';
import type { Command } from 'commander';
import { baseUrlOf, type CredentialsFile, fetchBearerToken, readCredentials } from './credentials.js';
import { CliError } from './errors.js';
import { HttpClient } from './http-client.js';
import { savedSession } from './session.js';

/** Options every command that talks to a server accepts. */
export interface ClientOptions {
  readonly credentials?: string;
  readonly url?: string;
  readonly ca?: string;
  readonly json?: boolean;
}

export function addClientOptions(command: Command): Command {
  return command
    .option(
      '--credentials <file>',
      'credentials.json of the calling service account, or a session saved by `strongroom login` (default: $STRONGROOM_CREDENTIALS_FILE, else the saved session .strongroom/session.json if any, else .strongroom/admin-credentials.json)',
    )
    .option(
      '--url <url>',
      'server base URL (default: $STRONGROOM_URL, else the server named by tokenURI in the credentials)',
    )
    .option(
      '--ca <file>',
      "extra CA certificate to trust, e.g. the server's self-signed certificate (or $STRONGROOM_CA_FILE)",
    )
    .option('--json', 'print machine-readable JSON');
}

export interface Connection {
  readonly client: HttpClient;
  /** The service account's credentials; absent when a user's session (`strongroom login`) is used. */
  readonly credentials?: CredentialsFile;
  readonly token: string;
}

export function credentialsPath(options: ClientOptions): string {
  return path.resolve(
    options.credentials ??
      (process.env.STRONGROOM_CREDENTIALS_FILE || path.join('.strongroom', 'admin-credentials.json')),
  );
}

export function clientFor(options: ClientOptions, credentials: CredentialsFile): HttpClient {
  return new HttpClient({
    url: options.url ?? (process.env.STRONGROOM_URL || baseUrlOf(credentials)),
    caFile: options.ca ?? (process.env.STRONGROOM_CA_FILE || undefined),
  });
}

/**
 * Reads the credentials, gets a bearer token and returns a client ready to call the API. A session saved
 * by `strongroom login` is used as it is: in `--credentials`, or by default when no credentials are named.
 */
export async function connect(options: ClientOptions): Promise<Connection> {
  const session = savedSession(options.credentials);
  if (session) {
    const url = options.url ?? (process.env.STRONGROOM_URL || session.url);
    const caFile = options.ca ?? (process.env.STRONGROOM_CA_FILE || undefined);
    return { client: new HttpClient({ url, caFile }), token: session.accessToken };
  }
  const credentials = readCredentials(credentialsPath(options));
  const client = clientFor(options, credentials);
  const token = await fetchBearerToken(client, credentials);
  return { client, credentials, token };
}

/** Prints JSON with --json, otherwise the human-readable lines. */
export function output(options: ClientOptions, json: unknown, human: string | readonly string[]): void {
  if (options.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else process.stdout.write(`${typeof human === 'string' ? human : human.join('\n')}\n`);
}

/** Pages through a list endpoint (`offset`/`limit`, at most 100 a page) until a short page. */
export async function listAll<T>(connection: Connection, listPath: string, key: string): Promise<T[]> {
  const pageSize = 100;
  const all: T[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const separator = listPath.includes('?') ? '&' : '?';
    const page = await connection.client.request<Record<string, unknown>>(
      'GET',
      `${listPath}${separator}offset=${offset}&limit=${pageSize}`,
      { token: connection.token },
    );
    const items = page?.[key];
    if (!Array.isArray(items)) throw new CliError(`GET ${listPath}: the response has no "${key}" list`);
    all.push(...(items as T[]));
    if (items.length < pageSize) return all;
  }
}
