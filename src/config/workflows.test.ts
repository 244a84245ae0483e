import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors, jobNames, plan } from '../../test/fixtures/config/helpers.js';
import { scheduledWorkflows } from './schedules.js';

const JOBS = `jobs:
  test:
    parameters: { os: { type: string, default: linux }, node-version: { type: string, default: "20" } }
    docker: [{ image: "cimg/node:<< parameters.node-version >>" }]
    steps: [{ run: "echo << parameters.os >>" }]
  build: { docker: [{ image: x }], steps: [checkout] }
  deploy: { docker: [{ image: x }], steps: [checkout] }
  lint: { docker: [{ image: x }], steps: [checkout] }
`;

describe('matrix', () => {
  it('expands the cross product minus exclude, named by parameter name order', async () => {
    const p = await plan(`version: 2.1
${JOBS}workflows:
  w:
    jobs:
      - test:
          matrix:
            parameters: { os: [docker, linux, macos], node-version: ["14.17.6", "16"] }
            exclude: [{ os: macos, node-version: "16" }]
      - deploy: { requires: [test] }
`);
    assert.deepEqual(jobNames(p).w, ['test-14.17.6-docker', 'test-14.17.6-linux', 'test-14.17.6-macos', 'test-16-docker', 'test-16-linux', 'deploy']);
    assert.deepEqual(p.workflows[0].jobs[5].requires.map((r) => r.job), jobNames(p).w.slice(0, 5));
    const t = p.workflows[0].jobs[0].job!;
    assert.equal(t.name, 'test');
    assert.equal((t.steps[0] as { command: string }).command, 'echo docker');
  });

  it('supports alias, << matrix.x >> in name and requires', async () => {
    const p = await plan(`version: 2.1
${JOBS}workflows:
  w:
    jobs:
      - build: { name: "build-<< matrix.os >>", matrix: { alias: builds, parameters: { os: [a, b] } } }
      - test:
          name: "test-<< matrix.os >>"
          requires: ["build-<< matrix.os >>"]
          matrix: { parameters: { os: [a, b] } }
      - deploy: { requires: [builds] }
`).catch((e: Error) => e);
    // build has no os parameter: CircleCI rejects unknown matrix arguments too.
    assert.ok(p instanceof Error && /has no parameter "os"/.test(p.message));
    const q = await plan(`version: 2.1
${JOBS}workflows:
  w:
    jobs:
      - test: { name: "t-<< matrix.os >>", matrix: { alias: tests, parameters: { os: [a, b] } } }
      - test:
          name: "again-<< matrix.os >>"
          requires: ["t-<< matrix.os >>"]
          matrix: { parameters: { os: [a, b] } }
      - deploy: { requires: [tests] }
`);
    assert.deepEqual(jobNames(q).w, ['t-a', 't-b', 'again-a', 'again-b', 'deploy']);
    assert.deepEqual(q.workflows[0].jobs[3].requires.map((r) => r.job), ['t-b']);
    assert.deepEqual(q.workflows[0].jobs[4].requires.map((r) => r.job), ['t-a', 't-b']);
  });
});

describe('requires, approval, no-op, context', () => {
  it('parses statuses, terminal, approval and contexts', async () => {
    const p = await plan(`version: 2.1
${JOBS}  noop: { type: no-op }
workflows:
  w:
    jobs:
      - build: { context: org-global }
      - lint: { context: [a, b] }
      - hold: { type: approval, requires: [build] }
      - deploy: { requires: [hold, { lint: [success, failed] }, { build: terminal }] }
      - noop: { requires: [deploy] }
`);
    const [build, lint, hold, deploy, noop] = p.workflows[0].jobs;
    assert.deepEqual(build.contexts, ['org-global']);
    assert.deepEqual(lint.contexts, ['a', 'b']);
    assert.equal(hold.type, 'approval');
    assert.equal(hold.job, undefined);
    assert.deepEqual(deploy.requires, [
      { job: 'hold', statuses: ['success'] },
      { job: 'lint', statuses: ['success', 'failed'] },
      { job: 'build', statuses: ['success', 'failed', 'canceled', 'unauthorized', 'not_run'] },
    ]);
    assert.equal(noop.type, 'no-op');
  });

  it('rejects unknown requirements, bad statuses, duplicates and cycles', async () => {
    const errs = await errors(`version: 2.1
${JOBS}workflows:
  w:
    jobs:
      - build: { requires: [deploy] }
      - deploy: { requires: [build, { lint: maybe }, ghost] }
      - lint
      - lint
`);
    const msgs = errs.map((e) => e.message).join('\n');
    assert.match(msgs, /requires "ghost", which is not a job in this workflow/);
    assert.match(msgs, /requires status must be one of/);
    assert.match(msgs, /two jobs in workflow "w" are named "lint"/);
    assert.match(msgs, /cycle/);
  });
});

