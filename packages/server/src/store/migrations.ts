import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import type { StoreKind } from './types.js';

/**
 * The one migration set of both stores. Column types that differ between dialects come from
 * {@link columnTypes}; everything else is written once. Migrations are never edited after they ship:
 * add a new one.
 */
function columnTypes(kind: StoreKind) {
  return {
    bytes: kind === 'postgres' ? sql`bytea` : sql`blob`,
    millis: kind === 'postgres' ? sql`bigint` : sql`integer`,
  } as const;
}

function migrationSet(kind: StoreKind): Record<string, Migration> {
  const t = columnTypes(kind);
  return {
    '0001_identity_and_vaults': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('meta')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('vaults')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('workspace_id', 'text', (c) => c.notNull())
          .addColumn('schema_json', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', t.millis, (c) => c.notNull())
          .addColumn('updated_at', t.millis, (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('updated_by', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('vaults_name').on('vaults').column('name').execute();

        await db.schema
          .createTable('vault_keys')
          .addColumn('vault_id', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('wrapped', t.bytes, (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', t.millis, (c) => c.notNull())
          .addPrimaryKeyConstraint('vault_keys_pk', ['vault_id', 'kind', 'version'])
          .execute();

        await db.schema
          .createTable('service_accounts')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('display_name', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('client_config', 'text', (c) => c.notNull())
          .addColumn('api_key_enabled', 'integer', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', t.millis, (c) => c.notNull())
          .addColumn('updated_at', t.millis, (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('updated_by', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('service_account_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('service_account_id', 'text', (c) =>
            c.notNull().references('service_accounts.id').onDelete('cascade'),
          )
          .addColumn('public_key', 'text', (c) => c.notNull())
          .addColumn('algorithm', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', t.millis, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('service_account_keys_account')
          .on('service_account_keys')
          .column('service_account_id')
          .execute();

        await db.schema
          .createTable('api_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('service_account_id', 'text', (c) =>
            c.notNull().references('service_accounts.id').onDelete('cascade'),
          )
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('key_hash', 'text', (c) => c.notNull().unique())
          .addColumn('prefix', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('expires_at', t.millis)
          .addColumn('created_at', t.millis, (c) => c.notNull())
          .addColumn('updated_at', t.millis, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('api_keys_account').on('api_keys').column('service_account_id').execute();

        await db.schema
          .createTable('roles')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('display_name', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('resource_type', 'text', (c) => c.notNull())
          .addColumn('resource_id', 'text', (c) => c.notNull())
          .addColumn('permissions', 'text', (c) => c.notNull())
          .addColumn('created_at', t.millis, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('roles_resource').on('roles').columns(['resource_type', 'resource_id']).execute();

        await db.schema
          .createTable('role_members')
          .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id').onDelete('cascade'))
          .addColumn('member_id', 'text', (c) => c.notNull())
          .addColumn('member_type', 'text', (c) => c.notNull())
          .addColumn('created_at', t.millis, (c) => c.notNull())
          .addPrimaryKeyConstraint('role_members_pk', ['role_id', 'member_id'])
          .execute();
        await db.schema.createIndex('role_members_member').on('role_members').column('member_id').execute();

        await db.schema
          .createTable('signing_keys')
          .addColumn('kid', 'text', (c) => c.primaryKey())
          .addColumn('algorithm', 'text', (c) => c.notNull())
          .addColumn('private_sealed', t.bytes, (c) => c.notNull())
          .addColumn('public_jwk', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', t.millis, (c) => c.notNull())
          .execute();
      },
    },
    '0002_records': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('records')
          .addColumn('vault_id', 'text', (c) => c.notNull())
          .addColumn('table_name', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('created_at', t.millis, (c) => c.notNull())
          .addColumn('updated_at', t.millis, (c) => c.notNull())
          .addPrimaryKeyConstraint('records_pk', ['vault_id', 'table_name', 'id'])
          .execute();

        // One row per stored cell: the value sealed under the vault's data key, bound to its address.
        // lookup_index is a blind index for equality lookups; unique_index is set only for unique
        // columns so that the database itself rejects a duplicate.
        await db.schema
          .createTable('record_values')
          .addColumn('vault_id', 'text', (c) => c.notNull())
          .addColumn('table_name', 'text', (c) => c.notNull())
          .addColumn('record_id', 'text', (c) => c.notNull())
          .addColumn('column_name', 'text', (c) => c.notNull())
          .addColumn('value', t.bytes, (c) => c.notNull())
          .addColumn('key_version', 'integer', (c) => c.notNull())
          .addColumn('lookup_index', t.bytes)
          .addColumn('unique_index', t.bytes)
          .addPrimaryKeyConstraint('record_values_pk', ['vault_id', 'table_name', 'record_id', 'column_name'])
          .addForeignKeyConstraint(
            'record_values_record_fk',
            ['vault_id', 'table_name', 'record_id'],
            'records',
            ['vault_id', 'table_name', 'id'],
            (fk) => fk.onDelete('cascade'),
          )
          .execute();
        await db.schema
          .createIndex('record_values_lookup')
          .on('record_values')
          .columns(['vault_id', 'table_name', 'column_name', 'lookup_index'])
          .execute();
        await db.schema
          .createIndex('record_values_unique')
          .unique()
          .on('record_values')
          .columns(['vault_id', 'table_name', 'column_name', 'unique_index'])
          .execute();
        await db.schema
          .createIndex('record_values_key_version')
          .on('record_values')
          .columns(['vault_id', 'key_version'])
          .execute();
      },
    },
    '0003_tokens_files_rotation': {
      async up(db: Kysely<unknown>) {
        // A tokenized cell points at its token; a transient cell expires.
        await db.schema.alterTable('record_values').addColumn('token_hash', t.bytes).execute();
        await db.schema.alterTable('record_values').addColumn('expires_at', t.millis).execute();
        await db.schema
          .createIndex('record_values_token')
          .on('record_values')
          .columns(['vault_id', 'token_hash'])
          .execute();
        await db.schema.createIndex('record_values_expiry').on('record_values').column('expires_at').execute();

        // Tokens are found by a keyed hash of the token (never the token itself). Each row carries the
        // token and its value sealed under the vault's data key, so detokenize is one primary-key read.
        // value_index is the blind index of the value within its group, set for deterministic tokens:
        // the same value in the same group always resolves to the same token.
        await db.schema
          .createTable('tokens')
          .addColumn('vault_id', 'text', (c) => c.notNull())
          .addColumn('token_hash', t.bytes, (c) => c.notNull())
          .addColumn('token', t.bytes, (c) => c.notNull())
          .addColumn('value', t.bytes, (c) => c.notNull())
          .addColumn('group_name', 'text', (c) => c.notNull())
          .addColumn('value_index', t.bytes)
          .addColumn('table_name', 'text', (c) => c.notNull())
          .addColumn('column_name', 'text', (c) => c.notNull())
          .addColumn('key_version', 'integer', (c) => c.notNull())
          .addColumn('expires_at', t.millis)
          .addColumn('created_at', t.millis, (c) => c.notNull())
          .addPrimaryKeyConstraint('tokens_pk', ['vault_id', 'token_hash'])
          .execute();
        await db.schema
          .createIndex('tokens_value')
          .unique()
          .on('tokens')
          .columns(['vault_id', 'group_name', 'value_index'])
          .execute();
        await db.schema.createIndex('tokens_expiry').on('tokens').column('expires_at').execute();
        await db.schema.createIndex('tokens_key_version').on('tokens').columns(['vault_id', 'key_version']).execute();

        // File contents, sealed like any value; the file column's cell holds the file's metadata.
        await db.schema
          .createTable('files')
          .addColumn('vault_id', 'text', (c) => c.notNull())
          .addColumn('table_name', 'text', (c) => c.notNull())
          .addColumn('record_id', 'text', (c) => c.notNull())
          .addColumn('column_name', 'text', (c) => c.notNull())
          .addColumn('content', t.bytes, (c) => c.notNull())
          .addColumn('key_version', 'integer', (c) => c.notNull())
          .addColumn('created_at', t.millis, (c) => c.notNull())
          .addPrimaryKeyConstraint('files_pk', ['vault_id', 'table_name', 'record_id', 'column_name'])
          .addForeignKeyConstraint(
            'files_record_fk',
            ['vault_id', 'table_name', 'record_id'],
            'records',
            ['vault_id', 'table_name', 'id'],
            (fk) => fk.onDelete('cascade'),
          )
          .execute();
        await db.schema.createIndex('files_key_version').on('files').columns(['vault_id', 'key_version']).execute();

        // Online data-key rotation: one row per vault and target version, with a resumable cursor.
        await db.schema
          .createTable('key_rotations')
          .addColumn('vault_id', 'text', (c) => c.notNull())
          .addColumn('to_version', 'integer', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('total', 'integer', (c) => c.notNull())
          .addColumn('done', 'integer', (c) => c.notNull())
          .addColumn('started_at', t.millis, (c) => c.notNull())
          .addColumn('updated_at', t.millis, (c) => c.notNull())
          .addColumn('finished_at', t.millis)
          .addPrimaryKeyConstraint('key_rotations_pk', ['vault_id', 'to_version'])
          .execute();
      },
    },
    '0004_policies': {
      async up(db: Kysely<unknown>) {
        // Policies belong to a vault and go with it; their rules are kept as written (the rule language
        // text) and parsed when loaded, so a rule is stored exactly as its author wrote it.
        await db.schema
          .createTable('policies')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('vault_id', 'text', (c) => c.notNull().references('vaults.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('display_name', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', t.millis, (c) => c.notNull())
          .addColumn('updated_at', t.millis, (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('updated_by', 'text', (c) => c.notNull())
          .addUniqueConstraint('policies_vault_name', ['vault_id', 'name'])
          .execute();
        await db.schema
          .createTable('policy_rules')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('policy_id', 'text', (c) => c.notNull().references('policies.id').onDelete('cascade'))
          .addColumn('position', 'integer', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('expression', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('policy_rules_policy')
          .on('policy_rules')
          .columns(['policy_id', 'position'])
          .execute();
        await db.schema
          .createTable('role_policies')
          .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id').onDelete('cascade'))
          .addColumn('policy_id', 'text', (c) => c.notNull().references('policies.id').onDelete('cascade'))
          .addColumn('created_at', t.millis, (c) => c.notNull())
          .addPrimaryKeyConstraint('role_policies_pk', ['role_id', 'policy_id'])
          .execute();
        await db.schema.createIndex('role_policies_policy').on('role_policies').column('policy_id').execute();
        // Vault owners manage the policies and custom roles of their vault (the owner roles of existing vaults
        // get what new ones are created with). The list is written out: migrations never change.
        await sql`update roles set permissions = ${JSON.stringify([
          'vaults.read',
          'vaults.update',
          'vaults.delete',
          'roles.read',
          'roles.assign',
          'roles.manage',
          'policies.read',
          'policies.manage',
          'keys.rotate',
          'records.*',
          'tokens.*',
        ])} where type = 'SYSTEM' and name = 'VAULT_OWNER'`.execute(db);
      },
    },
    '0005_audit': {
      async up(db: Kysely<unknown>) {
        // The audit log: an append-only chain. Each entry's hash is an HMAC (under a key derived from the
        // root key) over the previous entry's hash and the entry itself; the head row holds the last link,
        // so a modified, inserted, deleted or truncated entry breaks the chain (`strongroom audit verify`).
        await db.schema
          .createTable('audit_events')
          .addColumn('seq', t.millis, (c) => c.primaryKey())
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('ts', t.millis, (c) => c.notNull())
          .addColumn('request_id', 'text', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('actor_type', 'text', (c) => c.notNull())
          .addColumn('auth_mode', 'text', (c) => c.notNull())
          .addColumn('jwt_id', 'text', (c) => c.notNull())
          .addColumn('context_id', 'text', (c) => c.notNull())
          .addColumn('ip_address', 'text', (c) => c.notNull())
          .addColumn('api_name', 'text', (c) => c.notNull())
          .addColumn('http_method', 'text', (c) => c.notNull())
          .addColumn('uri', 'text', (c) => c.notNull())
          .addColumn('action_type', 'text', (c) => c.notNull())
          .addColumn('resource_type', 'text', (c) => c.notNull())
          .addColumn('vault_id', 'text', (c) => c.notNull())
          .addColumn('resource_ids', 'text', (c) => c.notNull())
          .addColumn('status_code', 'integer', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('prev_hash', t.bytes, (c) => c.notNull())
          .addColumn('hash', t.bytes, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('audit_events_ts').on('audit_events').columns(['ts', 'seq']).execute();
        await db.schema.createIndex('audit_events_vault').on('audit_events').columns(['vault_id', 'seq']).execute();
        await db.schema
          .createTable('audit_head')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('seq', t.millis, (c) => c.notNull())
          .addColumn('hash', t.bytes, (c) => c.notNull())
          .execute();
        // The chain starts from a fixed genesis link, so the head row always exists to be locked.
        await sql`insert into audit_head (id, seq, hash) values (1, 0, ${Buffer.alloc(32)})`.execute(db);
        await sql`update roles set permissions = ${JSON.stringify([
          'vaults.read',
          'vaults.update',
          'vaults.delete',
          'roles.read',
          'roles.assign',
          'roles.manage',
          'policies.read',
          'policies.manage',
          'keys.rotate',
          'audit.read',
          'records.*',
          'tokens.*',
        ])} where type = 'SYSTEM' and name = 'VAULT_OWNER'`.execute(db);
      },
    },
    '0006_revocation': {
      async up(db: Kysely<unknown>) {
        // Revoked bearer tokens, kept until they would have expired anyway.
        await db.schema
          .createTable('revoked_tokens')
          .addColumn('jti', 'text', (c) => c.primaryKey())
          .addColumn('service_account_id', 'text', (c) => c.notNull())
          .addColumn('expires_at', t.millis, (c) => c.notNull())
          .addColumn('revoked_at', t.millis, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('revoked_tokens_expiry').on('revoked_tokens').column('expires_at').execute();
        // "Every token of this principal issued up to now": one timestamp per service account.
        await db.schema
          .createTable('principal_revocations')
          .addColumn('service_account_id', 'text', (c) => c.primaryKey())
          .addColumn('revoked_before', t.millis, (c) => c.notNull())
          .execute();
        // A counter every node polls: bumped on any change that affects authentication, so cached
        // principals everywhere are re-checked within the poll interval.
        await db.schema
          .createTable('auth_generation')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('value', t.millis, (c) => c.notNull())
          .execute();
        await sql`insert into auth_generation (id, value) values (1, 0)`.execute(db);
      },
    },
    '0007_api_key_last_used': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('api_keys').addColumn('last_used_at', t.millis).execute();
      },
    },
    '0008_registered_public_keys': {
      async up(db: Kysely<unknown>) {
        // Public keys a service account registers to sign its own JWTs with (the private key never
        // reaches the server).
        await db.schema
          .createTable('registered_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('service_account_id', 'text', (c) =>
            c.notNull().references('service_accounts.id').onDelete('cascade'),
          )
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('algorithm', 'text', (c) => c.notNull())
          .addColumn('public_jwk', 'text', (c) => c.notNull())
          .addColumn('created_at', t.millis, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('registered_keys_account')
          .on('registered_keys')
          .column('service_account_id')
          .execute();
      },
    },
    '0009_rate_counters': {
      async up(db: Kysely<unknown>) {
        // Per-node request counts of the current rate-limit windows, so that every node sees the cluster's.
        await db.schema
          .createTable('rate_counters')
          .addColumn('bucket', 'text', (c) => c.notNull())
          .addColumn('window_start', t.millis, (c) => c.notNull())
          .addColumn('node', 'text', (c) => c.notNull())
          .addColumn('count', 'integer', (c) => c.notNull())
          .addColumn('expires_at', t.millis, (c) => c.notNull())
          .addPrimaryKeyConstraint('rate_counters_pk', ['bucket', 'window_start', 'node'])
          .execute();
        await db.schema.createIndex('rate_counters_expiry').on('rate_counters').column('expires_at').execute();
      },
    },
    '0010_detect_runs': {
      async up(db: Kysely<unknown>) {
        // Asynchronous Detect file runs (§6.4/§6.5). Input, output, entities and options are sealed under
        // the vault's data key (all at `key_version`); a node works on a run while it holds the lease, so a
        // run whose node died is taken over once `lease_until` has passed.
        await db.schema
          .createTable('detect_runs')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('vault_id', 'text', (c) => c.notNull().references('vaults.id').onDelete('cascade'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('endpoint', 'text', (c) => c.notNull())
          .addColumn('data_format', 'text', (c) => c.notNull())
          .addColumn('options', t.bytes, (c) => c.notNull())
          .addColumn('input', t.bytes)
          .addColumn('output', t.bytes)
          .addColumn('entities', t.bytes)
          .addColumn('key_version', 'integer', (c) => c.notNull())
          .addColumn('input_bytes', 'integer', (c) => c.notNull())
          .addColumn('output_bytes', 'integer')
          .addColumn('word_count', 'integer')
          .addColumn('character_count', 'integer')
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('progress_done', t.millis, (c) => c.notNull())
          .addColumn('progress_total', t.millis, (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('claimed_by', 'text')
          .addColumn('lease_until', t.millis)
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', t.millis, (c) => c.notNull())
          .addColumn('updated_at', t.millis, (c) => c.notNull())
          .addColumn('finished_at', t.millis)
          .execute();
        await db.schema.createIndex('detect_runs_claim').on('detect_runs').columns(['status', 'lease_until']).execute();
        await db.schema
          .createIndex('detect_runs_vault')
          .on('detect_runs')
          .columns(['vault_id', 'key_version'])
          .execute();
        await db.schema.createIndex('detect_runs_finished').on('detect_runs').column('finished_at').execute();
      },
    },
    '0011_users': {
      async up(db: Kysely<unknown>) {
        // Console users. email_key is the email in lower case (computed by the application, the same on
        // both dialects), so an address is unique whatever its letter case; password_hash is a
        // self-describing scrypt string, never the password. The failure counters throttle guessing.
        await db.schema
          .createTable('users')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('email_key', 'text', (c) => c.notNull().unique())
          .addColumn('display_name', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('failed_logins', 'integer', (c) => c.notNull())
          .addColumn('first_failed_at', t.millis)
          .addColumn('locked_until', t.millis)
          .addColumn('last_login_at', t.millis)
          .addColumn('created_at', t.millis, (c) => c.notNull())
          .addColumn('updated_at', t.millis, (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('updated_by', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0012_audit_id_unindexed': {
      async up(db: Kysely<unknown>) {
        // An entry's ID is a UUIDv7, unique by its random bits; nothing looks an entry up by it, and
        // checking its uniqueness cost every append more than the other indexes together (bench/data-api).
        // SQLite moves its log to a file of its own after migrating, created without the index
        // (`sqlite-audit-file.ts`).
        if (kind === 'postgres') {
          await sql`alter table audit_events drop constraint if exists audit_events_id_key`.execute(db);
        }
      },
    },
  };
}

/** Names of every migration, in the order they apply. */
export function migrationNames(): string[] {
  return Object.keys(migrationSet('sqlite'));
}

/** The migration set of one dialect as a Kysely migration provider (for tooling; the store uses {@link migrateToLatest}). */
export function migrationProvider(kind: StoreKind): MigrationProvider {
  return { getMigrations: async () => migrationSet(kind) };
}

/**
 * The history of applied migrations. Name and shape are those of Kysely's `Migrator`, which earlier
 * versions used, so databases it migrated carry on.
 */
const HISTORY_TABLE = 'kysely_migration';

/**
 * Serialises migrations across every node of a PostgreSQL database. The key is the one Kysely's
 * `Migrator` locks, so a node still running an earlier version waits for this one and vice versa.
 */
const POSTGRES_MIGRATION_LOCK = sql.lit(BigInt('3853314791062309107'));

/**
 * Brings the schema up to date in one transaction: every pending migration applies, or none does.
 *
 * Concurrent callers take turns: on PostgreSQL through an advisory lock held until commit, on SQLite
 * through the write lock that `BEGIN IMMEDIATE` takes. The history table is found through the
 * connection's search path, exactly like the tables it describes. (Kysely's `Migrator` instead looks for
 * it by introspecting every schema of the database, so a deployment took another schema's history for
 * its own, and a schema dropped meanwhile made the introspection query itself fail.)
 *
 * @param schema PostgreSQL only: the schema to create first if it is missing.
 */
export async function migrateToLatest(db: Kysely<unknown>, kind: StoreKind, schema?: string): Promise<void> {
  const migrations = migrationSet(kind);
  const names = Object.keys(migrations).sort();
  await db.transaction().execute(async (trx) => {
    if (kind === 'postgres') {
      await sql`select pg_advisory_xact_lock(${POSTGRES_MIGRATION_LOCK})`.execute(trx);
      if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
    }
    await trx.schema
      .createTable(HISTORY_TABLE)
      .ifNotExists()
      .addColumn('name', 'varchar(255)', (c) => c.notNull().primaryKey())
      .addColumn('timestamp', 'varchar(255)', (c) => c.notNull())
      .execute();
    const history = trx as unknown as Kysely<{ [HISTORY_TABLE]: { name: string; timestamp: string } }>;
    const applied = new Set((await history.selectFrom(HISTORY_TABLE).select('name').execute()).map((r) => r.name));
    const unknown = [...applied].filter((name) => !(name in migrations));
    if (unknown.length > 0) {
      throw new Error(
        `the database has migrations this version does not know (${unknown.join(', ')}): it was migrated by a newer version`,
      );
    }
    for (const name of names) {
      if (applied.has(name)) continue;
      try {
        await migrations[name]?.up(trx);
      } catch (err) {
        throw new Error(`store migration ${name} failed: ${(err as Error).message ?? String(err)}`, { cause: err });
      }
      await history.insertInto(HISTORY_TABLE).values({ name, timestamp: new Date().toISOString() }).execute();
    }
  });
}
