/**
 * Issue #3 end to end on the real Docker engine: orbs published and imported with the CLI and
 * used by a pipeline; a setup job receives CIRCLE_CONTINUATION_KEY (masked in its output); a
 * schedule fired by the server's own scheduler loop.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { ADMIN_TOKEN, createRepo, ensureTestImages, runCli, startKiln, type TestKiln } from '../support/kiln.js';

const ORB = `version: 2.1
description: Kiln test orb
commands:
  greet:
    parameters:
      who: { type: string, default: world }
    steps:
      - run:
          name: greet from the orb
          command: echo "ORB-MARKER hello << parameters.who >>"
`;

describe('orbs, setup pipelines and schedules end to end', { timeout: 300_000 }, () => {
  let kiln: TestKiln;
  let env: Record<string, string>;
  let dir: string;
  before(async () => {
    ensureTestImages();
    kiln = await startKiln();
    env = { KILN_URL: kiln.url, KILN_TOKEN: ADMIN_TOKEN };
    dir = mkdtempSync(join(tmpdir(), 'kiln-orb-e2e-'));
  });
  after(async () => { await kiln?.stop(); if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('imports the four packed fixture orbs with one command, idempotently', async () => {
    const args = ['orb', 'import', 'test/fixtures/config/orbs', '--version', 'circleci/node=7.2.1', 'circleci/browser-tools=2.3.1', 'circleci/docker=4.0.1', 'circleci/slack=6.1.3'];
    const first = await runCli(args, env);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.match(/^Published /gm)?.length, 4, first.stdout);
    const again = await runCli(args, env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout.match(/^Unchanged /gm)?.length, 4, again.stdout);
    const list = await runCli(['orb', 'list'], env);
    assert.match(list.stdout, /circleci\/node\t7\.2\.1/);
    assert.match(list.stdout, /circleci\/slack\t6\.1\.3/);
    const missing = await runCli(['orb', 'import', 'test/fixtures/config/orbs'], env);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /No version for circleci__browser-tools\.orb\.yml/);
  });

  it('publishes an orb with the CLI and runs a pipeline that uses its command', async () => {
    const file = join(dir, 'tools.orb.yml');
    writeFileSync(file, ORB);
    const published = await runCli(['orb', 'publish', 'kiln/tools@1.0.0', file], env);
    assert.equal(published.code, 0, published.stderr);
    const twice = await runCli(['orb', 'publish', 'kiln/tools@1.0.0', file], env);
    assert.notEqual(twice.code, 0);
    assert.match(twice.stderr, /immutable.*HTTP 409/);
    const repo = createRepo(`version: 2.1
orbs:
  t: kiln/tools@1
jobs:
  build:
    docker: [{ image: kiln-test/sh:1 }]
    steps:
      - t/greet: { who: kiln }
workflows:
  main:
    jobs: [build]
`);
    await kiln.client.createProject({ name: 'orb-user', repo_url: repo.url });
    const run = await runCli(['pipeline', 'trigger', 'git/default/orb-user', '--follow'], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /\[build\] ORB-MARKER hello kiln/);
    repo.remove();
  });

  it('gives setup jobs a masked CIRCLE_CONTINUATION_KEY', async () => {
    const repo = createRepo(`version: 2.1
setup: true
jobs:
  generate:
    docker: [{ image: kiln-test/sh:1 }]
    steps:
      - run: echo "KEY-LENGTH \${#CIRCLE_CONTINUATION_KEY}"; echo "KEY-VALUE $CIRCLE_CONTINUATION_KEY"
workflows:
  setup:
    jobs: [generate]
`);
    await kiln.client.createProject({ name: 'dynamic', repo_url: repo.url });
    const run = await runCli(['pipeline', 'trigger', 'git/default/dynamic', '--follow'], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const length = Number(/KEY-LENGTH (\d+)/.exec(run.stdout)?.[1]);
    assert.ok(length > 40, `the key is set (${length} characters)`);
    assert.doesNotMatch(run.stdout, /kiln_cont_/, 'the key is masked in the output');
    const pipelines = await kiln.client.listPipelines('git/default/dynamic');
    assert.equal(pipelines.items[0]!.state, 'setup');
    repo.remove();
  });

  it('fires a schedule from the server scheduler loop as a scheduled_pipeline', async () => {
    const repo = createRepo('version: 2.1\njobs:\n  tick:\n    docker: [{ image: kiln-test/sh:1 }]\n    steps: [{ run: echo "SCHEDULED << pipeline.schedule.name >>" }]\nworkflows:\n  w:\n    jobs: [tick]\n');
    await kiln.client.createProject({ name: 'cron', repo_url: repo.url });
    const created = await runCli(['schedule', 'create', 'git/default/cron', '--name', 'every-minute', '--cron', '* * * * *', '--branch', 'main'], env);
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.split('\t')[0]!;
    // Make it due now rather than waiting for the next minute.
    const store = await openStore(`sqlite:${join(kiln.dataDir, 'kiln.db')}`);
    try {
      await store.db.updateTable('schedules').set({ next_run_at: '2020-01-01T00:00:00.000Z' }).where('id', '=', id).execute();
    } finally {
      await store.close();
    }
    const deadline = Date.now() + 40_000;
    let pipelines = await kiln.client.listPipelines('git/default/cron');
    while (pipelines.items.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      pipelines = await kiln.client.listPipelines('git/default/cron');
    }
    assert.equal(pipelines.items.length, 1, 'the scheduler fired once');
    assert.equal(pipelines.items[0]!.trigger.type, 'scheduled_pipeline');
    const listed = await runCli(['schedule', 'list', 'git/default/cron'], env);
    assert.match(listed.stdout, /every-minute\t\* \* \* \* \*/);
    assert.equal((await runCli(['schedule', 'delete', id], env)).code, 0);
    repo.remove();
  });
});
