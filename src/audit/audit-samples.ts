/**
 * @module Builders of valid audit events for every catalogued action (tests, benchmarks, demos).
 * The payload table is typed against the catalogue, so adding an action without a sample, or a
 * sample that does not fit its schema, fails type checking.
 */
import { AUDIT_ACTIONS, type AuditAction, type AuditPayload } from './actions.js';
import type { AuditEntity, AuditEventInput } from './event.js';

const job = { project_slug: 'git/acme/api', pipeline_number: 42, workflow_name: 'build-test', job_name: 'test' };

/** One valid payload per action. */
export const SAMPLE_AUDIT_PAYLOADS: { [A in AuditAction]: AuditPayload<A> } = {
  'context.create': { context_name: 'deploy' },
  'context.delete': { context_name: 'deploy' },
  'context.env_var.delete': { context_name: 'deploy', env_var_name: 'AWS_SECRET_ACCESS_KEY' },
  'context.env_var.store': { context_name: 'deploy', env_var_name: 'AWS_SECRET_ACCESS_KEY', replaced: false },
  'project.env_var.create': { project_slug: 'git/acme/api', env_var_name: 'NPM_TOKEN' },
  'project.env_var.delete': { project_slug: 'git/acme/api', env_var_name: 'NPM_TOKEN' },
  'project.settings.update': { project_slug: 'git/acme/api', changed_settings: ['build_fork_prs'] },
  'project.ssh_key.create': { project_slug: 'git/acme/api', key_type: 'additional', fingerprint: 'SHA256:abc', hostname: 'deploy.example.com' },
  'project.ssh_key.delete': { project_slug: 'git/acme/api', fingerprint: 'SHA256:abc' },
  'project.api_token.create': { project_slug: 'git/acme/api', token_id: 'tok-1', token_name: 'status badge', scopes: ['read'] },
  'schedule.create': { project_slug: 'git/acme/api', schedule_name: 'nightly', cron: '0 3 * * *', branch: 'main' },
  'schedule.update': { project_slug: 'git/acme/api', schedule_name: 'nightly', changed_fields: ['cron'] },
  'schedule.delete': { project_slug: 'git/acme/api', schedule_name: 'nightly' },
  'user.create': { email: 'ada@example.test', role: 'member' },
  'user.logged_in': { method: 'password' },
  'user.logged_out': { reason: 'user' },
  'workflow.job.approve': job,
  'workflow.job.finish': { ...job, job_number: 7, status: 'success' },
  'workflow.job.scheduled': { ...job, job_number: 7, resource_class: 'medium' },
  'workflow.job.start': { ...job, job_number: 7, runner_id: 'runner-1', node_index: 0 },
  'api_token.create': { token_name: 'laptop', scopes: ['*'] },
  'api_token.revoke': { token_name: 'laptop' },
  'user.role.update': { from: 'member', to: 'admin' },
  'user.delete': { email: 'ada@example.test' },
  'group.member.add': { group_name: 'release-managers', user_id: 'user-2' },
  'group.member.remove': { group_name: 'release-managers', user_id: 'user-2' },
  'project.create': { project_slug: 'git/acme/api', repo_url: 'git@example.com:acme/api.git' },
  'project.delete': { project_slug: 'git/acme/api' },
  'runner.register': { runner_name: 'builder-1', resource_classes: ['medium'], executors: ['docker'] },
  'runner.delete': { runner_name: 'builder-1' },
  'job.ssh.session': { project_slug: 'git/acme/api', job_number: 7, node_index: 0, key_fingerprint: 'SHA256:def', event: 'opened' },
  'secrets.key.rotate': { key_version: 2, min_decryption_version: 1 },
  'audit_log.read': { filters: { action: 'project' }, result_count: 3 },
  'audit_log.export': { format: 'csv', since: '2026-01-01T00:00:00Z' },
  'audit_log.purge': { before: '2025-01-01T00:00:00Z', purged_through_seq: 10, purged_count: 10 },
  'audit_log.destination.create': { name: 'splunk', url: 'https://siem.example.com/kiln' },
  'audit_log.destination.update': { name: 'splunk', status: 'paused' },
  'audit_log.destination.delete': { name: 'splunk' },
};

/** A complete, valid input for `action` in organisation `orgId`, with any field overridden. */
export function sampleAuditEvent<A extends AuditAction>(
  action: A,
  options: { orgId?: string; overrides?: Partial<Omit<AuditEventInput, 'action'>> } = {},
): AuditEventInput {
  const scope: AuditEntity = { id: options.orgId ?? 'org-1', type: 'organization', name: 'Acme' };
  const targetType = AUDIT_ACTIONS[action].targetTypes[0];
  return {
    action,
    actor: { id: 'user-1', type: 'user', name: 'Ada' },
    target: { id: `${targetType}-1`, type: targetType, name: targetType },
    scope,
    success: true,
    request: { id: 'req-1' },
    metadata: {},
    payload: SAMPLE_AUDIT_PAYLOADS[action],
    ...options.overrides,
  } as AuditEventInput;
}
