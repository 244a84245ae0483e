/**
 * @module Pipelines: trigger (resolve the revision, read and compile the config, create the
 * workflows), and read pipelines, workflows and jobs. Config problems are stored on the
 * pipeline as data (`errored` state), never raised as server errors.
 */
import type { JobDetails, Pipeline, PipelineCreated, PipelineError, PipelineState, Workflow, WorkflowJob } from '../../api/resources.js';
import { processConfig, type OrbSource } from '../../config/index.js';
import type { PipelineValues } from '../../config/plan.js';
import { AppError, errors } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Logger } from '../../shared/logger.js';
import { isoPlus, nowIso } from '../../shared/time.js';
import type { GitMirrors } from '../../scm/git-mirror.js';
import type { PipelineTable, ProjectTable, Repositories } from '../../store/index.js';
import type { UserPrincipal } from '../http/principal.js';
import type { EventBus } from '../live/event-bus.js';
import { publishState } from '../live/state-events.js';
import { presentJobDetails, presentWorkflowJob } from '../presenters/job.presenter.js';
import { presentPipeline, presentWorkflow } from '../presenters/pipeline.presenter.js';
import { CONTINUATION_WINDOW_MS, declaredPipelineParameters } from './continuation.service.js';
import type { ProjectService } from './project.service.js';
import type { WorkflowEngine } from './workflow-engine.js';

export const CONFIG_PATH = '.circleci/config.yml';

export interface PipelineServiceDeps {
  repos: Repositories;
  projects: ProjectService;
  engine: WorkflowEngine;
  git: GitMirrors;
  bus: EventBus;
  logger: Logger;
  publicUrl: string;
  orbs?: OrbSource;
  /** The orb store: resolves each pipeline's orbs among its organisation's published versions (`orbs` overrides it). */
  orbStore?: { sourceFor(orgId: string): OrbSource };
}

/** How a scheduled firing shapes the pipeline's values (issue #3). */
export interface ScheduledTriggerInput {
  project: ProjectTable;
  /** The user the pipeline is attributed to, or null for the system. */
  actorId: string | null;
  branch?: string;
  tag?: string;
  parameters: Record<string, unknown>;
  /** `pipeline.schedule.*` for API schedules. */
  schedule?: { id: string; name: string };
  /** Legacy `triggers: schedule`: only this workflow runs (`pipeline.trigger_source` is `schedule`). */
  scheduledWorkflow?: string;
}

/** Values `compileAndStart` cannot read from the pipeline row. */
interface CompileExtras {
  triggerSource?: string;
  scheduledWorkflow?: string;
  schedule?: { id: string; name: string };
}

export interface TriggerInput {
  branch?: string;
  tag?: string;
  revision?: string;
  parameters?: Record<string, unknown>;
  triggerType?: 'api' | 'webhook' | 'scheduled_pipeline' | 'explicit';
}

export class PipelineService {
  constructor(private readonly deps: PipelineServiceDeps) {}

