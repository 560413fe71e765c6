import { invalidCredentials } from '../errors/skyflow-error.js';
import { isObject } from '../http/error-response.js';
import { validateContext } from '../service-account/context.js';
import { CREDENTIALS_KINDS, type Credentials, type CredentialsKind } from './types.js';

/** `sky-` + 5 alphanumerics + `-` + 32 hex digits: the format Skyflow and Strongroom issue. */
export const API_KEY_FORMAT = /^sky-[a-zA-Z0-9]{5}-[a-fA-F0-9]{32}$/;

/**
 * Checks that credentials are exactly one kind, well formed, and returns the kind. Messages name fields,
 * never their values.
 */
export function credentialsKind(credentials: unknown): CredentialsKind {
  if (!isObject(credentials)) throw invalidCredentials('Credentials must be an object.');
  const kinds = CREDENTIALS_KINDS.filter((kind) => credentials[kind] !== undefined);
  if (kinds.length !== 1) {
    throw invalidCredentials(
      kinds.length === 0
        ? `Credentials need one of ${CREDENTIALS_KINDS.join(', ')}.`
        : `Credentials must be exactly one kind; got ${kinds.join(' and ')}.`,
    );
  }
  const kind = kinds[0] as CredentialsKind;
  const value = credentials[kind];
  if (kind === 'getBearerToken') {
    if (typeof value !== 'function') throw invalidCredentials('getBearerToken must be a function.');
  } else if (typeof value !== 'string' || value.trim() === '') {
    throw invalidCredentials(`${kind} must be a non-empty string.`);
  }
  if (kind === 'apiKey' && !API_KEY_FORMAT.test(value as string)) {
    throw invalidCredentials('apiKey is not in the API key format (sky-xxxxx-<32 hex digits>).');
  }
  const extras = ['roles', 'context', 'tokenUri'].filter((name) => credentials[name] !== undefined);
  if (extras.length > 0 && kind !== 'path' && kind !== 'credentialsString') {
    throw invalidCredentials(`${extras.join(', ')} only apply to path or credentialsString credentials.`);
  }
  const roles = credentials.roles;
  if (roles !== undefined && (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string' || r === ''))) {
    throw invalidCredentials('roles must be a list of role IDs.');
  }
  if (credentials.tokenUri !== undefined && typeof credentials.tokenUri !== 'string') {
    throw invalidCredentials('tokenUri must be a string.');
  }
  validateContext(credentials.context);
  return kind;
}

export function assertCredentials(credentials: unknown): asserts credentials is Credentials {
  credentialsKind(credentials);
}
