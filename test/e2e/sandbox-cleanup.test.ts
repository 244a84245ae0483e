/**
 * "Destroyed after" (issue #6): after a job every container, network and volume of it answers
 * 404, and after a runner is SIGKILLed mid-job, the next runner with the same id removes all of
 * that job in prepare().
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test, type TestContext } from 'node:test';
import Docker from 'dockerode';
import { DockerExecutor, type ResourceClassPolicy } from '../../src/executor/docker/docker-executor.js';
import { LABELS } from '../../src/executor/executor.js';
import { dockerJobPlan, inspectStatus, jobSpec, runIn, sandboxPrerequisites } from '../support/netns.js';

const CLASSES: Record<string, ResourceClassPolicy> = { test: { limits: { memoryBytes: 256 * 1024 ** 2, nanoCpus: 1e9, pidsLimit: 128 } } };
const docker = new Docker();

async function objectsOf(label: string) {
  const filters = JSON.stringify({ label: [label] });
  const containers = (await docker.listContainers({ all: true, filters })).map((c) => c.Id);
  const networks = (await docker.listNetworks({ filters })).map((n) => n.Id);
  const volumes: string[] = [];
  for (const id of containers) {
    const info = await docker.getContainer(id).inspect();
    for (const m of info.Mounts) if (m.Type === 'volume' && m.Name) volumes.push(m.Name);
  }
  return { containers, networks, volumes };
}

async function assertAllGone(objects: { containers: string[]; networks: string[]; volumes: string[] }) {
  for (const id of objects.containers) assert.equal(await inspectStatus(docker, 'container', id), 404, `container ${id}`);
  for (const id of objects.networks) assert.equal(await inspectStatus(docker, 'network', id), 404, `network ${id}`);
  for (const id of objects.volumes) assert.equal(await inspectStatus(docker, 'volume', id), 404, `volume ${id}`);
}

describe('docker sandbox: destroyed after', () => {
  let skipReason: string | undefined;
  before(async () => { skipReason = await sandboxPrerequisites(); });
  const skipped = (t: TestContext) => { if (skipReason) t.skip(skipReason); return Boolean(skipReason); };
  const runnerIds: string[] = [];
  after(async () => {
    for (const id of runnerIds) await new DockerExecutor({ runnerId: id, resourceClasses: CLASSES, firewall: false }).prepare().catch(() => undefined);
  });

  test('after a job (success or failure) every container, network and volume of it answers 404', async (t) => {
    if (skipped(t)) return;
    const runnerId = `test-clean-${process.pid}`;
    runnerIds.push(runnerId);
    const executor = new DockerExecutor({ runnerId, resourceClasses: CLASSES, warn: () => undefined });
    await executor.prepare();
    for (const script of ['echo fine', 'echo broken; exit 3']) {
      const spec = jobSpec(dockerJobPlan(), 'clean');
      const sandbox = await executor.start(spec);
      const result = await runIn(sandbox, script);
      assert.equal(result.exitCode, script.includes('exit 3') ? 3 : 0);
      const objects = await objectsOf(`${LABELS.task}=${spec.taskId}`);
      assert.equal(objects.containers.length, 1);
      assert.equal(objects.networks.length, 1);
      assert.equal(objects.volumes.length, 1, 'the image declares a VOLUME, so the job has an anonymous volume');
      await sandbox.destroy();
      await sandbox.destroy(); // idempotent
      await assertAllGone(objects);
    }
  });

  test('a runner SIGKILLed mid-job leaves nothing behind once its successor runs prepare()', async (t) => {
    if (skipped(t)) return;
    const runnerId = `test-crash-${process.pid}`;
    runnerIds.push(runnerId);
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      import { DockerExecutor } from './src/executor/docker/docker-executor.ts';
      import { dockerJobPlan, jobSpec } from './test/support/netns.ts';
      const executor = new DockerExecutor({ runnerId: ${JSON.stringify(runnerId)}, resourceClasses: ${JSON.stringify(CLASSES)}, warn: () => undefined });
      await executor.prepare();
      const spec = jobSpec(dockerJobPlan(), 'crash');
      const sandbox = await executor.start(spec);
      console.log('STARTED ' + spec.taskId);
      await sandbox.run({ script: 'sleep 600', env: {}, workingDirectory: '/tmp', onOutput: () => {}, noOutputTimeoutMs: 600000 });
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    const taskId = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); const m = /STARTED (\S+)/.exec(out); if (m) resolve(m[1]); });
      child.on('exit', (code) => reject(new Error(`the child runner exited early (${code})`)));
    });
    await new Promise((r) => setTimeout(r, 500)); // the step is running
    const objects = await objectsOf(`${LABELS.task}=${taskId}`);
    assert.equal(objects.containers.length, 1);
    assert.equal(objects.networks.length, 1);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.equal(await inspectStatus(docker, 'container', objects.containers[0]), 200, 'the killed runner left its job behind');
    const successor = new DockerExecutor({ runnerId, resourceClasses: CLASSES, warn: () => undefined });
    await successor.prepare();
    await assertAllGone(objects);
    const left = await objectsOf(`${LABELS.runner}=${runnerId}`);
    assert.deepEqual(left, { containers: [], networks: [], volumes: [] });
  });
});