describe('filters', () => {
  const CFG = `version: 2.1
${JOBS}workflows:
  w:
    jobs:
      - build: { filters: { tags: { only: /^v.*/ } } }
      - lint
      - test: { requires: [build, lint], filters: { tags: { only: /^v.*/ } } }
      - deploy: { requires: [test], filters: { branches: { ignore: /.*/ }, tags: { only: /^v.*/ } } }
`;

  it('branches: drops filtered jobs and requirements on them', async () => {
    const p = await plan(CFG);
    assert.deepEqual(jobNames(p).w, ['build', 'lint', 'test']);
  });

  it('tags: only jobs with tag filters run, and a job whose requirements are all filtered out does not run', async () => {
    const p = await plan(CFG, { values: { git: { branch: undefined, tag: 'v1.0' } } });
    assert.deepEqual(jobNames(p).w, ['build', 'test', 'deploy']);
    assert.deepEqual(p.workflows[0].jobs[1].requires.map((r) => r.job), ['build'], 'lint has no tag filter, so that requirement is ignored');
    const q = await plan(CFG.replace('- build: { filters: { tags: { only: /^v.*/ } } }', '- build'), { values: { git: { branch: undefined, tag: 'v1.0' } } });
    assert.deepEqual(q.workflows, [], 'upstream without tag filters stops the chain');
  });

  it('expression filters', async () => {
    const p = await plan(`version: 2.1
${JOBS}workflows:
  w:
    jobs:
      - build: { filters: 'pipeline.git.branch == "main" or pipeline.git.tag starts-with "v"' }
      - lint: { filters: 'pipeline.git.branch starts-with "release"' }
`);
    assert.deepEqual(jobNames(p).w, ['build']);
  });
});

describe('workflow when/unless, schedules, setup', () => {
  it('evaluates workflow conditions (logic or expression strings)', async () => {
    const p = await plan(`version: 2.1
parameters: { nightly: { type: boolean, default: false } }
${JOBS}workflows:
  a: { when: << pipeline.parameters.nightly >>, jobs: [build] }
  b: { unless: << pipeline.parameters.nightly >>, jobs: [lint] }
  c: { when: 'pipeline.trigger_source == "api"', jobs: [deploy] }
  d: { when: { equal: [webhook, << pipeline.trigger_source >>] }, jobs: [build] }
`);
    assert.deepEqual(Object.keys(jobNames(p)), ['b', 'c']);
  });

  it('runs schedule-triggered workflows only for schedules on matching branches', async () => {
    const cfg = `version: 2.1
${JOBS}workflows:
  push: { jobs: [build] }
  nightly:
    triggers: [{ schedule: { cron: "0 2 * * *", filters: { branches: { only: [main] } } } }]
    jobs: [lint]
`;
    assert.deepEqual(Object.keys(jobNames(await plan(cfg))), ['push']);
    assert.deepEqual(Object.keys(jobNames(await plan(cfg, { values: { triggerSource: 'schedule' }, scheduledWorkflow: 'nightly' }))), ['nightly']);
    assert.deepEqual(Object.keys(jobNames(await plan(cfg, { values: { triggerSource: 'schedule', git: { branch: 'dev' } }, scheduledWorkflow: 'nightly' }))), []);
    assert.deepEqual(Object.keys(jobNames(await plan(cfg, { values: { triggerSource: 'scheduled_pipeline' } }))), ['push', 'nightly']);
    assert.deepEqual(scheduledWorkflows({ source: cfg }), [{ workflow: 'nightly', cron: '0 2 * * *', branches: { only: ['main'] } }]);
  });

  it('marks setup configs and allows them one workflow', async () => {
    const p = await plan(`version: 2.1
setup: true
${JOBS}workflows: { s: { jobs: [build] } }
`);
    assert.equal(p.setup, true);
    const errs = await errors(`version: 2.1
setup: true
${JOBS}workflows: { s: { jobs: [build] }, t: { jobs: [lint] } }
`);
    assert.match(errs[0].message, /setup config may run only one workflow/);
  });
});
