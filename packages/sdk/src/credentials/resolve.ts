import { invalidCredentials } from '../errors/skyflow-error.js';
import type { Credentials, StringCredentials } from './types.js';

export type CredentialsSource = 'config' | 'client' | 'environment';

export interface ResolvedCredentials {
  readonly credentials: Credentials;
  readonly source: CredentialsSource;
}

export const ENVIRONMENT_VARIABLE = 'SKYFLOW_CREDENTIALS';

/** `SKYFLOW_CREDENTIALS` where there is a process environment (Node); `undefined` in browsers. */
export function environmentCredentials(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[ENVIRONMENT_VARIABLE];
  return value && value.trim() !== '' ? value : undefined;
}

/** Environment credentials as the same object for the same text, so their token cache survives calls. */
let lastEnvironment: StringCredentials | undefined;

/**
 * Which credentials a call uses: the vault or connection config's own, else the client-wide
 * `skyflowCredentials`, else the `SKYFLOW_CREDENTIALS` environment variable (a credentials.json text).
 */
export function resolveCredentials(
  perConfig: Credentials | undefined,
  clientWide: Credentials | undefined,
  readEnvironment: () => string | undefined = environmentCredentials,
): ResolvedCredentials {
  if (perConfig) return { credentials: perConfig, source: 'config' };
  if (clientWide) return { credentials: clientWide, source: 'client' };
  // Read only when needed: process.env is a slow lookup to pay on every call.
  const environment = readEnvironment();
  if (environment !== undefined) {
    if (lastEnvironment?.credentialsString !== environment) lastEnvironment = { credentialsString: environment };
    return { credentials: lastEnvironment, source: 'environment' };
  }
  throw invalidCredentials(
    'No credentials: give the vault config credentials, the client skyflowCredentials, or set SKYFLOW_CREDENTIALS.',
  );
}
