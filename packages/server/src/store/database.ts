/** Table shapes as stored (snake_case, JSON as text, booleans as 0/1 so both dialects agree). */
export interface Database {
  meta: { key: string; value: string };
  vaults: {
    id: string;
    name: string;
    description: string;
    workspace_id: string;
    schema_json: string;
    status: string;
    created_at: number;
    updated_at: number;
    created_by: string;
    updated_by: string;
  };
  vault_keys: {
    vault_id: string;
    kind: string;
    version: number;
    wrapped: Buffer;
    status: string;
    created_at: number;
  };
  service_accounts: {
    id: string;
    name: string;
    display_name: string;
    description: string;
    client_config: string;
    api_key_enabled: number;
    status: string;
    created_at: number;
    updated_at: number;
    created_by: string;
    updated_by: string;
  };
  service_account_keys: {
    id: string;
    service_account_id: string;
    public_key: string;
    algorithm: string;
    status: string;
    created_at: number;
  };
  api_keys: {
    id: string;
    service_account_id: string;
    name: string;
    key_hash: string;
    prefix: string;
    status: string;
    expires_at: number | null;
    created_at: number;
    updated_at: number;
    last_used_at: number | null;
  };
  roles: {
    id: string;
    name: string;
    display_name: string;
    description: string;
    type: string;
    resource_type: string;
    resource_id: string;
    permissions: string;
    created_at: number;
  };
  users: {
    id: string;
    email: string;
    email_key: string;
    display_name: string;
    password_hash: string;
    status: string;
    failed_logins: number;
    first_failed_at: number | null;
    locked_until: number | null;
    last_login_at: number | null;
    created_at: number;
    updated_at: number;
    created_by: string;
    updated_by: string;
  };
  role_members: {
    role_id: string;
    member_id: string;
    member_type: string;
    created_at: number;
  };
  policies: {
    id: string;
    vault_id: string;
    name: string;
    display_name: string;
    description: string;
    status: string;
    created_at: number;
    updated_at: number;
    created_by: string;
    updated_by: string;
  };
  policy_rules: {
    id: string;
    policy_id: string;
    position: number;
    name: string;
    expression: string;
  };
  audit_events: {
    seq: number;
    id: string;
    ts: number;
    request_id: string;
    actor: string;
    actor_type: string;
    auth_mode: string;
    jwt_id: string;
    context_id: string;
    ip_address: string;
    api_name: string;
    http_method: string;
    uri: string;
    action_type: string;
    resource_type: string;
    vault_id: string;
    resource_ids: string;
    status_code: number;
    message: string;
    prev_hash: Buffer;
    hash: Buffer;
  };
  audit_head: { id: number; seq: number; hash: Buffer };
  revoked_tokens: { jti: string; service_account_id: string; expires_at: number; revoked_at: number };
  principal_revocations: { service_account_id: string; revoked_before: number };
  auth_generation: { id: number; value: number };
  rate_counters: { bucket: string; window_start: number; node: string; count: number; expires_at: number };
  registered_keys: {
    id: string;
    service_account_id: string;
    name: string;
    algorithm: string;
    public_jwk: string;
    created_at: number;
  };
  role_policies: {
    role_id: string;
    policy_id: string;
    created_at: number;
  };
  signing_keys: {
    kid: string;
    algorithm: string;
    private_sealed: Buffer;
    public_jwk: string;
    status: string;
    created_at: number;
  };
  records: {
    vault_id: string;
    table_name: string;
    id: string;
    created_at: number;
    updated_at: number;
  };
  record_values: {
    vault_id: string;
    table_name: string;
    record_id: string;
    column_name: string;
    value: Buffer;
    key_version: number;
    lookup_index: Buffer | null;
    unique_index: Buffer | null;
    token_hash: Buffer | null;
    expires_at: number | null;
  };
  tokens: {
    vault_id: string;
    token_hash: Buffer;
    token: Buffer;
    value: Buffer;
    group_name: string;
    value_index: Buffer | null;
    table_name: string;
    column_name: string;
    key_version: number;
    expires_at: number | null;
    created_at: number;
  };
  files: {
    vault_id: string;
    table_name: string;
    record_id: string;
    column_name: string;
    content: Buffer;
    key_version: number;
    created_at: number;
  };
  key_rotations: {
    vault_id: string;
    to_version: number;
    status: string;
    total: number;
    done: number;
    started_at: number;
    updated_at: number;
    finished_at: number | null;
  };
  detect_runs: {
    id: string;
    vault_id: string;
    status: string;
    endpoint: string;
    data_format: string;
    options: Buffer;
    input: Buffer | null;
    output: Buffer | null;
    entities: Buffer | null;
    key_version: number;
    input_bytes: number;
    output_bytes: number | null;
    word_count: number | null;
    character_count: number | null;
    message: string;
    progress_done: number;
    progress_total: number;
    attempts: number;
    claimed_by: string | null;
    lease_until: number | null;
    created_by: string;
    created_at: number;
    updated_at: number;
    finished_at: number | null;
  };
}
