/**
 * @module The Docker Engine API bodies for a job's containers, hardened by default: no
 * privileges, all capabilities dropped but a documented few, no-new-privileges, a seccomp
 * profile, pid/memory/cpu limits, an init process, and only the job's own network.
 * Nothing here ever mounts the Docker socket or a host path.
 */
import type { ContainerCreateOptions } from 'dockerode';
import type { DockerImagePlan } from '../../config/plan.js';
import { LABELS } from '../executor.js';

export interface ResourceLimits {
  /** Bytes; swap is disabled by setting MemorySwap to the same value. */
  memoryBytes: number;
  nanoCpus: number;
  pidsLimit: number;
}

export interface SandboxPolicy {
  limits: ResourceLimits;
  /** `seccomp=<json>` entries etc.; see seccomp.ts. */
  securityOpt: string[];
  /** Capabilities added back after dropping ALL. */
  capAdd: string[];
}

/**
 * Capabilities an ordinary CI image needs, added back after `CapDrop: ALL`:
 * CHOWN, DAC_OVERRIDE, FOWNER, FSETID (package managers and file ownership as root),
 * SETUID, SETGID (su/sudo-less user switching by package scripts), KILL (signal own processes),
 * NET_BIND_SERVICE (services on ports < 1024), SYS_CHROOT (chroot-based tooling and
 * namespace sandboxes). Not added: NET_RAW, MKNOD, AUDIT_WRITE, SETFCAP, SETPCAP, and
 * everything outside Docker's default set.
 */
export const DEFAULT_CAP_ADD = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'SETUID', 'SETGID', 'KILL', 'NET_BIND_SERVICE', 'SYS_CHROOT'];

/** Keeps a primary container alive when its image is not told what to run. */
export const KEEPALIVE = ['/bin/sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'];

export interface ContainerSpecInput {
  image: DockerImagePlan;
  role: 'primary' | 'service';
  name: string;
  labels: Record<string, string>;
  /** Network name for the primary; services join the primary's network namespace. */
  networkMode: string;
  aliases?: string[];
  policy: SandboxPolicy;
}

function envList(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}

export function containerSpec(input: ContainerSpecInput): ContainerCreateOptions {
  const { image, policy } = input;
  const runsOwnCommand = image.entrypoint !== undefined || image.command !== undefined;
  const primaryDefault = input.role === 'primary' && !runsOwnCommand;
  return {
    name: input.name,
    Image: image.image,
    Labels: { ...input.labels, [LABELS.managed]: 'true' },
    Env: envList(image.environment),
    ...(image.user ? { User: image.user } : {}),
    ...(primaryDefault ? { Entrypoint: KEEPALIVE.slice(0, 1), Cmd: KEEPALIVE.slice(1) } : {}),
    ...(image.entrypoint ? { Entrypoint: [...image.entrypoint] } : {}),
    ...(image.command ? { Cmd: [...image.command] } : {}),
    HostConfig: {
      // CgroupnsMode is in the Engine API (1.41+) but missing from @types/dockerode.
      ...({ CgroupnsMode: 'private' } as object),
      NetworkMode: input.networkMode,
      Init: true,
      Privileged: false,
      CapDrop: ['ALL'],
      CapAdd: policy.capAdd,
      SecurityOpt: policy.securityOpt,
      PidsLimit: policy.limits.pidsLimit,
      Memory: policy.limits.memoryBytes,
      MemorySwap: policy.limits.memoryBytes,
      NanoCpus: policy.limits.nanoCpus,
      IpcMode: 'private',
      PublishAllPorts: false,
      AutoRemove: false,
    },
    ...(input.aliases?.length ? { NetworkingConfig: { EndpointsConfig: { [input.networkMode]: { Aliases: input.aliases } } } } : {}),
  };
}
