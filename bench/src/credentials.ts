import { importPKCS8, SignJWT } from 'jose';
import type { ServerProcess } from './server-process.js';

/** The JWT-bearer grant body for the server's bootstrap admin (an RS256 assertion valid for an hour). */
export async function grantBody(credentials: ServerProcess['credentials']): Promise<string> {
  const key = await importPKCS8(credentials.privateKey, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({ key: credentials.keyID })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(credentials.clientID)
    .setSubject(credentials.clientID)
    .setAudience(credentials.tokenURI)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(key);
  return JSON.stringify({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
}

/** A bearer token of the server's bootstrap admin (valid for 60 minutes). */
export async function accessToken(server: Pick<ServerProcess, 'url' | 'credentials'>): Promise<string> {
  const response = await fetch(`${server.url}/v1/auth/sa/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: await grantBody(server.credentials),
  });
  if (!response.ok) throw new Error(`token grant failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}
