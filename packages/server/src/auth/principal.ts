import type { ClientConfiguration, RoleRow } from '../store/types.js';

/** How the caller authenticated: a bearer token we issued, an API key, or a JWT it signed with a registered key. */
export type AuthMode = 'SERVICE_ACCOUNT_JWT' | 'API_KEY' | 'CLIENT_SIGNED_JWT';

/** Context carried by a bearer token (`ctx` of the assertion): a string or a flat object. */
export type RequestContext = string | Readonly<Record<string, unknown>>;

/** Who is calling, established once per request by the authenticator. */
export interface Principal {
  readonly type: 'SERVICE_ACCOUNT';
  readonly serviceAccountId: string;
  readonly name: string;
  readonly authMode: AuthMode;
  /** Effective roles: those assigned now, narrowed by the token's scope. */
  readonly roles: readonly RoleRow[];
  readonly clientConfiguration: ClientConfiguration;
  readonly context?: RequestContext;
  /** `jti` of the bearer token, or the API key's ID. */
  readonly credentialId: string;
}
