/** @module Projects: create, look up by CircleCI slug, list. */
import type { Project } from '../../api/resources.js';
import { AppError, errors } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { nowIso } from '../../shared/time.js';
import { inTransaction, type ProjectTable, type Repositories } from '../../store/index.js';
import { auditWriter } from '../../audit/index.js';
import type { UserPrincipal } from '../http/principal.js';
import { presentProject } from '../presenters/project.presenter.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const REPO_URL = /^(file:\/\/\/|\/|ssh:\/\/|https:\/\/|git@|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:)/;

export class ProjectService {
  constructor(private readonly repos: Repositories) {}

  async create(principal: UserPrincipal, input: { name: string; repoUrl: string; defaultBranch?: string; requestId?: string }): Promise<Project> {
    if (!NAME.test(input.name)) throw new AppError('validation_failed', 'Project name must be 1-100 characters: letters, digits, ".", "_" or "-", starting with a letter or digit');
    if (!REPO_URL.test(input.repoUrl) || /\s/.test(input.repoUrl)) {
      throw new AppError('validation_failed', 'Repository URL must be file:///…, an absolute path, ssh://…, git@host:… or https://…');
    }
    if (input.repoUrl.startsWith('-')) throw new AppError('validation_failed', 'Invalid repository URL');
    const org = await this.repos.orgs.getById(principal.orgId);
    if (!org) throw errors.notFound('Organisation');
    const slug = `git/${org.slug}/${input.name}`;
    if (await this.repos.projects.getBySlug(slug)) throw new AppError('conflict', `Project ${slug} already exists`);
    const project = await inTransaction(this.repos, async (trx) => {
      const created = await trx.projects.create({
        id: newId(), org_id: org.id, slug, name: input.name, vcs_type: 'git', repo_url: input.repoUrl,
        default_branch: input.defaultBranch ?? 'main', next_pipeline_number: 1, next_job_number: 1, created_at: nowIso(),
      });
      await auditWriter.record(trx.store.db, {
        action: 'project.create', actor: { id: principal.userId, type: 'user', name: principal.email },
        target: { id: created.id, type: 'project', name: created.slug }, scope: { id: org.id, type: 'organization', name: org.name },
        success: true, request: input.requestId ? { id: input.requestId } : null,
        payload: { project_slug: created.slug, repo_url: created.repo_url },
      });
      return created;
    });
    return presentProject(project, org);
  }

  /** The project with this slug in the caller's organisation; 404 otherwise (existence is not revealed). */
  async getForUser(principal: UserPrincipal, slug: string): Promise<ProjectTable> {
    const project = await this.repos.projects.getBySlug(slug);
    if (!project || project.org_id !== principal.orgId) throw errors.notFound(`Project ${slug}`);
    return project;
  }

  async get(principal: UserPrincipal, slug: string): Promise<Project> {
    const project = await this.getForUser(principal, slug);
    const org = await this.repos.orgs.getById(project.org_id);
    return presentProject(project, org!);
  }

  async list(principal: UserPrincipal): Promise<Project[]> {
    const org = await this.repos.orgs.getById(principal.orgId);
    if (!org) return [];
    return (await this.repos.projects.listByOrg(org.id)).map((p) => presentProject(p, org));
  }
}
