import { invalidCredentials } from '../errors/skyflow-error.js';
import { isObject } from '../http/error-response.js';

/** A service account's credentials.json (§4.1), with its keys normalised. */
export interface ServiceAccountCredentials {
  readonly clientID: string;
  readonly clientName?: string;
  readonly keyID: string;
  readonly tokenURI: string;
  readonly privateKey: string;
}

/** Spellings of each key that Skyflow's SDKs accept (Node, Python, Java). */
const ALIASES = {
  clientID: ['clientID', 'clientId', 'client_id'],
  keyID: ['keyID', 'keyId', 'key_id'],
  tokenURI: ['tokenURI', 'tokenUri', 'token_uri'],
  privateKey: ['privateKey', 'private_key'],
  clientName: ['clientName', 'client_name'],
} as const;

/**
 * Reads credentials from JSON text or an object. Errors name the missing or malformed field and never
 * repeat any content of the credentials.
 */
export function parseServiceAccountCredentials(input: string | object): ServiceAccountCredentials {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw invalidCredentials('The service account credentials are not valid JSON.');
    }
  }
  if (!isObject(value)) throw invalidCredentials('The service account credentials must be a JSON object.');
  const pick = (names: readonly string[]): unknown => {
    for (const name of names) if (value[name] !== undefined && value[name] !== null) return value[name];
    return undefined;
  };
  const required = (field: 'clientID' | 'keyID' | 'tokenURI' | 'privateKey'): string => {
    const found = pick(ALIASES[field]);
    if (typeof found !== 'string' || found.trim() === '') {
      throw invalidCredentials(`The service account credentials have no ${field}.`);
    }
    return found;
  };
  const clientName = pick(ALIASES.clientName);
  return {
    clientID: required('clientID'),
    keyID: required('keyID'),
    tokenURI: required('tokenURI'),
    // Credentials pasted into environment variables often carry literal "\n" sequences.
    privateKey: required('privateKey').replace(/\\n/g, '\n'),
    ...(typeof clientName === 'string' && { clientName }),
  };
}

/** Reads a credentials file (Node only: browsers have no file system and should use `getBearerToken`). */
export async function readCredentialsFile(path: string): Promise<string> {
  if (typeof path !== 'string' || path === '') throw invalidCredentials('The credentials path is empty.');
  let fs: typeof import('node:fs/promises');
  try {
    fs = await import('node:fs/promises');
  } catch (error) {
    throw invalidCredentials('Credentials files can only be read in Node; in a browser use getBearerToken.', error);
  }
  try {
    return await fs.readFile(path, 'utf8');
  } catch (error) {
    const code = isObject(error) && typeof error.code === 'string' ? ` (${error.code})` : '';
    throw invalidCredentials(`The credentials file could not be read${code}.`, error);
  }
}
