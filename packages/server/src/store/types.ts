/**
 * The storage contract of the vault. Services talk only to these interfaces; the SQLite and PostgreSQL
 * implementations are two dialects of one Kysely-based implementation and pass the same test suite.
 *
 * All timestamps are milliseconds since the epoch. JSON-valued columns are parsed here, never in services.
 */

export type StoreKind = 'sqlite' | 'postgres';

export interface VaultRow {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly workspaceId: string;
  /** The vault schema exactly as accepted (wire shape, with `skyflow_id` columns added). */
  readonly schema: unknown;
  readonly status: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly createdBy: string;
  readonly updatedBy: string;
}

export type VaultKeyKind = 'data' | 'index';
export type VaultKeyStatus = 'active' | 'retired';

/** A per-vault key wrapped under the root key. */
export interface VaultKeyRow {
  readonly vaultId: string;
  readonly kind: VaultKeyKind;
  readonly version: number;
  readonly wrapped: Buffer;
  readonly status: VaultKeyStatus;
  readonly createdAt: number;
}

export interface ClientConfiguration {
  readonly enforceContextID: boolean;
  readonly enforceSignedDataTokens: boolean;
}

export interface ServiceAccountRow {
  readonly id: string;
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  readonly clientConfiguration: ClientConfiguration;
  readonly apiKeyEnabled: boolean;
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly createdBy: string;
  readonly updatedBy: string;
}

/** A service-account key pair of which the server keeps only the public half. */
export interface ServiceAccountKeyRow {
  readonly id: string;
  readonly serviceAccountId: string;
  /** SPKI PEM. */
  readonly publicKey: string;
  readonly algorithm: 'KEY_ALG_RSA_2048';
  readonly status: 'ACTIVE' | 'REVOKED';
  readonly createdAt: number;
}

