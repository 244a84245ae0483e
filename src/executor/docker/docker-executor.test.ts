import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type Docker from 'dockerode';
import { ExecutorError } from '../executor.js';
import { containerSpec, DEFAULT_CAP_ADD } from './container-spec.js';
import { DockerExecutor, runnableResourceClasses, validateResourceClasses, type ResourceClassPolicy } from './docker-executor.js';
import { BLOCKED_IPV4, bridgeName, firewallRules, hostNameservers } from './host-firewall.js';
import { defaultSecurityOpt } from './seccomp.js';

const limits = { memoryBytes: 256 * 1024 ** 2, nanoCpus: 1e9, pidsLimit: 128 };
const CLASSES: Record<string, ResourceClassPolicy> = { small: { limits }, builder: { limits, privileged: true } };

/** A Docker client that only answers `info()` and the reaper's list calls. */
function fakeDocker(securityOptions: string[] | undefined): Docker {
  return {
    info: async () => ({ SecurityOptions: securityOptions }),
    listContainers: async () => [], listNetworks: async () => [], listVolumes: async () => ({ Volumes: [] }),
    modem: { socketPath: '/var/run/docker.sock' },
  } as unknown as Docker;
}

describe('DockerExecutor.prepare', () => {
  test('refuses to run jobs when the engine reports no seccomp support', async () => {
    for (const options of [[], ['name=apparmor'], undefined]) {
      const executor = new DockerExecutor({ runnerId: 'r', resourceClasses: CLASSES, docker: fakeDocker(options), firewall: false });
      await assert.rejects(executor.prepare(), (error: Error) => error instanceof ExecutorError && /no seccomp support; Kiln refuses to run jobs unconfined/.test(error.message));
    }
  });

  test('accepts an engine that reports seccomp', async () => {
    const executor = new DockerExecutor({ runnerId: 'r', resourceClasses: CLASSES, docker: fakeDocker(['name=seccomp,profile=default']), firewall: false });
    await executor.prepare();
  });

  test('warns, and still prepares, when the firewall cannot be installed', async () => {
    const warnings: string[] = [];
    const executor = new DockerExecutor({
      runnerId: 'r', resourceClasses: CLASSES, docker: fakeDocker(['name=seccomp']), warn: (m) => warnings.push(m),
      firewall: { commands: { iptables: '/nonexistent/iptables', ip6tables: '/nonexistent/ip6tables' }, nameservers: [] },
    });
    await executor.prepare();
    assert.equal(executor.firewall?.ipv4, false);
    assert.match(warnings[0], /Could not install the job network firewall .*Jobs still run, but they can reach this host/);
  });
});

describe('resource classes', () => {
  const executor = new DockerExecutor({ runnerId: 'r', resourceClasses: CLASSES, docker: fakeDocker(['name=seccomp']), firewall: false });

  test('an unknown class is a clear, non-infrastructure error naming the offered classes', () => {
    assert.throws(() => executor.resolvePolicy('gpu'), (e: ExecutorError) => e.infrastructure === false && e.message === 'Unknown resource class "gpu" (this runner offers: small)');
  });

  test('a privileged class runs only on a runner that opted in', () => {
    assert.throws(() => executor.resolvePolicy('builder'), /runs privileged containers, and this runner does not allow them/);
    const optedIn = new DockerExecutor({ runnerId: 'r', resourceClasses: CLASSES, docker: fakeDocker(['name=seccomp']), firewall: false, allowPrivilegedClasses: true });
    assert.equal(optedIn.resolvePolicy('builder').privileged, true);
    assert.deepEqual(runnableResourceClasses(CLASSES), ['small']);
    assert.deepEqual(runnableResourceClasses(CLASSES, true), ['small', 'builder']);
  });

  test('limits come from the class; invalid tables fail at start-up', () => {
    assert.deepEqual(executor.resolvePolicy('small').limits, limits);
    assert.throws(() => validateResourceClasses({}), /No resource classes/);
    assert.throws(() => validateResourceClasses({ x: { limits: { ...limits, pidsLimit: 0 } } }), /Resource class "x": pidsLimit must be an integer/);
  });
});

