import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors, jobNames, plan, run } from '../../test/fixtures/config/helpers.js';
import { orbSourceFromFiles } from './orb-source.js';
import { parseOrbRef } from './orbs.js';
import { expandConfig, validateConfig } from './expand-config.js';
import type { DockerExecutorPlan, RunStepPlan } from './plan.js';
import { orbFiles } from '../../test/fixtures/config/corpus-fixtures.js';

const TOOLS = `version: 2.1
orbs:
  helper: acme/helper@1.2
executors:
  default:
    parameters: { tag: { type: string, default: "3.12" } }
    docker: [{ image: "python:<< parameters.tag >>" }]
commands:
  say:
    parameters: { what: { type: string } }
    steps:
      - run: echo << parameters.what >> \\<< not-a-param >>
      - helper/hello
jobs:
  check:
    executor: default
    steps: [say: { what: hi }]
`;
const HELPER = `version: 2.1
commands:
  hello: { steps: [{ run: hello-from-helper }] }
`;

function files(extra: Record<string, string> = {}) {
  return orbSourceFromFiles(new Map(Object.entries({ 'acme__tools@2.0.0.orb.yml': TOOLS, 'acme__helper.orb.yml': HELPER, ...extra })));
}

describe('orbs', () => {
  it('parses reference forms', () => {
    for (const v of ['1', '1.2', '1.2.3', 'volatile', 'dev:alpha', 'dev:abc123']) assert.equal(parseOrbRef(`circleci/node@${v}`)?.version, v);
    assert.equal(parseOrbRef('circleci/node'), undefined);
    assert.equal(parseOrbRef('circleci/node@latest'), undefined);
  });

  it('uses registry orbs (commands, jobs, executors) and orbs they import, with escapes', async () => {
    const r = await run(`version: 2.1
orbs:
  tools: acme/tools@2.0.0
jobs:
  mine:
    executor: { name: tools/default, tag: "3.11" }
    steps: [tools/say: { what: mine }]
workflows:
  w: { jobs: [tools/check, mine] }
`, { orbs: files() });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    if (!r.ok) return;
    const [check, mine] = r.plan.workflows[0].jobs;
    assert.equal(check.name, 'tools/check');
    assert.equal(check.job!.name, 'tools/check');
    assert.equal((check.job!.executor as DockerExecutorPlan).images[0].image, 'python:3.12');
    assert.deepEqual(check.job!.steps.map((s) => (s as RunStepPlan).command), ['echo hi << not-a-param >>', 'hello-from-helper']);
    assert.equal((mine.job!.executor as DockerExecutorPlan).images[0].image, 'python:3.11');
    assert.equal(r.warnings.length, 1, 'the any-version helper file warns');
    assert.match(r.warnings[0].message, /acme\/helper@1.2 is served from acme__helper.orb.yml/);
  });

  it('reports a missing orb precisely, and nothing else about it', async () => {
    const errs = await errors(`version: 2.1
orbs:
  go: circleci/go@1.7
jobs:
  a: { executor: go/default, steps: [go/install, checkout] }
workflows:
  w: { jobs: [a, go/test, { b: { requires: [go/test] } }] }
`, { orbs: files() });
    assert.equal(errs[0].message.startsWith('orb circleci/go@1.7 is not available: '), true, errs[0].message);
    assert.deepEqual([errs[0].line, errs[0].column, errs[0].path], [3, 3, 'orbs.go']);
    assert.deepEqual(errs.map((e) => e.message.slice(0, 30)), [errs[0].message.slice(0, 30), 'job "b" is not defined under j']);
  });

  it('resolves a version from a pipeline parameter and inline orbs', async () => {
    const p = await plan(`version: 2.1
parameters: { v: { type: string, default: "2.0.0" } }
orbs:
  tools: acme/tools@<< pipeline.parameters.v >>
  local:
    executors: { e: { docker: [{ image: inline:1 }] } }
    jobs: { j: { executor: e, steps: [{ run: inline }] } }
workflows:
  w: { jobs: [tools/check, local/j] }
`, { orbs: files() });
    assert.deepEqual(jobNames(p).w, ['tools/check', 'local/j']);
    assert.equal((p.workflows[0].jobs[1].job!.executor as DockerExecutorPlan).images[0].image, 'inline:1');
  });

  it('fails without an orb source, and on bad references', async () => {
    const a = await errors('version: 2.1\norbs: { n: circleci/node@7 }\njobs: { a: { docker: [{image: x}], steps: [checkout] } }\nworkflows: { w: { jobs: [a] } }\n');
    assert.match(a[0].message, /orb circleci\/node@7 is not available: no orb source/);
    const b = await errors('version: 2.1\norbs: { n: node }\njobs: { a: { docker: [{image: x}], steps: [checkout] } }\nworkflows: { w: { jobs: [a] } }\n', { orbs: files() });
    assert.match(b[0].message, /orb reference "node" for alias "n" is not valid/);
  });

  it('works with the real node orb', async () => {
    const p = await plan(`version: 2.1
orbs: { node: circleci/node@7.2.1 }
workflows: { w: { jobs: [{ node/test: { executor: { name: node/default, tag: "20.11", resource_class: medium } } }] } }
`, { orbs: orbSourceFromFiles(orbFiles()) });
    const job = p.workflows[0].jobs[0].job!;
    assert.equal((job.executor as DockerExecutorPlan).images[0].image, 'cimg/node:20.11');
    assert.equal(job.resourceClass, 'medium');
    assert.deepEqual(job.steps.map((s) => s.name), ['Checkout code', 'Checking for package.json', 'Installing NPM packages', 'Remove temporary links', 'Run NPM Tests']);
    assert.ok(job.steps.every((s) => s.kind !== 'run' || !(s as RunStepPlan).command.includes('<< parameters')), 'no parameter left');
  });
});

