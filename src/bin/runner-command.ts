/** @module `kiln runner`: a standalone runner on this host's Docker engine. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DockerExecutor, DEFAULT_RESOURCE_CLASSES, runnableResourceClasses } from '../executor/docker/docker-executor.js';
import { MachineExecutor } from '../executor/machine/machine-executor.js';
import { parseResourceClassTable } from '../executor/docker/resource-class-table.js';
import { RunnerAgent } from '../runner/agent.js';
import { createLogger } from '../shared/logger.js';

export function registerRunnerCommand(program: Command, env: { url?: string; runnerToken?: string; runnerId?: string; caCertFile?: string }): void {
  program.command('runner')
    .description('Run jobs from a Kiln server on this host (env KILN_URL, KILN_RUNNER_TOKEN, KILN_RUNNER_ID, KILN_CA_CERT)')
    .option('--name <name>', 'name shown in the server', 'runner')
    .option('--concurrency <n>', 'jobs run at once', '2')
    .option('--resource-classes <file>', 'JSON table of resource classes (memory, cpus, pids, privileged); default: small, medium, large')
    .option('--allow-privileged-classes', 'run resource classes an admin marked privileged (image builds)')
    .option('--machine-executor', 'also run `machine` jobs directly on this host as an unprivileged user (less isolated; see docs/SANDBOX.md)')
    .action(async (flags: { name: string; concurrency: string; resourceClasses?: string; allowPrivilegedClasses?: boolean; machineExecutor?: boolean }) => {
      const classes = flags.resourceClasses ? parseResourceClassTable(readFileSync(flags.resourceClasses, 'utf8'), flags.resourceClasses) : DEFAULT_RESOURCE_CLASSES;
      if (!env.url || !env.runnerToken || !env.runnerId) throw new Error('Set KILN_URL, KILN_RUNNER_ID and KILN_RUNNER_TOKEN');
      const logger = createLogger();
      const agent = new RunnerAgent({
        client: { baseUrl: env.url, token: env.runnerToken, caCert: env.caCertFile ? readFileSync(env.caCertFile, 'utf8') : undefined },
        name: flags.name,
        executors: [
          new DockerExecutor({ runnerId: env.runnerId, resourceClasses: classes, allowPrivilegedClasses: flags.allowPrivilegedClasses, warn: (m) => logger.warn(m) }),
          ...(flags.machineExecutor ? [new MachineExecutor()] : []),
        ],
        resourceClasses: runnableResourceClasses(classes, flags.allowPrivilegedClasses), concurrency: Number(flags.concurrency), logger,
      });
      await agent.start();
      const stop = async () => { await agent.stop(); process.exit(0); };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
