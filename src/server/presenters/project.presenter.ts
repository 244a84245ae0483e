/** @module Whitelists the fields of a project that leave the server. */
import type { Project } from '../../api/resources.js';
import type { OrgTable, ProjectTable } from '../../store/index.js';

export function presentProject(project: ProjectTable, org: OrgTable): Project {
  return {
    id: project.id,
    slug: project.slug,
    name: project.name,
    organization_name: org.name,
    organization_slug: org.slug,
    organization_id: org.id,
    vcs_info: { vcs_url: project.repo_url, provider: project.vcs_type, default_branch: project.default_branch },
  };
}
