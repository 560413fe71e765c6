import { ACCOUNT, access } from '../access/access-control.js';
import { badRequest, notFound } from '../errors.js';
import type { ApiKeyRow, Repositories, Store } from '../store/types.js';
import { generateApiKey } from './api-key-format.js';
import type { AuthEpoch } from './auth-epoch.js';
import type { Principal } from './principal.js';
import { newApiKeyRow } from './service-accounts.js';

/** Long-lived API keys of API-key-enabled service accounts; only their SHA-256 is stored. */
export class ApiKeyService {
  constructor(
    private readonly store: Store,
    private readonly epoch: AuthEpoch,
  ) {}

  async create(
    principal: Principal,
    serviceAccountId: string,
    input: { name?: string | undefined; expiresAt?: number | undefined },
  ): Promise<{ row: ApiKeyRow; apiKey: string }> {
    access.require(principal, 'serviceAccounts.update', ACCOUNT);
    await this.requireApiKeyAccount(serviceAccountId);
    const now = Date.now();
    if (input.expiresAt !== undefined && input.expiresAt <= now) throw badRequest('expiresAt must be in the future.');
    const { row, key } = newApiKeyRow(serviceAccountId, input.name ?? 'default', input.expiresAt ?? null, now);
    await this.store.apiKeys.insert(row);
    return { row, apiKey: key };
  }

  async list(principal: Principal, serviceAccountId: string): Promise<ApiKeyRow[]> {
    if (principal.serviceAccountId !== serviceAccountId) access.require(principal, 'serviceAccounts.read', ACCOUNT);
    await this.requireApiKeyAccount(serviceAccountId);
    return this.store.apiKeys.listForAccount(serviceAccountId);
  }

  async get(principal: Principal, serviceAccountId: string, keyId: string): Promise<ApiKeyRow> {
    if (principal.serviceAccountId !== serviceAccountId) access.require(principal, 'serviceAccounts.read', ACCOUNT);
    return this.keyOf(this.store, serviceAccountId, keyId);
  }

  /** Issues a new secret under the same key ID; the old secret stops working at once. */
  async rotate(
    principal: Principal,
    serviceAccountId: string,
    keyId: string,
  ): Promise<{ row: ApiKeyRow; apiKey: string }> {
    access.require(principal, 'serviceAccounts.update', ACCOUNT);
    const generated = generateApiKey();
    const row = await this.store.transaction(async (tx) => {
      await this.keyOf(tx, serviceAccountId, keyId);
      await tx.apiKeys.update(keyId, { keyHash: generated.hash, prefix: generated.prefix, updatedAt: Date.now() });
      return this.keyOf(tx, serviceAccountId, keyId);
    });
    this.epoch.bump();
    return { row, apiKey: generated.key };
  }

  async update(
    principal: Principal,
    serviceAccountId: string,
    keyId: string,
    patch: {
      name?: string | undefined;
      status?: 'ACTIVE' | 'DISABLED' | undefined;
      expiresAt?: number | null | undefined;
    },
  ): Promise<ApiKeyRow> {
    access.require(principal, 'serviceAccounts.update', ACCOUNT);
    if (typeof patch.expiresAt === 'number' && patch.expiresAt <= Date.now()) {
      throw badRequest('expiresAt must be in the future.');
    }
    const row = await this.store.transaction(async (tx) => {
      await this.keyOf(tx, serviceAccountId, keyId);
      await tx.apiKeys.update(keyId, { ...patch, updatedAt: Date.now() });
      return this.keyOf(tx, serviceAccountId, keyId);
    });
    this.epoch.bump();
    return row;
  }

  async delete(principal: Principal, serviceAccountId: string, keyId: string): Promise<void> {
    access.require(principal, 'serviceAccounts.update', ACCOUNT);
    await this.store.transaction(async (tx) => {
      await this.keyOf(tx, serviceAccountId, keyId);
      await tx.apiKeys.delete(keyId);
    });
    this.epoch.bump();
  }

  /** The API key `keyId` of `serviceAccountId`, read through `repos` (a transaction), or 404. */
  private async keyOf(repos: Repositories, serviceAccountId: string, keyId: string): Promise<ApiKeyRow> {
    const row = await repos.apiKeys.get(keyId);
    if (!row || row.serviceAccountId !== serviceAccountId) throw notFound(`API key ${keyId} wasn't found.`);
    return row;
  }

  private async requireApiKeyAccount(serviceAccountId: string): Promise<void> {
    const account = await this.store.serviceAccounts.get(serviceAccountId);
    if (!account) throw notFound(`Service account ${serviceAccountId} wasn't found.`);
    if (!account.apiKeyEnabled) {
      throw badRequest(
        `Service account ${serviceAccountId} is not API-key enabled; create it with "apiKeyEnabled": true to use API keys.`,
      );
    }
  }
}
