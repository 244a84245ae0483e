/**
 * @module Secret store and identity tables (owned by the secrets module; created by migration 0002-secrets).
 *
 * Every secret column holds a Vault-format ciphertext (`vault:v<N>:…`) bound by associated data to
 * its owner and name (src/secrets/secret-binding.ts); no table holds a plaintext value, a partial
 * value (not even the last four characters), a password or a usable token.
 */

/** A security group inside an organisation (context restrictions refer to it). */
export interface OrgGroupTable {
  id: string;
  org_id: string;
  name: string;
  created_at: string;
}

export interface OrgGroupMemberTable {
  group_id: string;
  user_id: string;
  created_at: string;
}

/** A browser session; only the SHA-256 of the cookie value is stored. */
export interface SessionTable {
  id: string;
  token_hash: string;
  user_id: string;
  org_id: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

/** One failed login, counted per (email, ip) in a sliding window; shared by every replica. */
export interface LoginFailureTable {
  id: string;
  email: string;
  ip: string;
  at: string;
}

/** A project environment variable. */
export interface ProjectEnvVarTable {
  project_id: string;
  org_id: string;
  name: string;
  ciphertext: string;
  created_at: string;
  updated_at: string;
}

/** An organisation-level context. */
export interface ContextTable {
  id: string;
  org_id: string;
  name: string;
  created_at: string;
}

export interface ContextEnvVarTable {
  context_id: string;
  org_id: string;
  name: string;
  ciphertext: string;
  created_at: string;
  updated_at: string;
}

/** Who may use a context: `group` (value = group id) or `project` (value = project id). */
export interface ContextRestrictionTable {
  id: string;
  context_id: string;
  restriction_type: string;
  restriction_value: string;
  created_at: string;
}

/** A project's ed25519 SSH key (checkout deploy key or `add_ssh_keys` additional key). */
export interface CheckoutKeyTable {
  id: string;
  project_id: string;
  org_id: string;
  /** `deploy-key` (used for checkout) or `additional` (only via `add_ssh_keys`). */
  type: string;
  /** `SHA256:<base64, no padding>` of the public key blob, as `ssh-keygen -l` prints it. */
  fingerprint: string;
  /** OpenSSH one-line public key. */
  public_key: string;
  /** The OpenSSH private key, encrypted. */
  private_key_ciphertext: string;
  hostname: string | null;
  preferred: number;
  created_at: string;
}

/** Per-project security settings. */
export interface ProjectSettingsTable {
  project_id: string;
  /** 1: pipelines from fork pull requests receive secrets (off by default). */
  fork_pr_secrets: number;
  /** known_hosts lines pinning the git host key for ssh remotes (empty: ssh checkout is refused). */
  known_hosts: string;
  updated_at: string;
}

/** Facts about a pipeline's origin that decide secret delivery (rows are written by the trigger). */
export interface PipelineOriginTable {
  pipeline_id: string;
  /** 1 when the pipeline builds a pull request from a fork. */
  from_fork: number;
}

export interface SecretsDatabase {
  org_groups: OrgGroupTable;
  org_group_members: OrgGroupMemberTable;
  sessions: SessionTable;
  login_failures: LoginFailureTable;
  project_env_vars: ProjectEnvVarTable;
  contexts: ContextTable;
  context_env_vars: ContextEnvVarTable;
  context_restrictions: ContextRestrictionTable;
  checkout_keys: CheckoutKeyTable;
  project_settings: ProjectSettingsTable;
  pipeline_origins: PipelineOriginTable;
}
