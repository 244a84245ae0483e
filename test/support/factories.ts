/** Test data builders (outline's buildUser() habit): each returns a complete row with overridable fields. */
import { newId } from '../../src/shared/ids.js';
import { nowIso } from '../../src/shared/time.js';
import type { OrgTable, ProjectTable, UserTable } from '../../src/store/index.js';

export function buildOrg(overrides: Partial<OrgTable> = {}): OrgTable {
  const id = newId();
  return { id, name: 'Test Org', slug: `org-${id.slice(0, 8)}`, created_at: nowIso(), ...overrides };
}

export function buildUser(orgId: string, overrides: Partial<UserTable> = {}): UserTable {
  const id = newId();
  return { id, org_id: orgId, email: `user-${id.slice(0, 8)}@example.test`, name: 'Test User', role: 'member', password_hash: null, created_at: nowIso(), ...overrides };
}

export function buildProject(orgId: string, overrides: Partial<ProjectTable> = {}): ProjectTable {
  const id = newId();
  const name = `proj-${id.slice(0, 8)}`;
  return {
    id, org_id: orgId, slug: `git/test/${name}`, name, vcs_type: 'git', repo_url: 'file:///nonexistent',
    default_branch: 'main', next_pipeline_number: 1, next_job_number: 1, created_at: nowIso(), ...overrides,
  };
}
