/**
 * Every corpus config, processed with the four fixture orbs available, must give the outcome
 * written down (and reviewed) in test/fixtures/config/corpus-expectations.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { processConfig, orbSourceFromFiles } from './index.js';
import { corpusFiles, corpusPipelineValues, FIXTURES_DIR, orbFiles, workflowShape } from '../../test/fixtures/config/corpus-fixtures.js';
import type { CorpusExpectation } from '../../test/fixtures/config/corpus-fixtures.js';
import type { ExecutorPlan, JobPlan } from './plan.js';

const expectations = JSON.parse(readFileSync(join(FIXTURES_DIR, 'corpus-expectations.json'), 'utf8')) as Record<string, CorpusExpectation>;
const files = corpusFiles();
const orbs = orbSourceFromFiles(orbFiles());

describe('corpus', () => {
  it('has an expectation for every corpus file and a file for every expectation', () => {
    assert.equal(files.size, 40);
    assert.deepEqual([...files.keys()].sort(), Object.keys(expectations).sort());
  });

  for (const [file, source] of files) {
    it(file, async () => {
      const want = expectations[file];
      const r = await processConfig({ source, file, pipelineValues: corpusPipelineValues(), orbs });
      const problems = r.ok ? r.warnings : r.problems;
      assert.ok(!problems.some((p) => p.message.startsWith('internal error')), 'no internal error');
      for (const p of problems) {
        assert.equal(p.file, file);
        assert.ok(p.line >= 1 && p.column >= 1, `location of ${p.message}`);
      }
      if (want.outcome === 'error') {
        assert.equal(r.ok, false, `${file} must be rejected: ${want.note}`);
        if (r.ok) return;
        const messages = r.problems.filter((p) => p.severity === 'error').map((p) => p.message);
        for (const e of want.errors) assert.ok(messages.some((m) => m.includes(e)), `expected an error containing "${e}", got:\n${messages.join('\n')}`);
        const unavailable = messages.filter((m) => m.includes('is not available'));
        assert.equal(unavailable.length, want.errors.filter((e) => e.includes('is not available')).length, `exactly the missing orbs: ${unavailable.join('; ')}`);
        assert.ok(!messages.some((m) => m.includes('job has no executor') || m.includes('which is not a job in this workflow')), 'no follow-on noise from missing orbs');
        return;
      }
      assert.ok(r.ok, `${file} must compile: ${r.ok ? '' : r.problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('\n')}`);
      const got = Object.fromEntries(r.plan.workflows.map((w) => [w.name, workflowShape(w)]));
      assert.deepEqual(got, want.workflows);
      for (const [key, kinds] of Object.entries(want.steps)) {
        const [wf, job] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
        const jobPlan: JobPlan | undefined = r.plan.workflows.find((w) => w.name === wf)?.jobs.find((j) => j.name === job)?.job;
        assert.ok(jobPlan, `job ${key} is planned`);
        assert.deepEqual(jobPlan.steps.map((s) => s.kind), kinds, `steps of ${key}`);
        const e: ExecutorPlan = jobPlan.executor;
        const text: string = e.kind === 'docker' ? `docker ${e.images[0].image}` : e.kind === 'macos' ? `macos ${e.xcode}` : `${e.kind} ${e.image ?? ''}`.trim();
        assert.equal(text, want.executors[key], `executor of ${key}`);
      }
      assert.ok(Object.isFrozen(r.plan) && Object.isFrozen(r.plan.workflows), 'plan is frozen');
    });
  }
});
