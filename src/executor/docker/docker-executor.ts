/**
 * @module The Docker executor: each task gets a fresh bridge network and fresh containers
 * (primary + services sharing the primary's network namespace, so services answer on
 * `localhost` as in CircleCI, and by their `name` through network aliases).
 *
 * Hardening lives in three places: container-spec.ts (what each container may do), seccomp.ts
 * (which syscalls), host-firewall.ts (where a job's packets may go). docs/SANDBOX.md explains
 * every choice.
 */
import Docker from 'dockerode';
import type { DockerExecutorPlan, DockerImagePlan } from '../../config/plan.js';
import { ExecutorError, LABELS, type Executor, type ExecutorJobSpec, type JobSandbox } from '../executor.js';
import { containerSpec, DEFAULT_CAP_ADD, type ResourceLimits, type SandboxPolicy } from './container-spec.js';
import { removeByLabel } from './docker-reaper.js';
import { DockerSandbox } from './docker-sandbox.js';
import { bridgeName, hostFirewallInPlace, installHostFirewall, type FirewallStatus, type HostFirewallOptions } from './host-firewall.js';
import { ensureImage } from './images.js';
import { defaultSecurityOpt } from './seccomp.js';

/** One resource class as an admin configures it. */
export interface ResourceClassPolicy {
  limits: ResourceLimits;
  /**
   * Runs the job's containers privileged (e.g. for image builds). Such a class runs only on
   * runners started with `allowPrivilegedClasses`; everywhere else a job asking for it fails.
   */
  privileged?: boolean;
}

export interface DockerExecutorOptions {
  runnerId: string;
  /** Docker connection (default: the local socket / DOCKER_HOST as dockerode reads it). */
  docker?: Docker;
  /** Resource class name → policy (the runner's or server's config table). */
  resourceClasses: Readonly<Record<string, ResourceClassPolicy>>;
  /** This runner's opt-in for privileged resource classes (off by default). */
  allowPrivilegedClasses?: boolean;
  /** Host firewall for job bridges; `false` to leave the host's rules alone (not recommended). */
  firewall?: HostFirewallOptions | false;
  /** Operator warnings at start-up (default: stderr). */
  warn?: (message: string) => void;
}

export const DEFAULT_RESOURCE_CLASSES: Readonly<Record<string, ResourceClassPolicy>> = {
  small: { limits: { memoryBytes: 2 * 1024 ** 3, nanoCpus: 1e9, pidsLimit: 1024 } },
  medium: { limits: { memoryBytes: 4 * 1024 ** 3, nanoCpus: 2e9, pidsLimit: 2048 } },
  large: { limits: { memoryBytes: 8 * 1024 ** 3, nanoCpus: 2e9, pidsLimit: 4096 } },
};

/** Checks a resource-class table once, at start-up, so a bad limit fails loudly and early. */
export function validateResourceClasses(classes: Readonly<Record<string, ResourceClassPolicy>>): void {
  const names = Object.keys(classes);
  if (names.length === 0) throw new ExecutorError('No resource classes are configured for the docker executor');
  for (const [name, policy] of Object.entries(classes)) {
    const { memoryBytes, nanoCpus, pidsLimit } = policy.limits ?? ({} as ResourceLimits);
    const bad = [['memoryBytes', memoryBytes, 6 * 1024 ** 2], ['nanoCpus', nanoCpus, 1e7], ['pidsLimit', pidsLimit, 8]]
      .filter(([, value, min]) => !Number.isInteger(value) || (value as number) < (min as number));
    if (bad.length) throw new ExecutorError(`Resource class "${name}": ${bad.map(([k, , min]) => `${k} must be an integer ≥ ${min}`).join('; ')}`);
  }
}

/** The classes a runner can run, to advertise to the server: privileged ones only with the opt-in. */
export function runnableResourceClasses(classes: Readonly<Record<string, ResourceClassPolicy>>, allowPrivileged = false): string[] {
  return Object.entries(classes).filter(([, p]) => allowPrivileged || !p.privileged).map(([name]) => name);
}

export class DockerExecutor implements Executor {
  readonly kinds = ['docker'];
  readonly docker: Docker;
  /** What prepare() managed to install; undefined before prepare() or with `firewall: false`. */
  firewall: FirewallStatus | undefined;

  constructor(private readonly options: DockerExecutorOptions) {
    this.docker = options.docker ?? new Docker();
    validateResourceClasses(options.resourceClasses);
  }

