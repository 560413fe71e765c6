import type { ClientConfiguration, RoleRow } from '../store/types.js';

/**
 * How the caller authenticated: a bearer token we issued to a service account, an API key, a JWT it
 * signed with a registered key, or a user's personal token from a console login.
 */
export type AuthMode = 'SERVICE_ACCOUNT_JWT' | 'API_KEY' | 'CLIENT_SIGNED_JWT' | 'USER_LOGIN';

/** Context carried by a bearer token (`ctx` of the assertion): a string or a flat object. */
export type RequestContext = string | Readonly<Record<string, unknown>>;

/** Who is calling, established once per request by the authenticator. */
export interface Principal {
  readonly type: 'SERVICE_ACCOUNT' | 'USER';
  /**
   * The principal's ID, whatever its type: a service account's ID, or for `type: 'USER'` the user's ID.
   * (The name predates users; every caller reads it as "the principal ID", which is what it is.)
   */
  readonly serviceAccountId: string;
  /** A service account's name; a user's email address. */
  readonly name: string;
  readonly authMode: AuthMode;
  /** Effective roles: those assigned now, narrowed by the token's scope. */
  readonly roles: readonly RoleRow[];
  readonly clientConfiguration: ClientConfiguration;
  readonly context?: RequestContext;
  /** `jti` of the bearer token, or the API key's ID. */
  readonly credentialId: string;
}
