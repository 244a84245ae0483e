/**
 * @module The Docker executor: each task gets a fresh bridge network and fresh containers
 * (primary + services sharing the primary's network namespace, so services answer on
 * `localhost` as in CircleCI, and by their `name` through network aliases).
 */
import Docker from 'dockerode';
import type { DockerExecutorPlan, DockerImagePlan } from '../../config/plan.js';
import { ExecutorError, LABELS, type Executor, type ExecutorJobSpec, type JobSandbox } from '../executor.js';
import { containerSpec, DEFAULT_CAP_ADD, type ResourceLimits, type SandboxPolicy } from './container-spec.js';
import { removeByLabel } from './docker-reaper.js';
import { DockerSandbox } from './docker-sandbox.js';
import { ensureImage } from './images.js';
import { defaultSecurityOpt } from './seccomp.js';

export interface DockerExecutorOptions {
  runnerId: string;
  /** Docker connection (default: the local socket / DOCKER_HOST as dockerode reads it). */
  docker?: Docker;
  /** Resource class → limits. */
  resourceClasses: Readonly<Record<string, ResourceLimits>>;
}

export const DEFAULT_RESOURCE_CLASSES: Readonly<Record<string, ResourceLimits>> = {
  small: { memoryBytes: 2 * 1024 ** 3, nanoCpus: 1e9, pidsLimit: 1024 },
  medium: { memoryBytes: 4 * 1024 ** 3, nanoCpus: 2e9, pidsLimit: 2048 },
  large: { memoryBytes: 8 * 1024 ** 3, nanoCpus: 2e9, pidsLimit: 4096 },
};

export class DockerExecutor implements Executor {
  readonly kinds = ['docker'];
  readonly docker: Docker;

  constructor(private readonly options: DockerExecutorOptions) {
    this.docker = options.docker ?? new Docker();
  }

  /** Refuses to run without seccomp support, then removes what a crashed predecessor left. */
  async prepare(): Promise<void> {
    const info = await this.docker.info().catch((error: Error) => {
      throw new ExecutorError(`Cannot reach the Docker engine: ${error.message}`);
    });
    const securityOptions: string[] = info.SecurityOptions ?? [];
    if (!securityOptions.some((o) => o.includes('name=seccomp'))) {
      throw new ExecutorError('The Docker engine reports no seccomp support; Kiln refuses to run jobs unconfined');
    }
    await removeByLabel(this.docker, `${LABELS.runner}=${this.options.runnerId}`);
  }

  async start(spec: ExecutorJobSpec): Promise<JobSandbox> {
    const plan = spec.plan.executor;
    if (plan.kind !== 'docker') throw new ExecutorError(`The docker executor cannot run a ${plan.kind} job`, false);
    const limits = this.options.resourceClasses[spec.plan.resourceClass];
    if (!limits) {
      throw new ExecutorError(`Unknown resource class "${spec.plan.resourceClass}" (this runner offers: ${Object.keys(this.options.resourceClasses).join(', ')})`, false);
    }
    const policy: SandboxPolicy = { limits, securityOpt: defaultSecurityOpt(), capAdd: DEFAULT_CAP_ADD };
    const labels = { [LABELS.runner]: this.options.runnerId, [LABELS.task]: spec.taskId, [LABELS.job]: spec.jobId };
    const taskLabel = { key: LABELS.task, value: spec.taskId };
    const sandboxParts = { docker: this.docker, taskLabel };
    try {
      return await this.createEnvironment({ spec, plan, policy, labels, sandboxParts });
    } catch (error) {
      await removeByLabel(this.docker, `${taskLabel.key}=${taskLabel.value}`).catch(() => undefined);
      if (error instanceof ExecutorError) throw error;
      throw new ExecutorError(`Could not start the job's containers: ${(error as Error).message}`);
    }
  }

  private async createEnvironment(input: {
    spec: ExecutorJobSpec; plan: DockerExecutorPlan; policy: SandboxPolicy; labels: Record<string, string>;
    sandboxParts: { docker: Docker; taskLabel: { key: string; value: string } };
  }): Promise<JobSandbox> {
    const { spec, plan, policy, labels } = input;
    const [primaryImage, ...services] = plan.images as DockerImagePlan[];
    if (!primaryImage) throw new ExecutorError('The docker executor needs at least one image', false);
    for (const image of plan.images) await ensureImage(this.docker, image.image, spec.log);

    const network = `kiln-${spec.taskId}`;
    await this.docker.createNetwork({ Name: network, Driver: 'bridge', Labels: { ...labels, [LABELS.managed]: 'true' }, CheckDuplicate: true });
    const aliases = services.map((s) => s.name).filter((n): n is string => Boolean(n));
    const primary = await this.docker.createContainer(containerSpec({ image: primaryImage, role: 'primary', name: `kiln-${spec.taskId}-primary`, labels, networkMode: network, aliases, policy }));
    await primary.start();
    for (const [index, service] of services.entries()) {
      spec.log(`Starting service container ${service.image}${service.name ? ` (${service.name})` : ''}`);
      const container = await this.docker.createContainer(containerSpec({
        image: service, role: 'service', name: `kiln-${spec.taskId}-svc${index + 1}`, labels, networkMode: `container:${primary.id}`, policy,
      }));
      await container.start();
    }
    const probe = new DockerSandbox({ ...input.sandboxParts, primary, homeDir: '/', defaultShell: '/bin/sh', owner: { uid: 0, gid: 0 } });
    const facts = await probe.exec(['/bin/sh', '-c', 'if [ -x /bin/bash ]; then echo bash; else echo sh; fi; id -u; id -g; printf "%s\\n" "${HOME:-/}"'], { quiet: true });
    if (facts.exitCode !== 0) throw new ExecutorError(`The primary image ${primaryImage.image} has no usable /bin/sh: ${facts.output.trim()}`, false);
    const [shell = 'sh', uid = '0', gid = '0', home = '/'] = facts.output.trim().split('\n');
    return new DockerSandbox({
      ...input.sandboxParts, primary, homeDir: home,
      defaultShell: shell === 'bash' ? '/bin/bash -eo pipefail' : '/bin/sh -eo pipefail',
      owner: { uid: Number(uid), gid: Number(gid) },
    });
  }
}
