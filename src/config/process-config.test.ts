import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors, jobNames, plan, run } from '../../test/fixtures/config/helpers.js';
import type { DockerExecutorPlan, RunStepPlan } from './plan.js';

const BASIC = `version: 2.1
jobs:
  build:
    docker:
      - image: cimg/node:20.1
        environment: { NODE_ENV: test, DEBUG: yes, N: 3 }
      - image: postgres:14
        name: db
        entrypoint: /docker-entrypoint.sh
        command: [postgres, -c, fsync=off]
        user: postgres
        auth: { username: bob, password: $PW }
    environment:
      FOO: bar
    working_directory: ~/app
    steps:
      - checkout
      - checkout: { path: sub }
      - run: npm test
      - run:
          name: Named
          command: echo hi
          environment: { A: "1" }
          working_directory: web
          shell: /bin/sh
          when: always
          background: true
          no_output_timeout: 1.25h
  deploy:
    docker: [{ image: alpine }]
    steps: [{ run: { command: ./deploy, no_output_timeout: 30s, when: on_fail } }]
workflows:
  version: 2
  main:
    jobs:
      - build
      - deploy:
          requires: [build]
`;

describe('processConfig: jobs, docker, steps (issue 2 subset)', () => {
  it('compiles docker images, environment, working directory and run steps', async () => {
    const p = await plan(BASIC);
    assert.equal(p.setup, false);
    assert.deepEqual(jobNames(p), { main: ['build', 'deploy'] });
    const build = p.workflows[0].jobs[0].job!;
    assert.equal(build.name, 'build');
    assert.equal(build.workingDirectory, '~/app');
    assert.deepEqual(build.environment, { FOO: 'bar' });
    assert.equal(build.resourceClass, 'medium');
    assert.equal(build.parallelism, 1);
    const ex = build.executor as DockerExecutorPlan;
    assert.equal(ex.kind, 'docker');
    assert.deepEqual(ex.images[0], { image: 'cimg/node:20.1', environment: { NODE_ENV: 'test', DEBUG: 'true', N: '3' } });
    assert.deepEqual(ex.images[1], {
      image: 'postgres:14', name: 'db', entrypoint: ['/docker-entrypoint.sh'], command: ['postgres', '-c', 'fsync=off'],
      user: 'postgres', environment: {}, auth: { username: 'bob', password: '$PW' },
    });
    assert.deepEqual(build.steps.map((s) => s.kind), ['checkout', 'checkout', 'run', 'run']);
    assert.deepEqual(build.steps[1], { kind: 'checkout', name: 'Checkout code', when: 'on_success', path: 'sub' });
    const short = build.steps[2] as RunStepPlan;
    assert.deepEqual(short, { kind: 'run', name: 'npm test', when: 'on_success', command: 'npm test', environment: {}, background: false, noOutputTimeoutSeconds: 600 });
    assert.deepEqual(build.steps[3], {
      kind: 'run', name: 'Named', when: 'always', command: 'echo hi', environment: { A: '1' }, background: true,
      noOutputTimeoutSeconds: 4500, workingDirectory: 'web', shell: '/bin/sh',
    });
    const dep = p.workflows[0].jobs[1];
    assert.deepEqual(dep.requires, [{ job: 'build', statuses: ['success'] }]);
    assert.equal((dep.job!.steps[0] as RunStepPlan).noOutputTimeoutSeconds, 30);
    assert.equal(dep.job!.steps[0].when, 'on_fail');
    assert.equal(dep.job!.workingDirectory, '~/project');
  });

  it('returns a frozen plan', async () => {
    const p = await plan(BASIC);
    assert.ok(Object.isFrozen(p.workflows[0].jobs[0].job!.steps[0]));
    assert.throws(() => { (p as { setup: boolean }).setup = true; });
  });

  it('reports YAML syntax errors with line and column', async () => {
    const errs = await errors('version: 2.1\njobs:\n  build:\n    docker: [\n  x: 1\n');
    assert.equal(errs.length >= 1, true);
    assert.equal(errs[0].file, '.circleci/config.yml');
    assert.ok(errs[0].line >= 4, `line ${errs[0].line}`);
    assert.ok(errs[0].column >= 1);
    assert.match(errs[0].message, /YAML syntax error/);
  });

  it('reports several problems at once, each with a path and position', async () => {
    const errs = await errors(`version: 2.1
jobs:
  a:
    steps: [checkout]
  b:
    docker: [{ image: x }]
    steps:
      - run: { name: no command }
      - frobnicate
workflows:
  w:
    jobs: [a, b, c]
`);
    const byPath = Object.fromEntries(errs.map((e) => [e.path, e]));
    assert.match(byPath['jobs.a'].message, /no executor/);
    assert.deepEqual([byPath['jobs.a'].line, byPath['jobs.a'].column], [3, 3]);
    assert.match(byPath['jobs.b.steps[0].run'].message, /run needs a command/);
    assert.equal(byPath['jobs.b.steps[0].run'].line, 8);
    assert.match(byPath['jobs.b.steps[1]'].message, /"frobnicate" is not a built-in step or a known command/);
    assert.equal(byPath['jobs.b.steps[1]'].line, 9);
    assert.match(byPath['workflows.w.jobs[2]'].message, /job "c" is not defined/);
  });

  it('needs version and workflows', async () => {
    const errs = await errors('jobs: {}\n');
    assert.ok(errs.some((e) => /version is missing/.test(e.message)));
    assert.ok(errs.some((e) => /no workflows/.test(e.message)));
  });

  it('never throws on odd input', async () => {
    for (const src of ['', '---', '[]', '42', 'version: 2.1\nworkflows: 3', 'version: 2.1\njobs: {a: 1}\nworkflows: {w: {jobs: [a]}}', '*x', '&a [*a]']) {
      const r = await run(src);
      assert.equal(r.ok, false, src);
      if (!r.ok) assert.ok(!r.problems.some((p) => p.message.startsWith('internal error')), src);
    }
  });

  it('ignores unknown top-level keys holding anchors and workflows: version', async () => {
    const p = await plan(`version: 2.1
aliases:
  - &img { image: cimg/base:current }
defaults: &defaults
  docker: [*img]
jobs:
  a:
    <<: *defaults
    steps: [checkout]
workflows:
  version: 2
  w: { jobs: [a] }
`);
    assert.equal((p.workflows[0].jobs[0].job!.executor as DockerExecutorPlan).images[0].image, 'cimg/base:current');
  });

  it('runs the job named build when there are no workflows', async () => {
    const p = await plan('version: 2.1\njobs:\n  build:\n    docker: [{image: a}]\n    steps: [checkout]\n');
    assert.deepEqual(jobNames(p), { workflow: ['build'] });
  });
});

