/** @module The binding owner of each kind of stored secret, built in one place so writers and readers agree. */
import type { CheckoutKeyTable, ContextEnvVarTable, ProjectEnvVarTable } from '../store/index.js';
import type { SecretOwner } from './secret-binding.js';

export function projectVarOwner(row: Pick<ProjectEnvVarTable, 'org_id' | 'project_id' | 'name'>): SecretOwner {
  return { orgId: row.org_id, projectId: row.project_id, name: row.name };
}

export function contextVarOwner(row: Pick<ContextEnvVarTable, 'org_id' | 'context_id' | 'name'>): SecretOwner {
  return { orgId: row.org_id, contextId: row.context_id, name: row.name };
}

/** A checkout key's private key is bound to its project and its own id (`KILN_SSH_KEY_<id>`). */
export function sshKeyOwner(row: Pick<CheckoutKeyTable, 'org_id' | 'project_id' | 'id'>): SecretOwner {
  return { orgId: row.org_id, projectId: row.project_id, name: `KILN_SSH_KEY_${row.id.replace(/-/g, '_')}` };
}

/** CircleCI's listing form: `xxxx` plus the last four characters, but only for values of 16+ characters. */
export function maskedDisplay(value: string): string {
  const chars = [...value];
  return chars.length >= 16 ? `xxxx${chars.slice(-4).join('')}` : 'xxxx';
}
