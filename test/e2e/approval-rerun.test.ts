/**
 * Approval jobs and workflow reruns through the API: approving an on-hold job lets its
 * dependents run and records the approver; a workflow reruns from the start or from failed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { WorkflowJob } from '../../src/api/resources.js';
import type { ApiError } from '../../src/client/index.js';
import { waitFor } from '../support/wait.js';
import { createRepo, ensureTestImages, startKiln, type TestKiln } from '../support/kiln.js';

describe('approvals and reruns', { timeout: 240_000 }, () => {
  let kiln: TestKiln;
  before(async () => { ensureTestImages(); kiln = await startKiln(); });
  after(async () => { await kiln?.stop(); });

  const jobsOf = async (workflowId: string) => new Map((await kiln.client.workflowJobs(workflowId)).items.map((j): [string, WorkflowJob] => [j.name, j]));

  it('holds dependents until approved, then records the approver and runs them', async () => {
    const repo = createRepo(`version: 2.1
jobs:
  build: { docker: [{ image: kiln-test/sh:1 }], steps: [{ run: echo built }] }
  deploy: { docker: [{ image: kiln-test/sh:1 }], steps: [{ run: echo deployed }] }
workflows:
  release:
    jobs:
      - build
      - hold: { type: approval, requires: [build] }
      - deploy: { requires: [hold] }
`);
    await kiln.client.createProject({ name: 'approvals', repo_url: repo.url });
    const pipeline = await kiln.client.triggerPipeline('git/default/approvals', {});
    const workflowId = (await kiln.client.pipelineWorkflows(pipeline.id)).items[0]!.id;
    const hold = await waitFor('the workflow to move on', async () => { const j = (await jobsOf(workflowId)).get('hold'); return j?.status === 'on_hold' ? j : undefined; });
    assert.equal((await kiln.client.getPipeline(pipeline.id)).state, 'created');
    assert.equal((await kiln.client.pipelineWorkflows(pipeline.id)).items[0]!.status, 'on_hold');
    assert.equal((await jobsOf(workflowId)).get('deploy')!.status, 'blocked');

    const wrong = await kiln.client.approve(workflowId, (await jobsOf(workflowId)).get('build')!.id).catch((e: ApiError) => e);
    assert.equal((wrong as ApiError).status, 404, 'only approval jobs can be approved');
    assert.equal((await kiln.client.approve(workflowId, hold.approval_request_id!)).message, 'Accepted.');
    const again = await kiln.client.approve(workflowId, hold.approval_request_id!).catch((e: ApiError) => e);
    assert.equal((again as ApiError).status, 409, 'an approval is given once');

    const deploy = await waitFor('the workflow to move on', async () => { const j = (await jobsOf(workflowId)).get('deploy'); return j?.status === 'success' ? j : undefined; });
    assert.equal(deploy.status, 'success');
    const approved = (await jobsOf(workflowId)).get('hold')!;
    assert.equal(approved.status, 'success');
    assert.ok(approved.approved_by);
    assert.equal((await kiln.client.pipelineWorkflows(pipeline.id)).items[0]!.status, 'success');
    repo.remove();
  });

  it('reruns a failed workflow from failed (keeping successes) and from the start', async () => {
    const repo = createRepo(`version: 2.1
jobs:
  prepare: { docker: [{ image: kiln-test/sh:1 }], steps: [{ run: echo prepared }] }
  flaky: { docker: [{ image: kiln-test/sh:1 }], steps: [{ run: exit 1 }] }
workflows:
  w:
    jobs: [prepare, { flaky: { requires: [prepare] } }]
`);
    await kiln.client.createProject({ name: 'reruns', repo_url: repo.url });
    const pipeline = await kiln.client.triggerPipeline('git/default/reruns', {});
    const first = (await kiln.client.pipelineWorkflows(pipeline.id)).items[0]!;
    await waitFor('the workflow to move on', async () => ((await kiln.client.workflow(first.id)).status === 'failed' ? true : undefined));
    const firstJobs = await jobsOf(first.id);

    const fromFailed = await kiln.client.rerunWorkflow(first.id, { fromFailed: true });
    await waitFor('the workflow to move on', async () => ((await kiln.client.workflow(fromFailed.workflow_id)).status === 'failed' ? true : undefined));
    const rerun = await jobsOf(fromFailed.workflow_id);
    assert.equal(rerun.get('prepare')!.status, 'success');
    assert.equal(rerun.get('prepare')!.job_number, undefined, 'a job that succeeded is not run again');
    assert.ok(rerun.get('flaky')!.job_number! > firstJobs.get('flaky')!.job_number!, 'the failed job ran again');

    const fromStart = await kiln.client.rerunWorkflow(first.id);
    await waitFor('the workflow to move on', async () => ((await kiln.client.workflow(fromStart.workflow_id)).status === 'failed' ? true : undefined));
    const restarted = await jobsOf(fromStart.workflow_id);
    assert.ok(restarted.get('prepare')!.job_number! > firstJobs.get('prepare')!.job_number!, 'from the start reruns every job');
    assert.equal((await kiln.client.pipelineWorkflows(pipeline.id)).items.length, 3);
    repo.remove();
  });
});
