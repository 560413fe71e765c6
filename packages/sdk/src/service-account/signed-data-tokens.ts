import { importRsaPrivateKey, signJwt } from '../crypto/rs256.js';
import { invalidCredentials, invalidInput } from '../errors/skyflow-error.js';
import type { LogLevel } from '../logging/logger.js';
import { type Context, validateContext } from './context.js';
import { parseServiceAccountCredentials, readCredentialsFile } from './credentials-file.js';

/** Prefix that marks a signed data token wherever a token is accepted. */
export const SIGNED_TOKEN_PREFIX = 'signed_token_';

export interface SignedDataTokensOptions {
  /** The data tokens to sign. */
  readonly dataTokens: readonly string[];
  /** Seconds each signed token stays valid (default 60). */
  readonly timeToLive?: number | undefined;
  /** Context signed into each token as `ctx`. */
  readonly ctx?: Context | undefined;
  /** Replaces the credentials' `tokenURI` as the `aud` claim. */
  readonly tokenUri?: string | undefined;
  readonly logLevel?: LogLevel | undefined;
}

export interface SignedDataTokensResponse {
  readonly token: string;
  readonly signedToken: string;
}

const DEFAULT_TIME_TO_LIVE_SECONDS = 60;

/**
 * Signs data tokens with a service account's private key (§4.8): each becomes
 * `signed_token_<RS256 JWS>` with claims `iss: "sdk"`, `key`, `aud` (token URI), `sub` (client ID),
 * `tok` (the data token), `iat`, `exp = iat + timeToLive` and an optional `ctx`. Nothing is sent anywhere.
 */
export async function generateSignedDataTokens(
  credentialsFilePath: string,
  options: SignedDataTokensOptions,
): Promise<SignedDataTokensResponse[]> {
  return generateSignedDataTokensFromCreds(await readCredentialsFile(credentialsFilePath), options);
}

/** {@link generateSignedDataTokens} with the credentials as JSON text (or an already parsed object). */
export async function generateSignedDataTokensFromCreds(
  credentials: string | object,
  options: SignedDataTokensOptions,
): Promise<SignedDataTokensResponse[]> {
  const creds = parseServiceAccountCredentials(credentials);
  const tokens = options?.dataTokens;
  if (!Array.isArray(tokens) || tokens.length === 0 || tokens.some((t) => typeof t !== 'string' || t === '')) {
    throw invalidInput('dataTokens must be a non-empty list of tokens.');
  }
  const ttl = options.timeToLive ?? DEFAULT_TIME_TO_LIVE_SECONDS;
  if (!Number.isInteger(ttl) || ttl <= 0) throw invalidInput('timeToLive must be a whole number of seconds > 0.');
  const ctx = validateContext(options.ctx);
  let key: CryptoKey;
  try {
    key = await importRsaPrivateKey(creds.privateKey);
  } catch (error) {
    throw invalidCredentials('The privateKey of the credentials is not a usable RSA private key.', error);
  }
  const iat = Math.floor(Date.now() / 1000);
  return Promise.all(
    tokens.map(async (token) => {
      const jws = await signJwt(
        {
          iss: 'sdk',
          key: creds.keyID,
          aud: options.tokenUri ?? creds.tokenURI,
          sub: creds.clientID,
          tok: token,
          iat,
          exp: iat + ttl,
          ...(ctx !== undefined && { ctx }),
        },
        key,
      );
      return { token, signedToken: `${SIGNED_TOKEN_PREFIX}${jws}` };
    }),
  );
}
