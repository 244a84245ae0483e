import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JobStatus } from '../../api/resources.js';
import { jobStatusFromTasks, readiness, workflowStatus, type JobState } from './workflow-state.js';

const job = (name: string, status: JobStatus, requires: JobState['requires'] = []): JobState => ({ name, type: 'build', status, requires });
const success = (name: string) => ({ job: name, statuses: ['success' as const] });

describe('workflow rules', () => {
  it('starts a job once every requirement ended in an allowed status', () => {
    const build = job('build', 'running');
    const test = job('test', 'blocked', [success('build')]);
    const map = new Map([['build', build], ['test', test]]);
    assert.equal(readiness(test, map), 'waiting');
    map.set('build', { ...build, status: 'success' });
    assert.equal(readiness(test, map), 'ready');
    map.set('build', { ...build, status: 'failed' });
    assert.equal(readiness(test, map), 'never', 'a failed requirement makes dependents not_run');
  });

  it('honours requires with statuses such as failed or terminal', () => {
    const onFail = job('notify', 'blocked', [{ job: 'build', statuses: ['failed'] }]);
    assert.equal(readiness(onFail, new Map([['build', job('build', 'failed')]])), 'ready');
    assert.equal(readiness(onFail, new Map([['build', job('build', 'success')]])), 'never');
  });

  it('ignores requirements on jobs that were filtered out of the pipeline', () => {
    assert.equal(readiness(job('deploy', 'blocked', [success('gone')]), new Map()), 'ready');
  });

  it('derives the workflow status with CircleCI names', () => {
    assert.equal(workflowStatus([job('a', 'running'), job('b', 'blocked')]), 'running');
    assert.equal(workflowStatus([job('a', 'failed'), job('b', 'running')]), 'failing');
    assert.equal(workflowStatus([job('a', 'success'), job('hold', 'on_hold'), job('c', 'blocked')]), 'on_hold');
    assert.equal(workflowStatus([job('a', 'success'), job('b', 'success')]), 'success');
    assert.equal(workflowStatus([job('a', 'failed'), job('b', 'not_run')]), 'failed');
    assert.equal(workflowStatus([job('a', 'success'), job('b', 'canceled')]), 'canceled');
    assert.equal(workflowStatus([job('a', 'infrastructure_fail')]), 'failed');
  });

  it('aggregates parallel task outcomes into one job status', () => {
    assert.equal(jobStatusFromTasks(['success', 'running']), undefined);
    assert.equal(jobStatusFromTasks(['success', 'success']), 'success');
    assert.equal(jobStatusFromTasks(['success', 'failed']), 'failed');
    assert.equal(jobStatusFromTasks(['failed', 'infrastructure_fail']), 'infrastructure_fail');
  });
});
