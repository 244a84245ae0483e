/**
 * @module The closed catalogue of audit actions. A writer can emit only an action listed here,
 * with a payload its schema accepts and a target of one of its target types; the catalogue is the
 * single source for the writer's types, its runtime checks and docs/audit-events.md.
 *
 * Payloads name things (ids, names, fingerprints), never secret values.
 */
import { array, boolean, integer, object, oneOf, optional, string, stringMap, timestamp, type Infer, type Schema } from './payload-schema.js';

/** One catalogue entry. */
export interface AuditActionSpec<S extends Schema<unknown> = Schema<unknown>> {
  /** Event schema version (the seed's `version`); currently always 1. */
  readonly version: 1;
  /** What happened, for the docs. */
  readonly description: string;
  /** Allowed `target.type` values. */
  readonly targetTypes: readonly string[];
  readonly payload: S;
}

function action<S extends Schema<unknown>>(description: string, targetTypes: readonly string[], payload: S): AuditActionSpec<S> {
  return { version: 1, description, targetTypes, payload };
}

const projectEnvVar = object({ project_slug: string(), env_var_name: string() });
const contextEnvVar = object({ context_name: string(), env_var_name: string() });
const jobRef = {
  project_slug: string(),
  pipeline_number: integer(1),
  workflow_name: string(),
  job_name: string(),
};

