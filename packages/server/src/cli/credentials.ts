import { existsSync, readFileSync } from 'node:fs';
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

export function readCredentials(file: string): CredentialsFile {
  if (!existsSync(file)) throw new CliError(`credentials file ${file} does not exist (see --credentials)`, 2);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    throw new CliError(`credentials file ${file} is not JSON`, 2);
  }
  // Accept the aliases Skyflow SDKs accept.
  const pick = (...keys: string[]) => keys.map((k) => raw[k]).find((v) => typeof v === 'string') as string | undefined;
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

/** The server origin named by a credentials file (its token URI without the path). */
export function originOf(credentials: CredentialsFile): string {
  try {
    return new URL(credentials.tokenURI).origin;
  } catch {
    throw new CliError(`tokenURI in the credentials file is not a URL: ${credentials.tokenURI}`, 2);
  }
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
  const response = await client.request<{ accessToken: string }>('POST', '/v1/auth/sa/oauth/token', {
    body: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion, ...(scope && { scope }) },
  });
  return response.accessToken;
}
