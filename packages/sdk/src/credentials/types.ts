import type { Context } from '../service-account/context.js';

/** A long-lived API key of an API-key-enabled service account (`sky-xxxxx-<32 hex>`). */
export interface ApiKeyCredentials {
  readonly apiKey: string;
}

/** A bearer token you obtained yourself; the SDK checks its `exp` before each call but cannot renew it. */
export interface TokenCredentials {
  readonly token: string;
}

/** Options for credentials the SDK exchanges for bearer tokens. */
export interface GeneratedTokenOptions {
  /** Narrow the bearer tokens to these of the service account's roles. */
  readonly roles?: readonly string[] | undefined;
  /** Context for context-aware authorization (`ctx` claim). */
  readonly context?: Context | undefined;
  /** Token endpoint to use instead of the credentials' `tokenURI`. */
  readonly tokenUri?: string | undefined;
}

/** Path of a service account's credentials.json (Node only). */
export interface PathCredentials extends GeneratedTokenOptions {
  readonly path: string;
}

/** The content of a service account's credentials.json. */
export interface StringCredentials extends GeneratedTokenOptions {
  readonly credentialsString: string;
}

/**
 * A function that hands the SDK a bearer token, typically fetched from your own backend, so code in a
 * browser never holds service-account credentials. Called when the SDK has no token yet, when its token is
 * within the refresh margin of its `exp`, and once more after a 401.
 */
export interface BearerTokenCallbackCredentials {
  readonly getBearerToken: () => Promise<string> | string;
}

/** Exactly one kind of credentials. */
export type Credentials =
  | ApiKeyCredentials
  | TokenCredentials
  | PathCredentials
  | StringCredentials
  | BearerTokenCallbackCredentials;

export type CredentialsKind = 'apiKey' | 'token' | 'path' | 'credentialsString' | 'getBearerToken';

export const CREDENTIALS_KINDS: readonly CredentialsKind[] = [
  'apiKey',
  'token',
  'path',
  'credentialsString',
  'getBearerToken',
];
