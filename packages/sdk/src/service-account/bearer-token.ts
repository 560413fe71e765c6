import { importRsaPrivateKey, signJwt } from '../crypto/rs256.js';
import { invalidCredentials, invalidInput, SkyflowError } from '../errors/skyflow-error.js';
import { fixedLog, type TransportOptions, transportSettings } from '../http/defaults.js';
import { errorFromResponse, isObject } from '../http/error-response.js';
import { type CallOptions, send, type TransportSettings } from '../http/transport.js';
import type { Logger, LogLevel } from '../logging/logger.js';
import { type Context, validateContext } from './context.js';
import {
  parseServiceAccountCredentials,
  readCredentialsFile,
  type ServiceAccountCredentials,
} from './credentials-file.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Lifetime of the signed assertion (Skyflow's SDKs use one hour; servers reject longer). */
const ASSERTION_LIFETIME_SECONDS = 3600;

/** Options of {@link generateBearerToken} (skyflow-node's `BearerTokenOptions`, plus transport controls). */
export interface BearerTokenOptions extends TransportOptions, CallOptions {
  /** Narrow the token to some of the service account's roles (`scope: "role:<id> …"`). */
  readonly roleIds?: readonly string[] | undefined;
  /** @deprecated skyflow-node's spelling of {@link roleIds}. */
  readonly roleIDs?: readonly string[] | undefined;
  /** Context for context-aware authorization, signed into the assertion as `ctx`. */
  readonly ctx?: Context | undefined;
  /** Token endpoint to use instead of the credentials' `tokenURI` (it is also the assertion's `aud`). */
  readonly tokenUri?: string | undefined;
  readonly logLevel?: LogLevel | undefined;
  readonly logger?: Logger | undefined;
}

export interface TokenResponse {
  readonly accessToken: string;
  readonly tokenType: string;
}

/**
 * Exchanges a service account's credentials file for a bearer token (valid 60 minutes): signs an RS256
 * assertion with the private key and posts it to the token endpoint (JWT-bearer grant).
 */
export async function generateBearerToken(
  credentialsFilePath: string,
  options: BearerTokenOptions = {},
): Promise<TokenResponse> {
  return generateBearerTokenFromCreds(await readCredentialsFile(credentialsFilePath), options);
}

/** {@link generateBearerToken} with the credentials as JSON text (or an already parsed object). */
export async function generateBearerTokenFromCreds(
  credentials: string | object,
  options: BearerTokenOptions = {},
): Promise<TokenResponse> {
  const log = fixedLog(options.logLevel, options.logger);
  return requestBearerToken(
    parseServiceAccountCredentials(credentials),
    options,
    transportSettings(options, log),
    options,
  );
}

/** The assertion and token request, over a given transport (the client's, with its timeouts and retries). */
export async function requestBearerToken(
  credentials: ServiceAccountCredentials,
  options: Pick<BearerTokenOptions, 'roleIds' | 'roleIDs' | 'ctx' | 'tokenUri'>,
  transport: TransportSettings,
  call: CallOptions,
): Promise<TokenResponse> {
  const tokenUri = options.tokenUri ?? credentials.tokenURI;
  if (!/^https?:\/\//i.test(tokenUri)) throw invalidCredentials('The token URI must be an http(s) URL.');
  const roles = options.roleIds ?? options.roleIDs ?? [];
  if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string' || !/^\S+$/.test(r))) {
    throw invalidInput('roleIds must be a list of role IDs.');
  }
  const ctx = validateContext(options.ctx);
  let key: CryptoKey;
  try {
    key = await importRsaPrivateKey(credentials.privateKey);
  } catch (error) {
    throw invalidCredentials('The privateKey of the credentials is not a usable RSA private key.', error);
  }
  const now = Math.floor(Date.now() / 1000);
  const assertion = await signJwt(
    {
      iss: credentials.clientID,
      key: credentials.keyID,
      aud: tokenUri,
      sub: credentials.clientID,
      iat: now,
      exp: now + ASSERTION_LIFETIME_SECONDS,
      ...(ctx !== undefined && { ctx }),
    },
    key,
  );
  transport.log.debug('requesting a bearer token', { roles: roles.length, context: ctx !== undefined });
  const response = await send(
    transport,
    {
      method: 'POST',
      url: tokenUri,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        grant_type: JWT_BEARER_GRANT,
        assertion,
        ...(roles.length > 0 && { scope: roles.map((id) => `role:${id}`).join(' ') }),
      }),
      // Minting a token changes nothing on the server, so a lost answer can be asked for again.
      idempotent: true,
      operation: 'token',
    },
    call,
  );
  if (response.status < 200 || response.status > 299) {
    const error = errorFromResponse(response.status, response.statusText, response.headers, response.text);
    transport.log.error('bearer token request failed', { status: error.httpCode, requestId: error.requestId });
    throw error;
  }
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    body = undefined;
  }
  if (!isObject(body) || typeof body.accessToken !== 'string' || body.accessToken === '') {
    throw new SkyflowError({
      code: 'INVALID_RESPONSE',
      message: 'The token endpoint answered without an accessToken.',
      httpCode: response.status,
      requestId: response.requestId,
    });
  }
  transport.log.debug('bearer token received', { requestId: response.requestId });
  return { accessToken: body.accessToken, tokenType: typeof body.tokenType === 'string' ? body.tokenType : 'Bearer' };
}
