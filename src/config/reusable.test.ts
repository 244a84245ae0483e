import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors, plan } from '../../test/fixtures/config/helpers.js';
import type { DockerExecutorPlan, RunStepPlan } from './plan.js';

const cmds = (p: Awaited<ReturnType<typeof plan>>, i = 0) => p.workflows[0].jobs[i].job!.steps.map((s) => (s.kind === 'run' ? (s as RunStepPlan).command : s.kind));

describe('parameters, commands, steps splicing, when/unless', () => {
  it('binds every parameter type with defaults', async () => {
    const p = await plan(`version: 2.1
commands:
  greet:
    parameters:
      who: { type: string, default: world }
      loud: { type: boolean, default: false }
      times: { type: integer, default: 1 }
      mode: { type: enum, enum: [fast, slow], default: fast }
      var: { type: env_var_name, default: HOME }
    steps:
      - run: echo << parameters.who >> << parameters.loud >> << parameters.times >> << parameters.mode >> $<< parameters.var >>
jobs:
  a:
    docker: [{ image: x }]
    steps:
      - greet
      - greet: { who: kiln, loud: true, times: 3, mode: slow, var: PATH }
workflows: { w: { jobs: [a] } }
`);
    assert.deepEqual(cmds(p), ['echo world false 1 fast $HOME', 'echo kiln true 3 slow $PATH']);
  });

  it('reports type errors, missing and unknown arguments', async () => {
    const errs = await errors(`version: 2.1
commands:
  c:
    parameters:
      b: { type: boolean }
      i: { type: integer, default: 1 }
      e: { type: enum, enum: [x, y], default: x }
      v: { type: env_var_name, default: OK }
    steps: [{ run: echo }]
jobs:
  a:
    docker: [{ image: x }]
    steps:
      - c: { i: "many", e: z, v: "1BAD", extra: 1 }
workflows: { w: { jobs: [a] } }
`);
    const msgs = errs.map((e) => e.message).join('\n');
    assert.match(msgs, /requires argument "b"/);
    assert.match(msgs, /argument "i" must be an integer/);
    assert.match(msgs, /argument "e" must be one of "x", "y"/);
    assert.match(msgs, /argument "v" must be an environment variable name/);
    assert.match(msgs, /has no parameter "extra"/);
  });

  it('splices steps parameters and flattens them', async () => {
    const p = await plan(`version: 2.1
commands:
  wrap:
    parameters: { inner: { type: steps } }
    steps:
      - run: before
      - steps: << parameters.inner >>
      - run: after
jobs:
  a:
    parameters: { extra: { type: steps, default: [] } }
    docker: [{ image: x }]
    steps:
      - wrap: { inner: [{ run: one }, { wrap: { inner: [{ run: deep }] } }] }
      - steps: << parameters.extra >>
workflows: { w: { jobs: [{ a: { extra: [{ run: last }, checkout] } }] } }
`);
    assert.deepEqual(cmds(p), ['before', 'one', 'before', 'deep', 'after', 'after', 'last', 'checkout']);
  });

  it('decides when/unless steps at compile time, with logic statements', async () => {
    const p = await plan(`version: 2.1
jobs:
  a:
    parameters: { deploy: { type: boolean, default: false }, env: { type: string, default: prod } }
    docker: [{ image: x }]
    steps:
      - when: { condition: << parameters.deploy >>, steps: [{ run: deploying }] }
      - unless: { condition: << parameters.deploy >>, steps: [{ run: skipped-deploy }] }
      - when:
          condition: { and: [{ equal: [prod, << parameters.env >>] }, { matches: { pattern: "^ma.*$", value: << pipeline.git.branch >> } }] }
          steps: [{ run: prod-on-main }]
      - when: { condition: { or: [] }, steps: [{ run: never }] }
workflows: { w: { jobs: [a] } }
`).catch((e: Error) => e);
    assert.ok(p instanceof Error && /empty list/.test(p.message), 'an empty or: is an error');
    const q = await plan(`version: 2.1
jobs:
  a:
    parameters: { deploy: { type: boolean, default: false }, env: { type: string, default: prod } }
    docker: [{ image: x }]
    steps:
      - when: { condition: << parameters.deploy >>, steps: [{ run: deploying }] }
      - unless: { condition: << parameters.deploy >>, steps: [{ run: skipped-deploy }] }
      - when:
          condition: { and: [{ equal: [prod, << parameters.env >>] }, { matches: { pattern: "^ma.*$", value: << pipeline.git.branch >> } }] }
          steps: [{ run: prod-on-main }]
      - when: { condition: "", steps: [{ run: never }] }
workflows: { w: { jobs: [a] } }
`);
    assert.deepEqual(cmds(q), ['skipped-deploy', 'prod-on-main']);
  });

  it('passes executor parameters by name or map, and compares them with equal', async () => {
    const p = await plan(`version: 2.1
executors:
  small: &small { docker: [{ image: small:1 }] }
  big: { docker: [{ image: big:1 }] }
jobs:
  a:
    parameters: { os: { type: executor, default: small } }
    executor: << parameters.os >>
    steps:
      - when: { condition: { equal: [*small, << parameters.os >>] }, steps: [{ run: is-small }] }
      - run: ran
workflows: { w: { jobs: [a, { a: { name: a2, os: big } }] } }
`);
    assert.equal((p.workflows[0].jobs[0].job!.executor as DockerExecutorPlan).images[0].image, 'small:1');
    assert.equal((p.workflows[0].jobs[1].job!.executor as DockerExecutorPlan).images[0].image, 'big:1');
    assert.deepEqual(cmds(p, 0), ['is-small', 'ran']);
    assert.deepEqual(cmds(p, 1), ['ran']);
  });

  it('keeps parameters scoped to their job or command', async () => {
    const errs = await errors(`version: 2.1
commands:
  c: { steps: [{ run: << parameters.x >> }] }
jobs:
  a:
    parameters: { x: { type: string, default: y } }
    docker: [{ image: x }]
    steps: [c]
workflows: { w: { jobs: [a] } }
`);
    assert.match(errs[0].message, /in command "c": .*parameter "x" is not declared/);
    assert.equal(errs[0].path, 'jobs.a.steps[0]');
  });

  it('detects commands that invoke themselves', async () => {
    const errs = await errors(`version: 2.1
commands: { loop: { steps: [loop] } }
jobs: { a: { docker: [{ image: x }], steps: [loop] } }
workflows: { w: { jobs: [a] } }
`);
    assert.ok(errs.some((e) => /nest deeper/.test(e.message)));
  });
});

