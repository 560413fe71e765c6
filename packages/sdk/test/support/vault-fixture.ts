import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createVault,
  dlp,
  field,
  group,
  tag,
  tokenPolicy,
  unique,
  vaultRoles,
} from '../../../server/test/data-api/helpers.js';
import { type Credentials, startTestServer, type TestServer } from '../../../server/test/support/server.js';

/**
 * A `persons` table exercising what the SDK maps: random and deterministic tokens, format-preserving SSN
 * tokens, masks, a unique column in a column group (upsert, get by column values, tokenize), an integer
 * and a file column.
 */
export const PERSONS_FIELDS = [
  field(
    'name',
    'DT_STRING',
    tokenPolicy('NON_DETERMINISTIC_UUID'),
    dlp('MASK'),
    tag('options.find_pattern', '^(.).*(.{2})$'),
    tag('options.replace_pattern', '${1}***${2}'),
  ),
  field('email', 'DT_STRING', tokenPolicy('DETERMINISTIC_UUID'), dlp('REDACT'), group('emails'), unique()),
  field(
    'ssn',
    'DT_STRING',
    tokenPolicy('DETERMINISTIC_FPT'),
    tag('options.format_preserving_regex', '^[0-9]{3}-[0-9]{2}-[0-9]{4}$'),
    dlp('MASK'),
    tag('options.find_pattern', '^[0-9]{3}-[0-9]{2}-([0-9]{4})$'),
    tag('options.replace_pattern', 'XXX-XX-${1}'),
    tag('validation.regular_exp', '^[0-9]{3}-[0-9]{2}-[0-9]{4}$'),
  ),
  field('age', 'DT_INT32', dlp('PLAIN_TEXT'), tag('options.operation', 'EXACT_MATCH', 'ORDER')),
  field('photo', 'DT_FILE_TYPE'),
];

export interface ServiceAccount {
  readonly clientID: string;
  readonly credentials: Credentials;
  /** credentials.json written to the fixture's temp directory. */
  readonly credentialsPath: string;
  readonly credentialsString: string;
}

export interface SdkFixture {
  readonly t: TestServer;
  readonly url: string;
  readonly vaultId: string;
  /** Role IDs of the vault by system role name (VAULT_OWNER, VAULT_EDITOR, VAULT_VIEWER). */
  readonly roles: Record<string, string>;
  /** A JWT service account holding VAULT_OWNER and VAULT_VIEWER of the vault. */
  readonly owner: ServiceAccount;
  /** An API key of a service account holding VAULT_OWNER. */
  readonly apiKey: string;
  readonly dir: string;
  /** A JWT service account created with the given options (roles, enforceContextID). */
  serviceAccount(name: string, options?: { roleIDs?: string[]; enforceContextID?: boolean }): Promise<ServiceAccount>;
  close(): Promise<void>;
}

/** Boots a real Strongroom server (SQLite), with a vault and service accounts for SDK tests. */
export async function startSdkFixture(): Promise<SdkFixture> {
  const t = await startTestServer({ store: 'sqlite' });
  const dir = mkdtempSync(path.join(tmpdir(), 'strongroom-sdk-'));
  const vaultId = await createVault(t, 'sdk', [{ name: 'persons', fields: PERSONS_FIELDS }]);
  const roles = await vaultRoles(t, vaultId);
  const ownerRole = roles.VAULT_OWNER as string;

  const serviceAccount: SdkFixture['serviceAccount'] = async (name, options = {}) => {
    const res = await t.request('POST', '/v1/serviceAccounts', {
      body: {
        serviceAccount: { name },
        roleIDs: options.roleIDs ?? [ownerRole],
        ...(options.enforceContextID && { clientConfiguration: { enforceContextID: true } }),
      },
    });
    if (res.status !== 200) throw new Error(`service account creation failed: ${res.status} ${res.text}`);
    const credentials = res.body as Credentials;
    const credentialsString = JSON.stringify(credentials);
    const credentialsPath = path.join(dir, `${name}.json`);
    writeFileSync(credentialsPath, credentialsString);
    return { clientID: credentials.clientID, credentials, credentialsPath, credentialsString };
  };

  const owner = await serviceAccount('sdk-owner', { roleIDs: [ownerRole, roles.VAULT_VIEWER as string] });
  const keyAccount = await t.request('POST', '/v1/serviceAccounts', {
    body: { serviceAccount: { name: 'sdk-api-key' }, apiKeyEnabled: true, roleIDs: [ownerRole] },
  });
  if (keyAccount.status !== 200) throw new Error(`API key account creation failed: ${keyAccount.text}`);

  return {
    t,
    url: t.url,
    vaultId,
    roles,
    owner,
    apiKey: keyAccount.body.apiKey as string,
    dir,
    serviceAccount,
    async close() {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