/** Every action Kiln records, CircleCI's twenty first, then Kiln's own. */
export const AUDIT_ACTIONS = {
  'context.create': action('A context was created.', ['context'], object({ context_name: string() })),
  'context.delete': action('A context and all its variables were deleted.', ['context'], object({ context_name: string() })),
  'context.env_var.delete': action('A variable was removed from a context.', ['context'], contextEnvVar),
  'context.env_var.store': action('A context variable was created or replaced (the value is never recorded).', ['context'],
    object({ context_name: string(), env_var_name: string(), replaced: boolean() })),
  'project.env_var.create': action('A project environment variable was created or replaced (never its value).', ['project'], projectEnvVar),
  'project.env_var.delete': action('A project environment variable was deleted.', ['project'], projectEnvVar),
  'project.settings.update': action('Project settings changed; lists the names of the changed settings, not their values.', ['project'],
    object({ project_slug: string(), changed_settings: array(string()) })),
  'project.ssh_key.create': action('An SSH key (checkout or additional) was added to a project.', ['project'],
    object({ project_slug: string(), key_type: oneOf('checkout', 'additional'), fingerprint: string(), hostname: optional(string()) })),
  'project.ssh_key.delete': action('An SSH key was removed from a project, revoking its access.', ['project'],
    object({ project_slug: string(), fingerprint: string() })),
  'project.api_token.create': action('A project API token was created (the token itself is never recorded).', ['project'],
    object({ project_slug: string(), token_id: string(), token_name: string(), scopes: array(string()) })),
  'schedule.create': action('A scheduled pipeline trigger was created.', ['schedule'],
    object({ project_slug: string(), schedule_name: string(), cron: string(), branch: optional(string()) })),
  'schedule.update': action('A scheduled trigger changed; lists the names of the changed fields.', ['schedule'],
    object({ project_slug: string(), schedule_name: string(), changed_fields: array(string()) })),
  'schedule.delete': action('A scheduled trigger was deleted.', ['schedule'], object({ project_slug: string(), schedule_name: string() })),
  'user.create': action('A user account was created.', ['user'], object({ email: string(), role: oneOf('admin', 'member', 'viewer') })),
  'user.logged_in': action('A login attempt; `success: false` records a denied attempt (target is the account tried, if known).', ['user'],
    object({ method: oneOf('password', 'token', 'sso', 'ssh_key'), failure_reason: optional(oneOf('bad_credentials', 'unknown_user', 'locked', 'rate_limited', 'mfa_failed')) })),
  'user.logged_out': action('A session ended.', ['user'], object({ reason: oneOf('user', 'expired', 'revoked') })),
  'workflow.job.approve': action('An approval job was approved (or the approval was refused: `success: false`).', ['job'], object(jobRef)),
  'workflow.job.finish': action('A job reached a final state.', ['job'],
    object({ ...jobRef, job_number: optional(integer(1)), status: oneOf('success', 'failed', 'canceled', 'not_run', 'infrastructure_fail', 'timedout', 'unauthorized') })),
  'workflow.job.scheduled': action('A job became runnable and was queued for a runner.', ['job'],
    object({ ...jobRef, job_number: integer(1), resource_class: string() })),
  'workflow.job.start': action('A runner started a job.', ['job'],
    object({ ...jobRef, job_number: integer(1), runner_id: string(), node_index: integer(0) })),

  'api_token.create': action('A personal API token was created (the token itself is never recorded).', ['api_token'],
    object({ token_name: string(), scopes: array(string()) })),
  'api_token.revoke': action('An API token (personal or project) was revoked.', ['api_token'],
    object({ token_name: string(), project_slug: optional(string()) })),
  'user.role.update': action("A user's organisation role changed.", ['user'],
    object({ from: oneOf('admin', 'member', 'viewer'), to: oneOf('admin', 'member', 'viewer') })),
  'user.delete': action('A user account was deleted or deactivated.', ['user'], object({ email: string() })),
  'group.member.add': action('A user was added to a group.', ['group'], object({ group_name: string(), user_id: string() })),
  'group.member.remove': action('A user was removed from a group.', ['group'], object({ group_name: string(), user_id: string() })),
  'project.create': action('A project was followed / created.', ['project'], object({ project_slug: string(), repo_url: string() })),
  'project.delete': action('A project was deleted.', ['project'], object({ project_slug: string() })),
  'runner.register': action('A runner registered (or re-registered with a new token).', ['runner'],
    object({ runner_name: string(), resource_classes: array(string()), executors: array(string()) })),
  'runner.delete': action('A runner was removed and its token invalidated.', ['runner'], object({ runner_name: string() })),
  'job.ssh.session': action('An SSH session into a job container was opened or closed (or refused: `success: false`).', ['job'],
    object({ project_slug: string(), job_number: integer(1), node_index: integer(0), key_fingerprint: string(), event: oneOf('opened', 'closed', 'denied') })),
  'secrets.key.rotate': action('The secrets keyring was rotated to a new key version.', ['keyring'],
    object({ key_version: integer(1), min_decryption_version: integer(1) })),
  'audit_log.read': action('Someone listed audit events (the filters used and how many events were returned).', ['audit_log'],
    object({ filters: stringMap(), result_count: integer(0) })),
  'audit_log.export': action('Someone exported the audit log.', ['audit_log'],
    object({ format: oneOf('csv', 'jsonl'), since: optional(timestamp()), until: optional(timestamp()) })),
  'audit_log.purge': action('Events older than a retention cut-off were deleted (a signed checkpoint keeps the rest verifiable).', ['audit_log'],
    object({ before: timestamp(), purged_through_seq: integer(0), purged_count: integer(0) })),
  'audit_log.destination.create': action('A SIEM streaming destination was added.', ['audit_destination'],
    object({ name: string(), url: string() })),
  'audit_log.destination.update': action('A SIEM destination was changed, paused or resumed.', ['audit_destination'],
    object({ name: string(), status: oneOf('active', 'paused') })),
  'audit_log.destination.delete': action('A SIEM destination was removed.', ['audit_destination'], object({ name: string() })),
} as const satisfies Record<string, AuditActionSpec>;

/** Every action name. */
export type AuditAction = keyof typeof AUDIT_ACTIONS;

/** The payload type of one action. */
export type AuditPayload<A extends AuditAction> = Infer<(typeof AUDIT_ACTIONS)[A]['payload']>;

/** Whether `name` is a catalogued action. */
export function isAuditAction(name: string): name is AuditAction {
  return Object.prototype.hasOwnProperty.call(AUDIT_ACTIONS, name);
}
