/** @module The store: one database handle and every repository over it. */
import { ApiTokenRepository } from './api-token.repository.js';
import { CheckoutKeyRepository } from './checkout-key.repository.js';
import { ContextRepository } from './context.repository.js';
import { ContinuationRepository } from './continuation.repository.js';
import type { Store } from './database.js';
import { PipelineOriginRepository, ProjectEnvVarRepository, ProjectSettingsRepository } from './envvar.repository.js';
import { JobRepository } from './job.repository.js';
import { OrbRepository } from './orb.repository.js';
import { OrgRepository, UserRepository } from './org.repository.js';
import { PipelineRepository, WorkflowRepository } from './pipeline.repository.js';
import { ProjectRepository } from './project.repository.js';
import { KvRepository, RunnerRepository } from './runner.repository.js';
import { ScheduleRepository } from './schedule.repository.js';
import { LoginFailureRepository, SessionRepository } from './session.repository.js';
import { LogChunkRepository, StepRepository, TaskRepository } from './task.repository.js';
import { GroupRepository } from './user-group.repository.js';

export { openStore, parseDatabaseUrl, type Store, type Dialect } from './database.js';
export type * from './schema.js';
export type * from './secrets.schema.js';
export type * from './orb.schema.js';

export interface Repositories {
  readonly store: Store;
  readonly orgs: OrgRepository;
  readonly users: UserRepository;
  readonly tokens: ApiTokenRepository;
  readonly projects: ProjectRepository;
  readonly pipelines: PipelineRepository;
  readonly workflows: WorkflowRepository;
  readonly jobs: JobRepository;
  readonly tasks: TaskRepository;
  readonly steps: StepRepository;
  readonly logChunks: LogChunkRepository;
  readonly runners: RunnerRepository;
  readonly kv: KvRepository;
  // Identity and secrets (issue #4).
  readonly groups: GroupRepository;
  readonly sessions: SessionRepository;
  readonly loginFailures: LoginFailureRepository;
  readonly envVars: ProjectEnvVarRepository;
  readonly projectSettings: ProjectSettingsRepository;
  readonly pipelineOrigins: PipelineOriginRepository;
  readonly contexts: ContextRepository;
  readonly checkoutKeys: CheckoutKeyRepository;
  // Orbs, schedules and setup continuations (issue #3).
  readonly orbs: OrbRepository;
  readonly schedules: ScheduleRepository;
  readonly continuations: ContinuationRepository;
}

export function createRepositories(store: Store): Repositories {
  return {
    store,
    orgs: new OrgRepository(store),
    users: new UserRepository(store),
    tokens: new ApiTokenRepository(store),
    projects: new ProjectRepository(store),
    pipelines: new PipelineRepository(store),
    workflows: new WorkflowRepository(store),
    jobs: new JobRepository(store),
    tasks: new TaskRepository(store),
    steps: new StepRepository(store),
    logChunks: new LogChunkRepository(store),
    runners: new RunnerRepository(store),
    kv: new KvRepository(store),
    groups: new GroupRepository(store),
    sessions: new SessionRepository(store),
    loginFailures: new LoginFailureRepository(store),
    envVars: new ProjectEnvVarRepository(store),
    projectSettings: new ProjectSettingsRepository(store),
    pipelineOrigins: new PipelineOriginRepository(store),
    contexts: new ContextRepository(store),
    checkoutKeys: new CheckoutKeyRepository(store),
    orbs: new OrbRepository(store),
    schedules: new ScheduleRepository(store),
    continuations: new ContinuationRepository(store),
  };
}

/**
 * Runs `work` in one database transaction with repositories bound to it, so a change and the
 * audit event that records it commit together or not at all.
 */
export async function inTransaction<T>(repos: Repositories, work: (trx: Repositories) => Promise<T>): Promise<T> {
  return repos.store.db.transaction().execute((db) => work(createRepositories({ ...repos.store, db })));
}
