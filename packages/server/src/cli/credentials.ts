import { readFileSync } from 'node:fs';
import { importPKCS8, SignJWT } from 'jose';
import { CliError } from './errors.js';
import type { HttpClient } from './http-client.js';

export interface CredentialsFile {
  readonly clientID: string;
  readonly clientName?: string;
  readonly keyID: string;
  readonly tokenURI: string;
  readonly privateKey: string;
}

/** The path of the token endpoint under a server's base URL. */
export const TOKEN_PATH = '/v1/auth/sa/oauth/token';

export function readCredentials(file: string): CredentialsFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`credentials file ${file} does not exist (see --credentials)`, 2);
    throw new CliError(`cannot read credentials file ${file}: ${(err as Error).message}`, 2);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CliError(`credentials file ${file} is not JSON`, 2);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CliError(`credentials file ${file} must hold a JSON object (a credentials.json)`, 2);
  }
  const object = raw as Record<string, unknown>;
  // Accept the aliases Skyflow SDKs accept.
  const pick = (...keys: string[]) =>
    keys.map((k) => object[k]).find((v) => typeof v === 'string' && v !== '') as string | undefined;
  if (pick('apiKey', 'api_key') && !pick('privateKey', 'private_key')) {
    throw new CliError(
      `credentials file ${file} holds an API key, not a key pair: send the key itself as "Authorization: Bearer <apiKey>"`,
      2,
    );
  }
  const credentials = {
    clientID: pick('clientID', 'clientId', 'client_id'),
    clientName: pick('clientName', 'client_name'),
    keyID: pick('keyID', 'keyId', 'key_id'),
    tokenURI: pick('tokenURI', 'tokenUri', 'token_uri'),
    privateKey: pick('privateKey', 'private_key'),
  };
  for (const key of ['clientID', 'keyID', 'tokenURI', 'privateKey'] as const) {
    if (!credentials[key]) throw new CliError(`credentials file ${file} has no ${key}`, 2);
  }
  return credentials as CredentialsFile;
}

/**
 * The server base URL named by a credentials file: its token URI without the token endpoint's path, so
 * a server published under a path prefix (`--public-url https://example.com/vault`) keeps its prefix.
 */
export function baseUrlOf(credentials: CredentialsFile): string {
  let url: URL;
  try {
    url = new URL(credentials.tokenURI);
  } catch {
    throw new CliError(`tokenURI in the credentials file is not a URL: ${credentials.tokenURI}`, 2);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`tokenURI in the credentials file is not an http(s) URL: ${credentials.tokenURI}`, 2);
  }
  const pathname = url.pathname.replace(/\/+$/, '');
  if (pathname.endsWith(TOKEN_PATH)) return url.origin + pathname.slice(0, -TOKEN_PATH.length);
  return url.origin;
}

/** Signs the JWT-bearer assertion exactly as the Skyflow SDKs do (RS256, one-hour expiry). */
export async function signAssertion(
  credentials: CredentialsFile,
  ctx?: string | Record<string, unknown>,
): Promise<string> {
  let key: Awaited<ReturnType<typeof importPKCS8>>;
  try {
    key = await importPKCS8(credentials.privateKey, 'RS256');
  } catch {
    throw new CliError('the private key in the credentials file is not a PKCS#8 RSA key', 2);
  }
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ key: credentials.keyID, ...(ctx !== undefined && { ctx }) })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(credentials.clientID)
    .setSubject(credentials.clientID)
    .setAudience(credentials.tokenURI)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(key);
}

export async function fetchBearerToken(
  client: HttpClient,
  credentials: CredentialsFile,
  options: { roles?: readonly string[]; ctx?: string | Record<string, unknown> } = {},
): Promise<string> {
  const assertion = await signAssertion(credentials, options.ctx);
  const scope = (options.roles ?? []).map((r) => `role:${r}`).join(' ');
  let response: { accessToken?: unknown } | undefined;
  try {
    response = await client.request<{ accessToken?: unknown }>('POST', TOKEN_PATH, {
      body: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion, ...(scope && { scope }) },
    });
  } catch (err) {
    // The assertion's audience is the tokenURI of the credentials, whatever --url says.
    if (
      err instanceof CliError &&
      err.status === 401 &&
      /\baud\b/.test(err.message) &&
      client.baseUrl !== baseUrlOf(credentials)
    ) {
      throw new CliError(
        `${err.message}\n  note: these credentials were issued for ${credentials.tokenURI}, which is also the audience ` +
          'of the signed assertion; a server at another address accepts them only if it is configured with that URL ' +
          '(--public-url, or STRONGROOM_TOKEN_AUDIENCES)',
      );
    }
    throw err;
  }
  if (typeof response?.accessToken !== 'string') {
    throw new CliError(
      `the token endpoint answered without an accessToken (is ${client.baseUrl} a Strongroom server?)`,
    );
  }
  return response.accessToken;
}
