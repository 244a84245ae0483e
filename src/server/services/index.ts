/** @module Wires the server's services together (composition root for use cases). */
import type { BlobStore } from '../../blobs/index.js';
import type { OrbSource } from '../../config/index.js';
import type { GitMirrors } from '../../scm/git-mirror.js';
import type { Logger } from '../../shared/logger.js';
import type { Repositories } from '../../store/index.js';
import type { EventBus } from '../live/event-bus.js';
import { BootstrapService } from './bootstrap.service.js';
import { NO_SECRETS, type SecretEnvironmentSource } from './job-environment.js';
import { JobLogService } from './job-log.service.js';
import { LogService } from './log.service.js';
import { PipelineService } from './pipeline.service.js';
import { ProjectService } from './project.service.js';
import { RunnerService } from './runner.service.js';
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
}

export function createServices(deps: ServiceDeps): ServerServices {
  const { repos, bus, logger } = deps;
  const engine = new WorkflowEngine({ repos, bus, logger });
  const projects = new ProjectService(repos);
  const logs = new LogService({ repos, blobs: deps.blobs, bus });
  return {
    repos,
    bus,
    engine,
    projects,
    logs,
    jobLogs: new JobLogService({ repos, projects, logs }),
    pipelines: new PipelineService({ repos, projects, engine, git: deps.git, bus, logger, publicUrl: deps.publicUrl, orbs: deps.orbs }),
    runners: new RunnerService({
      repos, engine, logs, bus, logger, secrets: deps.secrets ?? NO_SECRETS, publicUrl: deps.publicUrl,
      leaseSeconds: deps.leaseSeconds, heartbeatSeconds: deps.heartbeatSeconds,
    }),
    bootstrap: new BootstrapService(repos),
  };
}
