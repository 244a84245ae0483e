/** @module Reading a job's log through the API: access checks, then LogService. */
import type { LogPage } from '../../api/resources.js';
import { errors } from '../../shared/errors.js';
import type { Repositories, TaskTable } from '../../store/index.js';
import type { Principal, UserPrincipal } from '../http/principal.js';
import type { LogService } from './log.service.js';
import type { ProjectService } from './project.service.js';

const FINISHED = new Set(['success', 'failed', 'canceled', 'infrastructure_fail', 'timedout']);

export class JobLogService {
  constructor(private readonly deps: { repos: Repositories; projects: ProjectService; logs: LogService }) {}

  async task(principal: UserPrincipal, input: { slug: string; number: number; node: number }): Promise<TaskTable> {
    const project = await this.deps.projects.getForUser(principal, input.slug);
    const job = await this.deps.repos.jobs.getByNumber(project.id, input.number);
    if (!job) throw errors.notFound(`Job ${input.number}`);
    const task = (await this.deps.repos.tasks.listByJob(job.id)).find((t) => t.node_index === input.node);
    if (!task) throw errors.notFound(`Parallel run ${input.node} of job ${input.number}`);
    return task;
  }

  async page(principal: UserPrincipal, input: { slug: string; number: number; node: number; fromSeq?: number; fromByte?: number; limit?: number }): Promise<LogPage> {
    const task = await this.task(principal, input);
    return this.deps.logs.read({ taskId: task.id, fromSeq: input.fromSeq, fromByte: input.fromByte, limit: input.limit, taskFinished: FINISHED.has(task.status) });
  }

  /** The task of a job's parallel run, if `principal` may watch it. */
  async taskIdFor(principal: Principal, input: { jobId: string; nodeIndex: number }): Promise<string | undefined> {
    if (principal.kind !== 'user' || !Number.isInteger(input.nodeIndex)) return undefined;
    const job = await this.deps.repos.jobs.getById(input.jobId);
    if (!job || job.org_id !== principal.orgId) return undefined;
    return (await this.deps.repos.tasks.listByJob(job.id)).find((t) => t.node_index === input.nodeIndex)?.id;
  }

  /** Whether `principal` may watch a task's log (same organisation). Returns whether it has finished. */
  async canWatch(principal: Principal, taskId: string): Promise<{ finished: boolean } | undefined> {
    if (principal.kind !== 'user') return undefined;
    const task = await this.deps.repos.tasks.getById(taskId);
    const job = task && (await this.deps.repos.jobs.getById(task.job_id));
    if (!task || !job || job.org_id !== principal.orgId) return undefined;
    return { finished: FINISHED.has(task.status) };
  }
}
