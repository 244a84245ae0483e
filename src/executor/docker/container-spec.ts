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
  capAdd: readonly string[];
  /**
   * A privileged container (e.g. image builds). Only for resource classes an admin marked
   * privileged, on runners that opted in; see docker-executor.ts. Docker then applies no
   * seccomp profile and grants every capability and device: equal to root on the host.
   */
  privileged?: boolean;
}

/**
 * Capabilities added back after `CapDrop: ALL`, for root-run images (a non-root job user gets
 * none of them: its effective set is empty). Reviewed against docs/SANDBOX.md:
 *  - CHOWN, FOWNER, FSETID: package managers and archive extraction set owners and modes.
 *  - SETUID, SETGID: root switching to a less privileged user (e.g. `su`, `gosu`, apt's `_apt`).
 *  - KILL: signal processes of another uid (a root step stopping a service it started as a user).
 *  - NET_BIND_SERVICE: service containers listening on ports below 1024.
 *  - SYS_CHROOT: chroot-based tools and Chromium's namespace sandbox (headless browser tests);
 *    without it the seccomp profile also drops chroot.
 * Deliberately left out of Docker's default 14: DAC_OVERRIDE (root would bypass every file
 * permission), MKNOD (device nodes), NET_RAW (raw packets/ARP spoofing on the bridge; ping
 * still works through ICMP datagram sockets), AUDIT_WRITE, SETFCAP, SETPCAP.
 */
export const DEFAULT_CAP_ADD: readonly string[] = ['CHOWN', 'FOWNER', 'FSETID', 'SETUID', 'SETGID', 'KILL', 'NET_BIND_SERVICE', 'SYS_CHROOT'];

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
  const privileged = policy.privileged === true;
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
      Privileged: privileged,
      ...(privileged ? {} : { CapDrop: ['ALL'], CapAdd: [...policy.capAdd] }),
      SecurityOpt: policy.securityOpt,
      // No host devices, host paths, host namespaces, published ports or docker socket, ever.
      Devices: [],
      Binds: [],
      PidMode: '',
      UTSMode: '',
      UsernsMode: '',
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