describe('pipeline values and pipeline parameters', () => {
  it('interpolates every pipeline value; empty values become <nil> in environment', async () => {
    const p = await plan(`version: 2.1
parameters:
  v: { type: string, default: "1" }
  n: { type: integer, default: 2 }
jobs:
  a:
    docker: [{ image: x }]
    environment:
      ID: << pipeline.id >>
      NUM: << pipeline.number >>
      URL: << pipeline.project.git_url >>
      TYPE: << pipeline.project.type >>
      SLUG: << pipeline.project.slug >>
      BRANCH: << pipeline.git.branch >>
      TAG: << pipeline.git.tag >>
      REV: << pipeline.git.revision >>
      BASE: << pipeline.git.base_revision >>
      SRC: << pipeline.trigger_source >>
      SCHED: << pipeline.schedule.name >>/<< pipeline.schedule.id >>
      TP: << pipeline.trigger_parameters.gitlab.ref >>
      PV: << pipeline.parameters.v >>-<< pipeline.parameters.n >>
      EXPR: << pipeline.git.branch == "main" and 10 or 1 >>
    steps: [checkout]
workflows: { w: { jobs: [a] } }
`, { values: { git: { baseRevision: 'def' }, schedule: { name: 'nightly', id: 's1' }, triggerParameters: { gitlab: { ref: 'r' } } }, params: { v: 'x' } });
    assert.deepEqual(p.workflows[0].jobs[0].job!.environment, {
      ID: 'pipe-1', NUM: '7', URL: 'https://github.com/acme/app', TYPE: 'github', SLUG: 'gh/acme/app', BRANCH: 'main', TAG: '<nil>',
      REV: 'abc123', BASE: 'def', SRC: 'api', SCHED: 'nightly/s1', TP: 'r', PV: 'x-2', EXPR: '10',
    });
  });

  it('rejects undeclared or mistyped pipeline parameters and step-only types', async () => {
    const errs = await errors(`version: 2.1
parameters:
  n: { type: integer, default: 1 }
  s: { type: steps, default: [] }
jobs: { a: { docker: [{ image: x }], steps: [checkout] } }
workflows: { w: { jobs: [a] } }
`, { params: { n: 'lots', other: 1 } });
    const msgs = errs.map((e) => e.message).join('\n');
    assert.match(msgs, /argument "n" must be an integer/);
    assert.match(msgs, /has no parameter "other"/);
    assert.match(msgs, /parameter "s" needs a type: one of string, boolean, integer, enum/);
  });
});
