/**
 * Job network isolation (issue #6), tested only against hosts on this machine: a listener on the
 * host, another job's container, and network-namespace test hosts. Metadata and other blocked
 * ranges are asserted through the installed iptables rules, never by sending traffic there.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { DockerExecutor, type ResourceClassPolicy } from '../../src/executor/docker/docker-executor.js';
import type { JobSandbox } from '../../src/executor/executor.js';
import {
  createNetnsHost, dockerJobPlan, hostAddresses, hostListener, httpGet, jobSpec, plainDockerRun, runIn, sandboxPrerequisites, sh, type NetnsHost,
} from '../support/netns.js';

const CLASSES: Record<string, ResourceClassPolicy> = { test: { limits: { memoryBytes: 256 * 1024 ** 2, nanoCpus: 1e9, pidsLimit: 128 } } };

describe('docker sandbox: job network isolation', () => {
  let skipReason: string | undefined;
  let executor: DockerExecutor;
  let privateHost: NetnsHost | undefined;
  let publicHost: NetnsHost | undefined;
  const sandboxes: JobSandbox[] = [];

  before(async () => {
    skipReason = await sandboxPrerequisites();
    if (skipReason) return;
    executor = new DockerExecutor({ runnerId: `test-net-${process.pid}`, resourceClasses: CLASSES, warn: () => undefined });
    await executor.prepare();
    // A private-range host (must be unreachable from jobs) and a public-range one (the stand-in for the Internet).
    privateHost = await createNetnsHost({ tag: 'prv', address: '10.213.0.1', hostSideAddress: '10.213.0.254' });
    publicHost = await createNetnsHost({ tag: 'pub', address: '203.0.113.7', hostSideAddress: '203.0.113.254' });
  });

  after(async () => {
    for (const s of sandboxes) await s.destroy().catch(() => undefined);
    await privateHost?.close();
    await publicHost?.close();
  });

  const start = async () => {
    const sandbox = await executor.start(jobSpec(dockerJobPlan({ user: 'circleci' }), 'net'));
    sandboxes.push(sandbox);
    return sandbox;
  };
  const skipped = (t: TestContext) => { if (skipReason) t.skip(skipReason); return Boolean(skipReason); };

  test('the runner installed idempotent rules for kiln bridges in DOCKER-USER and INPUT, metadata ranges included', async (t) => {
    if (skipped(t)) return;
    assert.equal(executor.firewall?.ipv4, true, executor.firewall?.problems.join('; '));
    await executor.prepare(); // twice: still exactly one jump each
    const dockerUser = (await sh('iptables', ['-S', 'DOCKER-USER'])).stdout;
    const input = (await sh('iptables', ['-S', 'INPUT'])).stdout;
    assert.equal(dockerUser.split('\n').filter((l) => l === '-A DOCKER-USER -j KILN-FORWARD').length, 1, dockerUser);
    assert.equal(input.split('\n').filter((l) => l === '-A INPUT -j KILN-INPUT').length, 1, input);
    assert.match(dockerUser.split('\n')[1] ?? '', /-j KILN-FORWARD/, 'the Kiln chain is jumped to first');
    const forward = (await sh('iptables', ['-S', 'KILN-FORWARD'])).stdout;
    const kilnInput = (await sh('iptables', ['-S', 'KILN-INPUT'])).stdout;
    assert.match(forward, /-A KILN-FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN/);
    for (const cidr of ['169.254.0.0/16', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10']) {
      assert.match(forward, new RegExp(`-A KILN-FORWARD -d ${cidr.replace(/\./g, '\\.')} -i kiln-\\+ -j REJECT`), `${cidr} is blocked from kiln bridges`);
    }
    assert.match(kilnInput, /-A KILN-INPUT -i kiln-\+ -j REJECT/);
    assert.doesNotMatch(forward, /-A KILN-FORWARD -i kiln-\+ -j (DROP|REJECT)/, 'no catch-all: outbound Internet stays open');
    if (executor.firewall?.ipv6) {
      const forward6 = (await sh('ip6tables', ['-S', 'KILN-FORWARD'])).stdout;
      assert.match(forward6, /-d fc00::\/7 -i kiln-\+ -j REJECT/);
      assert.match(forward6, /-d fe80::\/10 -i kiln-\+ -j REJECT/);
    }
    // The job bridge carries the Kiln prefix the rules match.
    const sandbox = await start();
    const iface = (await runIn(sandbox, 'cat /sys/class/net/eth0/iflink')).output.trim();
    const bridges = (await sh('sh', ['-c', `grep -l '^${iface}$' /sys/class/net/*/ifindex | xargs -n1 dirname | xargs -n1 basename`])).stdout.trim();
    const master = (await sh('sh', ['-c', `basename "$(readlink /sys/class/net/${bridges}/master)"`])).stdout.trim();
    assert.match(master, /^kiln-[0-9a-f]{10}$/);
  });

  test('the host is unreachable from a job (gateway and host addresses), though a plain container reaches it', async (t) => {
    if (skipped(t)) return;
    const listener = await hostListener();
    try {
      const plain = await plainDockerRun(['sh', '-c', `timeout 5 nc -w 3 172.17.0.1 ${listener.port} </dev/null`]);
      assert.match(plain.output, /hello/, `the listener answers a plain container: ${plain.output}`);
      const sandbox = await start();
      const gateway = (await runIn(sandbox, "ip route | awk '/^default/ { print $3 }'")).output.trim();
      const before = listener.accepted();
      for (const address of [gateway, ...hostAddresses()]) {
        const r = await runIn(sandbox, `timeout 5 nc -w 3 ${address} ${listener.port} </dev/null && echo CONNECTED || echo BLOCKED`);
        assert.match(r.output, /BLOCKED/, `${address}:${listener.port} from a job: ${r.output}`);
      }
      assert.equal(listener.accepted(), before);
    } finally {
      await listener.close();
    }
  });

  test("another job's container is unreachable, though it serves its own job and the host", async (t) => {
    if (skipped(t)) return;
    const [a, b] = [await start(), await start()];
    const served = await runIn(b, 'mkdir -p /tmp/www && echo ok > /tmp/www/ok.txt && httpd -p 8080 -h /tmp/www && hostname -i');
    const bAddress = served.output.trim().split(/\s+/).pop()!;
    assert.match(bAddress, /^\d+\.\d+\.\d+\.\d+$/);
    const own = await runIn(b, httpGet(`${bAddress}:8080`));
    assert.match(own.output, /\nok/, 'job B reaches its own server');
    const fromHost = await sh('sh', ['-c', httpGet(`${bAddress}:8080`)]);
    assert.match(fromHost.stdout, /\nok/, 'the host reaches job B');
    const fromA = await runIn(a, `${httpGet(`${bAddress}:8080`)} && echo CONNECTED || echo BLOCKED`);
    assert.match(fromA.output, /BLOCKED/, `job A must not reach job B: ${fromA.output}`);
  });

  test('a private-range test host is unreachable from a job, while a plain container and a public-range host work', async (t) => {
    if (skipped(t)) return;
    const plain = await plainDockerRun(['sh', '-c', httpGet(privateHost!.target)]);
    assert.match(plain.output, /\nok/, `a plain docker run container reaches ${privateHost!.target}: ${plain.output}`);
    const sandbox = await start();
    const blocked = await runIn(sandbox, `${httpGet(privateHost!.target)} && echo CONNECTED || echo BLOCKED`);
    assert.match(blocked.output, /BLOCKED/, blocked.output);
    const outbound = await runIn(sandbox, httpGet(publicHost!.target));
    assert.match(outbound.output, /\nok/, `outbound traffic to a non-private address still works: ${outbound.output}`);
  });
});
