import { AuthSources } from '../auth/auth-sources.js';
import type { Credentials } from '../credentials/types.js';
import { assertCredentials } from '../credentials/validate.js';
import { DetectController } from '../detect/detect-controller.js';
import { invalidInput } from '../errors/skyflow-error.js';
import { transportSettings } from '../http/defaults.js';
import type { RetryOptions } from '../http/retry-policy.js';
import type { TransportSettings } from '../http/transport.js';
import { consoleLogger, isLogLevel, Log, type Logger, LogLevel } from '../logging/logger.js';
import { VaultController } from '../vault/vault-controller.js';
import {
  type ConnectionConfig,
  DEFAULT_TOKEN_REFRESH_MARGIN_MS,
  type SkyflowConfig,
  type VaultConfig,
  validateConnectionConfig,
  validateVaultConfig,
} from './config.js';
import type { ControllerContext } from './plan-runner.js';
import { SkyflowBuilder } from './skyflow-builder.js';

interface VaultEntry {
  readonly config: VaultConfig;
  readonly baseUrl: string;
}

/**
 * The client: vault and connection configs, credentials, logging, timeouts and retries. Build it once and
 * reuse it — it caches bearer tokens per credentials and renews them before they expire.
 *
 * ```ts
 * const client = new Skyflow({
 *   vaultConfigs: [{ vaultId: 'a1b2…', vaultURL: 'https://vault.example.com' }],
 *   skyflowCredentials: { path: './credentials.json' },
 * });
 * const { insertedFields } = await client.vault().insert(new InsertRequest('persons', [{ name: 'Ada' }]));
 * ```
 */
export class Skyflow {
  private readonly vaults = new Map<string, VaultEntry>();
  private readonly connections = new Map<string, ConnectionConfig>();
  private readonly controllers = new Map<string, VaultController>();
  private readonly detectControllers = new Map<string, DetectController>();
  private credentials: Credentials | undefined;
  private logLevel: LogLevel;
  private logger: Logger;
  private transport: TransportSettings;
  private refreshMarginMs: number;
  private readonly log: Log;
  private readonly auth: AuthSources;

  constructor(config: SkyflowConfig = {}) {
    if (typeof config !== 'object' || config === null) throw invalidInput('The Skyflow config must be an object.');
    this.logLevel = LogLevel.ERROR;
    if (config.logLevel !== undefined) this.setLogLevel(config.logLevel);
    this.logger = config.logger ?? consoleLogger;
    this.log = new Log(
      () => this.logLevel,
      () => this.logger,
    );
    this.transport = transportSettings(config, this.log);
    this.refreshMarginMs = DEFAULT_TOKEN_REFRESH_MARGIN_MS;
    if (config.tokenRefreshMarginMs !== undefined) this.setTokenRefreshMargin(config.tokenRefreshMarginMs);
    this.auth = new AuthSources({
      transport: () => this.transport,
      refreshMarginMs: () => this.refreshMarginMs,
      log: this.log,
    });
    if (config.skyflowCredentials !== undefined) this.updateSkyflowCredentials(config.skyflowCredentials);
    for (const vault of config.vaultConfigs ?? []) this.addVaultConfig(vault);
    for (const connection of config.connectionConfigs ?? []) this.addConnectionConfig(connection);
  }

  /** A builder in the style of Skyflow's Python and Java SDKs. */
  static builder(): SkyflowBuilder {
    return new SkyflowBuilder((config) => new Skyflow(config));
  }

  /** The Data API of a vault; without an ID, of the first vault config. */
  vault(vaultId?: string): VaultController {
    const id = this.vaultIdOf(vaultId);
    let controller = this.controllers.get(id);
    if (!controller) {
      controller = new VaultController(id, this.controllerContext());
      this.controllers.set(id, controller);
    }
    return controller;
  }

  /** The Detect API (de-/re-identification of text and files) of a vault; without an ID, of the first vault config. */
  detect(vaultId?: string): DetectController {
    const id = this.vaultIdOf(vaultId);
    let controller = this.detectControllers.get(id);
    if (!controller) {
      controller = new DetectController(id, this.controllerContext());
      this.detectControllers.set(id, controller);
    }
    return controller;
  }

  private vaultIdOf(vaultId: string | undefined): string {
    const id = vaultId ?? this.vaults.keys().next().value;
    if (id === undefined) throw invalidInput('No vault config: add one with addVaultConfig.');
    if (!this.vaults.has(id)) throw invalidInput(`No vault config with vaultId ${id}.`);
    return id;
  }

  private controllerContext(): ControllerContext {
    return {
      vault: (vid) => {
        const entry = this.vaults.get(vid);
        if (!entry) throw invalidInput(`The vault config ${vid} was removed.`);
        return { baseUrl: entry.baseUrl, credentials: entry.config.credentials };
      },
      clientCredentials: () => this.credentials,
      auth: this.auth,
      transport: () => this.transport,
      log: this.log,
    };
  }

