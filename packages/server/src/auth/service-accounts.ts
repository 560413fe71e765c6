import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { ACCOUNT, access } from '../access/access-control.js';
import { assertAnActiveAdminRemains, type RoleService } from '../access/role-service.js';
import { badRequest, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { inTransaction } from '../store/in-transaction.js';
import type {
  ApiKeyRow,
  ClientConfiguration,
  Repositories,
  ServiceAccountKeyRow,
  ServiceAccountRow,
  Store,
} from '../store/types.js';
import { generateApiKey } from './api-key-format.js';
import type { AuthEpoch } from './auth-epoch.js';
import type { Principal } from './principal.js';
import type { TokenAudiences } from './token-audiences.js';
import type { ServerUrls } from './urls.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** A service-account key file, exactly Skyflow's `credentials.json` (returned once, never stored). */
export interface Credentials {
  readonly clientID: string;
  readonly clientName: string;
  readonly keyID: string;
  readonly tokenURI: string;
  readonly privateKey: string;
  readonly keyAlgorithm: 'KEY_ALG_RSA_2048';
}

export interface CreateServiceAccountInput {
  readonly name: string;
  readonly displayName?: string | undefined;
  readonly description?: string | undefined;
  readonly clientConfiguration?: Partial<ClientConfiguration> | undefined;
  readonly apiKeyEnabled?: boolean | undefined;
  /** Roles to assign in the same transaction (a Strongroom extension of the create request). */
  readonly roleIDs?: readonly string[] | undefined;
}

export interface CreatedServiceAccount {
  readonly account: ServiceAccountRow;
  readonly credentials?: Credentials;
  readonly apiKey?: { readonly apiKeyID: string; readonly apiKey: string };
}

const DEFAULT_CLIENT_CONFIGURATION: ClientConfiguration = {
  enforceContextID: false,
  enforceSignedDataTokens: false,
};

/**
 * Service accounts and their RSA key pairs. The server generates each key pair, returns the private
 * half once inside the credentials and keeps only the public half.
 */
export class ServiceAccountService {
  constructor(
    private readonly store: Store,
    private readonly roles: RoleService,
    private readonly urls: ServerUrls,
    private readonly audiences: TokenAudiences,
    private readonly epoch: AuthEpoch,
  ) {}

  /** Creates a service account; `tx` lets a caller make it part of a larger transaction. */
  async create(
    principal: Principal | 'bootstrap',
    input: CreateServiceAccountInput,
    tx?: Repositories,
  ): Promise<CreatedServiceAccount> {
    if (principal !== 'bootstrap') access.require(principal, 'serviceAccounts.create', ACCOUNT);
    const now = Date.now();
    const actor = principal === 'bootstrap' ? 'bootstrap' : principal.serviceAccountId;
    const account: ServiceAccountRow = {
      id: newId(now),
      name: input.name,
      displayName: input.displayName ?? input.name,
      description: input.description ?? '',
      clientConfiguration: { ...DEFAULT_CLIENT_CONFIGURATION, ...definedOnly(input.clientConfiguration) },
      apiKeyEnabled: input.apiKeyEnabled ?? false,
      status: 'ACTIVE',
      createdAt: now,
      updatedAt: now,
      createdBy: actor,
      updatedBy: actor,
    };
    // Key generation is slow (RSA); do it before the transaction opens.
    const keyPair = account.apiKeyEnabled ? undefined : await newKeyPair(account.id, now);
    const apiKey = account.apiKeyEnabled ? newApiKeyRow(account.id, 'default', null, now) : undefined;
    await inTransaction(this.store, tx, async (tx) => {
      await tx.serviceAccounts.insert(account);
      if (keyPair) {
        await tx.serviceAccountKeys.insert(keyPair.row);
        await this.audiences.remember(tx, this.urls.tokenUri());
      }
      if (apiKey) await tx.apiKeys.insert(apiKey.row);
      if (input.roleIDs && input.roleIDs.length > 0) {
        if (principal === 'bootstrap') {
          for (const roleId of input.roleIDs) {
            await tx.roles.addMember({
              roleId,
              memberId: account.id,
              memberType: 'SERVICE_ACCOUNT',
              createdAt: now,
            });
          }
        } else {
          await this.roles.assignIn(tx, principal, input.roleIDs, [{ ID: account.id, type: 'SERVICE_ACCOUNT' }]);
        }
      }
    });
    return {
      account,
      ...(keyPair && { credentials: this.credentials(account, keyPair.row.id, keyPair.privateKey) }),
      ...(apiKey && { apiKey: { apiKeyID: apiKey.row.id, apiKey: apiKey.key } }),
    };
  }

  async list(
    principal: Principal,
    filter: { name?: string; status?: string },
    page: { offset: number; limit: number },
  ) {
    access.require(principal, 'serviceAccounts.read', ACCOUNT);
    return this.store.serviceAccounts.list(filter, page);
  }

  /** Reads one service account; a service account may always read itself. */
  async get(principal: Principal, id: string): Promise<ServiceAccountRow> {
    if (principal.serviceAccountId !== id) access.require(principal, 'serviceAccounts.read', ACCOUNT);
    const account = await this.store.serviceAccounts.get(id);
    if (!account) throw notFound(`Service account ${id} wasn't found.`);
    return account;
  }

  async update(
    principal: Principal,
    id: string,
    patch: {
      name?: string | undefined;
      displayName?: string | undefined;
      description?: string | undefined;
      clientConfiguration?: Partial<ClientConfiguration> | undefined;
      status?: 'ACTIVE' | 'INACTIVE' | undefined;
    },
  ): Promise<void> {
    access.require(principal, 'serviceAccounts.update', ACCOUNT);
    if (patch.status === 'INACTIVE' && principal.serviceAccountId === id) {
      throw badRequest('A service account cannot deactivate itself.');
    }
    await this.store.transaction(async (tx) => {
      const account = await tx.serviceAccounts.get(id);
      if (!account) throw notFound(`Service account ${id} wasn't found.`);
      await tx.serviceAccounts.update(id, {
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.displayName !== undefined && { displayName: patch.displayName }),
        ...(patch.description !== undefined && { description: patch.description }),
        ...(patch.status !== undefined && { status: patch.status }),
        ...(patch.clientConfiguration !== undefined && {
          clientConfiguration: { ...account.clientConfiguration, ...definedOnly(patch.clientConfiguration) },
        }),
        updatedAt: Date.now(),
        updatedBy: principal.serviceAccountId,
      });
      if (patch.status === 'INACTIVE') await this.assertAdminsRemain(tx);
    });
    this.epoch.bump();
  }

  private async assertAdminsRemain(tx: Repositories): Promise<void> {
    await assertAnActiveAdminRemains(tx, (await this.roles.ensureAccountAdminRole(tx)).id);
  }

  async delete(principal: Principal, id: string): Promise<void> {
    access.require(principal, 'serviceAccounts.delete', ACCOUNT);
    if (principal.serviceAccountId === id) throw badRequest('A service account cannot delete itself.');
    await this.store.transaction(async (tx) => {
      if (!(await tx.serviceAccounts.get(id))) throw notFound(`Service account ${id} wasn't found.`);
      await tx.roles.removeMemberEverywhere(id);
      await tx.apiKeys.deleteForAccount(id);
      await tx.serviceAccountKeys.deleteForAccount(id);
      await tx.serviceAccounts.delete(id);
      await this.assertAdminsRemain(tx);
    });
    this.epoch.bump();
  }

  async listKeys(principal: Principal, id: string): Promise<ServiceAccountKeyRow[]> {
    await this.get(principal, id);
    return this.store.serviceAccountKeys.listForAccount(id);
  }

  async getKey(principal: Principal, id: string, keyId: string): Promise<ServiceAccountKeyRow> {
    await this.get(principal, id);
    const key = await this.store.serviceAccountKeys.get(keyId);
    if (!key || key.serviceAccountId !== id) throw notFound(`Key ${keyId} wasn't found.`);
    return key;
  }

  /** Adds a key pair to a service account; returns credentials for it. */
  async addKey(principal: Principal, id: string): Promise<Credentials> {
    access.require(principal, 'serviceAccounts.update', ACCOUNT);
    const account = await this.requireKeyAccount(this.store, id);
    const keyPair = await newKeyPair(id, Date.now());
    await this.store.transaction(async (tx) => {
      await tx.serviceAccountKeys.insert(keyPair.row);
      await this.audiences.remember(tx, this.urls.tokenUri());
    });
    return this.credentials(account, keyPair.row.id, keyPair.privateKey);
  }

  async deleteKey(principal: Principal, id: string, keyId: string): Promise<void> {
    access.require(principal, 'serviceAccounts.update', ACCOUNT);
    await this.store.transaction(async (tx) => {
      const key = await tx.serviceAccountKeys.get(keyId);
      if (!key || key.serviceAccountId !== id) throw notFound(`Key ${keyId} wasn't found.`);
      await tx.serviceAccountKeys.delete(keyId);
    });
    this.epoch.bump();
  }

  /** Replaces a key: a new key pair is created and the old one deleted, revoking tokens minted with it. */
  async rotateKey(principal: Principal, id: string, keyId: string): Promise<Credentials> {
    access.require(principal, 'serviceAccounts.update', ACCOUNT);
    await this.getKey(principal, id, keyId);
    const keyPair = await newKeyPair(id, Date.now());
    const account = await this.store.transaction(async (tx) => {
      const account = await this.requireKeyAccount(tx, id);
      if (!(await tx.serviceAccountKeys.delete(keyId))) throw notFound(`Key ${keyId} wasn't found.`);
      await tx.serviceAccountKeys.insert(keyPair.row);
      await this.audiences.remember(tx, this.urls.tokenUri());
      return account;
    });
    this.epoch.bump();
    return this.credentials(account, keyPair.row.id, keyPair.privateKey);
  }

  private async requireKeyAccount(repos: Repositories, id: string): Promise<ServiceAccountRow> {
    const account = await repos.serviceAccounts.get(id);
    if (!account) throw notFound(`Service account ${id} wasn't found.`);
    if (account.apiKeyEnabled) {
      throw badRequest(`Service account ${id} is API-key enabled; it authenticates with API keys, not key pairs.`);
    }
    return account;
  }

  private credentials(account: ServiceAccountRow, keyId: string, privateKey: string): Credentials {
    return {
      clientID: account.id,
      clientName: account.name,
      keyID: keyId,
      tokenURI: this.urls.tokenUri(),
      privateKey,
      keyAlgorithm: 'KEY_ALG_RSA_2048',
    };
  }
}

/** Drops keys whose value is undefined, so a partial patch never erases a setting. */
function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function newKeyPair(serviceAccountId: string, now: number) {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const row: ServiceAccountKeyRow = {
    id: newId(now),
    serviceAccountId,
    publicKey,
    algorithm: 'KEY_ALG_RSA_2048',
    status: 'ACTIVE',
    createdAt: now,
  };
  return { row, privateKey };
}

export function newApiKeyRow(serviceAccountId: string, name: string, expiresAt: number | null, now: number) {
  const generated = generateApiKey();
  const row: ApiKeyRow = {
    id: newId(now),
    serviceAccountId,
    name,
    keyHash: generated.hash,
    prefix: generated.prefix,
    status: 'ACTIVE',
    expiresAt,
    createdAt: now,
    updatedAt: now,
  };
  return { row, key: generated.key };
}
