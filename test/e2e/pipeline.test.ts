/**
 * Issue 2 acceptance, end to end on the real Docker engine: a two-job workflow with a service
 * container runs through the CLI with live output; a failing step fails the job and the
 * command; a YAML error puts the pipeline in `errored` with line and column; nothing of the
 * jobs is left in Docker.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, createRepo, ensureTestImages, runCli, startKiln, waitForNoDockerObjects, type TestKiln } from '../support/kiln.js';

const TWO_JOBS = `version: 2.1
jobs:
  build:
    docker:
      - image: kiln-test/bash:1
    environment:
      GREETING: hello
    steps:
      - checkout
      - run: echo "BUILD-MARKER $GREETING $CIRCLE_JOB $CIRCLE_BRANCH"; cat README.md
      - run:
          name: state crosses steps through BASH_ENV
          command: echo 'export FROM_ENV=carried' >> "$BASH_ENV"
      - run: echo "env says $FROM_ENV"
  test:
    docker:
      - image: kiln-test/bash:1
      - image: kiln-test/sh:1
        name: web
        command: ["httpd", "-f", "-p", "8080", "-h", "/etc"]
    steps:
      - run:
          name: reach the service container on localhost
          command: |
            for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://localhost:8080/hostname >/dev/null 2>&1 && break; sleep 0.3; done
            wget -qO- http://localhost:8080/passwd | head -1
            echo "TEST-MARKER node $CIRCLE_NODE_INDEX of $CIRCLE_NODE_TOTAL"
workflows:
  main:
    jobs:
      - build
      - test:
          requires: [build]
`;

describe('a pipeline runs end to end', { timeout: 300_000 }, () => {
  let kiln: TestKiln;
  let env: Record<string, string>;
  before(async () => {
    ensureTestImages();
    kiln = await startKiln();
    env = { KILN_URL: kiln.url, KILN_TOKEN: ADMIN_TOKEN };
  });
  after(async () => { await kiln?.stop(); });

  it('streams both markers live through `kiln pipeline trigger --follow` and exits 0', async () => {
    const repo = createRepo(TWO_JOBS, { 'README.md': 'checked-out-readme\n' });
    const created = await runCli(['project', 'create', 'demo', '--repo', repo.url], env);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), 'git/default/demo');
    const run = await runCli(['pipeline', 'trigger', 'git/default/demo', '--follow'], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /\[build\] BUILD-MARKER hello build main/);
    assert.match(run.stdout, /\[build\] checked-out-readme/, 'checkout works in an image without git');
    assert.match(run.stdout, /\[build\] env says carried/, '$BASH_ENV carries state between steps');
    assert.match(run.stdout, /\[test\] root:x:0:0:root/, 'the service container answers on localhost');
    assert.match(run.stdout, /\[test\] TEST-MARKER node 0 of 1/);
    assert.match(run.stdout, /build: success/);
    assert.match(run.stdout, /test: success/);
    assert.ok(run.stdout.indexOf('BUILD-MARKER') < run.stdout.indexOf('TEST-MARKER'), 'test runs after build');
    repo.remove();
  });

  it('fails the job and the command when a step exits 3, naming the job and step', async () => {
    const repo = createRepo(`version: 2.1
jobs:
  unit:
    docker: [{ image: kiln-test/sh:1 }]
    steps:
      - run: echo before
      - run:
          name: the failing step
          command: exit 3
      - run: echo SHOULD-NOT-RUN
      - run:
          name: cleanup
          command: echo ALWAYS-RUNS
          when: always
workflows:
  w:
    jobs: [unit]
`);
    await kiln.client.createProject({ name: 'failing', repo_url: repo.url });
    const run = await runCli(['pipeline', 'trigger', 'git/default/failing', '--follow'], env);
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /unit: failed/);
    assert.match(run.stderr, /job unit failed at step "the failing step" \(exit code 3\)/);
    assert.doesNotMatch(run.stdout, /SHOULD-NOT-RUN/);
    assert.match(run.stdout, /ALWAYS-RUNS/, 'when: always steps run after a failure');
    const pipelines = await kiln.client.listPipelines('git/default/failing');
    const workflows = await kiln.client.pipelineWorkflows(pipelines.items[0]!.id);
    const jobs = await kiln.client.workflowJobs(workflows.items[0]!.id);
    assert.equal(jobs.items[0]!.status, 'failed');
    assert.equal(workflows.items[0]!.status, 'failed');
    repo.remove();
  });

  it('puts a pipeline whose config has a YAML error in the errored state, with line and column', async () => {
    const repo = createRepo('version: 2.1\njobs:\n  build:\n    docker: [{ image: kiln-test/sh:1 }\n    steps: [checkout]\n');
    await kiln.client.createProject({ name: 'broken', repo_url: repo.url });
    const created = await kiln.client.triggerPipeline('git/default/broken', {});
    assert.equal(created.state, 'errored');
    const pipeline = await kiln.client.getPipeline(created.id);
    assert.equal(pipeline.errors[0]!.type, 'config');
    assert.match(pipeline.errors[0]!.message, /^\.circleci\/config\.yml:\d+:\d+ /);
    assert.ok(pipeline.errors[0]!.line! >= 4, `line ${pipeline.errors[0]!.line}`);
    const run = await runCli(['pipeline', 'trigger', 'git/default/broken', '--follow'], env);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /config error: \.circleci\/config\.yml:\d+:\d+/);
    repo.remove();
  });

  it('lists the built-in runner as online for admins', async () => {
    const runners = await kiln.client.http.call<{ items: Array<{ id: string; name: string; online: boolean; resource_classes: string[] }> }>('GET', '/api/v2/runner');
    const builtin = runners.items.find((r) => r.id === kiln.runnerId);
    assert.ok(builtin, 'the built-in runner is registered');
    assert.equal(builtin.online, true);
    assert.ok(builtin.resource_classes.includes('medium'));
    assert.ok(!JSON.stringify(runners).includes('kiln_runner_'), 'runner tokens never leave the server');
  });

  it('leaves no containers, networks or volumes of finished jobs in Docker', async () => {
    assert.ok(kiln.runnerId);
    assert.deepEqual(await waitForNoDockerObjects(kiln.runnerId), { containers: [], networks: [], volumes: [] });
  });
});
