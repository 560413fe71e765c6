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
/** `active` keys decrypt (the highest active data key also encrypts); `retired` keys seal nothing stored. */
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
  /** When the key last authenticated a request (to within the authentication cache time); null if never. */
  readonly lastUsedAt?: number | null;
}

export type UserStatus = 'ACTIVE' | 'DISABLED';

/** A console user. `passwordHash` is a self-describing scrypt string (auth/passwords.ts), never the password. */
export interface UserRow {
  readonly id: string;
  /** As the user typed it; unique regardless of case. */
  readonly email: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly status: UserStatus;
  /** Failed logins in the current throttling window (which started at `firstFailedAt`). */
  readonly failedLogins: number;
  readonly firstFailedAt: number | null;
  /** Logins are refused until then after too many failures; null when not locked. */
  readonly lockedUntil: number | null;
  readonly lastLoginAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly createdBy: string;
  readonly updatedBy: string;
}

/** How failed logins are counted: `maxFailures` within `windowMs` lock the user for `lockMs`. */
export interface LoginThrottlePolicy {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockMs: number;
}

export interface UserRepository {
  /** Throws {@link UniqueViolationError} when another user has the same email (in any letter case). */
  insert(row: UserRow): Promise<void>;
  get(id: string): Promise<UserRow | undefined>;
  /** The user whose email matches regardless of letter case. */
  findByEmail(email: string): Promise<UserRow | undefined>;
  /** Users ordered by ID (creation time); `email` matches regardless of case. */
  list(filter: { status?: UserStatus; email?: string }, page: Page): Promise<UserRow[]>;
  update(
    id: string,
    patch: Partial<Pick<UserRow, 'displayName' | 'passwordHash' | 'status' | 'failedLogins' | 'lockedUntil'>> & {
      updatedAt: number;
      updatedBy: string;
    },
  ): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  /**
   * Counts one failed login in a single atomic statement (concurrent failures on any node all count) and
   * locks the user once the policy's limit is reached. Returns the state after the update, or undefined
   * when there is no such user.
   */
  recordFailedLogin(
    id: string,
    now: number,
    policy: LoginThrottlePolicy,
  ): Promise<{ failedLogins: number; lockedUntil: number | null } | undefined>;
  /** A successful login: clears the failure count and lock, and records the time. */
  recordLogin(id: string, now: number): Promise<void>;
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
  /**
   * The vault's `updatedAt`, or undefined when there is no such vault: a cheap check that a copy of the
   * row read earlier is still current (every change to a vault moves `updatedAt` forward).
   */
  version(id: string): Promise<number | undefined>;
  /** Vaults matching the filter; `ids` restricts the list to those vaults. */
  list(filter: { name?: string; status?: string; ids?: readonly string[] }, page: Page): Promise<VaultRow[]>;
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
  setStatus(vaultId: string, kind: VaultKeyKind, version: number, status: VaultKeyStatus): Promise<boolean>;
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
  /** Records that the key authenticated a request at `at`. */
  touch(id: string, at: number): Promise<void>;
}