  addVaultConfig(config: VaultConfig): this {
    const baseUrl = validateVaultConfig(config);
    if (this.vaults.has(config.vaultId))
      throw invalidInput(`A vault config with vaultId ${config.vaultId} exists already.`);
    this.vaults.set(config.vaultId, { config: { ...config }, baseUrl });
    this.log.debug('vault config added', { vaultId: config.vaultId });
    return this;
  }

  /** Changes the given fields of a vault config (matched by `vaultId`); the others keep their values. */
  updateVaultConfig(config: Partial<VaultConfig> & Pick<VaultConfig, 'vaultId'>): this {
    const existing = this.vaults.get(config.vaultId);
    if (!existing) throw invalidInput(`No vault config with vaultId ${config.vaultId}.`);
    const merged: VaultConfig = { ...existing.config };
    for (const [key, value] of Object.entries(config)) {
      if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
    }
    // Switching between vaultURL and clusterId drops the other, so the update does not read as both.
    if (config.vaultURL !== undefined) Object.assign(merged, { clusterId: undefined, env: undefined });
    if (config.clusterId !== undefined) Object.assign(merged, { vaultURL: undefined });
    const baseUrl = validateVaultConfig(merged);
    this.vaults.set(config.vaultId, { config: merged, baseUrl });
    this.log.debug('vault config updated', { vaultId: config.vaultId });
    return this;
  }

  removeVaultConfig(vaultId: string): this {
    if (!this.vaults.delete(vaultId)) throw invalidInput(`No vault config with vaultId ${vaultId}.`);
    this.controllers.delete(vaultId);
    this.detectControllers.delete(vaultId);
    this.log.debug('vault config removed', { vaultId });
    return this;
  }

  getVaultConfig(vaultId: string): VaultConfig {
    const entry = this.vaults.get(vaultId);
    if (!entry) throw invalidInput(`No vault config with vaultId ${vaultId}.`);
    return { ...entry.config };
  }

  /** The vault's base URL as the SDK calls it (from `vaultURL`, or from `clusterId` and `env`). */
  getVaultURL(vaultId: string): string {
    const entry = this.vaults.get(vaultId);
    if (!entry) throw invalidInput(`No vault config with vaultId ${vaultId}.`);
    return entry.baseUrl;
  }

  addConnectionConfig(config: ConnectionConfig): this {
    validateConnectionConfig(config);
    if (this.connections.has(config.connectionId)) {
      throw invalidInput(`A connection config with connectionId ${config.connectionId} exists already.`);
    }
    this.connections.set(config.connectionId, { ...config });
    return this;
  }

  updateConnectionConfig(config: Partial<ConnectionConfig> & Pick<ConnectionConfig, 'connectionId'>): this {
    const existing = this.connections.get(config.connectionId);
    if (!existing) throw invalidInput(`No connection config with connectionId ${config.connectionId}.`);
    const merged: ConnectionConfig = { ...existing };
    for (const [key, value] of Object.entries(config)) {
      if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
    }
    validateConnectionConfig(merged);
    this.connections.set(config.connectionId, merged);
    return this;
  }

  removeConnectionConfig(connectionId: string): this {
    if (!this.connections.delete(connectionId))
      throw invalidInput(`No connection config with connectionId ${connectionId}.`);
    return this;
  }

  getConnectionConfig(connectionId: string): ConnectionConfig {
    const config = this.connections.get(connectionId);
    if (!config) throw invalidInput(`No connection config with connectionId ${connectionId}.`);
    return { ...config };
  }

  /** Replaces the client-wide credentials (used by configs without their own). */
  updateSkyflowCredentials(credentials: Credentials): this {
    assertCredentials(credentials);
    this.credentials = credentials;
    return this;
  }

  getSkyflowCredentials(): Credentials | undefined {
    return this.credentials;
  }

  setLogLevel(logLevel: LogLevel): this {
    if (!isLogLevel(logLevel)) throw invalidInput(`logLevel must be one of ${Object.values(LogLevel).join(', ')}.`);
    this.logLevel = logLevel;
    return this;
  }

  /** skyflow-node's name for {@link setLogLevel}. */
  updateLogLevel(logLevel: LogLevel): this {
    return this.setLogLevel(logLevel);
  }

  getLogLevel(): LogLevel {
    return this.logLevel;
  }

  setLogger(logger: Logger): this {
    this.logger = logger;
    return this;
  }

  /** Changes the default timeout of each HTTP attempt. */
  setTimeoutMs(timeoutMs: number): this {
    this.transport = transportSettings({ ...this.transportOptions(), timeoutMs }, this.log);
    return this;
  }

  /** Changes the retry policy of idempotent calls (`false`: no retries). */
  setRetry(retry: RetryOptions | false): this {
    this.transport = transportSettings({ ...this.transportOptions(), retry }, this.log);
    return this;
  }

  /** Changes how long before expiry generated bearer tokens are renewed. */
  setTokenRefreshMargin(milliseconds: number): this {
    if (!Number.isFinite(milliseconds) || milliseconds < 0) throw invalidInput('tokenRefreshMarginMs must be ≥ 0.');
    this.refreshMarginMs = milliseconds;
    return this;
  }

  private transportOptions() {
    const { fetch, timeoutMs, retry } = this.transport;
    return { fetch, timeoutMs, retry };
  }
}
