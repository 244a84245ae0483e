/** @module The store: one database handle and every repository over it. */
import { ApiTokenRepository } from './api-token.repository.js';
import type { Store } from './database.js';
import { JobRepository } from './job.repository.js';
import { OrgRepository, UserRepository } from './org.repository.js';
import { PipelineRepository, WorkflowRepository } from './pipeline.repository.js';
import { ProjectRepository } from './project.repository.js';
import { KvRepository, RunnerRepository } from './runner.repository.js';
import { LogChunkRepository, StepRepository, TaskRepository } from './task.repository.js';

export { openStore, parseDatabaseUrl, type Store, type Dialect } from './database.js';
export type * from './schema.js';

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
  };
}

/**
 * Runs `work` in one database transaction with repositories bound to it, so a change and the
 * audit event that records it commit together or not at all.
 */
export async function inTransaction<T>(repos: Repositories, work: (trx: Repositories) => Promise<T>): Promise<T> {
  return repos.store.db.transaction().execute((db) => work(createRepositories({ ...repos.store, db })));
}