export interface RoleRepository {
  insert(row: RoleRow): Promise<void>;
  get(id: string): Promise<RoleRow | undefined>;
  update(id: string, fields: Pick<RoleRow, 'name' | 'displayName' | 'description' | 'permissions'>): Promise<boolean>;
  /** Deletes the role with its memberships and policy assignments. */
  delete(id: string): Promise<boolean>;
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

export type PolicyStatus = 'ACTIVE' | 'INACTIVE';

export interface PolicyRuleRow {
  readonly id: string;
  readonly name: string;
  /** The rule as written, in the policy language (docs/policies.md). */
  readonly expression: string;
}

export interface PolicyRow {
  readonly id: string;
  readonly vaultId: string;
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  readonly status: PolicyStatus;
  readonly rules: readonly PolicyRuleRow[];
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly createdBy: string;
  readonly updatedBy: string;
}

export interface PolicyRepository {
  /** Throws {@link UniqueViolationError} when the vault already has a policy of that name. */
  insert(row: PolicyRow): Promise<void>;
  get(id: string): Promise<PolicyRow | undefined>;
  list(filter: { vaultIds?: readonly string[]; name?: string }, page: Page): Promise<PolicyRow[]>;
  /** Replaces the policy's fields and rules; false when it does not exist. */
  update(row: PolicyRow): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  assign(policyId: string, roleIds: readonly string[], now: number): Promise<void>;
  unassign(policyId: string, roleIds: readonly string[]): Promise<void>;
  roleIds(policyId: string): Promise<string[]>;
  /** Policies assigned to any of the roles (each once), with their rules; `activeOnly` leaves out INACTIVE ones. */
  ofRoles(roleIds: readonly string[], options: { activeOnly: boolean }): Promise<PolicyRow[]>;
}

/** One entry of the audit log, as stored (never a value, a token or a secret). */
export interface AuditEventRow {
  /** Position in the chain: 1, 2, 3, … without gaps. */
  readonly seq: number;
  readonly id: string;
  readonly ts: number;
  readonly requestId: string;
  readonly actor: string;
  readonly actorType: string;
  readonly authMode: string;
  /** The bearer token's `jti`, or the API key's ID. */
  readonly jwtId: string;
  /** The token's `ctx`, as JSON text when it is an object. */
  readonly contextId: string;
  readonly ipAddress: string;
  /** `METHOD /route/:pattern`. */
  readonly apiName: string;
  readonly httpMethod: string;
  /** The path, without the query string (queries can carry values). */
  readonly uri: string;
  readonly actionType: string;
  readonly resourceType: string;
  readonly vaultId: string;
  readonly resourceIds: readonly string[];
  readonly statusCode: number;
  readonly message: string;
  readonly prevHash: Buffer;
  readonly hash: Buffer;
}

export interface AuditFilter {
  /** Only these vaults' entries (and, with `includeAccount`, entries of no vault). */
  readonly vaultIds?: readonly string[];
  readonly actor?: string;
  readonly actionType?: string;
  readonly requestId?: string;
  readonly fromTs?: number;
  readonly toTs?: number;
  /** Keyset pagination: entries after this position (in the order asked for). */
  readonly afterSeq?: number;
}

/** The last link of the audit chain: its position and hash. */
export interface AuditHead {
  readonly seq: number;
  readonly hash: Buffer;
}

/** Entries chained after a head: the rows to store, and the head once they are. */
export interface AuditBatch {
  readonly rows: readonly AuditEventRow[];
  readonly head: AuditHead;
}

export interface AuditAppendOptions {
  /** `relaxed`: the append survives a crash of the process, not a power loss (see {@link Store.transaction}). */
  readonly durability: 'full' | 'relaxed';
  /**
   * The head as the caller last left it. When it is still the chain's head the batch is written in one
   * statement without reading or locking anything first; when another writer (another node) moved the
   * head since, the batch is chained again after the real head.
   */
  readonly expected?: AuditHead | undefined;
}

export interface AuditRepository {
  /** The last link of the chain; on PostgreSQL locked until the transaction ends, so appends serialise. */
  head(): Promise<AuditHead | undefined>;
  list(filter: AuditFilter, page: Page & { descending: boolean }): Promise<AuditEventRow[]>;
  /** Entries in chain order from `fromSeq` (inclusive), for verification. */
  scan(fromSeq: number, limit: number): Promise<AuditEventRow[]>;
}

/**
 * Revoked bearer tokens. `serviceAccountId` is the token's principal: a service account's ID, or a
 * user's ID for personal tokens (the two never collide: both are IDs with 80 random bits).
 */
export interface RevocationRepository {
  revokeToken(row: { jti: string; serviceAccountId: string; expiresAt: number; revokedAt: number }): Promise<void>;
  /** Tokens of the service account issued at or before `before` (ms) are refused from now on. */
  revokeAllBefore(serviceAccountId: string, before: number): Promise<void>;
  /** Whether this token is revoked, and the service account's revoke-all time (0 when none). */
  check(jti: string, serviceAccountId: string): Promise<{ tokenRevoked: boolean; revokedBefore: number }>;
  deleteExpired(now: number): Promise<number>;
  /** The shared authentication generation every node polls. */
  generation(): Promise<number>;
  bumpGeneration(): Promise<void>;
}

/** A public key a service account registered to sign its own JWTs. */
export interface RegisteredKeyRow {
  readonly id: string;
  readonly serviceAccountId: string;
  readonly name: string;
  readonly algorithm: 'RS256' | 'ES256' | 'ES384';
  /** The public key as a JWK (JSON text). */
  readonly publicJwk: string;
  readonly createdAt: number;
}

export interface RegisteredKeyRepository {
  insert(row: RegisteredKeyRow): Promise<void>;
  get(id: string): Promise<RegisteredKeyRow | undefined>;
  listForAccount(serviceAccountId: string): Promise<RegisteredKeyRow[]>;
  delete(id: string): Promise<boolean>;
}

export interface RateCounterRepository {
  /** Sets this node's counts for the given windows. */
  publish(
    node: string,
    counts: readonly { bucket: string; windowStart: number; count: number; expiresAt: number }[],
  ): Promise<void>;
  /** The other nodes' summed counts of every bucket with an unexpired window, per window. */
  others(node: string, now: number): Promise<{ bucket: string; windowStart: number; count: number }[]>;
  deleteExpired(now: number): Promise<void>;
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
  /** The keyed hash of the cell's token, for tokenized columns. */
  readonly tokenHash?: Buffer | null;
  /** When a transient value expires (ms), for transient columns. */
  readonly expiresAt?: number | null;
}

/** A stored cell as read back, with its record. */
export interface CellRow {
  readonly recordId: string;
  readonly column: string;
  readonly value: Buffer;
  readonly keyVersion: number;
  readonly tokenHash: Buffer | null;
  readonly expiresAt: number | null;
}

export interface NewRecord {
  readonly id: string;
  readonly createdAt: number;
  readonly cells: readonly StoredCell[];
}

/** A cell located anywhere in a vault (for key rotation). */
export interface CellAddressRow {
  readonly table: string;
  readonly recordId: string;
  readonly column: string;
  readonly value: Buffer;
  readonly keyVersion: number;
}

export interface RecordRepository {
  /** Inserts one record atomically (its own savepoint inside a caller's transaction). */
  insert(vaultId: string, table: string, record: NewRecord): Promise<void>;
  /** Inserts records and their cells with one statement per table; use inside a transaction. */
  insertMany(vaultId: string, table: string, records: readonly NewRecord[]): Promise<void>;
  /** The record holding `uniqueIndex` in a unique column, if any. */
  findByUniqueIndex(vaultId: string, table: string, column: string, uniqueIndex: Buffer): Promise<string | undefined>;
  /** Records whose `column` has one of the given lookup (blind) indexes. */
  idsByLookup(
    vaultId: string,
    table: string,
    column: string,
    lookupIndexes: readonly Buffer[],
  ): Promise<{ recordId: string; lookupIndex: Buffer }[]>;
  /** Which of `ids` exist. */
  existing(vaultId: string, table: string, ids: readonly string[]): Promise<Set<string>>;
  /** Record IDs in skyflow_id order. */
  listIds(
    vaultId: string,
    table: string,
    page: { offset: number; limit: number; descending?: boolean },
  ): Promise<string[]>;
  /** Record IDs after `after` (exclusive) in ascending order, for scans. */
  idsAfter(vaultId: string, table: string, after: string | undefined, limit: number): Promise<string[]>;
  /** Cells of the given records (all columns, or only `columns`). */
  cells(vaultId: string, table: string, ids: readonly string[], columns?: readonly string[]): Promise<CellRow[]>;
  /** Replaces the given cells of one record (other columns untouched) and bumps its updated time. */
  putCells(
    vaultId: string,
    table: string,
    recordId: string,
    cells: readonly StoredCell[],
    updatedAt: number,
  ): Promise<void>;
  /** Removes cells of one record. */
  deleteCells(vaultId: string, table: string, recordId: string, columns: readonly string[]): Promise<void>;
  /** Deletes records (cells and files cascade); returns the IDs that existed. */
  delete(vaultId: string, table: string, ids: readonly string[]): Promise<string[]>;
  /** Deletes every record of a table; returns how many. */
  deleteAll(vaultId: string, table: string): Promise<number>;
  /** The records whose cells hold the given tokens (for row filters on detokenize). */
  recordsOfTokens(
    vaultId: string,
    tokenHashes: readonly Buffer[],
  ): Promise<{ tokenHash: Buffer; table: string; recordId: string }[]>;
  /** Token hashes referenced by the cells of the given records (or of the whole table). */
  tokenHashes(vaultId: string, table: string, ids?: readonly string[]): Promise<Buffer[]>;
  hasData(vaultId: string, table: string, column?: string): Promise<boolean>;
  /** Deletes every record, cell, token and file of a vault. */
  deleteForVault(vaultId: string): Promise<void>;
  /** Cells sealed under a key version older than `version`, for rotation. */
  cellsBelowKeyVersion(vaultId: string, version: number, limit: number): Promise<CellAddressRow[]>;
  countBelowKeyVersion(vaultId: string, version: number): Promise<number>;
  /** Replaces a cell's sealed value only if it is still the one read (optimistic, for rotation). */
  resealCell(vaultId: string, cell: CellAddressRow, value: Buffer, keyVersion: number): Promise<boolean>;
  /** Removes expired transient cells; returns how many. */
  deleteExpiredCells(now: number): Promise<number>;
}

export interface TokenRow {
  readonly vaultId: string;
  /** Keyed hash of the token: how the token is found. */
  readonly tokenHash: Buffer;
  /** The token, sealed. */
  readonly token: Buffer;
  /** The value, sealed. */
  readonly value: Buffer;
  /** Column group, or `table.column` for columns outside a group. */
  readonly groupName: string;
  /** Blind index of the value within the group, for deterministic tokens. */
  readonly valueIndex: Buffer | null;
  readonly table: string;
  readonly column: string;
  readonly keyVersion: number;
  readonly expiresAt: number | null;
  readonly createdAt: number;
}

export type TokenValueRow = Pick<TokenRow, 'tokenHash' | 'value' | 'table' | 'column' | 'expiresAt'>;

export interface TokenValues {
  readonly vaultVersion: number | undefined;
  readonly rows: TokenValueRow[];
}

export interface TokenRepository {
  insertMany(rows: readonly TokenRow[]): Promise<void>;
  get(vaultId: string, tokenHash: Buffer): Promise<TokenRow | undefined>;
  getMany(vaultId: string, tokenHashes: readonly Buffer[]): Promise<TokenRow[]>;
  /**
   * What detokenize reads, in one statement: the vault's `updatedAt` (undefined when there is no such
   * vault), and of the given tokens their sealed values and where they belong, nothing else.
   */
  getValues(vaultId: string, tokenHashes: readonly Buffer[]): Promise<TokenValues>;
  findByValueIndex(vaultId: string, groupName: string, valueIndexes: readonly Buffer[]): Promise<TokenRow[]>;
  /** Deletes those of the given tokens no cell refers to any more; returns how many. */
  deleteUnreferenced(vaultId: string, tokenHashes: readonly Buffer[]): Promise<number>;
  deleteExpired(now: number): Promise<number>;
  belowKeyVersion(vaultId: string, version: number, limit: number): Promise<TokenRow[]>;
  countBelowKeyVersion(vaultId: string, version: number): Promise<number>;
  reseal(row: TokenRow, token: Buffer, value: Buffer, keyVersion: number): Promise<boolean>;
}

export interface FileRow {
  readonly vaultId: string;
  readonly table: string;
  readonly recordId: string;
  readonly column: string;
  /** The file's bytes, sealed. */
  readonly content: Buffer;
  readonly keyVersion: number;
  readonly createdAt: number;
}

export interface FileRepository {
  put(row: FileRow): Promise<void>;
  get(vaultId: string, table: string, recordId: string, column: string): Promise<FileRow | undefined>;
  delete(vaultId: string, table: string, recordId: string, column: string): Promise<boolean>;
  belowKeyVersion(vaultId: string, version: number, limit: number): Promise<FileRow[]>;
  countBelowKeyVersion(vaultId: string, version: number): Promise<number>;
  reseal(row: FileRow, content: Buffer, keyVersion: number): Promise<boolean>;
}

export interface KeyRotationRow {
  readonly vaultId: string;
  readonly toVersion: number;
  readonly status: 'RUNNING' | 'DONE';
  readonly total: number;
  readonly done: number;
  readonly startedAt: number;
  readonly updatedAt: number;
  readonly finishedAt: number | null;
}

export interface KeyRotationRepository {
  insert(row: KeyRotationRow): Promise<void>;
  latest(vaultId: string): Promise<KeyRotationRow | undefined>;
  running(): Promise<KeyRotationRow[]>;
  update(
    vaultId: string,
    toVersion: number,
    patch: Partial<Pick<KeyRotationRow, 'status' | 'total' | 'done' | 'finishedAt'>> & { updatedAt: number },
  ): Promise<void>;
}

/** A Detect file run's state: `IN_PROGRESS` until a worker writes its outcome. */
export type DetectRunStatus = 'IN_PROGRESS' | 'SUCCESS' | 'FAILED';

/** The sealed parts of a run (envelopes of the vault's data key, all under `keyVersion`). */
export interface DetectRunSealed {
  /** The request's options as JSON. */
  readonly options: Buffer;
  /** The uploaded file; dropped once the run has finished. */
  readonly input: Buffer | null;
  /** The processed file. */
  readonly output: Buffer | null;
  /** The entities found, as JSON. */
  readonly entities: Buffer | null;
}

/** An asynchronous Detect file run (§6.4, §6.5). Nothing in it is plaintext data: its parts are sealed. */
export interface DetectRunRow extends DetectRunSealed {
  readonly id: string;
  readonly vaultId: string;
  readonly status: DetectRunStatus;
  /** Which §6.4 endpoint started it (`text`, `structured_text`, `spreadsheet`, `document`, `file`). */
  readonly endpoint: string;
  readonly dataFormat: string;
  readonly keyVersion: number;
  readonly inputBytes: number;
  readonly outputBytes: number | null;
  readonly wordCount: number | null;
  readonly characterCount: number | null;
  /** Why a run failed (safe to show), or ''. */
  readonly message: string;
  readonly progressDone: number;
  readonly progressTotal: number;
  /** How many times a worker has claimed it (a run that keeps killing its worker is given up). */
  readonly attempts: number;
  /** The node working on it and until when its lease runs; null when nobody holds it. */
  readonly claimedBy: string | null;
  readonly leaseUntil: number | null;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly finishedAt: number | null;
}

/** What a worker writes when a run ends. */
export type DetectRunOutcome =
  | {
      readonly status: 'SUCCESS';
      readonly sealed: Omit<DetectRunSealed, 'input'>;
      readonly keyVersion: number;
      readonly outputBytes: number;
      readonly wordCount: number;
      readonly characterCount: number;
      /** The last progress the engine reported (its end). */
      readonly progress: { readonly done: number; readonly total: number };
    }
  | { readonly status: 'FAILED'; readonly message: string };

export interface DetectRunRepository {
  insert(row: DetectRunRow): Promise<void>;
  get(id: string): Promise<DetectRunRow | undefined>;
  /** IDs of runs waiting for a worker (in progress, with no lease or an expired one), oldest first. */
  claimable(now: number, limit: number): Promise<string[]>;
  /**
   * Takes a run's lease with one conditional update (it must still be in progress and unleased or its
   * lease expired) and counts the attempt; true when `node` now holds it.
   */
  claim(id: string, node: string, now: number, leaseUntil: number): Promise<boolean>;
  /** Extends the lease and records progress; false when `node` no longer holds the run. */
  renew(
    id: string,
    node: string,
    leaseUntil: number,
    progress: { done: number; total: number },
    now: number,
  ): Promise<boolean>;
  /** Writes the outcome, drops the input and frees the lease; false when `node` no longer held the run. */
  finish(id: string, node: string, outcome: DetectRunOutcome, now: number): Promise<boolean>;
  /** Gives a lease up so that another node (or this one, restarted) takes the run at once. */
  release(id: string, node: string, now: number): Promise<void>;
  /** Deletes runs that finished before `before`; returns how many. */
  deleteFinishedBefore(before: number): Promise<number>;
  /** Runs of a vault with parts sealed under a key version older than `version` (key rotation). */
  belowKeyVersion(vaultId: string, version: number, limit: number): Promise<DetectRunRow[]>;
  countBelowKeyVersion(vaultId: string, version: number): Promise<number>;
  /** Replaces the sealed parts only if the run is still as read (same key version and status). */
  reseal(row: DetectRunRow, sealed: DetectRunSealed, keyVersion: number): Promise<boolean>;
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
  readonly tokens: TokenRepository;
  readonly files: FileRepository;
  readonly keyRotations: KeyRotationRepository;
  readonly policies: PolicyRepository;
  readonly audit: AuditRepository;
  readonly revocations: RevocationRepository;
  readonly registeredKeys: RegisteredKeyRepository;
  readonly rateCounters: RateCounterRepository;
  readonly users: UserRepository;
  readonly detectRuns: DetectRunRepository;
}

export interface Store extends Repositories {
  readonly kind: StoreKind;
  /**
   * Runs `fn` in one transaction: everything it writes commits together or not at all, and the
   * returned promise resolves only after the commit.
   *
   * `durability: 'relaxed'` commits without waiting for the disk: the commit survives a crash of the
   * process but not of the machine (SQLite `synchronous = NORMAL` for this transaction, PostgreSQL
   * `synchronous_commit = off`). Only for writes whose loss on power failure is acceptable.
   */
  transaction<T>(fn: (tx: Repositories) => Promise<T>, options?: { durability?: 'full' | 'relaxed' }): Promise<T>;
  /**
   * Appends a batch to the audit chain, atomically: `link` is given the chain's head and returns the
   * rows to store after it (it may be called again with another head, so it must only compute). Resolves
   * with the new head once the rows and the head are committed together; concurrent appends, from this
   * process or other nodes, serialise on the head.
   */
  appendAudit(link: (head: AuditHead) => AuditBatch, options: AuditAppendOptions): Promise<AuditHead>;
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