describe('orbSourceFromFiles', () => {
  it('serves exact versions, any-version files with a warning, and explains a miss', async () => {
    const src = orbSourceFromFiles(new Map([['dir/circleci__go@1.7.orb.yml', 'a'], ['circleci__node.orb.yml', 'b'], ['README.md', 'c']]));
    assert.deepEqual(await src.resolve({ namespace: 'circleci', name: 'go', version: '1.7' }), { source: 'a', file: 'circleci__go@1.7.orb.yml' });
    const any = await src.resolve({ namespace: 'circleci', name: 'node', version: '5.0' });
    assert.ok('source' in any && any.source === 'b' && /not checked/.test(any.warning ?? ''));
    const miss = await src.resolve({ namespace: 'circleci', name: 'go', version: '1.8' });
    assert.ok('error' in miss && /circleci__go@1.8.orb.yml/.test(miss.error));
  });
});

describe('expandConfig / validateConfig', () => {
  it('prints the expanded config: orbs inlined, parameters resolved, matrix expanded', async () => {
    const r = await expandConfig({
      source: `version: 2.1
orbs: { tools: acme/tools@2.0.0 }
jobs:
  t:
    parameters: { v: { type: string } }
    docker: [{ image: "x:<< parameters.v >>" }]
    steps: [tools/say: { what: << parameters.v >> }]
workflows:
  w:
    jobs:
      - t: { matrix: { parameters: { v: ["1", "2"] } }, filters: { branches: { only: main } } }
`,
      orbs: files(),
    });
    assert.ok(r.ok);
    if (!r.ok) return;
    const jobs = r.config.jobs as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(jobs), ['t-1', 't-2']);
    assert.deepEqual(jobs['t-2'].docker, [{ image: 'x:2' }]);
    assert.deepEqual(jobs['t-2'].steps, [{ run: 'echo 2 << not-a-param >>' }, { run: 'hello-from-helper' }]);
    assert.equal('parameters' in jobs['t-1'], false);
    assert.equal('orbs' in r.config, false);
    assert.deepEqual((r.config.workflows as Record<string, { jobs: unknown[] }>).w.jobs[0], { 't-1': { filters: { branches: { only: 'main' } } } });
  });

  it('validateConfig lists problems and is empty for a valid config', async () => {
    assert.deepEqual(await validateConfig({ source: 'version: 2.1\njobs: { a: { docker: [{image: x}], steps: [checkout] } }\nworkflows: { w: { jobs: [a] } }\n' }), []);
    const problems = await validateConfig({ source: 'version: 2.1\njobs: { a: { steps: [checkout] } }\nworkflows: { w: { jobs: [a] } }\n' });
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /no executor/);
  });
});
