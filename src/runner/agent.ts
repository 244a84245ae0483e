/**
 * @module The runner agent loop: say hello (the server then fails whatever this runner held
 * before a restart), prepare executors (which reap leftovers), then claim and run tasks up to
 * `concurrency` at a time until stopped.
 */
import { randomUUID } from 'node:crypto';
import { RunnerClient } from '../client/runner-client.js';
import type { ClientOptions } from '../client/http-client.js';
import type { Executor } from '../executor/executor.js';
import { RUNNER_PROTOCOL_VERSION } from '../protocol/runner-protocol.js';
import type { Logger } from '../shared/logger.js';
import { sleep } from '../shared/time.js';
import { TaskRunner } from './task-runner.js';

export interface RunnerAgentOptions {
  client: ClientOptions;
  name: string;
  executors: readonly Executor[];
  resourceClasses: readonly string[];
  concurrency: number;
  logger: Logger;
}

export class RunnerAgent {
  private readonly client: RunnerClient;
  private readonly bootId = randomUUID();
  private readonly stopping = new AbortController();
  private readonly running = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: RunnerAgentOptions) {
    this.client = new RunnerClient(options.client);
  }

  /** Connects and starts claiming work. Resolves once the runner is ready. */
  async start(): Promise<void> {
    const { logger } = this.options;
    for (const executor of this.options.executors) await executor.prepare();
    const hello = await this.client.hello({
      protocolVersion: RUNNER_PROTOCOL_VERSION, bootId: this.bootId, name: this.options.name,
      resourceClasses: [...this.options.resourceClasses], executors: this.options.executors.flatMap((e) => [...e.kinds]),
    });
    if (hello.abandonedTaskIds.length) logger.warn({ tasks: hello.abandonedTaskIds }, 'tasks from before this runner restarted were failed');
    logger.info({ runnerId: hello.runnerId, executors: this.options.executors.flatMap((e) => e.kinds) }, 'runner ready');
    this.loop = this.claimLoop(hello.heartbeatSeconds);
  }

  private async claimLoop(heartbeatSeconds: number): Promise<void> {
    const { logger } = this.options;
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      if (this.running.size >= this.options.concurrency) {
        await Promise.race(this.running);
        continue;
      }
      try {
        const task = await this.client.claim(this.bootId, 20, this.stopping.signal);
        failures = 0;
        if (!task) continue;
        logger.info({ taskId: task.taskId, job: task.jobName }, 'task claimed');
        const runner = new TaskRunner({ client: this.client, executors: this.options.executors, logger, heartbeatSeconds }, task);
        const done: Promise<void> = runner.run()
          .catch((error) => logger.error({ taskId: task.taskId, err: error }, 'task crashed'))
          .finally(() => this.running.delete(done));
        this.running.add(done);
      } catch (error) {
        if (this.stopping.signal.aborted) break;
        failures++;
        logger.warn({ err: error, failures }, 'claim failed; retrying');
        await sleep(Math.min(500 * 2 ** failures, 15_000), this.stopping.signal);
      }
    }
  }

  /** Stops claiming and waits for running tasks to finish. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    await Promise.allSettled(this.running);
    await this.client.close();
  }
}