describe('container spec', () => {
  const policy = { limits, securityOpt: defaultSecurityOpt(), capAdd: DEFAULT_CAP_ADD };
  const spec = containerSpec({ image: { image: 'img', environment: {} }, role: 'primary', name: 'n', labels: {}, networkMode: 'net', policy });
  const host = spec.HostConfig!;

  test('is hardened by default', () => {
    assert.equal(host.Privileged, false);
    assert.deepEqual(host.CapDrop, ['ALL']);
    for (const cap of ['DAC_OVERRIDE', 'MKNOD', 'NET_RAW', 'SYS_ADMIN', 'NET_ADMIN']) assert.ok(!host.CapAdd!.includes(cap), cap);
    assert.equal(host.Init, true);
    assert.equal(host.PidsLimit, 128);
    assert.equal(host.Memory, host.MemorySwap);
    assert.deepEqual(host.Devices, []);
    assert.deepEqual(host.Binds, []);
    assert.equal(host.NetworkMode, 'net');
    assert.ok(host.SecurityOpt!.includes('no-new-privileges=true'));
  });

  test('sends the strict user-namespace seccomp profile inline, with clone3 → ENOSYS', () => {
    const opt = host.SecurityOpt!.find((o: string) => o.startsWith('seccomp='))!;
    const profile = JSON.parse(opt.slice('seccomp='.length)) as { defaultAction: string; syscalls: { names: string[]; action: string; errnoRet?: number; args?: { value: number }[]; excludes?: { caps?: string[] } }[] };
    assert.equal(profile.defaultAction, 'SCMP_ACT_ERRNO');
    const clone3 = profile.syscalls.find((g) => g.names.includes('clone3') && g.action === 'SCMP_ACT_ERRNO');
    assert.equal(clone3?.errnoRet, 38);
    const unshare = profile.syscalls.find((g) => g.names.includes('unshare') && g.excludes?.caps?.includes('CAP_SYS_ADMIN'));
    assert.equal(unshare?.args?.[0].value, 0x6E020000, 'only CLONE_NEWUSER may be unshared');
    assert.ok(!profile.syscalls.some((g) => g.names.includes('setns') && g.action === 'SCMP_ACT_ALLOW' && !JSON.stringify(g).includes('CAP_SYS_ADMIN')), 'setns stays blocked');
  });
});

describe('host firewall', () => {
  test('bridge names fit Linux interface names and carry the kiln- prefix', () => {
    const name = bridgeName('a-very-long-task-id-0123456789');
    assert.match(name, /^kiln-[0-9a-f]{10}$/);
    assert.ok(name.length <= 15);
  });

  test('rules keep replies, allow the job bridge and nameservers, reject private and metadata ranges and the host', () => {
    const rules = firewallRules(4, { nameservers: ['10.255.255.53'], allow: ['10.9.9.9/32'] });
    const lines = rules.split('\n');
    const index = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
    assert.ok(index(/ESTABLISHED -j RETURN/) < index(/-d 10\.0\.0\.0\/8/));
    assert.ok(index(/-d 10\.255\.255\.53\/32 -p udp --dport 53 -j RETURN/) < index(/-d 10\.0\.0\.0\/8/));
    assert.ok(index(/-d 10\.9\.9\.9\/32 -j RETURN/) < index(/-d 10\.0\.0\.0\/8/));
    for (const cidr of BLOCKED_IPV4) assert.ok(rules.includes(`-A KILN-FORWARD -i kiln-+ -d ${cidr} -j REJECT`), cidr);
    assert.ok(rules.includes('-A KILN-INPUT -i kiln-+ -j REJECT'));
    assert.match(firewallRules(6, { nameservers: [] }), /-d fc00::\/7 -j REJECT --reject-with adm-prohibited/);
  });

  test('nameservers come from resolv.conf, or systemd-resolved upstreams behind a stub', () => {
    const files: Record<string, string> = { '/etc/resolv.conf': 'nameserver 127.0.0.53\n', '/run/systemd/resolve/resolv.conf': 'nameserver 10.0.0.2\nnameserver 1.1.1.1\n' };
    assert.deepEqual(hostNameservers((p) => files[p]), ['10.0.0.2', '1.1.1.1']);
    assert.deepEqual(hostNameservers(() => 'search x\nnameserver 192.168.1.1\n'), ['192.168.1.1']);
  });
});
