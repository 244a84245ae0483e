/**
 * The job sandbox seen from inside (issue #6): the isolation self-check passes in a real job
 * container created by the DockerExecutor, user namespaces behave as designed, a fork bomb is
 * contained, and resource classes are enforced.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test, type TestContext } from 'node:test';
import { DockerExecutor, type ResourceClassPolicy } from '../../src/executor/docker/docker-executor.js';
import type { JobSandbox } from '../../src/executor/executor.js';
import {
  createNetnsHost, dockerJobPlan, hostAddresses, hostListener, httpGet, jobSpec, plainDockerRun, runIn, sandboxPrerequisites, sh, type NetnsHost,
} from '../support/netns.js';

const MiB = 1024 ** 2;
const CLASSES: Record<string, ResourceClassPolicy> = {
  test: { limits: { memoryBytes: 256 * MiB, nanoCpus: 1e9, pidsLimit: 128 } },
  builder: { limits: { memoryBytes: 256 * MiB, nanoCpus: 1e9, pidsLimit: 128 }, privileged: true },
};
const CHECK_SCRIPT = readFileSync('scripts/isolation-check.sh', 'utf8');

describe('docker sandbox: isolation from inside a job', () => {
  let skipReason: string | undefined;
  let executor: DockerExecutor;
  let testHost: NetnsHost | undefined;
  let listener: Awaited<ReturnType<typeof hostListener>> | undefined;
  const sandboxes: JobSandbox[] = [];
  const warnings: string[] = [];

  before(async () => {
    skipReason = await sandboxPrerequisites();
    if (skipReason) return;
    executor = new DockerExecutor({ runnerId: `test-iso-${process.pid}`, resourceClasses: CLASSES, warn: (m) => warnings.push(m) });
    await executor.prepare();
    testHost = await createNetnsHost({ tag: 'iso', address: '10.213.1.1', hostSideAddress: '10.213.1.254' });
    listener = await hostListener();
  });

  after(async () => {
    for (const s of sandboxes) await s.destroy().catch(() => undefined);
    await testHost?.close();
    await listener?.close();
  });

  const start = async (plan = dockerJobPlan({ user: 'circleci' })) => {
    const sandbox = await executor.start(jobSpec(plan, 'iso'));
    sandboxes.push(sandbox);
    return sandbox;
  };
  const skipped = (t: TestContext) => { if (skipReason) t.skip(skipReason); return Boolean(skipReason); };

  test('the isolation self-check passes inside a job container', async (t) => {
    if (skipped(t)) return;
    assert.deepEqual(warnings, [], 'the runner installed its firewall without warnings');
    const { port } = listener!;
    // Prove the listeners answer containers at all: a plain `docker run` reaches both.
    const plainHost = await plainDockerRun(['nc', '-w', '3', '172.17.0.1', String(port)]);
    assert.match(plainHost.output, /hello/, `a plain container reaches the host listener: ${plainHost.output}`);
    const plainPrivate = await plainDockerRun(['sh', '-c', httpGet(testHost!.target)]);
    assert.match(plainPrivate.output, /ok/, `a plain container reaches the private test host: ${plainPrivate.output}`);

    const sandbox = await start();
    const gateway = (await runIn(sandbox, "ip route | awk '/^default/ { print $3 }'")).output.trim();
    assert.match(gateway, /^\d+\.\d+\.\d+\.\d+$/);
    const hostTargets = [gateway, ...hostAddresses()].map((a) => `${a}:${port}`).join(' ');
    const before = listener!.accepted();
    const result = await runIn(sandbox, CHECK_SCRIPT, {
      env: {
        ISOLATION_CHECK_HOST_TARGETS: hostTargets,
        ISOLATION_CHECK_PRIVATE_TARGETS: testHost!.target,
        ISOLATION_CHECK_EXPECT_PIDS_MAX: '128',
        ISOLATION_CHECK_EXPECT_MEMORY_MAX: String(256 * MiB),
        ISOLATION_CHECK_TIMEOUT: '2',
      },
    });
    t.diagnostic(result.output);
    assert.equal(listener!.accepted(), before, 'no connection from the job reached the host listener');
    assert.doesNotMatch(result.output, /^FAIL /m);
    assert.equal(result.exitCode, 0);
    for (const check of ['01-seccomp', '02-no-new-privileges', '03-capabilities', '04-non-root', '05-no-engine-socket', '06-no-engine-access',
      '07-pid-namespace', '08-net-namespace', '10-host-unreachable', '11-private-ranges', '12-procfs', '13-sysfs-cgroup', '14-devices',
      '15-mounts', '16-syscalls', '17-user-namespaces', '19-limits', '20-no-secrets']) {
      assert.match(result.output, new RegExp(`^PASS ${check}\\b`, 'm'), `${check} passes (not skipped)`);
    }
  });

  test('the self-check reports FAIL (and exits non-zero) when a job runs as root', async (t) => {
    if (skipped(t)) return;
    const sandbox = await start(dockerJobPlan());
    const result = await runIn(sandbox, CHECK_SCRIPT);
    assert.match(result.output, /^FAIL 04-non-root/m);
    assert.notEqual(result.exitCode, 0);
    // Root in the job still holds no dangerous capability.
    assert.match(result.output, /^PASS 03-capabilities/m);
  });

  test('unshare -U succeeds, while mount and unshare -n fail, for root and non-root jobs', async (t) => {
    if (skipped(t)) return;
    for (const plan of [dockerJobPlan({ image: 'kiln-test/bash:1' }), dockerJobPlan({ user: 'circleci' })]) {
      const sandbox = await start(plan);
      // Steps run with `-e`, so each result is captured explicitly.
      const script = 'for c in "userns:unshare -U true" "mount:mount -t tmpfs x /mnt" "netns:unshare -n true" "userns+netns:unshare -Un true"; do '
        + 'if ${c#*:} 2>/dev/null; then echo "${c%%:*}=ok"; else echo "${c%%:*}=refused"; fi; done';
      const { output, exitCode } = await runIn(sandbox, script);
      assert.equal(exitCode, 0, output);
      assert.match(output, /^userns=ok$/m, output);
      assert.match(output, /^mount=refused$/m, output);
      assert.match(output, /^netns=refused$/m, output);
      assert.match(output, /^userns\+netns=refused$/m, output);
    }
  });

  test('a fork bomb is contained by the pids limit; the executor and the next job keep working', async (t) => {
    if (skipped(t)) return;
    const sandbox = await start(dockerJobPlan({ image: 'kiln-test/sh:1' }));
    const started = Date.now();
    const bomb = await runIn(sandbox, 'bomb() { bomb | bomb & }; bomb; while :; do sleep 1000 & done', { timeoutMs: 20_000 });
    assert.ok(bomb.exitCode !== 0 || bomb.timedOut, `the fork-bomb step fails or is stopped (exit ${bomb.exitCode})`);
    assert.ok(Date.now() - started < 40_000, 'the step ended promptly');
    const containers = (await sh('docker', ['ps', '-q', '--filter', `label=dev.kiln.runner-id=test-iso-${process.pid}`])).stdout.trim().split('\n').filter(Boolean);
    for (const id of containers) {
      const pids = Number((await sh('docker', ['stats', '--no-stream', '--format', '{{.PIDs}}', id])).stdout.trim());
      assert.ok(pids <= 128, `container ${id} holds ${pids} pids (limit 128)`);
    }
    // The host can still start processes, and the same executor runs the next job normally.
    await sh('true');
    await sandbox.destroy();
    const next = await start(dockerJobPlan({ image: 'kiln-test/sh:1' }));
    const ok = await runIn(next, 'echo next job ok');
    assert.equal(ok.exitCode, 0);
    assert.match(ok.output, /next job ok/);
  });

  test('an unknown resource class and a privileged class on a runner without opt-in are refused clearly', async (t) => {
    if (skipped(t)) return;
    await assert.rejects(executor.start(jobSpec(dockerJobPlan({ resourceClass: 'xlarge-gpu' }))), /Unknown resource class "xlarge-gpu" \(this runner offers: test\)/);
    await assert.rejects(executor.start(jobSpec(dockerJobPlan({ resourceClass: 'builder' }))), /Resource class "builder" runs privileged containers, and this runner does not allow them/);
  });
});