describe('processConfig: executors and job settings', () => {
  it('compiles machine, macos and windows executors', async () => {
    const p = await plan(`version: 2.1
executors:
  win:
    machine: { image: windows-server-2022-gui:current, shell: powershell.exe }
    resource_class: windows.medium
jobs:
  m: { machine: { image: ubuntu-2204:current }, resource_class: large, parallelism: 4, steps: [checkout] }
  m2: { machine: true, steps: [checkout] }
  mac: { macos: { xcode: "15.0.0" }, resource_class: macos.m1.medium.gen1, steps: [checkout] }
  w: { executor: win, shell: bash.exe, steps: [checkout] }
workflows:
  x: { jobs: [m, m2, mac, w] }
`);
    const [m, m2, mac, w] = p.workflows[0].jobs.map((j) => j.job!);
    assert.deepEqual(m.executor, { kind: 'machine', image: 'ubuntu-2204:current' });
    assert.equal(m.resourceClass, 'large');
    assert.equal(m.parallelism, 4);
    assert.deepEqual(m2.executor, { kind: 'machine' });
    assert.deepEqual(mac.executor, { kind: 'macos', xcode: '15.0.0' });
    assert.deepEqual(w.executor, { kind: 'windows', image: 'windows-server-2022-gui:current' });
    assert.equal(w.resourceClass, 'windows.medium');
    assert.equal(w.shell, 'bash.exe');
  });

  it('applies executor parameters and merges environment (job wins)', async () => {
    const p = await plan(`version: 2.1
executors:
  node:
    parameters: { tag: { type: string, default: "18.0" } }
    docker: [{ image: "cimg/node:<< parameters.tag >>" }]
    working_directory: /w
    environment: { A: exec, B: exec }
jobs:
  t:
    executor: { name: node, tag: "20.1" }
    environment: { B: job }
    steps: [checkout]
  u: { executor: node, steps: [checkout] }
workflows:
  x: { jobs: [t, u] }
`);
    const [t, u] = p.workflows[0].jobs.map((j) => j.job!);
    assert.equal((t.executor as DockerExecutorPlan).images[0].image, 'cimg/node:20.1');
    assert.equal((u.executor as DockerExecutorPlan).images[0].image, 'cimg/node:18.0');
    assert.deepEqual(t.environment, { A: 'exec', B: 'job' });
    assert.equal(t.workingDirectory, '/w');
  });

  it('accepts store_artifacts with when: and persist_to_workspace paths as a string', async () => {
    const p = await plan(`version: 2.1
jobs:
  a:
    docker: [{ image: x }]
    steps:
      - persist_to_workspace: { root: ., paths: . }
      - store_artifacts: { path: out, when: always }
      - save_cache: { key: k, paths: [a] }
      - setup_remote_docker
workflows: { w: { jobs: [a] } }
`);
    const steps = p.workflows[0].jobs[0].job!.steps;
    assert.deepEqual(steps[0], { kind: 'persist_to_workspace', name: 'Persisting to workspace', when: 'on_success', args: { root: '.', paths: '.' } });
    assert.deepEqual(steps[1], { kind: 'store_artifacts', name: 'Uploading artifacts', when: 'always', args: { path: 'out' } });
    assert.equal(steps[3].kind, 'setup_remote_docker');
  });

  it('rejects malformed timeouts and step conditions', async () => {
    const errs = await errors(`version: 2.1
jobs:
  a:
    docker: [{ image: x }]
    steps:
      - run: { command: x, no_output_timeout: 10 minutes }
      - run: { command: x, when: sometimes }
workflows: { w: { jobs: [a] } }
`);
    assert.ok(errs.some((e) => e.path === 'jobs.a.steps[0].run.no_output_timeout'));
    assert.ok(errs.some((e) => e.path === 'jobs.a.steps[1].run.when'));
  });
});