  async trigger(principal: UserPrincipal, slug: string, input: TriggerInput): Promise<PipelineCreated> {
    const project = await this.deps.projects.getForUser(principal, slug);
    if (input.branch && input.tag) throw new AppError('validation_failed', 'Give a branch or a tag, not both');
    const parameters = input.parameters ?? {};
    for (const [name, value] of Object.entries(parameters)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) throw new AppError('validation_failed', `Pipeline parameter "${name}" must be a string, number or boolean`);
    }
    const branch = input.tag ? null : (input.branch ?? project.default_branch);
    const now = nowIso();
    const pipeline: PipelineTable = {
      id: newId(), project_id: project.id, org_id: project.org_id, number: await this.deps.repos.projects.nextPipelineNumber(project.id),
      state: 'created', trigger_type: input.triggerType ?? 'api', trigger_actor_id: principal.userId, branch, tag: input.tag ?? null,
      revision: null, parameters: JSON.stringify(parameters), errors: '[]', created_at: now, updated_at: now,
    };
    await this.deps.repos.pipelines.create(pipeline);
    return this.startPipeline(pipeline, project, { revision: input.revision });
  }

  /** Triggers a pipeline for a schedule (no user request; the scheduler calls this). */
  async triggerScheduled(input: ScheduledTriggerInput): Promise<PipelineCreated> {
    const { project } = input;
    const now = nowIso();
    const pipeline: PipelineTable = {
      id: newId(), project_id: project.id, org_id: project.org_id, number: await this.deps.repos.projects.nextPipelineNumber(project.id),
      state: 'created', trigger_type: 'scheduled_pipeline', trigger_actor_id: input.actorId, branch: input.tag ? null : (input.branch ?? project.default_branch),
      tag: input.tag ?? null, revision: null, parameters: JSON.stringify(input.parameters), errors: '[]', created_at: now, updated_at: now,
    };
    await this.deps.repos.pipelines.create(pipeline);
    return this.startPipeline(pipeline, project, {
      extras: input.scheduledWorkflow ? { triggerSource: 'schedule', scheduledWorkflow: input.scheduledWorkflow } : { schedule: input.schedule },
    });
  }

  private async startPipeline(pipeline: PipelineTable, project: ProjectTable, options: { revision?: string; extras?: CompileExtras }): Promise<PipelineCreated> {
    const finalState = await this.compileAndStart(pipeline, project, options);
    publishState(this.deps.bus, { kind: 'pipeline', projectId: project.id, pipelineId: pipeline.id, number: pipeline.number, state: finalState });
    return { id: pipeline.id, state: finalState, number: pipeline.number, created_at: pipeline.created_at };
  }

  /** Fetches the revision's config, compiles it, and creates the workflows. Returns the pipeline's state. */
  private async compileAndStart(pipeline: PipelineTable, project: ProjectTable, options: { revision?: string; extras?: CompileExtras }): Promise<PipelineState> {
    const { revision, extras = {} } = options;
    const fail = async (error: PipelineError): Promise<'errored'> => {
      await this.deps.repos.pipelines.update(pipeline.id, { state: 'errored', errors: JSON.stringify([error]), updated_at: nowIso() });
      return 'errored';
    };
    let sha: string;
    let source: string | undefined;
    let commit = { subject: '', authorName: '' };
    try {
      await this.deps.git.fetch({ projectId: project.id, repoUrl: project.repo_url });
      sha = await this.deps.git.resolve({ projectId: project.id, branch: pipeline.branch ?? undefined, tag: pipeline.tag ?? undefined, revision });
      source = await this.deps.git.readFile({ projectId: project.id, revision: sha, path: CONFIG_PATH });
      commit = await this.deps.git.commitInfo({ projectId: project.id, revision: sha });
    } catch (error) {
      this.deps.logger.warn({ pipelineId: pipeline.id, err: error }, 'config fetch failed');
      return fail({ type: 'config-fetch', message: error instanceof AppError ? error.message : 'Could not fetch the repository' });
    }
    await this.deps.repos.pipelines.update(pipeline.id, { revision: sha, updated_at: nowIso() });
    if (source === undefined) return fail({ type: 'config-fetch', message: `No ${CONFIG_PATH} at revision ${sha}` });

    const values: PipelineValues = {
      id: pipeline.id, number: pipeline.number,
      project: { gitUrl: project.repo_url, type: project.vcs_type, slug: project.slug },
      git: { branch: pipeline.branch ?? undefined, tag: pipeline.tag ?? undefined, revision: sha, commitSubject: commit.subject, commitAuthorName: commit.authorName },
      triggerSource: extras.triggerSource ?? pipeline.trigger_type,
      ...(extras.schedule ? { schedule: extras.schedule } : {}),
    };
    let result;
    try {
      result = await processConfig({
        source, file: CONFIG_PATH, pipelineValues: values, pipelineParameters: JSON.parse(pipeline.parameters), orbs: this.orbsFor(project.org_id),
        ...(extras.scheduledWorkflow ? { scheduledWorkflow: extras.scheduledWorkflow } : {}),
      });
    } catch (error) {
      this.deps.logger.error({ pipelineId: pipeline.id, err: error }, 'config processing crashed');
      return fail({ type: 'config', message: 'The config could not be processed (internal error in the config compiler)' });
    }
    if (!result.ok) {
      const problems: PipelineError[] = result.problems.filter((p) => p.severity === 'error').map((p) => ({
        type: 'config', message: `${p.file}:${p.line}:${p.column} ${p.message}`, file: p.file, line: p.line, column: p.column, path: p.path,
      }));
      await this.deps.repos.pipelines.update(pipeline.id, { state: 'errored', errors: JSON.stringify(problems), updated_at: nowIso() });
      return 'errored';
    }
    if (result.plan.setup) {
      // Dynamic config: setup-pending → setup (its setup workflow runs) → created/errored on continuation.
      await this.deps.repos.continuations.create({
        pipeline_id: pipeline.id, org_id: pipeline.org_id, setup_parameters: JSON.stringify(declaredPipelineParameters(source)),
        expires_at: isoPlus(CONTINUATION_WINDOW_MS, new Date(pipeline.created_at)), continued_at: null, created_at: nowIso(),
      });
      await this.deps.repos.pipelines.update(pipeline.id, { state: 'setup-pending', updated_at: nowIso() });
      await this.deps.engine.start({ ...pipeline, revision: sha }, result.plan);
      await this.deps.repos.pipelines.update(pipeline.id, { state: 'setup', updated_at: nowIso() });
      return 'setup';
    }
    await this.deps.engine.start({ ...pipeline, revision: sha }, result.plan);
    return 'created';
  }

  /** The orb source for an organisation's pipelines: an explicit `orbs` override, else the orb store. */
  orbsFor(orgId: string): OrbSource | undefined {
    return this.deps.orbs ?? this.deps.orbStore?.sourceFor(orgId);
  }

  /**
   * Compiles a continuation config for a setup pipeline (same pipeline values, the given
   * parameters) and starts its workflows on that pipeline. Returns the pipeline's new state;
   * config problems are stored on the pipeline (`errored`), as for a trigger.
   */
  async continuePipeline(input: { pipeline: PipelineTable; source: string; parameters: Record<string, unknown> }): Promise<PipelineState> {
    const { pipeline, source } = input;
    const project = (await this.deps.repos.projects.getById(pipeline.project_id))!;
    const sha = pipeline.revision ?? '';
    let commit = { subject: '', authorName: '' };
    try {
      commit = await this.deps.git.commitInfo({ projectId: project.id, revision: sha });
    } catch (error) {
      this.deps.logger.warn({ pipelineId: pipeline.id, err: error }, 'commit info unavailable for a continuation');
    }
    const values: PipelineValues = {
      id: pipeline.id, number: pipeline.number,
      project: { gitUrl: project.repo_url, type: project.vcs_type, slug: project.slug },
      git: { branch: pipeline.branch ?? undefined, tag: pipeline.tag ?? undefined, revision: sha, commitSubject: commit.subject, commitAuthorName: commit.authorName },
      triggerSource: pipeline.trigger_type,
    };
    const store = async (state: 'errored' | 'created', problems: PipelineError[]): Promise<PipelineState> => {
      await this.deps.repos.pipelines.update(pipeline.id, { state, errors: JSON.stringify(problems), updated_at: nowIso() });
      publishState(this.deps.bus, { kind: 'pipeline', projectId: project.id, pipelineId: pipeline.id, number: pipeline.number, state });
      return state;
    };
    const result = await processConfig({ source, file: 'continuation config', pipelineValues: values, pipelineParameters: input.parameters, orbs: this.orbsFor(pipeline.org_id) });
    if (!result.ok) {
      return store('errored', result.problems.filter((p) => p.severity === 'error').map((p) => ({
        type: 'config', message: `${p.file}:${p.line}:${p.column} ${p.message}`, file: p.file, line: p.line, column: p.column, path: p.path,
      })));
    }
    if (result.plan.setup) return store('errored', [{ type: 'config', message: 'A continuation config cannot itself be a setup config (setup: true)' }]);
    await this.deps.engine.start(pipeline, result.plan);
    return store('created', []);
  }

  private async loadPipeline(principal: UserPrincipal, id: string): Promise<{ pipeline: PipelineTable; project: ProjectTable }> {
    const pipeline = await this.deps.repos.pipelines.getById(id);
    if (!pipeline || pipeline.org_id !== principal.orgId) throw errors.notFound('Pipeline');
    const project = (await this.deps.repos.projects.getById(pipeline.project_id))!;
    return { pipeline, project };
  }

  private async actorLogin(pipeline: PipelineTable): Promise<string> {
    if (!pipeline.trigger_actor_id) return 'kiln';
    return (await this.deps.repos.users.getById(pipeline.trigger_actor_id))?.email ?? 'unknown';
  }

  async get(principal: UserPrincipal, id: string): Promise<Pipeline> {
    const { pipeline, project } = await this.loadPipeline(principal, id);
    return presentPipeline(pipeline, project, await this.actorLogin(pipeline));
  }

  async listForProject(principal: UserPrincipal, slug: string, options: { pageToken?: string; limit?: number }): Promise<{ items: Pipeline[]; next_page_token: string | null }> {
    const project = await this.deps.projects.getForUser(principal, slug);
    const limit = Math.min(Math.max(options.limit ?? 20, 1), 100);
    const before = options.pageToken ? Number(Buffer.from(options.pageToken, 'base64url').toString()) : undefined;
    if (before !== undefined && !Number.isInteger(before)) throw new AppError('bad_request', 'Invalid page-token');
    const rows = await this.deps.repos.pipelines.listByProject(project.id, { limit: limit + 1, before });
    const page = rows.slice(0, limit);
    const items = await Promise.all(page.map(async (p) => presentPipeline(p, project, await this.actorLogin(p))));
    const next = rows.length > limit ? Buffer.from(String(page[page.length - 1]!.number)).toString('base64url') : null;
    return { items, next_page_token: next };
  }

  async workflows(principal: UserPrincipal, pipelineId: string): Promise<Workflow[]> {
    const { pipeline, project } = await this.loadPipeline(principal, pipelineId);
    return (await this.deps.repos.workflows.listByPipeline(pipeline.id)).map((w) => presentWorkflow(w, pipeline, project));
  }

  async workflow(principal: UserPrincipal, workflowId: string): Promise<Workflow> {
    const workflow = await this.deps.repos.workflows.getById(workflowId);
    if (!workflow) throw errors.notFound('Workflow');
    const { pipeline, project } = await this.loadPipeline(principal, workflow.pipeline_id);
    return presentWorkflow(workflow, pipeline, project);
  }

  async workflowJobs(principal: UserPrincipal, workflowId: string): Promise<WorkflowJob[]> {
    const workflow = await this.deps.repos.workflows.getById(workflowId);
    if (!workflow) throw errors.notFound('Workflow');
    const { project } = await this.loadPipeline(principal, workflow.pipeline_id);
    const jobs = await this.deps.repos.jobs.listByWorkflow(workflowId);
    const ids = new Map(jobs.map((j) => [j.name, j.id]));
    return jobs.map((j) => presentWorkflowJob(j, project, ids));
  }

  async cancelWorkflow(principal: UserPrincipal, workflowId: string): Promise<void> {
    const workflow = await this.deps.repos.workflows.getById(workflowId);
    if (!workflow) throw errors.notFound('Workflow');
    await this.loadPipeline(principal, workflow.pipeline_id);
    await this.deps.engine.cancelWorkflow(workflowId);
  }

  /** Approves an on-hold approval job of a workflow (CircleCI: the approval request id is the job id). */
  async approve(principal: UserPrincipal, input: { workflowId: string; approvalRequestId: string; requestId?: string }): Promise<void> {
    const workflow = await this.deps.repos.workflows.getById(input.workflowId);
    if (!workflow) throw errors.notFound('Workflow');
    await this.loadPipeline(principal, workflow.pipeline_id);
    const job = await this.deps.repos.jobs.getById(input.approvalRequestId);
    if (!job || job.workflow_id !== workflow.id || job.type !== 'approval') throw errors.notFound('Approval request');
    if (!(await this.deps.engine.approve({ jobId: job.id, userId: principal.userId, userName: principal.email, requestId: input.requestId }))) {
      throw errors.conflict(`The approval job ${job.name} is ${job.status}, not on hold`);
    }
  }

  /** Reruns a workflow from the start or from its failed jobs, as a new workflow of the same pipeline. */
  async rerun(principal: UserPrincipal, input: { workflowId: string; fromFailed: boolean }): Promise<{ workflow_id: string }> {
    const workflow = await this.deps.repos.workflows.getById(input.workflowId);
    if (!workflow) throw errors.notFound('Workflow');
    await this.loadPipeline(principal, workflow.pipeline_id);
    if (!['success', 'failed', 'canceled', 'error', 'not_run', 'unauthorized'].includes(workflow.status)) {
      throw errors.conflict(`The workflow is ${workflow.status}; rerun it once it has finished`);
    }
    return { workflow_id: await this.deps.engine.rerun({ workflowId: workflow.id, fromFailed: input.fromFailed }) };
  }

  async jobDetails(principal: UserPrincipal, slug: string, number: number): Promise<JobDetails> {
    const project = await this.deps.projects.getForUser(principal, slug);
    const job = await this.deps.repos.jobs.getByNumber(project.id, number);
    if (!job) throw errors.notFound(`Job ${number}`);
    const workflow = (await this.deps.repos.workflows.getById(job.workflow_id))!;
    const org = (await this.deps.repos.orgs.getById(project.org_id))!;
    const tasks = await this.deps.repos.tasks.listByJob(job.id);
    const steps = await Promise.all(tasks.map((t) => this.deps.repos.steps.listByTask(t.id)));
    return presentJobDetails({ job, workflow, project, org, tasks, steps, publicUrl: this.deps.publicUrl });
  }
}
