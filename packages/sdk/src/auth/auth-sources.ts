import type { Credentials, PathCredentials, StringCredentials } from '../credentials/types.js';
import { credentialsKind } from '../credentials/validate.js';
import type { TransportSettings } from '../http/transport.js';
import type { Log } from '../logging/logger.js';
import { requestBearerToken } from '../service-account/bearer-token.js';
import { parseServiceAccountCredentials, readCredentialsFile } from '../service-account/credentials-file.js';
import { ApiKeySource, type AuthSource, CachedTokenSource, StaticTokenSource } from './token-source.js';

export interface AuthSettings {
  readonly transport: () => TransportSettings;
  readonly refreshMarginMs: () => number;
  readonly log: Log;
}

/**
 * One {@link AuthSource} per credentials object, so every vault sharing credentials shares their cached
 * token, and replacing a config's credentials starts afresh. Weakly held: dropped credentials free their
 * tokens.
 */
export class AuthSources {
  private readonly sources = new WeakMap<Credentials, AuthSource>();

  constructor(private readonly settings: AuthSettings) {}

  for(credentials: Credentials): AuthSource {
    let source = this.sources.get(credentials);
    if (!source) {
      source = this.create(credentials);
      this.sources.set(credentials, source);
    }
    return source;
  }

  private create(credentials: Credentials): AuthSource {
    const { log, refreshMarginMs } = this.settings;
    switch (credentialsKind(credentials)) {
      case 'apiKey':
        return new ApiKeySource((credentials as { apiKey: string }).apiKey);
      case 'token':
        return new StaticTokenSource((credentials as { token: string }).token);
      case 'getBearerToken': {
        const callback = (credentials as { getBearerToken: () => Promise<string> | string }).getBearerToken;
        return new CachedTokenSource(async () => callback(), refreshMarginMs, log, 'getBearerToken');
      }
      case 'path': {
        const creds = credentials as PathCredentials;
        return new CachedTokenSource(
          async (call) => this.grant(await readCredentialsFile(creds.path), creds, call.timeoutMs),
          refreshMarginMs,
          log,
          'credentials file',
        );
      }
      case 'credentialsString': {
        const creds = credentials as StringCredentials;
        return new CachedTokenSource(
          (call) => this.grant(creds.credentialsString, creds, call.timeoutMs),
          refreshMarginMs,
          log,
          'credentials string',
        );
      }
    }
  }

  private async grant(
    text: string,
    options: PathCredentials | StringCredentials,
    timeoutMs: number | undefined,
  ): Promise<string> {
    const response = await requestBearerToken(
      parseServiceAccountCredentials(text),
      { roleIds: options.roles, ctx: options.context, tokenUri: options.tokenUri },
      this.settings.transport(),
      { timeoutMs },
    );
    return response.accessToken;
  }
}
