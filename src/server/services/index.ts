/** @module Wires the server's services together (composition root for use cases). */
import type { BlobStore } from '../../blobs/index.js';
import type { OrbSource } from '../../config/index.js';
import type { GitMirrors } from '../../scm/git-mirror.js';
import type { Logger } from '../../shared/logger.js';
import type { Repositories } from '../../store/index.js';
import type { EventBus } from '../live/event-bus.js';
import { resolveJobSecrets, secretsEnvironmentSource, TaskMaskers, type SecretKeys } from '../../secrets/index.js';
import { BootstrapService } from './bootstrap.service.js';
import { CheckoutKeyService } from './checkout-key.service.js';
import { ContinuationService } from './continuation.service.js';
import { ContextService } from './context.service.js';
import { EnvVarService } from './envvar.service.js';
import { GroupService } from './group.service.js';
import { SecretsService } from './secrets.service.js';
import { SessionService } from './session.service.js';
import { TokenService } from './token.service.js';
import { UserService } from './user.service.js';
import { NO_SECRETS, type SecretEnvironmentSource } from './job-environment.js';
import { JobLogService } from './job-log.service.js';
import { LogService } from './log.service.js';
import { OrbService } from './orb.service.js';
import { PipelineService } from './pipeline.service.js';
import { ProjectService } from './project.service.js';
import { RunnerService } from './runner.service.js';
import { ScheduleService } from './schedule.service.js';
import { WorkflowEngine } from './workflow-engine.js';

export interface ServiceDeps {
  repos: Repositories;
  blobs: BlobStore;
  bus: EventBus;
  git: GitMirrors;
  logger: Logger;
  publicUrl: string;
  leaseSeconds: number;
  heartbeatSeconds: number;
  secrets?: SecretEnvironmentSource;
  orbs?: OrbSource;
  /**
   * The live key ring. With it, jobs receive project/context secrets and SSH keys (unless `secrets`
   * overrides the source) and the server re-masks their output; without it, secret endpoints answer 503.
   */
  keys?: SecretKeys;
}

export interface ServerServices {
  repos: Repositories;
  bus: EventBus;
  engine: WorkflowEngine;
  projects: ProjectService;
  pipelines: PipelineService;
  logs: LogService;
  jobLogs: JobLogService;
  runners: RunnerService;
  bootstrap: BootstrapService;
  sessions: SessionService;
  tokens: TokenService;
  users: UserService;
  groups: GroupService;
  envVars: EnvVarService;
  contexts: ContextService;
  checkoutKeys: CheckoutKeyService;
  secretsAdmin: SecretsService;
  /** Orb store, setup-pipeline continuations and scheduled triggers (issue #3). */
  orbs: OrbService;
  continuations: ContinuationService;
  schedules: ScheduleService;
  /** Per-task server-side output masking (present when `keys` is). */
  maskers?: TaskMaskers;
}

export function createServices(deps: ServiceDeps): ServerServices {
  const { repos, bus, logger } = deps;
  const engine = new WorkflowEngine({ repos, bus, logger });
  const projects = new ProjectService(repos);
  const logs = new LogService({ repos, blobs: deps.blobs, bus });
  const keys = deps.keys;
  const maskers = keys ? new TaskMaskers({ load: (taskId) => maskValuesForTask(repos, keys, taskId) }) : undefined;
  const secrets = deps.secrets ?? (keys ? secretsEnvironmentSource({ repos, keys, maskers }) : NO_SECRETS);
  const tokens = new TokenService({ repos, projects });
  const orbs = new OrbService({ repos });
  const pipelines = new PipelineService({ repos, projects, engine, git: deps.git, bus, logger, publicUrl: deps.publicUrl, orbs: deps.orbs, orbStore: orbs });
  const continuations = new ContinuationService({ repos, pipelines });
  return {
    repos,
    bus,
    engine,
    projects,
    logs,
    jobLogs: new JobLogService({ repos, projects, logs }),
    pipelines,
    runners: new RunnerService({
      repos, engine, logs, bus, logger, secrets, publicUrl: deps.publicUrl,
      continuationKey: (input) => continuations.keyForTask(input),
      leaseSeconds: deps.leaseSeconds, heartbeatSeconds: deps.heartbeatSeconds,
      ...(maskers ? { maskChunk: (taskId: string, data: string) => maskers.maskChunk(taskId, data), maskText: (taskId: string, text: string) => maskers.maskText(taskId, text) } : {}),
    }),
    bootstrap: new BootstrapService(repos),
    sessions: new SessionService({ repos, tokens }),
    tokens,
    users: new UserService(repos),
    groups: new GroupService(repos),
    envVars: new EnvVarService({ repos, projects, keys }),
    contexts: new ContextService({ repos, keys }),
    checkoutKeys: new CheckoutKeyService({ repos, projects, keys }),
    secretsAdmin: new SecretsService({ repos, keys }),
    maskers,
    orbs,
    continuations,
    schedules: new ScheduleService({ repos, projects, pipelines, git: deps.git, logger }),
  };
}

/** Rebuilds the values delivered to a task (another replica claimed it): same source as delivery. */
async function maskValuesForTask(repos: Repositories, keys: SecretKeys, taskId: string): Promise<string[]> {
  const task = await repos.tasks.getById(taskId);
  const job = task && (await repos.jobs.getById(task.job_id));
  const pipeline = job && (await repos.pipelines.getById(job.pipeline_id));
  const project = pipeline && (await repos.projects.getById(pipeline.project_id));
  if (!job || !pipeline || !project) return [];
  return (await resolveJobSecrets({ repos, keys }, { job, project, pipeline })).maskValues;
}
