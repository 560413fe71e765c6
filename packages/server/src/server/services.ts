import { DataAccess } from '../access/data-access.js';
import { PolicyService } from '../access/policy/policy-service.js';
import { RoleService } from '../access/role-service.js';
import { AuditLog } from '../audit/audit-log.js';
import { AuditService } from '../audit/audit-service.js';
import { ApiKeyService } from '../auth/api-keys.js';
import { AuthEpoch } from '../auth/auth-epoch.js';
import { Authenticator } from '../auth/authenticator.js';
import { RegisteredKeyService } from '../auth/registered-keys.js';
import { RevocationService } from '../auth/revocation-service.js';
import { ServiceAccountService } from '../auth/service-accounts.js';
import { SignedDataTokens } from '../auth/signed-data-tokens.js';
import { TokenAudiences } from '../auth/token-audiences.js';
import { TokenGrantService } from '../auth/token-grant.js';
import { TokenIssuer } from '../auth/token-issuer.js';
import { ServerUrls } from '../auth/urls.js';
import { UserService } from '../auth/users.js';
import type { Config } from '../config.js';
import type { Keyring } from '../crypto/keyring.js';
import { DetectService } from '../detect/detect-service.js';
import { DetectRunWorker } from '../detect/run-worker.js';
import { DetectVaultTokens } from '../detect/vault-tokens.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/types.js';
import { RotationService } from '../vault/keys/rotation-service.js';
import { ExpirySweeper } from '../vault/records/expiry-sweeper.js';
import { FileService } from '../vault/records/file-service.js';
import { FileUrlSigner } from '../vault/records/file-urls.js';
import { QueryService } from '../vault/records/query-service.js';
import { RecordService } from '../vault/records/record-service.js';
import { TokenService } from '../vault/records/token-service.js';
import { VaultService } from '../vault/vault-service.js';

/** Everything the HTTP layer and the bootstrap need, wired once: the composition root. */
export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly keyring: Keyring;
  readonly urls: ServerUrls;
  readonly epoch: AuthEpoch;
  readonly issuer: TokenIssuer;
  readonly grants: TokenGrantService;
  readonly authenticator: Authenticator;
  readonly revocations: RevocationService;
  readonly registeredKeys: RegisteredKeyService;
  readonly roles: RoleService;
  readonly serviceAccounts: ServiceAccountService;
  readonly users: UserService;
  readonly apiKeys: ApiKeyService;
  readonly vaults: VaultService;
  readonly records: RecordService;
  readonly tokens: TokenService;
  readonly queries: QueryService;
  readonly files: FileService;
  readonly rotations: RotationService;
  readonly policies: PolicyService;
  /** The one decision point for data access (system roles and policies). */
  readonly dataAccess: DataAccess;
  /** Undefined when the audit log is turned off (benchmarks only). */
  readonly audit: AuditLog | undefined;
  readonly auditReader: AuditService;
  readonly rateLimiter: RateLimiter;
  readonly sweeper: ExpirySweeper;
  /** The Detect API (§6) and the worker that processes its file runs on this node. */
  readonly detect: DetectService;
  readonly detectWorker: DetectRunWorker;
}

/** Builds the services over an open, migrated store whose root key has been checked. */
export async function createServices(input: {
  config: Config;
  logger: Logger;
  store: Store;
  keyring: Keyring;
}): Promise<Services> {
  const { config, logger, store, keyring } = input;
  const epoch = new AuthEpoch();
  const urls = new ServerUrls(config.publicUrl, config.tokenAudiences);
  const audiences = new TokenAudiences(store, urls);
  const registeredKeys = new RegisteredKeyService(store, audiences, epoch);
  const roles = new RoleService(store, epoch);
  const vaults = new VaultService(store, keyring, roles, epoch);
  const dataAccess = new DataAccess(store, epoch);
  const signedTokens = new SignedDataTokens(store, epoch);
  const { accountId } = await vaults.identity();
  const signer = new FileUrlSigner(keyring, urls, config.fileUrlSeconds);
  const records = new RecordService(
    store,
    keyring,
    vaults,
    dataAccess,
    signedTokens,
    (vaultId, table, column, recordId, meta) =>
      signer.sign({ vaultId, table, recordId, column, uploadedAt: meta.uploadedAt }),
  );
  const issuer = new TokenIssuer(store, keyring, `urn:strongroom:${accountId}`);
  const detectTokens = new DetectVaultTokens(store);
  const detectWorker = new DetectRunWorker(store, keyring, detectTokens, logger, {
    retentionMs: config.detectRunRetentionSeconds * 1000,
  });
  await issuer.init();
  return {
    config,
    logger,
    store,
    keyring,
    urls,
    epoch,
    issuer,
    grants: new TokenGrantService(store, issuer, audiences, epoch),
    authenticator: new Authenticator(store, issuer, epoch, config, registeredKeys),
    registeredKeys,
    revocations: new RevocationService(store, issuer, epoch),
    roles,
    serviceAccounts: new ServiceAccountService(store, roles, urls, audiences, epoch),
    users: new UserService(store, roles, issuer, epoch),
    apiKeys: new ApiKeyService(store, epoch),
    vaults,
    records,
    dataAccess,
    tokens: new TokenService(store, keyring, vaults, dataAccess, signedTokens),
    queries: new QueryService(store, keyring, vaults, dataAccess),
    files: new FileService(store, records, signer),
    rotations: new RotationService(store, keyring, vaults, logger, config.keyRotationGraceSeconds * 1000),
    sweeper: new ExpirySweeper(store, logger),
    detect: new DetectService(store, keyring, vaults, dataAccess, detectTokens, {
      maxFileBytes: config.maxFileBytes,
      onRunCreated: () => detectWorker.kick(),
    }),
    detectWorker,
    policies: new PolicyService(store, vaults, dataAccess, epoch),
    auditReader: new AuditService(store),
    rateLimiter: new RateLimiter(store, logger),
    audit: config.auditLog
      ? new AuditLog(store, keyring.serverKey(['audit-chain']), logger, config.auditDurability)
      : undefined,
  };
}
