/**
 * A crashed runner never leaves a job running forever nor anything behind in Docker: the
 * server (with its built-in runner) is killed with SIGKILL mid-job and started again.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KilnClient } from '../../src/client/index.js';
import { waitFor } from '../support/wait.js';
import { ADMIN_TOKEN, createRepo, ensureTestImages, kilnDockerObjects, waitForNoDockerObjects } from '../support/kiln.js';

const ROOT = new URL('../..', import.meta.url).pathname;

function startServerProcess(dataDir: string, port: number): ChildProcess {
  return spawn(process.execPath, [join(ROOT, 'bin/kiln.mjs'), 'server', '--data-dir', dataDir, '--port', String(port), '--host', '127.0.0.1', '--insecure-http', '--log-level', 'warn'], {
    env: { ...process.env, KILN_BOOTSTRAP_TOKEN: ADMIN_TOKEN }, stdio: ['ignore', 'ignore', 'pipe'],
  });
}

describe('crash recovery', { timeout: 180_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kiln-crash-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  let server: ChildProcess | undefined;
  const client = new KilnClient({ baseUrl: `http://127.0.0.1:${port}`, token: ADMIN_TOKEN });
  before(() => ensureTestImages());
  after(async () => {
    server?.kill('SIGKILL');
    await client.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fails the job and removes its containers after SIGKILL and restart', async () => {
    const repo = createRepo(`version: 2.1
jobs:
  slow:
    docker: [{ image: kiln-test/sh:1 }, { image: kiln-test/sh:1, name: helper, command: ["sleep", "600"] }]
    steps:
      - run: echo started; sleep 600
workflows:
  w:
    jobs: [slow]
`);
    server = startServerProcess(dataDir, port);
    await waitFor('the server', () => client.listProjects(), { ignoreErrors: true });
    await client.createProject({ name: 'crash', repo_url: repo.url });
    const pipeline = await client.triggerPipeline('git/default/crash', {});
    const workflowId = await waitFor('the workflow', async () => (await client.pipelineWorkflows(pipeline.id)).items[0]?.id);
    const jobId = await waitFor('the job to run', async () => {
      const job = (await client.workflowJobs(workflowId)).items[0];
      return job?.status === 'running' ? job.id : undefined;
    });
    await waitFor('the job output', async () => ((await client.jobLog('git/default/crash', 1)).chunks.some((c) => c.data.includes('started')) ? true : undefined));
    const containers = execFileSync('docker', ['ps', '-aq', '--filter', `label=dev.kiln.job-id=${jobId}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
    assert.equal(containers.length, 2, 'the job containers (primary and service) exist while it runs');
    const runnerId = execFileSync('docker', ['inspect', '--format', '{{ index .Config.Labels "dev.kiln.runner-id" }}', containers[0]!], { encoding: 'utf8' }).trim();
    assert.ok(runnerId);

    server.kill('SIGKILL');
    await new Promise((resolve) => server!.once('exit', resolve));
    assert.ok(kilnDockerObjects(runnerId).containers.length >= 2, 'a crash leaves containers behind');

    server = startServerProcess(dataDir, port);
    const job = await waitFor('the job to end', async () => {
      const current = (await client.workflowJobs(workflowId)).items[0];
      return current && current.status !== 'running' ? current : undefined;
    }, { ignoreErrors: true });
    assert.equal(job.status, 'infrastructure_fail');
    assert.match(job.status_reason ?? '', /runner restarted/);
    assert.equal((await client.pipelineWorkflows(pipeline.id)).items[0]!.status, 'failed');
    assert.deepEqual(await waitForNoDockerObjects(runnerId), { containers: [], networks: [], volumes: [] });
    repo.remove();
  });
});