  private warn(message: string): void {
    (this.options.warn ?? ((m: string) => process.stderr.write(`WARNING: ${m}\n`)))(message);
  }

  /**
   * Refuses to run without seccomp support, installs the host firewall for job bridges (a
   * warning, not a refusal, when it cannot), then removes what a crashed predecessor left.
   */
  async prepare(): Promise<void> {
    const info = await this.docker.info().catch((error: Error) => {
      throw new ExecutorError(`Cannot reach the Docker engine: ${error.message}`);
    });
    const securityOptions: string[] = info.SecurityOptions ?? [];
    if (!securityOptions.some((o) => o.includes('name=seccomp'))) {
      throw new ExecutorError('The Docker engine reports no seccomp support; Kiln refuses to run jobs unconfined');
    }
    if (this.options.firewall !== false) await this.installFirewall();
    const privileged = Object.entries(this.options.resourceClasses).filter(([, p]) => p.privileged).map(([n]) => n);
    if (privileged.length && this.options.allowPrivilegedClasses) {
      this.warn(`This runner runs privileged resource classes (${privileged.join(', ')}): their jobs are equivalent to root on this host`);
    }
    await removeByLabel(this.docker, `${LABELS.runner}=${this.options.runnerId}`);
  }

  private async installFirewall(): Promise<void> {
    const modem = this.docker.modem as { socketPath?: unknown; host?: unknown };
    if (!modem.socketPath && modem.host) {
      this.warn('The Docker engine is remote: Kiln cannot install the job network firewall on it. Jobs can reach that host, its private networks and cloud metadata unless its own firewall blocks them.');
      this.firewall = { ipv4: false, ipv6: false, problems: ['remote Docker engine'] };
      return;
    }
    this.firewall = await installHostFirewall(this.options.firewall || {});
    if (!this.firewall.ipv4) {
      this.warn(`Could not install the job network firewall (${this.firewall.problems.join('; ')}). Jobs still run, but they can reach this host, other jobs, private networks and cloud metadata (169.254.169.254). Run the runner as root on a host with iptables, or block traffic from kiln-* bridges yourself; see docs/SANDBOX.md.`);
    } else if (!this.firewall.ipv6) {
      this.warn(`IPv6 rules for job bridges were not installed (${this.firewall.problems.join('; ')}); job networks have no IPv6 addresses, so only link-local traffic is affected.`);
    }
  }

  /** The policy for one job, or a clear refusal. */
  resolvePolicy(resourceClass: string): SandboxPolicy {
    const cls = this.options.resourceClasses[resourceClass];
    if (!cls) {
      throw new ExecutorError(`Unknown resource class "${resourceClass}" (this runner offers: ${runnableResourceClasses(this.options.resourceClasses, this.options.allowPrivilegedClasses).join(', ')})`, false);
    }
    if (cls.privileged && !this.options.allowPrivilegedClasses) {
      throw new ExecutorError(`Resource class "${resourceClass}" runs privileged containers, and this runner does not allow them (start it with privileged classes enabled, or pick another class)`, false);
    }
    return { limits: cls.limits, securityOpt: defaultSecurityOpt(), capAdd: DEFAULT_CAP_ADD, privileged: cls.privileged === true };
  }

  async start(spec: ExecutorJobSpec): Promise<JobSandbox> {
    const plan = spec.plan.executor;
    if (plan.kind !== 'docker') throw new ExecutorError(`The docker executor cannot run a ${plan.kind} job`, false);
    const policy = this.resolvePolicy(spec.plan.resourceClass);
    if (this.firewall?.ipv4 && !(await hostFirewallInPlace(this.options.firewall || {}))) {
      spec.log('The job network firewall was missing on this runner host; reinstalling it');
      await this.installFirewall();
    }
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
    await this.docker.createNetwork({
      Name: network, Driver: 'bridge', Labels: { ...labels, [LABELS.managed]: 'true' }, CheckDuplicate: true, EnableIPv6: false,
      Options: {
        // The host firewall matches job bridges by this name prefix (`-i kiln-+`).
        'com.docker.network.bridge.name': bridgeName(spec.taskId),
        // The bridge holds only this job's containers, so traffic inside it is the job's own.
        'com.docker.network.bridge.enable_icc': 'true',
        'com.docker.network.bridge.enable_ip_masquerade': 'true',
      },
    });
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