export interface ApiKeyRow {
  readonly id: string;
  readonly serviceAccountId: string;
  readonly name: string;
  /** Hex SHA-256 of the whole key; the key itself is never stored. */
  readonly keyHash: string;
  /** The 5-character middle segment, shown to humans to tell keys apart. */
  readonly prefix: string;
  readonly status: 'ACTIVE' | 'DISABLED';
  readonly expiresAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type RoleType = 'SYSTEM' | 'CUSTOM';
export type ResourceType = 'ACCOUNT' | 'VAULT';

export interface RoleRow {
  readonly id: string;
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  readonly type: RoleType;
  readonly resourceType: ResourceType;
  readonly resourceId: string;
  readonly permissions: readonly string[];
  readonly createdAt: number;
}

export type MemberType = 'SERVICE_ACCOUNT' | 'USER';

export interface RoleMemberRow {
  readonly roleId: string;
  readonly memberId: string;
  readonly memberType: MemberType;
  readonly createdAt: number;
}

/** A key the server signs bearer tokens with; the private half is sealed under the root key. */
export interface SigningKeyRow {
  readonly kid: string;
  readonly algorithm: string;
  readonly privateSealed: Buffer;
  readonly publicJwk: Record<string, unknown>;
  readonly status: 'ACTIVE' | 'RETIRED';
  readonly createdAt: number;
}

export interface Page {
  readonly offset: number;
  readonly limit: number;
}

export interface MetaRepository {
  get(key: string): Promise<string | undefined>;
  /** Sets the value only if the key is absent; returns the value that is stored afterwards. */
  setIfAbsent(key: string, value: string): Promise<string>;
  set(key: string, value: string): Promise<void>;
  /** Every entry whose key starts with `prefix`, ordered by key. */
  listByPrefix(prefix: string): Promise<{ key: string; value: string }[]>;
}

export interface VaultRepository {
  insert(row: VaultRow): Promise<void>;
  get(id: string): Promise<VaultRow | undefined>;
  list(filter: { name?: string; status?: string }, page: Page): Promise<VaultRow[]>;
  update(
    id: string,
    patch: Partial<Pick<VaultRow, 'name' | 'description' | 'schema' | 'status'>> & {
      updatedAt: number;
      updatedBy: string;
    },
  ): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  count(): Promise<number>;
}

export interface VaultKeyRepository {
  insert(row: VaultKeyRow): Promise<void>;
  listForVault(vaultId: string): Promise<VaultKeyRow[]>;
  deleteForVault(vaultId: string): Promise<void>;
}

export interface ServiceAccountRepository {
  insert(row: ServiceAccountRow): Promise<void>;
  get(id: string): Promise<ServiceAccountRow | undefined>;
  list(filter: { name?: string; status?: string }, page: Page): Promise<ServiceAccountRow[]>;
  update(
    id: string,
    patch: Partial<
      Pick<ServiceAccountRow, 'name' | 'displayName' | 'description' | 'clientConfiguration' | 'status'>
    > & { updatedAt: number; updatedBy: string },
  ): Promise<boolean>;
  delete(id: string): Promise<boolean>;
}

export interface ServiceAccountKeyRepository {
  insert(row: ServiceAccountKeyRow): Promise<void>;
  get(id: string): Promise<ServiceAccountKeyRow | undefined>;
  listForAccount(serviceAccountId: string): Promise<ServiceAccountKeyRow[]>;
  delete(id: string): Promise<boolean>;
  deleteForAccount(serviceAccountId: string): Promise<void>;
}

export interface ApiKeyRepository {
  insert(row: ApiKeyRow): Promise<void>;
  get(id: string): Promise<ApiKeyRow | undefined>;
  findByHash(keyHash: string): Promise<ApiKeyRow | undefined>;
  listForAccount(serviceAccountId: string): Promise<ApiKeyRow[]>;
  update(
    id: string,
    patch: Partial<Pick<ApiKeyRow, 'name' | 'status' | 'expiresAt' | 'keyHash' | 'prefix'>> & {
      updatedAt: number;
    },
  ): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  deleteForAccount(serviceAccountId: string): Promise<void>;
}

export interface RoleRepository {
  insert(row: RoleRow): Promise<void>;
  get(id: string): Promise<RoleRow | undefined>;
  list(filter: {
    resourceType?: ResourceType;
    resourceId?: string;
    name?: string;
    type?: RoleType;
  }): Promise<RoleRow[]>;
  deleteForResource(resourceType: ResourceType, resourceId: string): Promise<void>;
  addMember(row: RoleMemberRow): Promise<void>;
  removeMember(roleId: string, memberId: string): Promise<boolean>;
  members(roleId: string): Promise<RoleMemberRow[]>;
  rolesOfMember(memberId: string): Promise<RoleRow[]>;
  removeMemberEverywhere(memberId: string): Promise<void>;
}

export interface SigningKeyRepository {
  insert(row: SigningKeyRow): Promise<void>;
  list(): Promise<SigningKeyRow[]>;
}

/** One stored cell of a record. */
export interface StoredCell {
  readonly column: string;
  /** Envelope from {@link VaultKeys.encrypt}, bound to vault/table/column/record. */
  readonly value: Buffer;
  readonly keyVersion: number;
  readonly lookupIndex: Buffer | null;
  readonly uniqueIndex: Buffer | null;
}

export interface NewRecord {
  readonly id: string;
  readonly createdAt: number;
  readonly cells: readonly StoredCell[];
}

export interface RecordRepository {
  insert(vaultId: string, table: string, record: NewRecord): Promise<void>;
  /** The record holding `uniqueIndex` in a unique column, if any. */
  findByUniqueIndex(vaultId: string, table: string, column: string, uniqueIndex: Buffer): Promise<string | undefined>;
  hasData(vaultId: string, table: string, column?: string): Promise<boolean>;
  deleteForVault(vaultId: string): Promise<void>;
}

/** Every repository, bound either to the store or to one transaction. */
export interface Repositories {
  readonly meta: MetaRepository;
  readonly vaults: VaultRepository;
  readonly vaultKeys: VaultKeyRepository;
  readonly serviceAccounts: ServiceAccountRepository;
  readonly serviceAccountKeys: ServiceAccountKeyRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly roles: RoleRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly records: RecordRepository;
}

export interface Store extends Repositories {
  readonly kind: StoreKind;
  /**
   * Runs `fn` in one transaction: everything it writes commits together or not at all, and the
   * returned promise resolves only after the commit.
   */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Brings the schema up to date (idempotent, safe to run from several nodes at once). */
  migrate(): Promise<void>;
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Thrown by repositories when a unique constraint rejects a write. */
export class UniqueViolationError extends Error {
  constructor(message = 'unique constraint violated') {
    super(message);
    this.name = 'UniqueViolationError';
  }
}
