import type { Credentials } from '../credentials/types.js';
import { assertCredentials } from '../credentials/validate.js';
import { invalidInput } from '../errors/skyflow-error.js';
import type { RetryOptions } from '../http/retry-policy.js';
import type { Logger, LogLevel } from '../logging/logger.js';
import { type Env, normaliseVaultUrl, skyflowVaultUrl } from './vault-url.js';

/**
 * One vault the client talks to. Give `vaultURL` (Strongroom, or any host), or Skyflow's `clusterId` (with
 * `env`, default `PROD`), not both.
 */
export interface VaultConfig {
  readonly vaultId: string;
  /** Base URL of the vault API, e.g. `https://vault.example.com` or `http://localhost:8080`. */
  readonly vaultURL?: string | undefined;
  /** Skyflow cluster ID: the first label of `https://{clusterId}.vault.skyflowapis.com`. */
  readonly clusterId?: string | undefined;
  readonly env?: Env | undefined;
  /** Credentials for this vault; when absent the client's `skyflowCredentials`, then `SKYFLOW_CREDENTIALS`. */
  readonly credentials?: Credentials | undefined;
}

/** A Skyflow connection (gateway route); kept for configuration compatibility. */
export interface ConnectionConfig {
  readonly connectionId: string;
  readonly connectionUrl: string;
  readonly credentials?: Credentials | undefined;
}

/** Everything `new Skyflow(…)` takes. Fields after `logLevel` are Strongroom's additions. */
export interface SkyflowConfig {
  readonly vaultConfigs?: readonly VaultConfig[] | undefined;
  readonly connectionConfigs?: readonly ConnectionConfig[] | undefined;
  /** Credentials for every vault and connection that has none of its own. */
  readonly skyflowCredentials?: Credentials | undefined;
  /** Default `ERROR`. */
  readonly logLevel?: LogLevel | undefined;
  /** Where log lines go (default: the console). */
  readonly logger?: Logger | undefined;
  /** Timeout of each HTTP attempt in milliseconds (default 60,000); each call may override it. */
  readonly timeoutMs?: number | undefined;
  /** Retries of idempotent calls (default: 2 retries, 500 ms doubling, at most 10 s apart), or `false`. */
  readonly retry?: RetryOptions | false | undefined;
  /** How long before a generated bearer token expires the SDK gets a new one (default 60,000 ms). */
  readonly tokenRefreshMarginMs?: number | undefined;
  /** The `fetch` to use (default: the global one). */
  readonly fetch?: typeof fetch | undefined;
}

export const DEFAULT_TOKEN_REFRESH_MARGIN_MS = 60_000;

/** Checks a vault config and returns its base URL. */
export function validateVaultConfig(config: VaultConfig): string {
  if (typeof config !== 'object' || config === null) throw invalidInput('A vault config must be an object.');
  if (typeof config.vaultId !== 'string' || config.vaultId.trim() === '') {
    throw invalidInput('A vault config needs a vaultId.');
  }
  if (!/^[A-Za-z0-9_-]+$/.test(config.vaultId)) {
    throw invalidInput('vaultId may hold only letters, digits, "-" and "_".');
  }
  const hasUrl = config.vaultURL !== undefined;
  const hasCluster = config.clusterId !== undefined;
  if (hasUrl === hasCluster) {
    throw invalidInput(
      `Vault config ${config.vaultId}: give either vaultURL or clusterId (with env), not ${hasUrl ? 'both' : 'neither'}.`,
    );
  }
  if (hasUrl && config.env !== undefined) {
    throw invalidInput(`Vault config ${config.vaultId}: env applies to clusterId, not to vaultURL.`);
  }
  if (config.credentials !== undefined) assertCredentials(config.credentials);
  return hasUrl
    ? normaliseVaultUrl(config.vaultURL as string)
    : skyflowVaultUrl(config.clusterId as string, config.env);
}

export function validateConnectionConfig(config: ConnectionConfig): void {
  if (typeof config !== 'object' || config === null) throw invalidInput('A connection config must be an object.');
  if (typeof config.connectionId !== 'string' || config.connectionId.trim() === '') {
    throw invalidInput('A connection config needs a connectionId.');
  }
  if (typeof config.connectionUrl !== 'string' || !/^https?:\/\/\S+$/i.test(config.connectionUrl)) {
    throw invalidInput(`Connection config ${config.connectionId}: connectionUrl must be an http(s) URL.`);
  }
  if (config.credentials !== undefined) assertCredentials(config.credentials);
}
