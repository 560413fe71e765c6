import type { Credentials } from '../credentials/types.js';
import type { RetryOptions } from '../http/retry-policy.js';
import type { Logger, LogLevel } from '../logging/logger.js';
import type { ConnectionConfig, SkyflowConfig, VaultConfig } from './config.js';
import type { Skyflow } from './skyflow.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Builds a {@link Skyflow} client step by step (`Skyflow.builder()…build()`). */
export class SkyflowBuilder {
  private readonly config: Mutable<SkyflowConfig> & {
    vaultConfigs: VaultConfig[];
    connectionConfigs: ConnectionConfig[];
  } = { vaultConfigs: [], connectionConfigs: [] };

  constructor(private readonly create: (config: SkyflowConfig) => Skyflow) {}

  addVaultConfig(config: VaultConfig): this {
    this.config.vaultConfigs.push(config);
    return this;
  }
  addConnectionConfig(config: ConnectionConfig): this {
    this.config.connectionConfigs.push(config);
    return this;
  }
  addSkyflowCredentials(credentials: Credentials): this {
    this.config.skyflowCredentials = credentials;
    return this;
  }
  setLogLevel(logLevel: LogLevel): this {
    this.config.logLevel = logLevel;
    return this;
  }
  setLogger(logger: Logger): this {
    this.config.logger = logger;
    return this;
  }
  setTimeoutMs(timeoutMs: number): this {
    this.config.timeoutMs = timeoutMs;
    return this;
  }
  setRetry(retry: RetryOptions | false): this {
    this.config.retry = retry;
    return this;
  }
  setTokenRefreshMargin(milliseconds: number): this {
    this.config.tokenRefreshMarginMs = milliseconds;
    return this;
  }
  setFetch(fetchImpl: typeof fetch): this {
    this.config.fetch = fetchImpl;
    return this;
  }
  /** Validates everything and returns the client. */
  build(): Skyflow {
    return this.create({ ...this.config });
  }
}
